import Foundation
import Testing

let sampleConfig = repositoryRoot.appendingPathComponent("notebooks-data/telltale.yml").path

/// Uniform numbers in [0, 1) from a seed (Knuth's MMIX constants): tables that are the same on every machine.
struct LinearCongruential {
    var state: UInt64
    mutating func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
}

/// The sample config with its three input paths made absolute, to be edited
/// and written into a test's own folder.
func sampleConfigWithAbsolutePaths() throws -> String {
    let data = repositoryRoot.appendingPathComponent("notebooks-data").path
    return try String(contentsOfFile: sampleConfig, encoding: .utf8)
        .replacingOccurrences(of: "accounts: accounts.csv", with: "accounts: \(data)/accounts.csv")
        .replacingOccurrences(of: "usage: usage.csv.gz", with: "usage: \(data)/usage.csv.gz")
        .replacingOccurrences(of: "renewals: renewals.csv", with: "renewals: \(data)/renewals.csv")
}

@Suite struct DataCommandTests {
    @Test func checkOnTheBundledSampleSummarisesEveryTable() throws {
        let r = try runTelltale(["check", "--config", sampleConfig])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        for text in ["1,000 accounts", "Enterprise Annual", "rows, 2024-07-01 to 2026-06-30", "logins", "csat", "level",
                     "decisions", "churn rate", "Problems: none"] {
            #expect(r.stdout.contains(text), "summary shows \(text)")
        }
        // The days weekly trends leave out are the simulator's holidays (docs/simulator.md: 24-31
        // December, 1 January, 1 May, 4 July at 5% of normal use), from the 57th day of the data
        // (2024-08-26; the first 8 weeks have none before them to compare with) to its end.
        let holidays = "2024-12-24 to 2025-01-01, 2025-05-01, 2025-07-04, 2025-12-24 to 2026-01-01, 2026-05-01"
        for metric in ["core_actions", "logins"] { #expect(r.stdout.contains("\n  \(metric): \(holidays)\n"), "\(r.stdout)") }
    }

    @Test func simulateThenCheckRoundTripsAndIsDeterministic() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-simcli-\(UUID().uuidString)").path
        let a = try runTelltale(["simulate", "--out", base + "/a", "--accounts", "60", "--days", "200", "--seed", "9"])
        let b = try runTelltale(["simulate", "--out", base + "/b", "--accounts", "60", "--days", "200", "--seed", "9"])
        #expect(a.status == 0 && b.status == 0)
        #expect(a.stderr.contains("60 accounts"))
        for file in ["accounts.csv", "usage.csv.gz", "renewals.csv", "ground_truth.json", "ground_truth_renewals.csv"] {
            let da = FileManager.default.contents(atPath: base + "/a/" + file)
            #expect(da != nil && da == FileManager.default.contents(atPath: base + "/b/" + file), "\(file) identical for one seed")
        }
        let c = try runTelltale(["check", "--accounts", base + "/a/accounts.csv", "--usage", base + "/a/usage.csv.gz",
                                 "--renewals", base + "/a/renewals.csv"])
        #expect(c.status == 0 && c.stdout.contains("60 accounts"), "\(c.stderr)")
    }

    @Test func checkExitsNonZeroAndListsEveryProblem() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "account_id,segment,signup_date,contract_value\nA1,SMB,2024-01-01,100\nA1,SMB,2024-01-01,100\n".write(to: dir.appendingPathComponent("accounts.csv"), atomically: true, encoding: .utf8)
        try "account_id,date,logins\nA1,2025-01-01,3\nB9,2025-01-01,3\n".write(to: dir.appendingPathComponent("usage.csv"), atomically: true, encoding: .utf8)
        try "account_id,renewal_date,outcome\nA1,2025-01-01,lost\n".write(to: dir.appendingPathComponent("renewals.csv"), atomically: true, encoding: .utf8)
        let yml = "data:\n  accounts: accounts.csv\n  usage: usage.csv\n  renewals: renewals.csv\n"
        try yml.write(to: dir.appendingPathComponent("t.yml"), atomically: true, encoding: .utf8)
        let r = try runTelltale(["check", "--config", dir.appendingPathComponent("t.yml").path])
        #expect(r.status != 0)
        #expect(r.stdout.contains("Problems: 3"))
        #expect(r.stdout.contains("line 3, column 'account_id': \"A1\" is a duplicate account id"))
        #expect(r.stdout.contains("\"B9\" is not an account"))
        #expect(r.stdout.contains("\"lost\" is neither renewed nor churned"))
        #expect(r.stderr.contains("not usable"))

