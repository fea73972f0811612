import Foundation
import Testing
import TelltaleData
@testable import TelltaleModel
import TelltalePatterns
@testable import TelltaleSignals

/// A scoring job's table has a million rows: its model inputs are built on
/// every core, and complete untransformed columns are shared rather than
/// copied. Both must give what the one-core path gives on the same rows.
@Suite struct FeatureColumnsTests {
    /// `rows` rows of three signals (one with gaps, one complete, one logged),
    /// a 0/1 column the pattern reads, and three segments.
    static func table(rows: Int, seed: UInt64) -> SignalTable {
        var state = seed
        func next() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
        let gappy = (0..<rows).map { _ in next() < 0.1 ? Double.nan : (next() * 40).rounded() }
        let complete = (0..<rows).map { _ in next() * 3 - 1 }
        let counts = (0..<rows).map { _ in (next() * 100).rounded() }
        let flag = (0..<rows).map { _ in next() < 0.3 ? 1.0 : 0 }
        let names = ["SMB", "Mid-Market Annual", "Enterprise Annual"]
        let segments = (0..<rows).map { _ in names[Int(next() * 3) % 3] }
        return SignalTable(definitions: ["gappy", "complete", "counts", "flag"].map { SignalDefinition(name: $0, kind: .column) },
                           observations: (0..<rows).map { Observation(account: Int32($0), asOf: Day(number: 20_000)) },
                           historyDays: Array(repeating: 0, count: rows), raw: [gappy, complete, counts, flag],
                           accountIDs: (0..<rows).map { "A\($0)" }, segments: segments)
    }

    static let preparation = SignalPreparation(names: ["gappy", "complete", "counts"], transforms: [.none, .none, .log1p],
                                               fill: [5, nil, 0])
    static let specs = [FeatureSpec(name: "gappy", kind: .signal("gappy")), FeatureSpec(name: "complete", kind: .signal("complete")),
                        FeatureSpec(name: "counts", kind: .signal("counts")),
                        FeatureSpec(name: "flag in Mid", kind: .pattern(PatternDefinition(flags: ["flag"], segment: "Mid-Market Annual"))),
                        FeatureSpec(name: "Enterprise", kind: .segment("Enterprise Annual"))]

    @Test func aLargeTablesInputsAreTheInputsOfItsRowsBuiltOneSliceAtATime() {
        let n = 120_000
        let table = Self.table(rows: n, seed: 11)
        let whole = FeatureBuilder.columns(Self.specs, table: table, preparation: Self.preparation, cuts: [])
        // Slices under the parallel threshold, built on one core.
        var sliced = [[Double]](repeating: [], count: Self.specs.count)
        for start in stride(from: 0, to: n, by: 40_000) {
            let part = table.subset(Array(start..<min(n, start + 40_000)))
            let columns = FeatureBuilder.columns(Self.specs, table: part, preparation: Self.preparation, cuts: [])
            for j in columns.indices { sliced[j] += columns[j] }
        }
        for j in Self.specs.indices { #expect(whole[j].map(\.bitPattern) == sliced[j].map(\.bitPattern), "\(Self.specs[j].name)") }
        // And against the definitions directly: gaps filled with 5, the log taken, the pattern only in its segment.
        for r in stride(from: 0, to: n, by: 997) {
            let g = table.raw[0][r]
            #expect(whole[0][r] == (g.isNaN ? 5 : g))
            #expect(whole[1][r] == table.raw[1][r])
            #expect(whole[2][r] == Foundation.log1p(table.raw[2][r]))
            #expect(whole[3][r] == (table.raw[3][r] == 1 && table.segments[r] == "Mid-Market Annual" ? 1 : 0))
            #expect(whole[4][r] == (table.segments[r] == "Enterprise Annual" ? 1 : 0))
        }
    }

    /// Rows are numbered by segment on every core, block by block; the names
    /// must still come in the order the rows first show them.
    @Test func segmentCodesOfALargeTableFollowTheOrderTheRowsFirstShowThem() {
        let n = 150_000
        var table = Self.table(rows: n, seed: 5)
        // A segment seen only near the end, one only in the second half's first rows.
        table.segments[n - 3] = "Late"
        table.segments[n / 2 + 1] = "Second half"
        let segments = RowSegments(table)
        var expectedNames: [String] = []
        for s in table.segments where !expectedNames.contains(s) { expectedNames.append(s) }
        #expect(segments.names == expectedNames)
        #expect(segments.of.count == n)
        #expect((0..<n).allSatisfy { segments.names[segments.of[$0]] == table.segments[$0] })
    }
}
