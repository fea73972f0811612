import Foundation
import Testing
@testable import TelltalePatterns

struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 7 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }
}

/// Flags with prevalences between 10% and 40%, some correlated with others.
func randomFlags(rows: Int, count: Int, rng: inout SplitMix) -> [[Bool]] {
    var columns: [[Bool]] = []
    for f in 0..<count {
        let p = 0.1 + 0.3 * rng.uniform()
        if f > 0 && f % 4 == 0 {
            let parent = columns[f - 1]
            columns.append((0..<rows).map { parent[$0] ? rng.bernoulli(0.7) : rng.bernoulli(p / 2) })
        } else {
            columns.append((0..<rows).map { _ in rng.bernoulli(p) })
        }
    }
    return columns
}

func matrix(_ columns: [[Bool]]) -> FlagMatrix {
    var m = FlagMatrix(rows: columns[0].count)
    for (f, c) in columns.enumerated() { m.add(name: "f\(f)", label: "flag \(f)") { c[$0] } }
    return m
}

@Suite struct PatternFinderTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func countsAndCompletenessAgreeWithBruteForce(seed: UInt64) {
        var rng = SplitMix(seed)
        let rows = 700
        let columns = randomFlags(rows: rows, count: 9, rng: &rng)
        let churned = (0..<rows).map { _ in rng.bernoulli(0.25) }
        let segments = (0..<rows).map { _ in rng.bernoulli(0.5) ? "A" : "B" }
        var settings = PatternSearchSettings()
        settings.maxOrder = 3; settings.minSupport = 12; settings.minShare = 0; settings.minSegmentRows = 200
        let report = PatternFinder(settings: settings).run(flags: matrix(columns), churned: churned, segments: segments)
        var seen = Set<String>()
        for r in report.results {
            let items = r.definition.flags.map { Int($0.dropFirst())! }
            let inScope = (0..<rows).filter { row in r.definition.segment.map { segments[row] == $0 } ?? true }
            let matching = inScope.filter { row in items.allSatisfy { columns[$0][row] } }
            #expect(r.accounts == matching.count, "\(r.definition.name)")
            #expect(r.churned == matching.filter { churned[$0] }.count, "\(r.definition.name)")
            let base = Double(inScope.filter { churned[$0] }.count) / Double(inScope.count)
            #expect(abs(r.lift - r.churnRate / base) < 1e-12)
            seen.insert(r.definition.name + "|" + (r.definition.segment ?? ""))
        }
        // Every frequent conjunction of up to three flags, in every scope, was tested exactly once.
        var expected = 0
        for scope in [nil, "A", "B"] as [String?] {
            let inScope = (0..<rows).filter { row in scope.map { segments[row] == $0 } ?? true }
            for mask in 1..<(1 << 9) where mask.nonzeroBitCount <= 3 {
                let items = (0..<9).filter { mask & (1 << $0) != 0 }
                let n = inScope.filter { row in items.allSatisfy { columns[$0][row] } }.count
                if n >= 12 {
                    expected += 1
                    #expect(seen.contains(items.map { "f\($0)" }.joined(separator: " & ") + "|" + (scope ?? "")), "missing \(items) in \(scope ?? "all")")
                }
            }
        }
        #expect(report.results.count == expected && report.testedCount == expected)
    }

    /// The domain's worked example: three flags that alone churn near the base
    /// rate, and together far above it.
    static func plantedTriple(rows: Int, seed: UInt64) -> (FlagMatrix, [Bool], truth: Double) {
        var rng = SplitMix(seed)
        var columns = randomFlags(rows: rows, count: 12, rng: &rng)
        let frustrated = (0..<rows).map { _ in rng.bernoulli(0.05) }
        for f in 0..<3 { columns[f] = (0..<rows).map { frustrated[$0] ? rng.bernoulli(0.85) : rng.bernoulli(0.18) } }
        let logit = { (row: Int) -> Double in
            let parts = (0..<3).filter { columns[$0][row] }.count
            return -1.6 - 0.25 * Double(parts) + (parts == 3 ? 2.0 : 0)
        }
        let churned = (0..<rows).map { rng.uniform() < 1 / (1 + exp(-logit($0))) }
        return (matrix(columns), churned, 1 / (1 + exp(-(-1.6 - 0.75 + 2.0))))
    }

    @Test func thePlantedTripleIsFoundNearTheTopWithItsRateInsideTheInterval() {
        let (flags, churned, truth) = Self.plantedTriple(rows: 20000, seed: 5)
        let report = PatternFinder().run(flags: flags, churned: churned)
        let kept = report.kept
        let rank = kept.firstIndex { $0.definition.flags == ["f0", "f1", "f2"] }
        #expect(rank != nil && rank! < 3, "rank \(String(describing: rank)) of \(kept.prefix(5).map(\.definition.name))")
        if let r = rank.map({ kept[$0] }) {
            #expect(r.ciLow <= truth && truth <= r.ciHigh, "true rate \(truth) outside [\(r.ciLow), \(r.ciHigh)]")
            #expect(r.synergy > 1.5 && r.qValue < 1e-6)
            #expect(r.sentence.hasPrefix("flag 0 AND flag 1 AND flag 2: \(r.accounts) accounts, "))
        }
        // Its parts alone are barely above the base rate (they hold the triple's rows).
        for f in ["f0", "f1", "f2"] {
            let part = report.results.first { $0.definition.flags == [f] && $0.definition.segment == nil }!
            #expect(part.lift < 1.35, "\(f) alone has lift \(part.lift)")
        }
    }

    @Test func withShuffledLabelsTheSearchRarelyReportsAnything() {
        // 200 searches on data with no effect at all: BH at q < 0.05 should report
        // something in at most about 5% of them (fewer: Fisher's test is conservative).
        var rng = SplitMix(99)
        var runsWithFinding = 0
        let runs = 200
        for _ in 0..<runs {
            let rows = 1500
            let columns = randomFlags(rows: rows, count: 12, rng: &rng)
            let churned = (0..<rows).map { _ in rng.bernoulli(0.2) }
            var settings = PatternSearchSettings()
            settings.minSupport = 15
            if !PatternFinder(settings: settings).run(flags: matrix(columns), churned: churned).kept.isEmpty { runsWithFinding += 1 }
        }
        let share = Double(runsWithFinding) / Double(runs)
        #expect(share <= 0.08, "\(runsWithFinding) of \(runs) null runs reported a pattern")
        // ... while the same search finds the planted effect at a tenth of the size above.
        let (flags, churned, _) = Self.plantedTriple(rows: 2000, seed: 6)
        #expect(!PatternFinder().run(flags: flags, churned: churned).kept.isEmpty)
    }

    @Test func aSupersetThatDoesNotBeatItsPartIsDroppedAndTwinFlagsCollapse() {
        var rng = SplitMix(11)
        let rows = 6000
        let risky = (0..<rows).map { _ in rng.bernoulli(0.3) }
        let noise = (0..<rows).map { _ in rng.bernoulli(0.5) }
        let churned = (0..<rows).map { risky[$0] ? rng.bernoulli(0.45) : rng.bernoulli(0.1) }
        var m = FlagMatrix(rows: rows)
        m.add(name: "risky", label: "risky") { risky[$0] }
        m.add(name: "risky_copy", label: "risky again") { risky[$0] }
        m.add(name: "noise", label: "noise") { noise[$0] }
        let report = PatternFinder().run(flags: m, churned: churned)
        #expect(report.kept.map(\.definition.name) == ["risky"])
        let copy = report.results.first { $0.definition.name == "risky_copy" }!
        #expect(copy.status == .duplicate(of: "risky"))
        let superset = report.results.first { $0.definition.name == "risky & noise" }!
        #expect(superset.status == .notSignificant && superset.pValue > 0.01)
    }

    @Test func aDataDrivenCutLandsWhereChurnJumps() {
        var rng = SplitMix(3)
        let values = (0..<5000).map { _ in Double(Int(rng.uniform() * 40)) }
        let churned = values.map { v in rng.bernoulli(v < 10 ? 0.4 : 0.1) }
        let cut = DataDrivenCut.choose(signal: "logins_30d", values: values, churned: churned, minCount: 100)!
        #expect(cut.condition.op == .lt && cut.condition.value == 10)
        #expect(cut.name == "logins_30d_under_10")
        #expect(DataDrivenCut.choose(signal: "x", values: [1, 2, 3], churned: [true, false, true], minCount: 100) == nil)
    }

    @Test func rowOrderDoesNotChangeTheResult() {
        let (flags, churned, _) = Self.plantedTriple(rows: 3000, seed: 8)
        let perm = Array((0..<3000).reversed())
        var shuffled = FlagMatrix(rows: 3000)
        for f in 0..<flags.count {
            let col = flags.bits[f]
            shuffled.add(name: flags.names[f], label: flags.labels[f]) { r in col[perm[r] >> 6] & (1 << UInt64(perm[r] & 63)) != 0 }
        }
        let a = PatternFinder().run(flags: flags, churned: churned)
        let b = PatternFinder().run(flags: shuffled, churned: perm.map { churned[$0] })
        #expect(a.results.map(\.definition.name) == b.results.map(\.definition.name))
        #expect(a.results.map(\.pValue) == b.results.map(\.pValue))
    }
}