        // With skip, the rows are left out and listed in the report file; the check passes.
        try (yml + "  on_problem: skip\n  problem_report: problems.csv\n").write(to: dir.appendingPathComponent("t.yml"), atomically: true, encoding: .utf8)
        let s = try runTelltale(["check", "--config", dir.appendingPathComponent("t.yml").path])
        #expect(s.status != 0, "still unusable: no renewal decision is left")
        let report = try String(contentsOf: dir.appendingPathComponent("problems.csv"), encoding: .utf8)
        #expect(report.split(separator: "\n").count == 4)
    }

    @Test func aConfigTypoIsNamedWithItsLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-\(UUID().uuidString).yml").path
        try "data:\n  acounts: a.csv\n".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try runTelltale(["check", "--config", path])
        #expect(r.status != 0)
        #expect(r.stderr.contains(":2: unknown key 'acounts'. Did you mean 'accounts'?"), "\(r.stderr)")
    }

    /// A signal reading a metric the export lacks, one referring to a misspelt signal, and a
    /// rule reading a misspelt name: `check` lists them against the export, as `train` and a
    /// scheduled `score` would otherwise find out (the rule, left out with a warning, never fired).
    @Test func checkListsConfigProblemsAgainstTheExport() throws {
        let data = repositoryRoot.appendingPathComponent("notebooks-data").path
        let tables = ["--accounts", data + "/accounts.csv", "--usage", data + "/usage.csv.gz", "--renewals", data + "/renewals.csv"]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-\(UUID().uuidString).yml").path
        try """
        signals:
          define:
            - name: api_90d
              window: {metric: api_call, days: 90, aggregate: sum}
            - name: logins_per_seat
              ratio: {numerator: logins_31d, denominator: seats}
        alerts:
          rules:
            - name: big_and_quiet
              type: trend
              when: ["contract_valu >= 100000", "logins_30d < 3"]
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try runTelltale(["check", "--config", path] + tables)
        #expect(r.status != 0 && r.stdout.contains("Problems: none") && r.stderr.contains("the data and config are not usable: 3 config problems"), "\(r.stderr)")
        // All of them at once, in the config's order, so the config is mended in one go.
        let listed = r.stdout.split(separator: "\n").drop { !$0.hasPrefix("Config problems") }.dropFirst().map(String.init)
        #expect(listed == [
            "  - signal 'api_90d': the usage table has no metric 'api_call' (metrics: logins, active_users, features_used, core_actions, "
                + "session_minutes, support_cases, csat, exports, api_calls)",
            "  - signal 'logins_per_seat': refers to 'logins_31d', which is neither a signal defined before it nor a built-in "
                + "(seats, contract_value, tenure_days, history_days); did you mean 'logins_30d'?",
            "  - alert rule 'big_and_quiet' reads 'contract_valu', which is no signal: not built in, not in signals.define, "
                + "not an account fact (did you mean 'contract_value'?)",
        ], "\(r.stdout)")
        // A signal with a problem still counts as defined for those after it: one problem, not a cascade.
        try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "ratio: {numerator: logins_31d, denominator: seats}", with: "ratio: {numerator: api_90d, denominator: seats}")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let next = try runTelltale(["check", "--config", path] + tables)
        #expect(next.stderr.contains("2 config problems") && !next.stdout.contains("refers to 'api_90d'"), "\(next.stdout)")
        // The sample's own config has none.
        let good = try runTelltale(["check", "--config", sampleConfig])
        #expect(good.status == 0 && !good.stdout.contains("Config problems"))
    }
}

@Suite struct SignalsCommandTests {
    @Test func theTrainingTableHasARowPerRenewalAndOpensInFit() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-signals-\(UUID().uuidString).csv").path
        let r = try runTelltale(["signals", "--config", sampleConfig, "--training", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let lines = text.split(separator: "\n")
        let renewals = try String(contentsOfFile: repositoryRoot.appendingPathComponent("notebooks-data/renewals.csv").path, encoding: .utf8)
            .split(separator: "\n").count - 1
        #expect(lines.count - 1 == renewals, "every sample renewal is observed after signup, so none is left out")
        #expect(lines[0].hasPrefix("account_id,segment,as_of,renewal_date,history_days,logins_30d,"))
        #expect(lines[0].hasSuffix(",churned"))
        // A flat table for `fit`: identifiers and dates are not features.
        let fit = try runTelltale(["fit", "--data", out, "--label", "churned", "--l2", "1", "--json"])
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("\"no_login_14d\""))
    }

    @Test func signalsAsOfADateCoverActiveAccountsAndRefuseDatesPastTheData() throws {
        let r = try runTelltale(["signals", "--config", sampleConfig, "--as-of", "2026-07-01"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").dropFirst()
        #expect(rows.count > 500 && rows.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false)[2] == "2026-07-01" })
        let late = try runTelltale(["signals", "--config", sampleConfig, "--as-of", "2026-09-01"])
        #expect(late.status != 0)
        #expect(late.stderr.contains("The usage data ends on 2026-06-30") && late.stderr.contains("--as-of 2026-07-01"))
        // Without --as-of: the day after the usage data, as score (it was today, past the data).
        let byDefault = try runTelltale(["signals", "--config", sampleConfig])
        #expect(byDefault.status == 0 && byDefault.stdout == r.stdout, "\(byDefault.stderr)")
        // Before the data starts: it had written a header and no rows.
        let early = try runTelltale(["signals", "--config", sampleConfig, "--as-of", "2020-01-01"])
        #expect(early.status != 0 && early.stderr.contains("The usage data starts on 2024-07-01"), "\(early.stderr)")
        let both = try runTelltale(["signals", "--config", sampleConfig, "--as-of", "2026-07-01", "--training"])
        #expect(both.status != 0 && both.stderr.contains("not both"))
    }

    @Test func modelInputsHaveNoEmptyCellsWhereAPolicyFillsThem() throws {
        let r = try runTelltale(["signals", "--config", sampleConfig, "--as-of", "2026-07-01", "--model-inputs"])
        #expect(r.status == 0, "\(r.stderr)")
        let header = r.stdout.split(separator: "\n")[0].split(separator: ",")
        let csat = header.firstIndex(of: "csat_min_30d")!
        let cells = r.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[csat] }
        #expect(cells.allSatisfy { !$0.isEmpty })
    }
}

@Suite struct PatternsCommandTests {
    @Test func patternsOnTheSampleWriteTheContractColumnsBestFirst() throws {
        let r = try runTelltale(["patterns", "--config", sampleConfig, "--max-order", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines[0].hasPrefix("pattern,order,accounts,churned,churn_rate,ci_low,ci_high,lift,synergy,p_value,q_value"))
        #expect(lines.count > 3)
        // Best first: the lower interval bound never increases down the table.
        let ciLow = lines.dropFirst().map { Double($0.split(separator: ",")[5])! }
        #expect(zip(ciLow, ciLow.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(lines.dropFirst().allSatisfy { Int($0.split(separator: ",")[1])! <= 2 })
        #expect(r.stderr.contains("kept at q < 0.05"))
    }

    @Test func aConfigWithNoSignalsIsRefusedBeforeTraining() throws {
        let dir = try scratchDirectory("nosignals")
        let data = repositoryRoot.appendingPathComponent("notebooks-data").path
        let tables = "data:\n  accounts: \(data)/accounts.csv\n  usage: \(data)/usage.csv.gz\n  renewals: \(data)/renewals.csv\n"
        try (tables + "signals:\n  defaults: false\n").write(toFile: dir + "/none.yml", atomically: true, encoding: .utf8)
        for command in [["train", "--out", dir + "/m.json"], ["signals", "--training", "--out", dir + "/t.csv"]] {
            let r = try runTelltale([command[0], "--config", dir + "/none.yml"] + command.dropFirst())
            #expect(r.status != 0 && r.stderr.contains("no signals to compute: signals.defaults is false, and signals.define adds none"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.json"))
        // Usage whose metrics have other names than the contract's: the built-in set finds nothing to read.
        try "account_id,date,visits\nACC-00001,2024-07-01,3\n".write(toFile: dir + "/u.csv", atomically: true, encoding: .utf8)
        let r = try runTelltale(["train", "--config", sampleConfigWithoutMetrics(dir), "--usage", dir + "/u.csv", "--out", dir + "/m.json"])
        #expect(r.status != 0 && r.stderr.contains("and this usage file has visits, and signals.define adds none"), "\(r.stderr)")
    }

    /// A product's own metric names matched no built-in signal and were left
    /// out without a word; now every metric no signal reads is named, with the fix.
    @Test func usageMetricsNoSignalReadsAreNamed() throws {
        let dir = try scratchDirectory("unread")
        var usage = "account_id,date,logins,reports_run,tickets\n"
        for day in 1...28 { usage += "ACC-00001,2024-07-\(String(format: "%02d", day)),3,\(day % 4),0\n" }
        try usage.write(toFile: dir + "/u.csv", atomically: true, encoding: .utf8)
        let r = try runTelltale(["signals", "--config", sampleConfigWithoutMetrics(dir), "--usage", dir + "/u.csv", "--as-of", "2024-07-29", "--out", dir + "/s.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("note: no signal reads the usage metrics reports_run, tickets. Define signals for them (signals.define, docs/signals.md), "
                                  + "or give them the contract's names with data.columns (e.g. usage: {core_actions: reports_run})"), "\(r.stderr)")
        // The sample's config reads only what its signals use: no note there.
        let sample = try runTelltale(["signals", "--config", sampleConfig, "--as-of", "2026-07-01", "--out", dir + "/t.csv"])
        #expect(sample.status == 0 && !sample.stderr.contains("no signal reads"), "\(sample.stderr)")
    }

    /// A config of the sample's three tables that reads every numeric usage column.
    func sampleConfigWithoutMetrics(_ dir: String) throws -> String {
        let data = repositoryRoot.appendingPathComponent("notebooks-data").path
        let path = dir + "/any-metrics.yml"
        try "data:\n  accounts: \(data)/accounts.csv\n  usage: \(data)/usage.csv.gz\n  renewals: \(data)/renewals.csv\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func anUnknownFlagInTheConfigIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-pat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let data = repositoryRoot.appendingPathComponent("notebooks-data").path
        let yml = "data:\n  accounts: \(data)/accounts.csv\n  usage: \(data)/usage.csv.gz\n  renewals: \(data)/renewals.csv\npatterns:\n  flags: [no_login_14d, no_such_flag]\n"
        try yml.write(to: dir.appendingPathComponent("t.yml"), atomically: true, encoding: .utf8)
        let r = try runTelltale(["patterns", "--config", dir.appendingPathComponent("t.yml").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("patterns.flags: 'no_such_flag' is not a flag or milestone signal"))
    }
}

@Suite struct TrainCommandTests {
    @Test func trainWritesAModelAndReportThatInspectReadsBackWithTheSameNumbers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-train-\(UUID().uuidString)").path
        let model = dir + "/m.json", report = dir + "/r.md"
        let holdout = dir + "/holdout.csv"
        let r = try runTelltale(["train", "--config", sampleConfig, "--out", model, "--report", report, "--trained-at", "2026-07-01",
                                 "--holdout-predictions", holdout])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("holdout ROC AUC"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        // The holdout file gives back the model's validation figures, counted another way.
        let validation = try #require((try JSONSerialization.jsonObject(with: bytes) as? [String: Any])?["validation"] as? [String: Any])
        let lines = try String(contentsOfFile: holdout, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(lines[0].joined(separator: ",") == "account_id,segment,as_of,renewal_date,churned,churn_probability,churn_probability_without_patterns,health_score,band,in_band_check")
        let rows = lines.dropFirst()
        #expect(rows.count == validation["holdout_rows"] as? Int)
        #expect(rows.allSatisfy { String($0[2]) >= validation["holdout_from"] as! String })
        let churned = rows.map { $0[4] == "1" }
        for (column, key) in [(5, "with_patterns"), (6, "without_patterns")] {
            let auc = pairCountedAUC(rows.map { Double($0[column])! }, churned)
            let saved = try #require((validation[key] as? [String: Any])?["roc_auc"] as? Double)
            #expect(abs(auc - saved) < 1e-12, "\(key): \(auc) from the file, \(saved) in the model")
        }
        let inspected = try runTelltale(["inspect", model, "--json"])
        #expect(inspected.status == 0 && Data(inspected.stdout.utf8) == bytes, "inspect --json prints the file's numbers")
        let summary = try runTelltale(["inspect", model])
        #expect(summary.stdout.contains("Out-of-time holdout") && summary.stdout.contains("Bands"))
        // Under the chosen L2 penalty the p-values are approximate, as the report says too.
        #expect(summary.stdout.contains("Largest coefficients (per standard deviation; p from the penalised Hessian, approximate):"))
        // ... and clustered by account: the sample's accounts renew up to twice in its history.
        let renewalsFile = repositoryRoot.appendingPathComponent("notebooks-data/renewals.csv").path
        let decided = try String(contentsOfFile: renewalsFile, encoding: .utf8).split(separator: "\n").dropFirst()
        let accounts = Set(decided.map { $0.split(separator: ",")[0] })
        let renewals = try #require((try JSONSerialization.jsonObject(with: bytes) as? [String: Any])?["provenance"] as? [String: Any])["renewals"] as! Int
        #expect(renewals == decided.count)
        #expect(summary.stdout.contains("  standard errors clustered by account (\(renewals) renewals of \(accounts.count) accounts); up to "), "\(summary.stdout)")
        let text = try String(contentsOfFile: report, encoding: .utf8)
        for section in ["## Validation (out of time)", "## Health bands per segment", "## Combined patterns", "## Coefficients", "## Signal cohorts"] {
            #expect(text.contains(section), "report has \(section)")
        }
        // The sample's history starts after many accounts signed up: the renewals it cuts
        // short are left out of the bands, and both the warning and the report say how many.
        let cutWarning = try #require(r.stderr.split(separator: "\n").first { $0.contains("cuts short (accounts older than the export) are left out of the band fit") })
        let count = String(cutWarning.split(separator: " ")[1])
        #expect(Int(count).map { $0 > 0 } == true, "\(cutWarning)")
        #expect(text.contains(". \(count) renewals whose usage history the data's start cuts short"))
        #expect(text.contains("| band | development renewals | renewal rate (95% interval) | holdout renewals | renewal rate (95% interval) | p | p, Holm |"))
        // Holm's column from the raw one, by its definition (each p times the tests at or above it, the largest such below it).
        let bandRows = text.split(separator: "\n").filter { line in ["| red |", "| orange |", "| yellow |", "| green |"].contains { line.hasPrefix($0) } }
            .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { $0.count == 7 }
        let raw = bandRows.compactMap { Double($0[5]) }, holm = bandRows.compactMap { Double($0[6]) }
        #expect(raw.count == 4 && holm.count == 4, "\(bandRows)")
        for (i, p) in raw.enumerated() {
            let byHand = raw.filter { $0 <= p }.map { q in min(1, Double(raw.filter { $0 >= q }.count) * q) }.max()!
            #expect(abs(holm[i] - byHand) < 0.0025, "band \(i): \(holm[i]) against \(byHand)")
        }
        // On the sample the search keeps no combination of the planted triple on its own, but its
        // joint effect beyond the signals makes it a feature (PatternSelection), listed as such,
        // and the report says what the pattern features add to the holdout AUC.
        #expect(text.contains("| model | ROC AUC (95% interval) |"))
        #expect(text.contains("Pattern features change the holdout ROC AUC by"))
        let unkept = try #require(text.components(separatedBy: "Model features the search did not keep on its own").last?.components(separatedBy: "\n## ").first)
        #expect(unkept.contains("- no login for 14+ days AND more than 10 support cases in 30 days AND CSAT under 5:"), "\(unkept)")
        // Same inputs, same bytes; and the comparison section against the first model.
        let again = try runTelltale(["train", "--config", sampleConfig, "--out", dir + "/m2.json", "--report", dir + "/r2.md",
                                     "--trained-at", "2026-07-01", "--compare", model])
        #expect(again.status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/m2.json")) == bytes)
        let changes = try String(contentsOfFile: dir + "/r2.md", encoding: .utf8)
        #expect(changes.contains("## Changes since the previous model (2026-07-01)"))
        #expect(changes.contains("(this holdout measures it to ±0."))
        #expect(changes.contains("- input files unchanged (accounts, config, renewals, usage)\n"))
        #expect(changes.contains("- coefficients unchanged (to 3 decimals)\n") && !changes.contains("lead time"), "\(changes)")
        // The same model twice: every one of today's accounts keeps its band.
        #expect(changes.contains("### Today's accounts under each model") && changes.contains(" 0 to a less healthy band, 0 to a healthier one; "), "\(changes)")
        #expect(!changes.contains("model file format"))
        // Against last quarter's file in an older format: the same model, said so.
        let old = repositoryRoot.appendingPathComponent("Tests/TelltaleModelTests/Fixtures/sample-model-format4.json").path
        let againstOld = try runTelltale(["train", "--config", sampleConfig, "--out", dir + "/m4.json", "--report", dir + "/r4.md",
                                          "--trained-at", "2026-07-01", "--compare", old])
        let oldChanges = try String(contentsOfFile: dir + "/r4.md", encoding: .utf8)
        #expect(againstOld.status == 0 && oldChanges.contains("- model file format 4 -> 9: the file's spelling") && oldChanges.contains("the whole population went quiet")
                && oldChanges.contains("- churn probability recalibration by days to the renewal: none -> 15 days"), "\(againstOld.stderr)")
        // A re-calibration under another lead time and a signal redefined under its
        // own name says so before any coefficient: they compare different things.
        let config = try sampleConfigWithAbsolutePaths()
            .replacingOccurrences(of: "  lead_days: 60 ", with: "  lead_days: 90 ")
            .replacingOccurrences(of: "metric: exports, days: 90, aggregate: sum", with: "metric: exports, days: 60, aggregate: sum")
        try config.write(toFile: dir + "/lead90.yml", atomically: true, encoding: .utf8)
        let recalibrated = try runTelltale(["train", "--config", dir + "/lead90.yml", "--out", dir + "/m3.json", "--report", dir + "/r3.md",
                                            "--trained-at", "2026-10-01", "--compare", model])
        #expect(recalibrated.status == 0, "\(recalibrated.stderr)")
        let moved = try String(contentsOfFile: dir + "/r3.md", encoding: .utf8)
        for line in ["- input files changed: config; unchanged: accounts, renewals, usage\n",
                     "- renewals 1335 (247 churned) -> 1335 (247 churned), observed 2024-05-02 to 2026-05-01 -> 2024-04-02 to 2026-04-01\n",
                     "- lead time 60 -> 90 days: the two models foretell renewals from different distances",
                     "- signals redefined under the same name (their coefficients compare different things): exports_90d\n"] {
            #expect(moved.contains(line), "\(line)")
        }
        // What the re-calibration does to today's accounts is the cross-tabulation of the
        // two models' `telltale score` runs (by default as of the day after the usage ends).
        var bands: [[String: (band: String, p: Double)]] = []
        for (i, scoredModel) in [model, dir + "/m3.json"].enumerated() {
            let scored = try runTelltale(["score", "--model", scoredModel, "--config", dir + "/lead90.yml", "--out", dir + "/today\(i).csv", "--no-db"])
            #expect(scored.status == 0, "\(scored.stderr)")
            let rows = try String(contentsOfFile: dir + "/today\(i).csv", encoding: .utf8).split(separator: "\n").dropFirst()
                .map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            bands.append(Dictionary(uniqueKeysWithValues: rows.map { (String($0[0]), (String($0[6]), Double($0[4])!)) }))
        }
        let order = ["red", "orange", "yellow", "green"]
        let both = bands[0].keys.filter { bands[1][$0] != nil }
        #expect(both.count == bands[0].count && both.count == bands[1].count && both.count > 500)
        for from in order {
            let row = order.map { to in both.filter { bands[0][$0]!.band == from && bands[1][$0]!.band == to }.count }
            #expect(moved.contains("| \(from) | " + row.map(String.init).joined(separator: " | ") + " | \(row.reduce(0, +)) |\n"), "\(from): \(row)")
        }
        let changedBand = both.filter { bands[0][$0]!.band != bands[1][$0]!.band }.count
        #expect(changedBand > 0 && moved.contains("- \(changedBand) accounts change band ("), "\(changedBand)")
        let expected = [0, 1].map { i in both.map { bands[i][$0]!.p }.reduce(0, +) }
        // The score file rounds each probability to 4 decimals: the sums agree to 0.05 plus that rounding.
        let churnsLine = try #require(moved.split(separator: "\n").first { $0.hasPrefix("- churns expected among them (the sum of the churn probabilities): ") })
        let reported = churnsLine.split(separator: " ").compactMap { Double($0) }
        #expect(reported.count == 2 && zip(reported, expected).allSatisfy { abs($0 - $1) <= 0.05 + Double(both.count) * 0.00005 }, "\(churnsLine) against \(expected)")
        #expect(recalibrated.stderr.contains("today's accounts (as of 2026-07-01) by band, previous -> this model: red \(bands[0].values.filter { $0.band == "red" }.count) -> \(bands[1].values.filter { $0.band == "red" }.count), "), "\(recalibrated.stderr)")
    }

    /// A holdout share that leaves one churner: the model is trained, with a
    /// warning, and the figures one churner cannot give show as "-", not as an
    /// interval of 0 to 1 and "p < 0.001".
    @Test func aTinyHoldoutIsWarnedAboutAndItsUndefinedFiguresShowAsDashes() throws {
        let dir = try scratchDirectory("tiny-holdout")
        let config = try sampleConfigWithAbsolutePaths()
        try (config + "\nmodel:\n  holdout_share: 0.01\n").write(toFile: dir + "/t.yml", atomically: true, encoding: .utf8)
        let r = try runTelltale(["train", "--config", dir + "/t.yml", "--out", dir + "/m.json", "--report", dir + "/r.md"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: the holdout holds 15 renewals, 1 churned: under 20 of either outcome, its figures measure little"), "\(r.stderr)")
        let report = try String(contentsOfFile: dir + "/r.md", encoding: .utf8)
        #expect(report.contains("| with pattern features | 0.714 (-) |") && report.contains(", p -; DeLong's test"), "\(report.prefix(1500))")
        #expect(!report.contains("0.000-1.000") && !report.contains("p < 0.001"))
        try (config + "\nmodel:\n  holdout_share: 0.005\n").write(toFile: dir + "/u.yml", atomically: true, encoding: .utf8)
        let none = try runTelltale(["train", "--config", dir + "/u.yml", "--out", dir + "/n.json"])
        #expect(none.status != 0 && none.stderr.contains("(model.holdout_share 0.005) leaves 1201 development and 7 holdout renewals"), "\(none.stderr)")
    }

    /// A history too short for any cross-validation fold: nothing to choose λ by, so the most
    /// cautious one. The weakest (what it used to take) fitted 31 features to about 120
    /// renewals: on this history its holdout log loss was 0.745 against 0.405 (and on two
    /// other seeds 0.558 against 0.420, 0.922 against 0.489).
    @Test func withNoUsableCrossValidationFoldTheStrongestPenaltyIsUsed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-no-fold-\(UUID().uuidString)").path
        #expect(try runTelltale(["simulate", "--out", dir, "--accounts", "200", "--days", "400", "--seed", "5"]).status == 0)
        let tables = ["--accounts", dir + "/accounts.csv", "--usage", dir + "/usage.csv.gz", "--renewals", dir + "/renewals.csv"]
        let r = try runTelltale(["train", "--out", dir + "/m.json", "--report", dir + "/r.md"] + tables)
        #expect(r.status == 0 && r.stderr.contains("warning: cross-validation had no usable fold (too little history before each block); "
            + "the strongest penalty of model.l2, λ = 1000, was used"), "\(r.stderr)")
        let model = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/m.json"))) as? [String: Any])
        #expect(model["l2"] as? Double == 1000)
        func holdoutLogLoss(_ report: String) throws -> Double {
            let text = try String(contentsOfFile: report, encoding: .utf8)
            let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("| with pattern features |") })
            return try #require(Double(row.split(separator: "|")[5].trimmingCharacters(in: .whitespaces)))
        }
        try "model:\n  l2: [1]\n".write(toFile: dir + "/weak.yml", atomically: true, encoding: .utf8)
        #expect(try runTelltale(["train", "--config", dir + "/weak.yml", "--out", dir + "/w.json", "--report", dir + "/w.md"] + tables).status == 0)
        let strong = try holdoutLogLoss(dir + "/r.md"), weak = try holdoutLogLoss(dir + "/w.md")
        #expect(strong < weak - 0.1, "holdout log loss \(strong) at λ = 1000 against \(weak) at λ = 1")
    }

    /// A segment whose renewals all renewed (an export that lost its churns, say) is named.
    @Test func aSegmentWithOneOutcomeOnlyIsWarnedAbout() throws {
        let dir = try scratchDirectory("one-outcome")
        let data = repositoryRoot.appendingPathComponent("notebooks-data").path
        let midMarket = Set(try String(contentsOfFile: data + "/accounts.csv", encoding: .utf8).split(separator: "\n")
            .filter { $0.contains(",Mid-Market Annual,") }.map { String($0.split(separator: ",")[0]) })
        let renewals = try String(contentsOfFile: data + "/renewals.csv", encoding: .utf8).split(separator: "\n").map { line -> String in
            midMarket.contains(String(line.split(separator: ",")[0])) ? line.replacingOccurrences(of: ",churned,", with: ",renewed,") : String(line)
        }
        try (renewals.joined(separator: "\n") + "\n").write(toFile: dir + "/renewals.csv", atomically: true, encoding: .utf8)
        let r = try runTelltale(["train", "--config", sampleConfig, "--renewals", dir + "/renewals.csv", "--out", dir + "/m.json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: segment 'Mid-Market Annual': all 402 renewals renewed: the model cannot tell its accounts apart by risk"), "\(r.stderr)")
        #expect(!r.stderr.contains("segment 'SMB Annual': all"))
    }

    /// A column that foretells churn perfectly is most often the outcome leaking in: it is named
    /// with its boundary in its own units, the too-good holdout AUC is called suspicious, and a rare
    /// flag set only on churned renewals is told apart from both.
    @Test func aSignalThatSeparatesTheOutcomeIsWarnedAboutAsLikelyLeakage() throws {
        let dir = try scratchDirectory("leak")
        var random = LinearCongruential(state: 7)
        func uniform() -> Double { random.uniform() }
        var lines = ["account_id,as_of,logins,cancel_notice_days,legacy_plan,has_sso,churned"]
        var legacy = 0
        for i in 0..<600 {
            let logins = 40 * uniform()
            let churned = uniform() < 1 / (1 + exp((logins - 12) / 6))
            // Days between the cancellation notice and the renewal: known only after the fact.
            let notice = churned ? 30 + Int(60 * uniform()) : Int(30 * uniform())
            let flag = churned && legacy < 3 && i % 50 == 7
            if flag { legacy += 1 }
            // Single sign-on set up everywhere but on five renewals that renewed.
            let sso = !churned && i % 97 == 3 ? 0 : 1
            lines.append("A\(i),2025-\(String(format: "%02d", 1 + i % 12))-15,\(String(format: "%.2f", logins)),\(notice),\(flag ? 1 : 0),\(sso),\(churned ? 1 : 0)")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/flat.csv", atomically: true, encoding: .utf8)
        let highestRenewed = lines.dropFirst().filter { $0.hasSuffix(",0") }.map { Int($0.split(separator: ",")[3])! }.max()!
        let r = try runTelltale(["train", "--data", dir + "/flat.csv", "--out", dir + "/m.json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(legacy == 3 && r.stderr.contains("warning: 'cancel_notice_days' separates the outcome completely: every renewal with cancel_notice_days > \(highestRenewed) churned, "
            + "every other renewal renewed: only the penalty keeps the model finite, so its coefficient's size is set by λ, not by the data. "
            + "A signal that foretells churn perfectly is most often the outcome itself"), "\(r.stderr)")
        #expect(r.stderr.contains("warning: the holdout ROC AUC is 1.000: usage rarely foretells churn this well"), "\(r.stderr)")
        // Two 0/1 features set only on renewals of one outcome: one line for both.
        let withoutSSO = lines.dropFirst().filter { $0.hasSuffix(",0,0") }.count
        #expect(withoutSSO > 1 && r.stderr.contains("warning: 0/1 features set only on renewals of one outcome (quasi-complete separation), whose coefficients "
            + "rest on those renewals and on the penalty, not on measured churn rates: all 3 renewals with 'legacy_plan' churned; "
            + "all \(withoutSSO) renewals without 'has_sso' renewed\n"), "\(r.stderr)")
        // The health score separates the renewals too: that is a clear rise, not a flat one.
        #expect(!r.stderr.contains("do not rise clearly"), "\(r.stderr)")
        // Without the leak: no separation, no suspicion (the rare flag still separates).
        let clean = lines.map { line -> String in var f = line.split(separator: ",", omittingEmptySubsequences: false); f.remove(at: 3); return f.joined(separator: ",") }
        try (clean.joined(separator: "\n") + "\n").write(toFile: dir + "/clean.csv", atomically: true, encoding: .utf8)
        let c = try runTelltale(["train", "--data", dir + "/clean.csv", "--out", dir + "/c.json"])
        #expect(c.status == 0 && !c.stderr.contains("separates the outcome completely") && !c.stderr.contains("the holdout ROC AUC is")
                && c.stderr.contains("all 3 renewals with 'legacy_plan' churned; all \(withoutSSO) renewals without 'has_sso' renewed"), "\(c.stderr)")
    }

    /// λ = 0 in model.l2 is an unpenalised fit, which separated renewals do not have: alone it is
    /// an error in the renewals' words (no model written); in a grid, cross-validation leaves it out.
    @Test func anUnpenalisedFitOfSeparatedRenewalsIsNamedOrLeftOutOfTheSearch() throws {
        let dir = try scratchDirectory("l2-zero")
        // The sample's example flag 'inactive_large_account' is set on one renewal, which churned.
        try (sampleConfigWithAbsolutePaths() + "model:\n  l2: [0]\n").write(toFile: dir + "/zero.yml", atomically: true, encoding: .utf8)
        let alone = try runTelltale(["train", "--config", dir + "/zero.yml", "--out", dir + "/zero.json"])
        #expect(alone.status != 0 && alone.stderr.contains("λ = 0 in model.l2 fits without a penalty, and no unpenalised fit exists: "
            + "the only renewal with 'inactive_large_account' churned (quasi-complete separation). Use penalties above 0"), "\(alone.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/zero.json"))
        try (sampleConfigWithAbsolutePaths() + "model:\n  l2: [0, 10, 100]\n").write(toFile: dir + "/grid.yml", atomically: true, encoding: .utf8)
        let grid = try runTelltale(["train", "--config", dir + "/grid.yml", "--out", dir + "/grid.json"])
        #expect(grid.status == 0 && grid.stderr.contains("warning: cross-validation left λ = 0 (no penalty) out of the search: no unpenalised fit exists on its folds, "), "\(grid.stderr)")
        let model = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/grid.json"))) as? [String: Any])
        let validation = try #require(model["validation"] as? [String: Any])
        let searched = try #require(validation["cv_grid"] as? [[String: Any]]).compactMap { $0["l2"] as? Double }
        #expect(searched == [10, 100] && [10, 100].contains(model["l2"] as? Double ?? -1), "\(searched), \(model["l2"] ?? "none")")
    }

    /// In a flat table an account's rows can be in different segments (it grew): each renewal is
    /// banded in its own row's segment. A column with no values is dropped, and said so, not ranked.
    @Test func aFlatTablesRenewalsKeepTheirOwnSegmentAndADroppedColumnIsNotRanked() throws {
        let dir = try scratchDirectory("grew")
        var random = LinearCongruential(state: 11)
        func uniform() -> Double { random.uniform() }
        var lines = ["account_id,segment,as_of,x,empty,churned"]
        for i in 0..<900 {
            let x = 4 * uniform() - 2
            // Account k's first row is in SMB or Mid-Market by k; its second is in Mid-Market
            // when the first was in SMB, one time in two (it grew).
            let k = i / 2, first = ["SMB", "Mid-Market"][k % 2]
            let segment = i % 2 == 1 && first == "SMB" && k % 4 == 0 ? "Mid-Market" : first
            lines.append("A\(i / 2),\(segment),2025-\(String(format: "%02d", 1 + i % 12))-15,\(String(format: "%.3f", x)),,\(uniform() < 1 / (1 + exp(1.5 - x)) ? 1 : 0)")
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/flat.csv", atomically: true, encoding: .utf8)
        let r = try runTelltale(["train", "--data", dir + "/flat.csv", "--out", dir + "/m.json", "--report", dir + "/r.md", "--holdout-predictions", dir + "/h.csv"])
        #expect(r.status == 0 && r.stderr.contains("warning: fit: 'empty' has no values and was dropped"), "\(r.stderr)")
        var segmentOf: [String: String] = [:] // "account|as_of" -> the row's segment
        for line in lines.dropFirst() { let f = line.split(separator: ",", omittingEmptySubsequences: false); segmentOf["\(f[0])|\(f[2])"] = String(f[1]) }
        let held = try String(contentsOfFile: dir + "/h.csv", encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        #expect(held.count > 100 && held.allSatisfy { segmentOf["\($0[0])|\($0[2])"] == String($0[1]) })
        // Some holdout renewals are in another segment than their account's first row.
        let hadSMB = Set(lines.filter { $0.contains(",SMB,") }.map { String($0.split(separator: ",")[0]) })
        #expect(held.contains { $0[1] == "Mid-Market" && hadSMB.contains(String($0[0])) })
        let inspect = try runTelltale(["inspect", dir + "/m.json"])
        let largest = inspect.stdout.components(separatedBy: "Largest coefficients").last ?? ""
        #expect(inspect.status == 0 && !largest.contains("  empty "), "\(inspect.stdout)")
        #expect(try String(contentsOfFile: dir + "/r.md", encoding: .utf8).contains("| empty | dropped (see the warnings) | | | |"))
    }

    /// A distance the history is too short to have observed says so, rather than "0 renewals,
    /// under 20 of either outcome"; one it has observed too rarely gives the counts.
    @Test func aDistanceTheHistoryIsTooShortForIsNamedAsSuch() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-short-\(UUID().uuidString)").path
        #expect(try runTelltale(["simulate", "--out", dir, "--accounts", "1500", "--days", "200", "--seed", "3"]).status == 0)
        let r = try runTelltale(["train", "--accounts", dir + "/accounts.csv", "--usage", dir + "/usage.csv.gz", "--renewals", dir + "/renewals.csv",
                                 "--out", dir + "/m.json"])
        #expect(r.status == 0, "\(r.stderr)")
        for days in [240, 330] {
            #expect(r.stderr.contains("warning: \(days) days before the renewal: no renewal was observed that early with usage to read (the history is too short); "
                + "no probability recalibration there"), "\(r.stderr)")
        }
        #expect(!r.stderr.contains(": 0 renewals, 0 churned"))
    }

    /// A label cell that is not an outcome is named as such (not as "not a number") by train and fit.
    @Test func aLabelCellThatIsNotAnOutcomeIsNamedWithItsLine() throws {
        let dir = try scratchDirectory("label")
        let rows = (0..<200).map { "A\($0),\($0 % 7),\($0 == 11 ? "maybe" : String($0 % 2))" }
        try (["account_id,x,churned"] + rows).joined(separator: "\n").write(toFile: dir + "/t.csv", atomically: true, encoding: .utf8)
        let train = try runTelltale(["train", "--data", dir + "/t.csv", "--out", dir + "/m.json"])
        #expect(train.status != 0 && train.stderr.contains("t.csv: line 13, column 'churned': \"maybe\" is not an outcome (1/0, true/false, yes/no or churned/renewed)"), "\(train.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/m.json"))
        let fit = try runTelltale(["fit", "--data", dir + "/t.csv", "--label", "churned"])
        #expect(fit.status != 0 && fit.stderr.contains("t.csv: line 13, column 'churned': \"maybe\" is not a binary label"), "\(fit.stderr)")
    }

    @Test func inspectOnAFileThatIsNotAModelSaysSo() throws {
        let missing = try runTelltale(["inspect", "/nonexistent/model.json"])
        #expect(missing.status != 0 && missing.stderr.contains("telltale train --config FILE --out"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-model-\(UUID().uuidString).json").path
        try "{\"hello\": 1}".write(toFile: path, atomically: true, encoding: .utf8)
        let wrong = try runTelltale(["inspect", path])
        #expect(wrong.status != 0 && wrong.stderr.contains("not a Telltale model file"))
        // A model file cut short (an interrupted copy) is said to be one, not "no 'format' field".
        let model = try Data(contentsOf: repositoryRoot.appendingPathComponent("models/churn.json"))
        try model.prefix(5000).write(to: URL(fileURLWithPath: path))
        let cut = try runTelltale(["inspect", path])
        #expect(cut.status != 0 && cut.stderr.contains("the model file is not valid JSON (5000 bytes: cut short or damaged)"), "\(cut.stderr)")
        // A damaged value is named by its place, in one sentence.
        var object = try #require(JSONSerialization.jsonObject(with: model) as? [String: Any])
        var coefficients = try #require(object["coefficients"] as? [[String: Any]])
        coefficients[0]["estimate"] = "x"
        object["coefficients"] = coefficients
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        let damaged = try runTelltale(["inspect", path])
        #expect(damaged.status != 0 && damaged.stderr.contains("is incomplete or damaged: coefficients.[0].estimate: Expected to decode Double but found a string instead. Retrain it"),
                "\(damaged.stderr)")
    }

    @Test func theBundledDefaultModelReadsAndMatchesTheSampleConfig() throws {
        let path = repositoryRoot.appendingPathComponent("models/churn.json").path
        let r = try runTelltale(["inspect", path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("1335 renewals"))
        // The ten largest coefficients by their whole names, read from the file itself:
        // a pattern and its segment's version must not read alike.
        struct File: Decodable { struct C: Decodable { var name: String; var estimate: Double }; var coefficients: [C] }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        let largest = file.coefficients.sorted { abs($0.estimate) > abs($1.estimate) }.prefix(10)
        #expect(largest.contains { $0.name.count > 44 }, "the check needs a long name")
        for c in largest { #expect(r.stdout.contains("  \(c.name)  "), "\(c.name)") }
    }
}

@Suite struct TrainReportTests {
    @Test func anHTMLReportIsSelfContainedWithLabelledCharts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-html-\(UUID().uuidString)").path
        let r = try runTelltale(["train", "--config", sampleConfig, "--out", dir + "/m.json", "--report", dir + "/r.html", "--trained-at", "2026-07-01"])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: dir + "/r.html", encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        // Offline: no scripts, no external references.
        for banned in ["<script", "http://", "https://", "src="] { #expect(!html.contains(banned), "\(banned)") }
        #expect(html.components(separatedBy: "<svg").count - 1 >= 4)
        for label in ["Calibration (holdout deciles)", "Cumulative gains (holdout)", "renewal rate, 95% interval", "churners caught",
                      "<h2>Health bands per segment</h2>", "<table>"] {
            #expect(html.contains(label), "\(label)")
        }
        // The title and the training line once, above the charts (the line used to come twice, the second after them).
        let trained = html.components(separatedBy: "<p>Trained 2026-07-01 with telltale ")
        #expect(trained.count == 2 && trained[0].hasSuffix("<h1>Telltale training report</h1>\n") && !trained[0].contains("<svg")
                && trained[1].prefix { $0 != "\n" }.hasSuffix(" from <code>telltale.yml</code>.</p>"), "\(html.prefix(1500))")
    }
}

@Suite struct TrainFlatTableTests {
    @Test func aFlatTableWithAsOfTrainsLikeTheHistoryAndOneWithoutItOnHeldOutAccounts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-flat-\(UUID().uuidString)").path
        let table = dir + "/training.csv"
        #expect(try runTelltale(["signals", "--config", sampleConfig, "--training", "--out", table]).status == 0)
        let r = try runTelltale(["train", "--data", table, "--label", "churned", "--out", dir + "/m.json", "--trained-at", "2026-07-01",
                                 "--report", dir + "/r.md"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try runTelltale(["inspect", dir + "/m.json"]).stdout
        // renewal_date dates the outcomes, so the development rows are the same 947 as with the three tables.
        #expect(summary.contains("(a flat table)") && summary.contains("model fitted on 947 earlier"), "\(summary)")
        // A column with no values and a constant one are named with what they hold,
        // not with their standardised value (0 for both before).
        let lines = try String(contentsOfFile: table, encoding: .utf8).split(separator: "\n")
        let widened = ([lines[0] + ",empty_col,const_col"] + lines.dropFirst().map { $0 + ",,5" }).joined(separator: "\n") + "\n"
        try widened.write(toFile: dir + "/widened.csv", atomically: true, encoding: .utf8)
        let w = try runTelltale(["train", "--data", dir + "/widened.csv", "--label", "churned", "--out", dir + "/w.json"])
        #expect(w.status == 0 && w.stderr.contains("warning: fit: 'empty_col' has no values and was dropped")
                && w.stderr.contains("warning: fit: 'const_col' is constant (5) and was dropped"), "\(w.stderr)")
        // The report claims no lead time or usage data the flat table does not have.
        let report = try String(contentsOfFile: dir + "/r.md", encoding: .utf8)
        #expect(report.contains("- a flat table, observed from 2024-05-02 to 2026-05-01\n") && !report.contains("usage data to"), "\(report.prefix(400))")
        // Without as_of (the contract's column is optional): validated on held-out accounts, and said so everywhere.
        let churnTable = repositoryRoot.appendingPathComponent("notebooks-data/churn_table.csv").path
        let noDate = try runTelltale(["train", "--data", churnTable, "--label", "churned", "--out", dir + "/n.json", "--report", dir + "/n.md",
                                      "--holdout-predictions", dir + "/n.csv", "--trained-at", "2026-07-01", "--compare", dir + "/m.json"])
        #expect(noDate.status == 0 && noDate.stderr.contains("warning: the table has no as_of column: validated on a held-out 20% of the accounts"), "\(noDate.stderr)")
        let undatedReport = try String(contentsOfFile: dir + "/n.md", encoding: .utf8)
        #expect(undatedReport.contains("## Validation (held-out accounts)") && undatedReport.contains("- a flat table, without observation dates\n"))
        // Against the dated model: what the two were validated on, and no empty dates.
        #expect(undatedReport.contains("- today's accounts are not compared under the two models: a flat table has no accounts of today to score\n"))
        #expect(undatedReport.contains("churned), observed 2024-05-02 to 2026-05-01 -> without observation dates\n")
                && undatedReport.contains("- validated out of time -> on held-out accounts: the holdout figures measure different things\n"), "\(undatedReport)")
        #expect(try runTelltale(["inspect", dir + "/n.json"]).stdout.contains("no observation dates (a flat table)"))
        // One row per account: no account to cluster on, and the report does not claim one.
        #expect(undatedReport.contains("Standard errors are robust (each of the 3000 renewals its own account, so nothing to cluster); up to "), "\(undatedReport)")
        // The three tables' model against last quarter's flat-table one: today's accounts cannot be
        // scored by that one, and the report says why rather than leaving the section out.
        let afterFlat = try runTelltale(["train", "--config", sampleConfig, "--out", dir + "/t.json", "--report", dir + "/t.md", "--compare", dir + "/n.json"])
        let afterFlatReport = try String(contentsOfFile: dir + "/t.md", encoding: .utf8)
        #expect(afterFlat.status == 0 && afterFlatReport.contains(
            "- today's accounts are not compared under the two models: the previous model cannot score these tables (this model was trained on a flat table"), "\(afterFlat.stderr)")
        // Scored, no alert rule can read its columns: the summary gives the red band's risk, not "0 flagged".
        let scored = try runTelltale(["score", "--model", dir + "/n.json", "--data", churnTable, "--out", dir + "/ns.csv", "--no-db"])
        let red = try String(contentsOfFile: dir + "/ns.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false) }.filter { $0[6] == "red" }
        let expectedChurns = Int(red.map { Double($0[4])! }.reduce(0, +).rounded())
        #expect(scored.status == 0 && !red.isEmpty && scored.stderr.contains("no alert rule could run on these signals (severity comes from the band alone); "
            + "the red band's \(red.count) accounts: about \(expectedChurns) expected to churn without action; contract value unknown\n"), "\(scored.stderr)")
        // No rule reads these columns, so no reason points to a playbook: each red account still gets one to act on.
        #expect(red.allSatisfy { $0.joined(separator: ",").contains(",at risk with no alert: go through the reasons with the account team") })
        let holdout = try String(contentsOfFile: dir + "/n.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(!holdout.isEmpty && holdout.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false)[2...3] == ["", ""] }, "no made-up dates")
        let forced = try runTelltale(["train", "--data", churnTable, "--label", "churned", "--out", dir + "/x.json", "--validation", "out-of-time"])
        #expect(forced.status != 0 && forced.stderr.contains("the table has no as_of column: an out-of-time holdout needs rows observed on several dates"), "\(forced.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.json"), "no model written on error")
        let unknown = try runTelltale(["train", "--data", churnTable, "--label", "churned", "--out", dir + "/x.json", "--validation", "random"])
        #expect(unknown.status != 0 && unknown.stderr.contains("--validation must be one of auto, out_of_time, grouped"))
        let bad = dir + "/bad.csv"
        try "account_id,as_of,logins,churned\nA1,2025-01-01,3,maybe\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let badLabel = try runTelltale(["train", "--data", bad, "--label", "churned", "--out", dir + "/y.json"])
        #expect(badLabel.status != 0 && badLabel.stderr.contains("line 2, column 'churned': \"maybe\" is not an outcome"), "\(badLabel.stderr)")
        // A warehouse timestamp is named as one, as in the three tables.
        try "account_id,as_of,logins,churned\nA1,2025-01-01 00:00:00,3,1\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let timestamp = try runTelltale(["train", "--data", bad, "--label", "churned", "--out", dir + "/y.json"])
        #expect(timestamp.status != 0 && timestamp.stderr.contains("column 'as_of': \"2025-01-01 00:00:00\" is not a date (expected YYYY-MM-DD; this is a date and time: export the date alone)"), "\(timestamp.stderr)")
    }
}

extension TrainFlatTableTests {
    /// A text column of a few levels is one 0/1 signal per level but the most
    /// common: the model equals one trained on hand-made dummy columns (empty
    /// cells missing in all of them), and scores the same, a level training
    /// never saw counting as the most common one and named in a warning.
    /// A warehouse export writes TRUE, true and True for one answer, and
    /// 9,271 or 18% for numbers: the first is one level in training and in
    /// scoring, the second is named with what to export instead.
    @Test func levelsDifferingOnlyInCaseAreOneLevelAndFormattedNumbersAreNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-case-\(UUID().uuidString)").path
        let training = dir + "/training.csv"
        #expect(try runTelltale(["signals", "--config", sampleConfig, "--training", "--out", training]).status == 0)
        let lines = try String(contentsOfFile: training, encoding: .utf8).split(separator: "\n").map(String.init)
        let churnedAt = try #require(lines[0].split(separator: ",").firstIndex(of: "churned"))
        func write(_ path: String, _ spell: (Int, Bool) -> String, rows: Range<Int>) throws {
            var text = lines[0] + ",is_trial,acv\n"
            for i in rows {
                let churned = lines[i].split(separator: ",", omittingEmptySubsequences: false)[churnedAt] == "1"
                text += lines[i] + "," + spell(i, churned && i % 3 != 0 || i % 5 == 0) + ",\"\(i % 90 + 1),000\"\n"
            }
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let mixed = ["true", "TRUE", "True", "true"], lower = ["true", "true", "true", "true"]
        let rows = 1..<lines.count
        try write(dir + "/mixed.csv", { i, trial in trial ? mixed[i % 4] : (i % 3 == 0 ? "FALSE" : "false") }, rows: rows)
        try write(dir + "/lower.csv", { i, trial in trial ? lower[i % 4] : "false" }, rows: rows)
        let a = try runTelltale(["train", "--data", dir + "/mixed.csv", "--out", dir + "/mixed.json", "--trained-at", "2026-07-01"])
        let b = try runTelltale(["train", "--data", dir + "/lower.csv", "--out", dir + "/lower.json", "--trained-at", "2026-07-01"])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        // The same model: the same levels, named by their most common spelling, and the same coefficients.
        let ma = try String(contentsOfFile: dir + "/mixed.json", encoding: .utf8), mb = try String(contentsOfFile: dir + "/lower.json", encoding: .utf8)
        let fingerprint = try #require(ma.range(of: "\"fingerprints\""))
        #expect(ma.contains("\"is_trial=true\"") && ma.replacingOccurrences(of: #""data" : "[0-9a-f]+""#, with: "", options: .regularExpression)
                == mb.replacingOccurrences(of: #""data" : "[0-9a-f]+""#, with: "", options: .regularExpression), "\(ma[fingerprint.lowerBound...].prefix(200))")
        // The thousands separators are named, with the plain number to export instead.
        #expect(a.stderr.contains("acv (numbers written with a thousands separator, '%' or a currency sign, such as '10,000': export them as plain numbers (10000) to use the column)"),
                "\(a.stderr)")
        // Scoring reads TRUE as the level true: no unseen level, the same scores as lower case.
        try write(dir + "/score-mixed.csv", { i, trial in trial ? "TRUE" : "False" }, rows: 1..<61)
        try write(dir + "/score-lower.csv", { i, trial in trial ? "true" : "false" }, rows: 1..<61)
        let sa = try runTelltale(["score", "--model", dir + "/lower.json", "--data", dir + "/score-mixed.csv", "--out", dir + "/sa.csv", "--no-db"])
        let sb = try runTelltale(["score", "--model", dir + "/lower.json", "--data", dir + "/score-lower.csv", "--out", dir + "/sb.csv", "--no-db"])
        #expect(sa.status == 0 && sb.status == 0 && !sa.stderr.contains("not trained on"), "\(sa.stderr)")
        #expect(try String(contentsOfFile: dir + "/sa.csv", encoding: .utf8) == String(contentsOfFile: dir + "/sb.csv", encoding: .utf8))
    }

    @Test func aTextColumnTrainsAndScoresLikeItsDummyColumns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-category-\(UUID().uuidString)").path
        let training = dir + "/training.csv"
        #expect(try runTelltale(["signals", "--config", sampleConfig, "--training", "--out", training]).status == 0)
        let lines = try String(contentsOfFile: training, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let churnedAt = try #require(header.firstIndex(of: "churned"))
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        // Starter churns more: half the churned renewals are on it.
        let plans: [String?] = rows.indices.map { i in
            if i % 25 == 7 { return nil }
            return rows[i][churnedAt] == "1" && i % 2 == 0 ? "starter" : ["pro", "team", "starter", "pro"][i % 4]
        }
        var counts: [String: Int] = [:]
        for case let p? in plans { counts[p, default: 0] += 1 }
        let levels = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        #expect(levels.count == 3)
        func write(_ path: String, rows: ArraySlice<[String]>, plans: ArraySlice<String?>, dummies: Bool) throws {
            let extra = dummies ? levels.dropFirst().map { "plan=\($0)" } : ["plan", "note", "signup"]
            var text = (header + extra).joined(separator: ",") + "\n"
            for (i, (row, plan)) in zip(rows, plans).enumerated() {
                let cells = dummies ? levels.dropFirst().map { plan == nil ? "" : plan == $0 ? "1" : "0" }
                    : [plan.map { $0 == "unseen" ? "enterprise-plus" : $0 } ?? "NA", "note \(i)", "2024-0\(1 + i % 9)-01"]
                text += (row + cells).joined(separator: ",") + "\n"
            }
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write(dir + "/text.csv", rows: rows[...], plans: plans[...], dummies: false)
        try write(dir + "/dummies.csv", rows: rows[...], plans: plans[...], dummies: true)
        let text = try runTelltale(["train", "--data", dir + "/text.csv", "--out", dir + "/text.json", "--trained-at", "2026-07-01"])
        let dummies = try runTelltale(["train", "--data", dir + "/dummies.csv", "--out", dir + "/dummies.json", "--trained-at", "2026-07-01"])
        #expect(text.status == 0 && dummies.status == 0, "\(text.stderr) \(dummies.stderr)")
        #expect(text.stderr.contains("text columns not used: note (\(rows.count) distinct values, more than the 20 a category may have); signup (dates"), "\(text.stderr)")

        func model(_ path: String) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        }
        let a = try model(dir + "/text.json"), b = try model(dir + "/dummies.json")
        #expect(a["format"] as? Int == 9 && b["format"] as? Int == 9)
        // A flat table has no days to a renewal: no offsets.
        #expect(a["distance_calibration"] == nil && b["distance_calibration"] == nil)
        // The text column's levels are one key each, holding what the config would say.
        let kinds = (a["signals"] as! [[String: Any]]).map { $0["kind"] as! [String: Any] }
        let category = try #require(kinds.compactMap { $0["category"] as? [String: Any] }.first { $0["level"] as? String == "starter" })
        #expect(category["column"] as? String == "plan" && category["levels"] as? [String] == levels, "\(category)")
        #expect(kinds.contains { ($0["column"] as? [String: Any])?.isEmpty == true }, "a plain column is {\"column\": {}}")
        let ca = a["coefficients"] as! [[String: Any]], cb = b["coefficients"] as! [[String: Any]]
        #expect(ca.map { $0["name"] as! String } == cb.map { $0["name"] as! String })
        #expect(ca.map { $0["name"] as! String }.contains("plan=starter"))
        for (x, y) in zip(ca, cb) {
            let ex = x["estimate"] as! Double, ey = y["estimate"] as! Double
            #expect(abs(ex - ey) <= 1e-9 * max(1, abs(ey)), "\(x["name"]!): \(ex) vs \(ey)")
        }
        #expect(a["l2"] as? Double == b["l2"] as? Double)
        let starter = try #require(ca.first { $0["name"] as? String == "plan=starter" })
        #expect(levels[0] == "pro" && (starter["estimate"] as! Double) > 0 && (starter["p_value"] as! Double) < 0.05, "\(starter)")

        // Scoring: three rows on a plan training never saw, two with NA.
        var scored = Array(plans.suffix(60))
        for i in 0..<3 { scored[i] = "unseen" }
        for i in 3..<5 { scored[i] = nil }
        try write(dir + "/score-text.csv", rows: rows.suffix(60)[...], plans: scored[...], dummies: false)
        try write(dir + "/score-dummies.csv", rows: rows.suffix(60)[...], plans: scored.map { $0 == "unseen" ? levels[0] : $0 }[...], dummies: true)
        let st = try runTelltale(["score", "--model", dir + "/text.json", "--data", dir + "/score-text.csv", "--out", dir + "/st.csv", "--no-db"])
        let sd = try runTelltale(["score", "--model", dir + "/dummies.json", "--data", dir + "/score-dummies.csv", "--out", dir + "/sd.csv", "--no-db"])
        #expect(st.status == 0 && sd.status == 0, "\(st.stderr) \(sd.stderr)")
        #expect(st.stderr.contains("warning: 3 rows of \(dir)/score-text.csv have a 'plan' the model was not trained on ('enterprise-plus' 3): scored as its most common level in training, 'pro'"), "\(st.stderr)")
        #expect(!sd.stderr.contains("not trained on"))
        func column(_ path: String, _ names: [String]) throws -> [[String]] {
            let out = try String(contentsOfFile: path, encoding: .utf8)
            var parsed: [[String]] = []
            for line in out.split(separator: "\n").dropFirst() { parsed.append(line.split(separator: ",", maxSplits: 9, omittingEmptySubsequences: false).map(String.init)) }
            let head = out.split(separator: "\n")[0].split(separator: ",").map(String.init)
            return parsed.map { r in names.map { r[head.firstIndex(of: $0)!] } }
        }
        let keys = ["account_id", "churn_probability", "health_score", "band"]
        let textScores = try column(dir + "/st.csv", keys)
        let dummyScores = try column(dir + "/sd.csv", keys)
        // Rows with too few signals are rejected the same way by both (6 of the 60).
        let rejected = try String(contentsOfFile: dir + "/st.rejects.csv", encoding: .utf8).split(separator: "\n").count - 1
        #expect(textScores.count + rejected == 60 && textScores.count >= 50 && textScores == dummyScores)
        // Without the text column the table cannot be scored, and the message names the column once.
        let scoredLines = try String(contentsOfFile: dir + "/score-text.csv", encoding: .utf8).split(separator: "\n")
        try (scoredLines.map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast(3).joined(separator: ",") }.joined(separator: "\n") + "\n")
            .write(toFile: dir + "/no-plan.csv", atomically: true, encoding: .utf8)
        let noPlan = try runTelltale(["score", "--model", dir + "/text.json", "--data", dir + "/no-plan.csv", "--no-db"])
        #expect(noPlan.status != 0 && noPlan.stderr.contains("the model reads 1 column the table does not have: plan. A table to score needs the columns"), "\(noPlan.stderr)")
        // A segment column named on the command line must exist, in training and in scoring
        // (every row had become segment "all", and in training the real one a category).
        for args in [["train", "--data", dir + "/text.csv", "--out", dir + "/x.json"], ["score", "--model", dir + "/text.json", "--data", dir + "/score-text.csv", "--no-db"]] {
            let r = try runTelltale(args + ["--segment", "tier"])
            #expect(r.status != 0 && r.stderr.contains("no column named 'tier' in the header"), "\(args[0]): \(r.stderr)")
        }
        // A starter account's reasons may name its plan as such.
        let reasons = try String(contentsOfFile: dir + "/st.csv", encoding: .utf8)
        #expect(!reasons.contains("plan=starter 1"))
    }
}

/// ROC AUC as the share of (churner, renewer) pairs ranked the right way, ties half.
func pairCountedAUC(_ p: [Double], _ churned: [Bool]) -> Double {
    var wins = 0.0, pairs = 0.0
    for i in p.indices where churned[i] {
        for j in p.indices where !churned[j] { pairs += 1; wins += p[i] > p[j] ? 1 : (p[i] == p[j] ? 0.5 : 0) }
    }
    return wins / pairs
}
