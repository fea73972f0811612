import Foundation
import Testing
import TelltaleAlerts
import TelltaleConfig
@testable import TelltaleData
import TelltaleModel
import TelltalePatterns
@testable import TelltaleScorer
import TelltaleSignals

@Suite struct ScoreOutputTests {
    let fixture: ScoringFixture
    let run: ScoreRun
    init() throws {
        fixture = try ScoringFixture()
        run = try AccountScorer(model: fixture.model()).score(history: fixture.history, asOf: ScoringFixture.asOf,
                                                              context: ScoringContext(previousBands: ["GONE": .green]))
    }

    @Test func theCSVHasTheContractColumnsAndReadsBackToTheSameValues() throws {
        let path = fixture.directory + "/scores.csv"
        try ScoreOutput.render(run.rows, format: .csv).write(to: URL(fileURLWithPath: path))
        let contract = ["account_id", "segment", "owner", "as_of", "churn_probability", "health_score", "band", "previous_band",
                        "band_change", "severity", "alert_types", "reasons", "patterns", "playbook", "contract_value",
                        "renewal_date", "days_to_renewal"]
        let table = try FlatTable.read(path: path, textColumns: ["account_id", "reasons", "playbook", "alert_types", "suppressed_alerts"])
        #expect(Array(table.columnNames.prefix(contract.count)) == contract)
        #expect(table.rowCount == run.rows.count)
        guard case let .text(ids)? = table.column(named: "account_id")?.values,
              case let .numeric(p)? = table.column(named: "churn_probability")?.values,
              case let .text(types)? = table.column(named: "alert_types")?.values else { Issue.record("column types"); return }
        for (k, row) in run.rows.enumerated() {
            #expect(ids[k] == row.accountID)
            #expect(abs(p[k] - row.churnProbability) < 5e-5)
            #expect((types[k] ?? "") == row.alertTypes.map(\.rawValue).joined(separator: ";"))
        }
    }

