import Testing
import TelltaleData
import TelltaleSignals

@Suite struct SignalTableCohortTests {
    /// A table's cohort column, against medians taken by sorting: per date and
    /// segment, a segment under 10 values on a date borrowing that date's
    /// median of every row, missing values left out of the medians and missing
    /// in the result. 20 segments, past the 16 the numbering looks up by scan.
    @Test func aTablesCohortColumnIsEachRowAgainstItsSegmentsMedianThatDate() throws {
        let days = [Day.parse("2026-03-01")!, Day.parse("2026-04-01")!]
        var observations: [Observation] = [], values: [Double] = [], segments: [String] = []
        var state: UInt64 = 7
        func next() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
        for s in 0..<20 {
            let rows = s == 3 ? 4 : 11 + s % 3 // segment 3 is small
            for _ in 0..<rows {
                for day in days {
                    observations.append(Observation(account: Int32(segments.count), asOf: day))
                    values.append(next() < 0.05 ? .nan : (next() * 2).rounded(toPlaces: 2) + (day == days[1] ? 0.5 : 0))
                    segments.append("segment \(s)")
                }
            }
        }
        let base = SignalDefinition(name: "logins_trend", kind: .column)
        let table = SignalTable(definitions: [base], observations: observations, historyDays: observations.map { _ in 365 },
                                raw: [values], accountIDs: segments.indices.map { "A\($0)" }, segments: segments)
        let cohort = SignalDefinition(name: "logins_trend_vs_segment", kind: .cohort(CohortSignal(signal: "logins_trend")))
        let out = try #require(table.appendingCohort(cohort))
        let column = try #require(out.column("logins_trend_vs_segment"))

        func median(_ v: [Double]) -> Double {
            let s = v.filter { !$0.isNaN }.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        var borrowed = 0
        for r in observations.indices {
            let sameDay = observations.indices.filter { observations[$0].asOf == observations[r].asOf }
            let segment = sameDay.filter { segments[$0] == segments[r] }.map { values[$0] }
            let known = segment.filter { !$0.isNaN }.count
            let m = known >= 10 ? median(segment) : median(sameDay.map { values[$0] })
            if known < 10 { borrowed += 1 }
            if values[r].isNaN { #expect(column[r].isNaN) } else { #expect(abs(column[r] - values[r] / m) < 1e-12, "row \(r)") }
        }
        #expect(borrowed >= 8, "the small segment borrows the date's median")
        #expect(table.appendingCohort(SignalDefinition(name: "x", kind: .cohort(CohortSignal(signal: "absent")))) == nil)
    }
}

private extension Double {
    func rounded(toPlaces p: Int) -> Double {
        var m = 1.0
        for _ in 0..<p { m *= 10 }
        return (self * m).rounded() / m
    }
}
