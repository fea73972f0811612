import Foundation
import Testing
import TelltaleData
@testable import TelltaleModel
@testable import TelltaleModelTraining
import TelltaleSignals
import TelltaleTraining

/// The signal cohorts (renewal rate by quintile of a signal, per segment) and
/// the power feature, on a table built so that every level is known by hand.
@Suite struct SignalCohortsTests {
    /// Segment A: 200 renewals, `core_actions_30d` = 1...200 (distinct: quintiles are
    /// 1-40, 41-80, ...), renewing 10, 20, 30, 35, 38 of the 40 in its levels;
    /// `features_used_max_30d` 0 (100 rows), 5 (60), 10 (40), which must stay whole
    /// levels. Segment B: 60 renewals, core actions not known for 10 of them;
    /// features used 1...60 renew all but the lowest 12. Segment C: 40 renewals,
    /// too few for cohorts of its own. `logins_30d` sorts renewals best of all but
    /// is not an in-product signal; `no_login` is a flag, which has no cohorts.
    static func table() -> (SignalTable, renewed: [Bool]) {
        var core: [Double] = [], features: [Double] = [], logins: [Double] = [], flag: [Double] = []
        var segments: [String] = [], renewed: [Bool] = []
        let renewsInLevel = [10, 20, 30, 35, 38]
        for i in 0..<200 {
            core.append(Double(i + 1))
            let level = i / 40, place = i % 40
            renewed.append(place < renewsInLevel[level])
            features.append(i < 100 ? 0 : i < 160 ? 5 : 10)
            logins.append(renewed.last! ? 50 : 0)
            flag.append(i % 2 == 0 ? 1 : 0)
            segments.append("A")
        }
        for i in 0..<60 {
            core.append(i < 10 ? .nan : Double(1000 + i))
            features.append(Double(i + 1))
            renewed.append(i >= 12)
            logins.append(renewed.last! ? 50 : 0)
            flag.append(0)
            segments.append("B")
        }
        for i in 0..<40 {
            core.append(Double(i)); features.append(Double(i)); logins.append(Double(i)); flag.append(0)
            renewed.append(i % 3 != 0)
            segments.append("C")
        }
        let definitions = [
            SignalDefinition(name: "core_actions_30d", kind: .window(WindowSignal(metric: "core_actions", days: 30, aggregate: .sum))),
            SignalDefinition(name: "features_used_max_30d", kind: .window(WindowSignal(metric: "features_used", days: 30, aggregate: .max))),
            SignalDefinition(name: "logins_30d", kind: .window(WindowSignal(metric: "logins", days: 30, aggregate: .sum))),
            SignalDefinition(name: "no_login", kind: .flag([Condition(signal: "logins_30d", op: .le, value: 0)])),
        ]
        let n = renewed.count
        let table = SignalTable(definitions: definitions,
                                observations: (0..<n).map { Observation(account: Int32($0), asOf: Day(number: 20_000), churned: !renewed[$0]) },
                                historyDays: Array(repeating: 400, count: n), raw: [core, features, logins, flag],
                                accountIDs: (0..<n).map { "R\($0)" }, segments: segments)
        return (table, renewed)
    }

    @Test func eachSegmentsQuintilesRenewAtTheRatesCountedByHand() throws {
        let (table, renewed) = Self.table()
        let cohorts = SignalCohorts.compute(table: table, renewed: renewed, segments: table.rowSegments)
        func cohort(_ signal: String, _ segment: String) -> SignalCohort? { cohorts.first { $0.signal == signal && $0.segment == segment } }

        let a = try #require(cohort("core_actions_30d", "A"))
        #expect(a.levels.map(\.from) == [1, 41, 81, 121, 161])
        #expect(a.levels.map(\.to) == [40, 80, 120, 160, 200])
        #expect(a.levels.map(\.rows) == [40, 40, 40, 40, 40])
        #expect(a.levels.map(\.renewalRate) == [10, 20, 30, 35, 38].map { Double($0) / 40 })
        #expect(abs(a.spread - (38.0 - 10) / 40) < 1e-12)

        // Equal values stay in one level: 0, 5 and 10, not five quintiles.
        let f = try #require(cohort("features_used_max_30d", "A"))
        #expect(f.levels.map(\.from) == [0, 5, 10] && f.levels.map(\.to) == [0, 5, 10])
        #expect(f.levels.map(\.rows) == [100, 60, 40])
        // Renewals among rows 0-99, 100-159 and 160-199, counted from the construction.
        let counts = [0..<100, 100..<160, 160..<200].map { r in r.filter { renewed[$0] }.count }
        #expect(f.levels.map(\.renewalRate) == zip(counts, [100, 60, 40]).map { Double($0) / Double($1) })

        // Segment B: the 10 unknown values are left out, not read as the lowest level.
        let b = try #require(cohort("core_actions_30d", "B"))
        #expect(b.levels.map(\.rows).reduce(0, +) == 50 && b.levels.first?.from == 1010)
        let bf = try #require(cohort("features_used_max_30d", "B"))
        #expect(bf.levels.map(\.renewalRate) == [0, 1, 1, 1, 1], "the lowest 12 of 60 churned: exactly the first quintile")

        // Under 50 renewals: no cohorts of segment C's own; it is in "all".
        #expect(!cohorts.contains { $0.segment == "C" })
        #expect(cohort("core_actions_30d", "all")?.levels.map(\.rows).reduce(0, +) == 290)
        #expect(!cohorts.contains { $0.signal == "no_login" }, "a flag has two values, not levels")
    }