    @Test func jsonLinesCarryTheSameKeysWithTypedValues() throws {
        let lines = String(decoding: ScoreOutput.render(run.rows, format: .jsonl), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == run.rows.count)
        for (line, row) in zip(lines, run.rows) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Set(object.keys) == Set(ScoreOutput.columns))
            #expect(object["account_id"] as? String == row.accountID)
            #expect(abs((object["health_score"] as? Double ?? -1) - row.healthScore) < 0.05 + 1e-9)
            #expect((object["band_change"] is NSNull) == (row.bandChange == nil))
        }
        #expect(ScoreOutput.Format.from(path: "x/scores.JSONL") == .jsonl && ScoreOutput.Format.from(path: "s.csv") == .csv)
    }

    /// A large score file is written chunk by chunk while later chunks are
    /// still rendered: the same bytes as rendering it all first, in both formats.
    @Test func aLargeScoreFileWrittenAsItRendersHasTheRenderedBytes() throws {
        var rows: [ScoredAccount] = []
        for i in 0..<50_000 {
            var row = run.rows[i % run.rows.count]
            row.accountID = "R\(i)"
            row.churnProbability = Double(i % 1000) / 1000
            rows.append(row)
        }
        for format in ScoreOutput.Format.allCases {
            let path = fixture.directory + "/large.\(format.rawValue)"
            try ScoreOutput.write(rows, format: format, to: path)
            let written = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(written == ScoreOutput.render(rows, format: format), "\(format)")
            #expect(written.split(separator: 0x0A).count == rows.count + (format == .csv ? 1 : 0))
        }
    }

    @Test func theSummaryCountsWhatTheRowsSay() {
        let text = ScoreSummary.text(run)
        let flagged = run.rows.filter { $0.severity >= .high }
        let expected = Int(flagged.map(\.churnProbability).reduce(0, +).rounded())
        #expect(text.contains("\(flagged.count) account\(flagged.count == 1 ? "" : "s") flagged high or critical"), "\(text)")
        #expect(text.contains("about \(expected) expected to churn without action"))
        #expect(text.contains(ScoreSummary.money(flagged.compactMap(\.contractValue).reduce(0, +)) + " contract value at risk"))
        #expect(text.contains("\(run.rejects.count) not scored"))
        #expect(ScoreSummary.money(1_234_567) == "$1.2M" && ScoreSummary.money(850_000) == "$850K" && ScoreSummary.money(12) == "$12")
    }

    @Test func theSummarySaysWhenFlaggedAccountsHaveNoContractValue() throws {
        var partial = run
        for i in partial.rows.indices { partial.rows[i].severity = .none }
        try #require(partial.rows.count >= 3)
        for (i, value) in [(0, nil), (1, 12_000), (2, 30_000)] as [(Int, Double?)] {
            partial.rows[i].severity = .high
            partial.rows[i].contractValue = value
        }
        #expect(ScoreSummary.text(partial).contains("; $42K contract value at risk (2 of the 3 with a contract value)\n"))
        var none = run
        for i in none.rows.indices { none.rows[i].contractValue = nil }
        #expect(ScoreSummary.text(none).contains("expected to churn without action; contract value unknown\n"))
        #expect(!ScoreSummary.text(run).contains("with a contract value"))
    }

    @Test func usageForAnUnknownAccountBecomesAReject() throws {
        var problems = ProblemList(keep: 100)
        for line in [5, 9] {
            problems.add(Problem(file: "usage.csv", line: line, column: "customer", value: "ZZZ", message: "is not an account in accounts.csv",
                                 unknownAccount: true))
        }
        problems.add(Problem(file: "usage.csv", line: 12, column: "date", value: "2026-13-01", message: "is not a date"))
        let rejects = RejectedAccount.unknownAccounts(in: problems)
        #expect(rejects.map(\.accountID) == ["ZZZ"])
        #expect(rejects[0].reason == "2 rows whose customer is not an account in accounts.csv (first: usage.csv line 5)")
    }

    /// Combined patterns a flat table's rows match: each account lists them,
    /// riskiest first, and those with the lift an alert needs raise one with
    /// the pattern's sentence; a single flag or a partial match raises nothing.
    @Test func matchedCombinedPatternsAreListedAndTheStrongOnesAlert() throws {
        var model = try fixture.model()
        model.signals += ["f0", "f1", "f2"].map { SignalDefinition(name: $0, kind: .column) }
        let strong = PatternDefinition(flags: ["f0", "f1"]), weak = PatternDefinition(flags: ["f1", "f2"])
        model.patterns = [
            PatternSummary(definition: PatternDefinition(flags: ["f0"]), sentence: "f0 alone", accounts: 50, churnRate: 0.5, lift: 3,
                           qValue: 0.01, isFeature: false),
            PatternSummary(definition: weak, sentence: "f1 and f2", accounts: 40, churnRate: 0.3, lift: 1.5, qValue: 0.01, isFeature: true),
            PatternSummary(definition: strong, sentence: "f0 and f1", accounts: 30, churnRate: 0.4, lift: 2.5, qValue: 0.01, isFeature: true),
        ]
        let path = fixture.directory + "/flat-patterns.csv"
        try """
        account_id,segment,as_of,logins_30d,f0,f1,f2
        A,Mid,2026-03-01,5,1,1,0
        B,Mid,2026-03-01,5,1,1,1
        C,Mid,2026-03-01,5,1,0,1
        D,Mid,2026-03-01,5,0,1,1
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let flat = try FlatScoringInput(path: path, model: model)
        let settings = AlertSettings()
        #expect(2.5 >= settings.patternMinimumLift && 1.5 < settings.patternMinimumLift)
        let run = AccountScorer(model: model, alerts: settings).score(table: flat.table, facts: flat.facts, asOf: flat.asOf!)
        let patterns = Dictionary(uniqueKeysWithValues: run.rows.map { ($0.accountID, $0.patterns) })
        #expect(patterns == ["A": [strong.name], "B": [strong.name, weak.name], "C": [], "D": [weak.name]])
        for id in ["A", "B"] {
            let alerts = run.alerts(of: id).filter { $0.type == .pattern }
            #expect(alerts.count == 1 && alerts[0].rule == "pattern: \(strong.name)" && alerts[0].detail == "f0 and f1 (in training 40% of its 30 accounts churned, against a base rate of 16%)")
            #expect(run.rows.first { $0.accountID == id }!.alertTypes.contains(.pattern))
        }
        for id in ["C", "D"] { #expect(!run.alerts(of: id).contains { $0.type == .pattern }) }
        // The Monday lines: each combined pattern's matches today, most matched first, with
        // what its training churn rate makes of them; "f0 alone" is a single flag, not listed.
        // Beside the training rate, the matched accounts' own probabilities, summed.
        let summary = ScoreSummary.text(run)
        func sum(_ ids: [String]) -> String { String(format: "%.1f", run.rows.filter { ids.contains($0.accountID) }.map(\.churnProbability).reduce(0, +)) }
        #expect(summary.contains("\ncombined pattern f0 and f1: 2 accounts today; at the 40% it churned at in training, about 0.8 of them will churn if nobody acts "
            + "(their churn probabilities add up to \(sum(["A", "B"])))\n"
            + "combined pattern f1 and f2: 2 accounts today; at the 30% it churned at in training, about 0.6 of them will churn if nobody acts "
            + "(their churn probabilities add up to \(sum(["B", "D"])))\n"), "\(summary)")
        #expect(!summary.contains("f0 alone"))
    }

    /// A table whose every row is rejected, and one with no rows, still make
    /// a run: no rows, every account in the rejects, nothing lost or crashed.
    @Test func aFlatTableWithNoScorableRowsMakesAnEmptyRunWithItsRejects() throws {
        var model = try fixture.model()
        model.signals += ["f0", "f1"].map { SignalDefinition(name: $0, kind: .column) }
        model.patterns = [PatternSummary(definition: PatternDefinition(flags: ["f0", "f1"]), sentence: "f0 and f1", accounts: 30,
                                         churnRate: 0.4, lift: 2.5, qValue: 0.01, isFeature: true)]
        let path = fixture.directory + "/flat-unscorable.csv"
        for body in ["A,Mid,2026-03-01,,1,1\nB,Mid,2026-03-01,,0,1\n", ""] {
            try ("account_id,segment,as_of,logins_30d,f0,f1\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
            let flat = try FlatScoringInput(path: path, model: model)
            let run = AccountScorer(model: model).score(table: flat.table, facts: flat.facts, asOf: Day.parse("2026-03-01")!)
            #expect(run.rows.isEmpty)
            #expect(run.rejects.map(\.accountID) == (body.isEmpty ? [] : ["A", "B"]))
            #expect(run.rejects.allSatisfy { $0.reason.contains("model signals missing") })
        }
    }

    /// A segment of more than 20,000 accounts takes its medians from an even
    /// spread of 20,000 of them (its j-th is member ⌊j × step⌋): logins 0 to
    /// 49,999 give the spread's median 24,998.5, shown as 24999, where all the
    /// rows' median would show 25000.
    @Test func aLargeSegmentsMedianComesFromAnEvenSpreadOfItsAccounts() throws {
        let model = try fixture.model()
        let path = fixture.directory + "/flat-large-segment.csv"
        var text = "account_id,segment,as_of,logins_30d\n"
        for r in 0..<50_000 { text += "A\(r),Mid,2026-03-01,\(r)\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let flat = try FlatScoringInput(path: path, model: model)
        let run = AccountScorer(model: model).score(table: flat.table, facts: flat.facts, asOf: flat.asOf!)
        let spread = (0..<20_000).map { Double(Int(Double($0) * 2.5)) }
        let expected = (spread[9_999] + spread[10_000]) / 2
        #expect(expected == 24_998.5)
        let first = try #require(run.rows.first { $0.accountID == "A0" })
        #expect(first.reasons.texts.first?.hasSuffix(", segment median \(ReasonBuilder.format(expected))") == true, "\(first.reasons.texts)")
        #expect(ReasonBuilder.format(expected) == "24999")
    }

    @Test func aFlatTableIsScoredFromItsColumns() throws {
        let model = try fixture.model()
        let path = fixture.directory + "/flat.csv"
        try """
        account_id,segment,owner,contract_value,renewal_date,as_of,logins_30d
        A,Mid,Bo,1000,2026-04-01,2026-03-01,60
        B,Mid,,2000,,2026-03-01,
        C,Other,Cy,3000,2025-05-01,2026-03-01,0
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let input = try FlatScoringInput(path: path, model: model)
        #expect(input.asOf == ScoringFixture.asOf)
        let strict = AccountScorer(model: model).score(table: input.table, facts: input.facts, asOf: input.asOf!)
        #expect(strict.rows.map(\.accountID) == ["A", "C"])
        #expect(strict.rejects.map(\.reason) == ["1 of 1 model signals missing (logins_30d); over scoring.max_imputed_share"])
        var lenient = ScoringSettings()
        lenient.maximumImputedShare = 1
        let run = AccountScorer(model: model, settings: lenient).score(table: input.table, facts: input.facts, asOf: input.asOf!)
        #expect(run.rows.map(\.accountID) == ["A", "B", "C"])
        let p = { (logins: Double) in 1 / (1 + exp(-(-1.5 - (log1p(logins) - log1p(40))))) }
        #expect(abs(run.rows[0].churnProbability - p(60)) < 1e-12)
        #expect(abs(run.rows[2].churnProbability - p(0)) < 1e-12)
        // B's logins are missing: filled with the model's training median, as training did.
        let fill = model.preparation.fill[model.preparation.names.firstIndex(of: "logins_30d")!]!
        #expect(abs(run.rows[1].churnProbability - p(fill)) < 1e-12)
        #expect(run.rows[0].daysToRenewal == 31 && run.rows[2].renewalDate == Day.parse("2026-05-01"))
        #expect(run.warnings.contains { $0.contains("segment 'Other'") })
    }

    @Test func aModelSignalMissingForEveryScoredAccountIsNamedInAWarning() throws {
        let model = try fixture.model()
        var lenient = ScoringSettings()
        lenient.maximumImputedShare = 1
        func warnings(logins: (Int) -> String) throws -> [String] {
            let path = fixture.directory + "/flat-absent-\(UUID().uuidString).csv"
            let rows = (0..<12).map { "A\($0),Mid,2026-03-01,\(logins($0))" }
            try (["account_id,segment,as_of,logins_30d"] + rows).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let input = try FlatScoringInput(path: path, model: model)
            let run = AccountScorer(model: model, settings: lenient).score(table: input.table, facts: input.facts, asOf: input.asOf!)
            #expect(run.rows.count == 12)
            return run.warnings
        }
        let none = try warnings { _ in "" }
        #expect(none.contains { $0.hasPrefix("model signal 'logins_30d' missing for all 12 scored accounts, filled with the training median") }, "\(none)")
        let one = try warnings { $0 == 5 ? "40" : "" }
        #expect(!one.contains { $0.contains("missing for all") }, "\(one)")
    }

    @Test func aFlatTableWithoutContractValuesOrRenewalDatesKeepsTheAlertsBaseSeverity() throws {
        let path = fixture.directory + "/flat-no-contract.csv"
        try """
        account_id,segment,as_of,logins_30d,logins_trend
        A,Mid,2026-03-01,60,0.5
        B,Mid,2026-03-01,60,1.0
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let model = try fixture.model()
        let input = try FlatScoringInput(path: path, model: model)
        let run = AccountScorer(model: model).score(table: input.table, facts: input.facts, asOf: input.asOf!)
        let a = try #require(run.rows.first { $0.accountID == "A" })
        // Logins down by half fire the trend rule (base medium); A is green, with one
        // alert type, and no contract value or renewal date to move it.
        #expect(a.alertTypes == [.trend] && a.band == .green)
        #expect(a.severity == .medium)
        #expect(run.rows.first { $0.accountID == "B" }?.severity == Severity.none)
    }

    /// A large flat table is read in one part per core, each part's values in
    /// a block of its own, then joined: the same table, facts and date as the
    /// one-pass reader gives, row for row (numbers of every form, blanks, dates).
    @Test func aFlatTableReadOnEveryCoreIsTheTableReadInOnePass() throws {
        let model = try fixture.model()
        let path = fixture.directory + "/flat-large.csv"
        var rng = SystemRandomNumberGenerator()
        let cells = ["0", "12", "7.5", "-3.25", "1e3", " 42 ", "", "NA", "0.001", "123456789.5", "60", "1."]
        var text = "account_id,segment,owner,contract_value,renewal_date,as_of,logins_30d\n"
        for i in 0..<5_000 {
            let segment = ["Mid", "Other", "Enterprise Annual"].randomElement(using: &rng)!
            let owner = ["", "Bo", "Cy"].randomElement(using: &rng)!
            let renewal = ["", "2026-04-01", "2025-05-01", "2027-02-28"].randomElement(using: &rng)!
            let asOf = i == 4_321 ? "2026-03-02" : "2026-03-01"
            text += "A\(i),\(segment),\(owner),\(cells.randomElement(using: &rng)!),\(renewal),\(asOf),\(cells.randomElement(using: &rng)!)\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let parallel = try FlatScoringInput(path: path, model: model, segmentColumn: "segment", minimumParallelBytes: 1)
        let serial = try FlatScoringInput(path: path, model: model, segmentColumn: "segment", minimumParallelBytes: .max)
        #expect(parallel.facts.count == 5_000)
        #expect(parallel.facts == serial.facts)
        #expect(parallel.asOf == Day.parse("2026-03-02") && serial.asOf == parallel.asOf)
        #expect(parallel.table.raw.count == serial.table.raw.count)
        for (a, b) in zip(parallel.table.raw, serial.table.raw) {
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        }
        #expect(parallel.table.segments == serial.table.segments && parallel.table.accountIDs == serial.table.accountIDs)
    }

    /// A reason cell is written piece by piece, its quoting decided from its
    /// items: it must be what quoting the joined texts gives, for labels with
    /// quotes and commas too.
    @Test func reasonCellsAreQuotedAsTheirJoinedTextsWouldBe() throws {
        for label in ["logins in the last 30 days", "logins \"seen\", all users", "logins \"seen\""] {
            var model = try fixture.model()
            let i = try #require(model.signals.firstIndex { $0.name == "logins_30d" })
            model.signals[i].label = label
            let run = try AccountScorer(model: model).score(history: fixture.history, asOf: ScoringFixture.asOf)
            #expect(run.row("GONE")?.reasons.texts == [label + " 0, segment median 60"])
            for row in run.rows {
                var w = ByteWriter()
                row.reasons.writeCSV(to: &w)
                let texts = row.reasons.texts
                #expect(String(decoding: w.bytes, as: UTF8.self) == (texts.isEmpty ? "" : csvField(texts.joined(separator: ";"))))
            }
        }
    }

    @Test func theAlertsSectionOfTheConfigAddsReplacesAndDisablesRules() throws {
        let yaml = """
        alerts:
          grace_days: 21
          disable: [shallow_adoption]
          rules:
            - name: logins_drop_33pct
              type: trend
              when: ["logins_trend <= 0.5"]
              severity: high
            - name: quiet_big_account
              type: abandonment
              when: ["days_since_login >= 10", "contract_value >= 100000"]
              severity: critical
              grace: false
          severity: {large_contract: 100000, renewal_soon_days: 60}
        scoring: {min_history_days: 45, reasons: 2}
        """
        let config = try Configuration.parse(yaml, file: "t.yml", baseDirectory: ".")
        let rules = config.alerts.rules
        #expect(config.alerts.graceDays == 21 && config.scoring.minimumHistoryDays == 45 && config.scoring.reasonCount == 2)
        #expect(!rules.contains { $0.name == "shallow_adoption" })
        #expect(rules.first { $0.name == "logins_drop_33pct" }?.conditions == [Condition(parsing: "logins_trend <= 0.5")!])
        #expect(rules.first { $0.name == "logins_drop_33pct" }?.severity == .high)
        #expect(rules.last?.name == "quiet_big_account" && rules.last?.grace == false)
        #expect(config.alerts.severity.largeContract == 100000 && config.alerts.severity.renewalSoonDays == 60)

        for (bad, expected) in [
            ("alerts:\n  rules:\n    - name: x\n      type: mood\n      when: [\"a < 1\"]\n", "t.yml:4: 'alerts.rules.type': expected one of"),
            ("alerts:\n  disable: [nope]\n", "no built-in rule 'nope'"),
            ("alerts:\n  rules:\n    - name: x\n      type: trend\n      when: [\"a is low\"]\n", "is not a condition"),
            ("alerts:\n  grace_dayz: 3\n", "Did you mean 'grace_days'?"),
        ] {
            #expect { try Configuration.parse(bad, file: "t.yml", baseDirectory: ".") } throws: { "\($0)".contains(expected) }
        }
    }

    /// Several quantiles from one copy, each selection searching above the
    /// previous one (or, for many values, among those a sample brackets): the
    /// same as sorting gives, in any order asked, with ties, missing values,
    /// and a sample that misses (every sampled place holds the minimum).
    @Test func severalQuantilesAtOnceAreTheOrderStatisticsSortingGives() {
        var state: UInt64 = 3
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1; return state }
        var cases: [[Double]] = [1, 2, 5, 64, 1000, 30_001].map { n in
            (0..<n).map { i in i % 17 == 3 ? .nan : Double(next() >> 58) } // few distinct values: many ties
        }
        cases.append((0..<50_000).map { _ in Double(next() >> 11) / Double(1 << 53) })
        cases.append((0..<40_960).map { i in i % 40 == 0 ? -1 : Double(next() >> 40) })
        for v in cases {
            let qs = [0.75, 0.25, 0.9, 0.0, 0.5, 1.0, 0.25]
            let known = v.filter { !$0.isNaN }.sorted()
            for (q, got) in zip(qs, quantiles(v, qs)) {
                let pos = q * Double(known.count - 1), lo = Int(pos), hi = min(lo + 1, known.count - 1)
                #expect(got == known[lo] + (known[hi] - known[lo]) * (pos - Double(lo)), "n = \(v.count), q = \(q)")
                #expect(quantile(v, q).bitPattern == got.bitPattern)
            }
        }
        let none = quantiles([.nan], [0.25, 0.75])
        #expect(none.count == 2 && none[0].isNaN && none[1].isNaN)
    }

    /// The summary's pass over a large run is split across cores; its counts
    /// and sums must be those of the rows, counted here one by one.
    @Test func theSummaryOfALargeRunCountsEveryRowOnce() {
        var rows: [ScoredAccount] = []
        let template = run.rows[0]
        for i in 0..<150_000 {
            var row = template
            row.accountID = "R\(i)"
            row.band = Band.allCases[i % 4]
            row.severity = [Severity.none, .low, .medium, .high, .critical][i % 5]
            row.churnProbability = Double(i % 100) / 100
            row.contractValue = i % 7 == 0 ? nil : Double(i % 1000) * 10
            row.bandChange = i % 3 - 1
            row.patterns = i % 3 == 0 ? ["p"] : []
            rows.append(row)
        }
        var large = ScoreRun(asOf: run.asOf, rows: rows, rejects: [], alerts: [], warnings: [])
        large.combinedPatterns = [ScoreRun.CombinedPattern(name: "p", description: "f and g", churnRate: 0.5)]
        let text = ScoreSummary.text(large)
        let counts = Band.allCases.map { b in rows.filter { $0.band == b }.count }
        let flagged = rows.filter { $0.severity >= .high }
        #expect(text.contains("bands: " + zip(counts, Band.allCases).map { "\($0) \($1)" }.joined(separator: ", ")), "\(text)")
        #expect(text.contains("since the previous run \(rows.filter { $0.bandChange! < 0 }.count) moved down, \(rows.filter { $0.bandChange! > 0 }.count) up"))
        #expect(text.contains("\(flagged.count) accounts flagged high or critical (\(rows.filter { $0.severity == .critical }.count) critical)"))
        #expect(text.contains("about \(Int(flagged.map(\.churnProbability).reduce(0, +).rounded())) expected to churn"))
        #expect(text.contains(ScoreSummary.money(flagged.compactMap(\.contractValue).reduce(0, +)) + " contract value at risk"))
        let matched = rows.filter { !$0.patterns.isEmpty }
        #expect(text.contains("combined pattern f and g: \(matched.count) accounts today; at the 50% it churned at in training, about \(matched.count / 2) of them "
            + "will churn if nobody acts (their churn probabilities add up to \(Int(matched.map(\.churnProbability).reduce(0, +).rounded())))\n"), "\(text)")
        // No alert rule could run (a flat table without their columns): the red band's risk instead of "0 flagged".
        var noRules = large
        for i in noRules.rows.indices { noRules.rows[i].severity = .none }
        let red = rows.filter { $0.band == .red }, valued = red.compactMap(\.contractValue)
        #expect(ScoreSummary.text(noRules).contains("\nno alert rule could run on these signals (severity comes from the band alone); the red band's \(red.count) accounts: "
            + "about \(Int(red.map(\.churnProbability).reduce(0, +).rounded())) expected to churn without action; "
            + "\(ScoreSummary.money(valued.reduce(0, +))) contract value at risk (\(valued.count) of the \(red.count) with a contract value)\n"), "\(ScoreSummary.text(noRules))")
        #expect(!ScoreSummary.text(noRules).contains("flagged high or critical"))
    }

    @Test func quantilesInterpolateBetweenOrderStatisticsLikeNumpy() {
        #expect(quantile([4, 1, 3, 2], 0.25) == 1.75 && quantile([4, 1, 3, 2], 0.75) == 3.25)
        #expect(quantile([5, .nan, 1], 0.5) == 3 && quantile([.nan], 0.5).isNaN)
        var state: UInt64 = 7
        for n in [1, 2, 9, 100, 1001] {
            let v = (0..<n).map { _ -> Double in state = state &* 6364136223846793005 &+ 1; return Double(state >> 40) }
            let sorted = v.sorted()
            for q in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0] {
                let pos = q * Double(n - 1), lo = Int(pos), hi = min(lo + 1, n - 1)
                #expect(abs(quantile(v, q) - (sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo)))) < 1e-9)
            }
        }
    }
}
