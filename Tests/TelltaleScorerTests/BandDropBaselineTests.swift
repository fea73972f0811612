import Testing
import TelltaleData
import TelltaleModel
import TelltaleScorer

/// A band drop alerts once the account has stayed below its band of a week
/// before on every run since; runs a week apart compare with the previous run.
@Suite struct BandDropBaselineTests {
    /// Scores one account's bands run by run as `score` would, each run reading
    /// only the runs before it, and returns the days a band drop alerted with
    /// the band it fell from.
    static func alerts(_ runs: [(day: Int, band: Band?)], days: Int = 7) -> [(day: Int, from: Band)] {
        var out: [(Int, Band)] = []
        for t in runs.indices {
            let earlier = runs[..<t]
            let runDays = earlier.map { Day(number: Int32($0.day)) }
            let today = Day(number: Int32(runs[t].day))
            let bands = earlier.map { run in run.band.map { ["A": $0] } ?? [:] }
            guard let band = runs[t].band,
                  let baseline = BandDropBaseline.of(runDays: runDays, asOf: today, days: days, bands: { bands[$0] }, anotherModel: { _ in false })
            else { continue }
            if let from = baseline.bands["A"], band < from { out.append((runs[t].day, from)) }
        }
        return out
    }

    static func daily(_ bands: [Band]) -> [(day: Int, band: Band?)] { bands.enumerated().map { ($0.offset, $0.element) } }

    @Test func anAccountFlickeringAcrossACutPointDailyRaisesNoBandDrop() {
        let flicker = Self.daily((0..<40).map { $0 % 2 == 0 ? Band.green : .yellow })
        #expect(Self.alerts(flicker).isEmpty)
        // Compared with the previous run alone (0 days), every fall alerted: 20 in 40 days.
        #expect(Self.alerts(flicker, days: 0).count == 20)
        // Three days down, one up: never a week below.
        let mostlyDown = Self.daily((0..<40).map { $0 % 4 == 3 ? Band.green : .yellow })
        #expect(Self.alerts(mostlyDown).isEmpty && Self.alerts(mostlyDown, days: 0).count == 9)
    }

    @Test func aFallThatHoldsAWeekAlertsOnceAndAFurtherFallAgain() {
        // Green for 10 days, yellow from day 10, orange from day 30.
        let bands = (0..<50).map { $0 < 10 ? Band.green : $0 < 30 ? .yellow : .orange }
        let fired = Self.alerts(Self.daily(bands))
        #expect(fired.map(\.day) == [16, 36], "a week after each fall (day 10 and day 30), once each")
        #expect(fired.map(\.from) == [.green, .yellow])
        // A fall that comes back on day 5 of 7 raises nothing.
        let back = (0..<30).map { $0 >= 10 && $0 < 15 ? Band.yellow : .green }
        #expect(Self.alerts(Self.daily(back)).isEmpty)
    }

    @Test func weeklyRunsCompareWithThePreviousRunAsBefore() {
        let weekly: [(day: Int, band: Band?)] = [(0, .green), (7, .green), (14, .yellow), (21, .yellow), (28, .green), (35, .yellow), (42, .red)]
        let fired = Self.alerts(weekly)
        #expect(fired.map(\.day) == [14, 35, 42])
        #expect(fired.map(\.day) == Self.alerts(weekly, days: 0).map(\.day), "the same as against the previous run")
    }

    @Test func irregularRunsAlertOncePerBaselineAndGapsDoNotBreakAHeldFall() {
        // Runs on days 0, 10 and 11: both later runs have day 0 as their baseline; one alert.
        #expect(Self.alerts([(0, .green), (10, .yellow), (11, .yellow)]).map(\.day) == [10])
        // Day 5 did not score the account: the fall from day 0 still holds at day 8.
        #expect(Self.alerts([(0, .green), (3, .yellow), (5, nil), (8, .yellow)]).map(\.day) == [8])
        // No run a week before: nothing to compare with yet.
        #expect(Self.alerts([(0, .green), (3, .yellow), (5, .yellow)]).isEmpty)
    }

    @Test func theBaselineIsTheLatestRunAtLeastTheConfiguredDaysBefore() {
        let days = [0, 3, 7, 8, 9].map { Day(number: Int32($0)) }
        #expect(BandDropBaseline.latest(runDays: days, before: Day(number: 15), days: 7) == 3, "day 8 is 7 days before day 15")
        #expect(BandDropBaseline.latest(runDays: days, before: Day(number: 10), days: 0) == 4, "0 days: the previous run")
        #expect(BandDropBaseline.latest(runDays: days, before: Day(number: 6), days: 7) == nil)
        // Day 16's baseline is the previous run (day 9).
        #expect(BandDropBaseline.reference(runDays: days, asOf: Day(number: 16), days: 7) == 4)
        // Day 10's baseline is day 3; the previous run's (day 9) was day 0: a new baseline.
        #expect(BandDropBaseline.reference(runDays: days, asOf: Day(number: 10), days: 7) == 1)
        #expect(BandDropBaseline.reference(runDays: [0, 10].map { Day(number: Int32($0)) }, asOf: Day(number: 11), days: 7) == nil,
                "day 10 had the same baseline (day 0)")
    }
}