    @Test func thePowerFeatureIsTheInProductSignalThatSortsRenewalsMostInEachSegment() {
        let (table, renewed) = Self.table()
        let cohorts = SignalCohorts.compute(table: table, renewed: renewed, segments: table.rowSegments)
        // logins_30d sorts every segment perfectly, but logins are not product use.
        #expect(cohorts.first { $0.signal == "logins_30d" && $0.segment == "A" }?.spread == 1)
        // A: core actions 0.25 -> 0.95 (spread 0.70) against features used 0.50 -> 0.95.
        #expect(SignalCohorts.powerFeature(cohorts, definitions: table.definitions, segment: "A") == "core_actions_30d")
        // B: features used spread 1 against core actions less.
        #expect(SignalCohorts.powerFeature(cohorts, definitions: table.definitions, segment: "B") == "features_used_max_30d")
        #expect(SignalCohorts.powerFeature(cohorts, definitions: table.definitions, segment: "C") == nil)
        // Over all segments: each segment's spread weighted by its renewals. Core actions:
        // (0.70 × 200 + 0.20 × 50) / 250 = 0.60; features used: (0.45 × 200 + 1.0 × 60) / 260 = 0.577.
        func weighted(_ signal: String) -> Double {
            let parts = cohorts.filter { $0.signal == signal && $0.segment != "all" }
            let rows = parts.map { Double($0.levels.reduce(0) { $0 + $1.rows }) }
            return zip(parts, rows).reduce(0) { $0 + $1.0.spread * $1.1 } / rows.reduce(0, +)
        }
        #expect(abs(weighted("core_actions_30d") - 0.6) < 1e-12 && abs(weighted("features_used_max_30d") - 150.0 / 260) < 1e-12)
        #expect(SignalCohorts.powerFeature(cohorts, definitions: table.definitions) == "core_actions_30d")
        // Simpson's paradox, by hand: X's pooled levels sort the segments (spread 0.5) but
        // hardly anything within them (0.1); Y sorts within each (0.3) and less pooled (0.2).
        func cohort(_ signal: String, _ segment: String, _ spread: Double) -> SignalCohort {
            SignalCohort(signal: signal, segment: segment, levels: [.init(from: 0, to: 1, rows: 50, renewalRate: 0.5),
                                                                     .init(from: 2, to: 3, rows: 50, renewalRate: 0.5 + spread)], spread: spread)
        }
        let simpson = [cohort("x_30d", "all", 0.5), cohort("x_30d", "A", 0.1), cohort("x_30d", "B", 0.1),
                       cohort("y_30d", "all", 0.2), cohort("y_30d", "A", 0.3), cohort("y_30d", "B", 0.3)]
        let xy = ["x", "y"].map { SignalDefinition(name: "\($0)_30d", kind: .window(WindowSignal(metric: $0, days: 30, aggregate: .sum))) }
        #expect(SignalCohorts.powerFeature(simpson, definitions: xy) == "y_30d")
        #expect(SignalCohorts.powerFeature(simpson.filter { $0.segment == "all" }, definitions: xy) == "x_30d", "pooled, X would win")
        // Without cohorts of any segment, the pooled spread decides.
        #expect(SignalCohorts.powerFeature(cohorts.filter { $0.segment == "all" }, definitions: table.definitions)
                == cohorts.filter { $0.segment == "all" && $0.signal != "logins_30d" }.max { $0.spread < $1.spread }?.signal)
    }

    @Test func aRenewalRateFallsInTheBandBetweenTheTargetsMidpoints() {
        let bands = BandTable(targets: [0.5, 0.6, 0.7, 0.8], population: SegmentBands(cutPoints: [55, 65, 75], borrowed: false, stats: []), segments: [:])
        #expect([0.0, 0.5499, 0.55, 0.6499, 0.65, 0.7499, 0.75, 1].map { bands.band(renewalRate: $0) }
                == [.red, .red, .orange, .orange, .yellow, .yellow, .green, .green])
        let other = BandTable(targets: [0.3, 0.5, 0.6, 0.9], population: bands.population, segments: [:])
        #expect([0.39, 0.4, 0.54, 0.55, 0.74, 0.75].map { other.band(renewalRate: $0) } == [.red, .orange, .orange, .yellow, .yellow, .green])
    }

    @Test func theReportShowsEachSegmentsPowerFeatureLevelByLevelWithItsBand() throws {
        let (table, renewed) = Self.table()
        let cohorts = SignalCohorts.compute(table: table, renewed: renewed, segments: table.rowSegments)
        let metrics = ValidationSummary.Metrics(rocAUC: 0.5, prAUC: 0.2, topDecileLift: 1, brier: 0.2, logLoss: 0.5,
                                                expectedCalibrationError: 0, calibration: [])
        let cuts = SegmentBands(cutPoints: [55, 65, 75], borrowed: false, stats: [])
        let model = ChurnModel(
            toolVersion: "test", trainedAt: "2026-01-01",
            provenance: .init(fingerprints: [:], config: nil, renewals: 300, churned: 0, firstObservation: "", lastObservation: "", usageEnd: ""),
            leadDays: 60, signals: table.definitions, preparation: SignalPreparation.fit(table), cuts: [],
            features: [], intercept: 0, coefficients: [], l2: 1,
            bands: BandTable(targets: [0.5, 0.6, 0.7, 0.8], population: cuts, segments: ["A": cuts, "B": cuts]),
            validation: ValidationSummary(holdoutFrom: "", trainRows: 0, holdoutRows: 0, cvGrid: [], chosenL2: 1, withPatterns: metrics, withoutPatterns: metrics),
            patterns: [], cohorts: cohorts, powerFeature: SignalCohorts.powerFeature(cohorts, definitions: table.definitions), warnings: [])
        let lines = TrainingReport.segmentCohorts(model)
        let text = lines.joined(separator: "\n")
        #expect(text.contains("red under 55%, orange under 65%, yellow under 75%"))
        #expect(text.contains("**A**") && text.contains("**B**") && !text.contains("**C**"))
        // A's core actions: 25%, 50%, 75%, 87.5%, 95% renew; Wilson intervals as computed for patterns.
        #expect(lines.contains("| 1 to 40 | 40 | 25.0% (14.2%-40.2%) | red |"))
        #expect(lines.contains("| 41 to 80 | 40 | 50.0% (35.2%-64.8%) | red |"))
        #expect(lines.contains("| 81 to 120 | 40 | 75.0% (59.8%-85.8%) | green |"))
        #expect(lines.contains("| 161 to 200 | 40 | 95.0% (83.5%-98.6%) | green |"))
        // B's power feature is its own, not the one of all segments.
        let b = try #require(lines.firstIndex(of: "**B**"))
        #expect(lines[b...].contains("Power feature: **features_used_max_30d**."))
        #expect(lines[b...].contains("| 1 to 12 | 12 | 0.0% (0.0%-24.2%) | red |"))
        // Its other signals follow, logins among them (strongest), the power feature not again.
        #expect(lines[b...].contains { $0.hasPrefix("- `logins_30d`") })
        #expect(!lines[b...].contains { $0.hasPrefix("- `features_used_max_30d`") })

        // A flat table's columns are not known to be product use: no power feature, each segment's strongest signals.
        var flat = model
        flat.signals = table.definitions.map { SignalDefinition(name: $0.name, kind: .column) }
        let flatLines = TrainingReport.segmentCohorts(flat)
        #expect(flatLines.contains { $0.hasPrefix("Each segment's three strongest signals (no power feature") })
        #expect(!flatLines.contains { $0.hasPrefix("Power feature") || $0.hasPrefix("No in-product") || $0.hasPrefix("|") })
        let flatB = try #require(flatLines.firstIndex(of: "**B**"))
        #expect(flatLines[(flatB + 2)...].prefix(3).allSatisfy { $0.hasPrefix("- `") }, "three signals, the strongest first")
    }
}
