import Foundation
import Testing
import TelltaleData
@testable import TelltaleCLI
import TelltaleTestSupport

let sampleModel = repositoryRoot.appendingPathComponent("models/churn.json").path

@Suite struct ScoreCommandTests {
    let dir: String
    init() throws {
        dir = try scratchDirectory("score-cli")
    }

    func lines(_ path: String) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    }

    /// Accounts active on 2026-07-01 counted from the sample files directly:
    /// signed up before it and no churn decision before it.
    func activeSampleAccounts() throws -> Int {
        let data = repositoryRoot.appendingPathComponent("notebooks-data").path
        var churned = Set<String>()
        for line in try lines(data + "/renewals.csv").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            if f[2].lowercased() == "churned" && f[1] < "2026-07-01" { churned.insert(String(f[0])) }
        }
        return try lines(data + "/accounts.csv").dropFirst().filter { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            return f[2] < "2026-07-01" && !churned.contains(String(f[0]))
        }.count
    }

    @Test func scoringTheSampleListsEveryActiveAccountOnceAndEndsWithTheMondaySummary() throws {
        let r = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--out", dir + "/scores.csv", "--db", dir + "/h.sqlite"])
        #expect(r.status == 0, "\(r.stderr)")
        let scored = try lines(dir + "/scores.csv"), rejected = try lines(dir + "/scores.rejects.csv")
        #expect(scored[0].hasPrefix("account_id,segment,owner,as_of,churn_probability,health_score,band,previous_band,band_change,severity,alert_types,reasons,patterns,playbook,contract_value,renewal_date,days_to_renewal"))
        let ids = (scored.dropFirst() + rejected.dropFirst()).map { $0.split(separator: ",")[0] }
        #expect(ids.count == Set(ids).count, "no account twice")
        #expect(ids.count == (try activeSampleAccounts()), "no account silently disappears")
        for text in ["as of 2026-07-01:", "flagged high or critical", "expected to churn without action", "contract value at risk", "alerts:",
                     // The pattern's words without its training counts (the sentence reads "...: 40 accounts, 45% churned (base 18%)").
                     "\ncombined pattern more than 10 support cases in 30 days AND CSAT under 5 [SMB Annual]: 5 accounts today; at the 45% it churned"] {
            #expect(r.stderr.contains(text), "\(text) in \(r.stderr)")
        }

        // A second run on the same date replaces the first; the history has one run.
        let again = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--format", "jsonl",
                                     "--out", dir + "/scores.out", "--db", dir + "/h.sqlite"])
        #expect(again.status == 0, "\(again.stderr)")
        // By the default date, that is a feed whose export did not move: said, once, and only then.
        #expect(!r.stderr.contains("may not have been refreshed"))
        #expect(again.stderr.contains("warning: the usage data ends where it did at the run this one replaces (as of 2026-07-01, scored 20"), "\(again.stderr)")
        let onPurpose = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--as-of", "2026-07-01",
                                         "--out", dir + "/purpose.csv", "--db", dir + "/h.sqlite"])
        #expect(onPurpose.status == 0 && !onPurpose.stderr.contains("may not have been refreshed"), "\(onPurpose.stderr)")
        let json = try lines(dir + "/scores.out")
        #expect(json.count == scored.count - 1 && json[0].hasPrefix("{\"account_id\":"))
        let listed = try runTelltale(["alerts", "list", "--db", dir + "/h.sqlite", "--status", "fired"])
        #expect(listed.status == 0)
        let alertRows = listed.stdout.split(separator: "\n").dropFirst()
        #expect(!alertRows.isEmpty && alertRows.allSatisfy { $0.hasPrefix("2026-07-01,") && $0.contains(",fired,") })

        // A CSM dismisses one alert; the next scoring holds it back and says why.
        let first = alertRows.first!.split(separator: ",")
        let (account, type) = (String(first[1]), String(first[2]))
        let bad = try runTelltale(["alerts", "dismiss", account, "--type", type, "--reason", "meh", "--db", dir + "/h.sqlite"])
        #expect(bad.status != 0 && bad.stderr.contains("is not one of false_positive, seasonal"), "\(bad.stderr)")
        let ok = try runTelltale(["alerts", "dismiss", account, "--type", type, "--reason", "seasonal", "--note", "trade fair",
                                  "--on", "2026-06-30", "--db", dir + "/h.sqlite"])
        #expect(ok.status == 0, "\(ok.stderr)")
        _ = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--out", dir + "/scores.csv", "--db", dir + "/h.sqlite"])
        let held = try runTelltale(["alerts", "list", "--db", dir + "/h.sqlite", "--account", account, "--status", "suppressed"])
        #expect(held.stdout.contains(",\(type),") && held.stdout.contains("dismissed: seasonal"), "\(held.stdout)")
        let future = try runTelltale(["alerts", "dismiss", account, "--type", type, "--reason", "seasonal", "--on", "2999-01-01", "--db", dir + "/h.sqlite"])
        #expect(future.status != 0 && future.stderr.contains("--on 2999-01-01 is after today"), "\(future.stderr)")
        let unknown = try runTelltale(["alerts", "engage", "NOPE-1", "--db", dir + "/h.sqlite"])
        #expect(unknown.status != 0 && unknown.stderr.contains("NOPE-1: no scoring run"))
        // Listing a run or an account the history does not hold names the mistake (it said "0 alerts").
        let noRun = try runTelltale(["alerts", "list", "--db", dir + "/h.sqlite", "--as-of", "2026-05-01"])
        #expect(noRun.status != 0 && noRun.stderr.contains("has no scoring run as of 2026-05-01; its runs: 2026-07-01 (1)"), "\(noRun.stderr)")
        let noAccount = try runTelltale(["alerts", "list", "--db", dir + "/h.sqlite", "--account", "NOPE-1"])
        #expect(noAccount.status != 0 && noAccount.stderr.contains("NOPE-1: no scoring run"), "\(noAccount.stderr)")
    }

    /// The scheduled job keeps scoring with last quarter's file after telltale is
    /// upgraded: the sample's model as the format-4 writer saved it scores exactly
    /// as the same model re-written in the current format, and `inspect` names the file's format.
    @Test func aModelFileInAnOlderFormatScoresAsItsCurrentSpelling() throws {
        let old = repositoryRoot.appendingPathComponent("Tests/TelltaleModelTests/Fixtures/sample-model-format4.json").path
        let json = try runTelltale(["inspect", "--json", old])
        #expect(json.status == 0 && json.stdout.contains(#""format" : 9"#) && !json.stdout.contains(#""_0""#), "\(json.stderr)")
        try json.stdout.write(toFile: dir + "/current.json", atomically: true, encoding: .utf8)
        let a = try runTelltale(["score", "--model", old, "--config", sampleConfig, "--out", dir + "/old.csv", "--no-db"])
        let b = try runTelltale(["score", "--model", dir + "/current.json", "--config", sampleConfig, "--out", dir + "/new.csv", "--no-db"])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        let oldScores = try String(contentsOfFile: dir + "/old.csv", encoding: .utf8)
        #expect(oldScores == (try String(contentsOfFile: dir + "/new.csv", encoding: .utf8)))
        #expect(oldScores.split(separator: "\n").count > 700)
        let inspect = try runTelltale(["inspect", old])
        #expect(inspect.status == 0 && inspect.stdout.hasPrefix("Telltale churn model (format 4,")
                && inspect.stdout.contains("(an older file format, read as format 9; `telltale inspect --json FILE > NEW.json` writes it in format 9)"),
                "\(inspect.stdout.prefix(300))")
        #expect(try !runTelltale(["inspect", dir + "/current.json"]).stdout.contains("older file format"))
    }

    /// A scheduled job piping the scores on (`--out /dev/stdout`, a named
    /// pipe): the stream gets the same bytes as a file would, stays a stream,
    /// and the rejects default to rejects.csv rather than a name next to it.
    @Test func scoresWrittenToAStreamArriveWholeAndLeaveItAStream() throws {
        let fifo = dir + "/feed"
        #expect(mkfifo(fifo, 0o600) == 0)
        let received = PipeReader(fifo)
        let r = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--out", fifo, "--rejects", dir + "/r.csv", "--no-db"])
        let bytes = received.wait()
        #expect(r.status == 0, "\(r.stderr)")
        _ = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--out", dir + "/file.csv", "--no-db"])
        #expect(bytes == (try Data(contentsOf: URL(fileURLWithPath: dir + "/file.csv"))) && bytes.count > 10_000)
        #expect(AtomicFile.isStream(fifo))
        #expect(ScoreCommand.defaultRejectsPath(out: fifo) == "rejects.csv" && ScoreCommand.defaultRejectsPath(out: "/dev/stdout") == "rejects.csv")
        #expect(ScoreCommand.defaultRejectsPath(out: "out/scores.csv") == "out/scores.rejects.csv" && ScoreCommand.defaultRejectsPath(out: nil) == "rejects.csv")
        // A folder is refused before anything is written beside it.
        let folder = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--out", dir, "--no-db"])
        #expect(folder.status != 0 && folder.stderr.contains("--out \(dir) is a folder: name the score file in it, e.g. --out \(dir)/scores.csv"), "\(folder.stderr)")
        let parent = (dir as NSString).deletingLastPathComponent, name = (dir as NSString).lastPathComponent
        #expect(!FileManager.default.fileExists(atPath: parent + "/" + name + ".rejects.csv"))
    }

    @Test func aDamagedModelFileIsRefusedWithWhatToDo() throws {
        var json = try String(contentsOfFile: sampleModel, encoding: .utf8)
        json = json.replacingOccurrences(of: "\"bands\"", with: "\"bandz\"")
        try json.write(toFile: dir + "/broken.json", atomically: true, encoding: .utf8)
        let r = try runTelltale(["score", "--model", dir + "/broken.json", "--config", sampleConfig, "--out", dir + "/s.csv", "--no-db"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("field 'bands' is missing") && r.stderr.contains("Retrain it with `telltale train"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/s.csv"), "no score file from a refused model")

        let future99 = json.replacingOccurrences(of: #""format" : [0-9]+"#, with: #""format" : 99"#, options: .regularExpression)
        #expect(future99.contains(#""format" : 99"#))
        try future99.write(toFile: dir + "/future.json", atomically: true, encoding: .utf8)
        let future = try runTelltale(["score", "--model", dir + "/future.json", "--config", sampleConfig, "--no-db"])
        #expect(future.status != 0 && future.stderr.contains("newer than this telltale reads"), "\(future.stderr)")
    }

    @Test func scoringWithoutARenewalsTableScoresChurnedAccountsAndSaysSo() throws {
        let data = repositoryRoot.appendingPathComponent("notebooks-data").path
        let config = dir + "/no-renewals.yml"
        try "data:\n  accounts: \(data)/accounts.csv\n  usage: \(data)/usage.csv.gz\n  level_metrics: [csat]\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let r = try runTelltale(["score", "--model", sampleModel, "--config", config, "--out", dir + "/s.csv", "--no-db"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: no renewals table (data.renewals or --renewals): accounts that churned cannot be told"), "\(r.stderr)")
        let signedUp = try lines(data + "/accounts.csv").dropFirst().filter { $0.split(separator: ",")[2] < "2026-07-01" }.count
        let listed = try lines(dir + "/s.csv").count - 1 + (try lines(dir + "/s.rejects.csv")).count - 1
        let active = try activeSampleAccounts()
        #expect(listed == signedUp && signedUp > active, "\(listed) listed, \(signedUp) signed up, \(active) active")
        let withRenewals = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--out", dir + "/t.csv", "--no-db"])
        #expect(!withRenewals.stderr.contains("no renewals table"))
    }

    /// A scheduled job may point --out and --db into a folder it has not made:
    /// both are made (the database's folder had been an error).
    @Test func theHistoryDatabaseGoesIntoAFolderMadeForIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-newdb-\(UUID().uuidString)").path
        let r = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--out", dir + "/out/s.csv", "--db", dir + "/db/h.sqlite"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/db/h.sqlite") && FileManager.default.fileExists(atPath: dir + "/out/s.csv"))
    }

    @Test func scoringPastTheUsageDataIsRefused() throws {
        let r = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--as-of", "2026-09-01", "--no-db"])
        #expect(r.status != 0 && r.stderr.contains("The usage data ends on 2026-06-30"), "\(r.stderr)")
    }

    /// Before the usage data starts nothing is known: it had scored no one and
    /// exited 0, every account a reject.
    @Test func scoringOnOrBeforeTheUsageDataStartsIsRefused() throws {
        for day in ["2022-07-02", "2024-07-01"] {
            let r = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--as-of", day, "--no-db"])
            #expect(r.status != 0 && r.stderr.contains("The usage data starts on 2024-07-01, not before the as-of date \(day)")
                    && r.stderr.contains("--as-of 2024-07-02 or later"), "\(r.stderr)")
        }
        // The day after: one day of usage, too little, each account rejected with its reason.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-early-\(UUID().uuidString)").path
        let r = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--as-of", "2024-07-02", "--no-db", "--out", dir + "/s.csv"])
        #expect(r.status == 0 && r.stderr.contains("0 accounts scored"), "\(r.stderr)")
        let rejects = try String(contentsOfFile: dir + "/s.rejects.csv", encoding: .utf8)
        #expect(rejects.contains("only 1 day of usage before 2024-07-02; the model needs 30"), "\(rejects.prefix(300))")
    }

    /// Strategic accounts and expansion potential (`alerts.severity`'s
    /// `strategic_column`, `expansion_column`) move the severity a step each,
    /// checked on the sample against a run without them: where the earlier
    /// severity is medium or high it is exactly the shifted base, so the new
    /// one must be it moved by the account's steps (within low...critical);
    /// `none` stays none; low cannot fall, critical cannot rise.
    @Test func strategicAccountsAndExpansionPotentialMoveTheSeverityOfTheSample() throws {
        let data = repositoryRoot.appendingPathComponent("notebooks-data").path
        var accountLines = try lines(data + "/accounts.csv")
        var steps: [Substring: Int] = [:], expansion: [Double] = []
        accountLines[0] += ",key_account,upsell"
        for i in 1..<accountLines.count {
            let strategic = ["yes", "no", "", "No", "TRUE"][i % 5], value = i % 7 == 0 ? "" : String([0, 0, 5_000, 20_000, 80_000][i % 5 == 1 ? 4 : i % 4])
            accountLines[i] += ",\(strategic),\(value)"
            steps[accountLines[i].split(separator: ",")[0]] = ["yes", "TRUE"].contains(strategic) ? 1 : 0
            if let v = Double(value) { expansion.append(v) }
        }
        try (accountLines.joined(separator: "\n") + "\n").write(toFile: dir + "/accounts.csv", atomically: true, encoding: .utf8)
        var config = try String(contentsOfFile: sampleConfig, encoding: .utf8)
        config = config.replacingOccurrences(of: "  severity:\n", with: "  severity:\n    strategic_column: key_account\n    expansion_column: upsell\n"
                                                + "    large_expansion: 20000\n    small_expansion: 0\n")
        try config.write(toFile: dir + "/telltale.yml", atomically: true, encoding: .utf8)
        let inputs = ["--accounts", dir + "/accounts.csv", "--usage", data + "/usage.csv.gz", "--renewals", data + "/renewals.csv"]
        let check = try runTelltale(["check", "--config", dir + "/telltale.yml"] + inputs)
        #expect(check.stdout.contains("  key_account (strategic, yes/no): 400 yes, 400 no, 200 empty\n"), "\(check.stdout.prefix(600))")
        #expect(check.stdout.contains("  upsell (expansion potential): \(expansion.count) values, median"), "\(check.stdout.prefix(600))")

        let plain = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--as-of", "2025-07-02",
                                     "--out", dir + "/plain.csv", "--no-db"])
        let weighted = try runTelltale(["score", "--model", sampleModel, "--config", dir + "/telltale.yml", "--as-of", "2025-07-02",
                                        "--out", dir + "/weighted.csv", "--no-db"] + inputs)
        #expect(plain.status == 0 && weighted.status == 0, "\(weighted.stderr)")
        // The columns before `reasons` hold no comma: the id and the severity are plain fields.
        func severities(_ path: String) throws -> [Substring: Int] {
            let order = ["none", "low", "medium", "high", "critical"]
            return Dictionary(uniqueKeysWithValues: try lines(path).dropFirst().map { line in
                let f = line.split(separator: ",", omittingEmptySubsequences: false)
                return (f[0], order.firstIndex(of: String(f[9]))!)
            })
        }
        let before = try severities(dir + "/plain.csv"), after = try severities(dir + "/weighted.csv")
        #expect(before.count == after.count && before.count > 500)
        for line in accountLines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            if let v = Double(f[f.count - 1]) { steps[f[0]]! += v >= 20_000 ? 1 : v <= 0 ? -1 : 0 }
        }
        var moved = 0, exact = 0
        for (id, old) in before {
            let new = after[id]!, d = steps[id]!
            if new != old { moved += 1 }
            switch old {
            case 0: #expect(new == 0, "\(id): nothing to act on stays so")
            case 2, 3: #expect(new == min(4, max(1, old + d)), "\(id): \(old) moved by \(d)"); exact += 1
            case 1: if d <= 0 { #expect(new == 1, "\(id)") } else { #expect(new >= 1 && new <= 1 + d, "\(id)") }
            default: if d >= 0 { #expect(new == 4, "\(id)") } else { #expect(new <= 4 && new >= 4 + d, "\(id)") }
            }
        }
        #expect(moved >= 20 && exact >= 20, "moved \(moved), checked exactly \(exact)")

        // A column the config names and the file lacks stops the run, naming both.
        let missing = config.replacingOccurrences(of: "expansion_column: upsell", with: "expansion_column: upsel")
        try missing.write(toFile: dir + "/missing.yml", atomically: true, encoding: .utf8)
        let stopped = try runTelltale(["score", "--model", sampleModel, "--config", dir + "/missing.yml", "--out", dir + "/x.csv", "--no-db"] + inputs)
        #expect(stopped.status != 0 && stopped.stderr.contains("upsel") && stopped.stderr.contains(dir + "/accounts.csv"), "\(stopped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.csv"))

        // A flat table carries the columns itself.
        let table = try lines(data + "/churn_table.csv")
        let flat = ([table[0] + ",key_account"] + table.dropFirst().enumerated().map { $1 + ($0 % 2 == 0 ? ",yes" : ",no") }).joined(separator: "\n") + "\n"
        try flat.write(toFile: dir + "/flat.csv", atomically: true, encoding: .utf8)
        try "alerts:\n  severity:\n    strategic_column: key_account\n".write(toFile: dir + "/flat.yml", atomically: true, encoding: .utf8)
        #expect(try runTelltale(["train", "--data", dir + "/flat.csv", "--label", "churned", "--out", dir + "/flat.json"]).status == 0)
        for (config, out) in [(nil, "/flat-plain.csv"), (dir + "/flat.yml", "/flat-key.csv")] {
            let r = try runTelltale(["score", "--model", dir + "/flat.json", "--data", dir + "/flat.csv", "--out", dir + out, "--no-db"]
                                    + (config.map { ["--config", $0] } ?? []))
            #expect(r.status == 0, "\(r.stderr)")
        }
        let flatBefore = try severities(dir + "/flat-plain.csv"), flatAfter = try severities(dir + "/flat-key.csv")
        let keyRows = Set(table.dropFirst().enumerated().filter { $0.offset % 2 == 0 }.map { $0.element.split(separator: ",")[0] })
        var raised = 0
        for (id, old) in flatBefore {
            let new = flatAfter[id]!
            if keyRows.contains(id) && old > 0 { #expect(new == min(4, old + 1), "\(id)"); raised += new > old ? 1 : 0 } else { #expect(new == old, "\(id)") }
        }
        #expect(raised >= 50, "\(raised)")
        try "alerts:\n  severity:\n    strategic_column: key_acount\n".write(toFile: dir + "/flat-typo.yml", atomically: true, encoding: .utf8)
        let typo = try runTelltale(["score", "--model", dir + "/flat.json", "--data", dir + "/flat.csv", "--config", dir + "/flat-typo.yml",
                                    "--out", dir + "/y.csv", "--no-db"])
        #expect(typo.status != 0 && typo.stderr.contains("key_acount"), "\(typo.stderr)")
    }
}

/// `alerts prune` keeps what later runs read: runs scored after pruning are
/// byte for byte those scored on the whole history.
@Suite struct AlertsPruneCommandTests {
    @Test func runsAfterAPruneScoreAsOnTheWholeHistory() throws {
        let dir = try scratchDirectory("prune")
        let full = dir + "/full.sqlite", pruned = dir + "/pruned.sqlite"
        func score(_ day: String, _ db: String, _ out: String) throws {
            let r = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--as-of", day, "--db", db, "--out", out])
            #expect(r.status == 0, "\(r.stderr)")
        }
        for d in ["2026-06-01", "2026-06-04", "2026-06-08", "2026-06-11"] { try score(d, full, dir + "/s.csv") }
        // CSM actions recorded before the prune still hold alerts back after it.
        func fired(_ day: String) throws -> [[Substring]] {
            try runTelltale(["alerts", "list", "--db", full, "--status", "fired", "--as-of", day]).stdout.split(separator: "\n")
                .dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        }
        // A type that fired at every run so far, most likely still firing at the next ones.
        let persistent = Set(try fired("2026-06-01").map { "\($0[1]),\($0[2])" })
        let rows = try fired("2026-06-11").filter { persistent.contains("\($0[1]),\($0[2])") }
        let first = rows[0], second = try #require(rows.first { $0[1] != first[1] })
        #expect(try runTelltale(["alerts", "engage", String(first[1]), "--on", "2026-06-02", "--db", full]).status == 0)
        #expect(try runTelltale(["alerts", "dismiss", String(second[1]), "--type", String(second[2]), "--reason", "seasonal",
                                 "--on", "2026-06-02", "--db", full]).status == 0)
        try FileManager.default.copyItem(atPath: full, toPath: pruned)

        let dry = try runTelltale(["alerts", "prune", "--keep-days", "0", "--dry-run", "--db", pruned])
        #expect(dry.status == 0 && dry.stderr.contains("would delete 1 run (2026-06-01)"), "\(dry.stderr)")
        #expect(try runTelltale(["alerts", "list", "--db", pruned, "--as-of", "2026-06-01"]).status == 0, "a dry run deletes nothing")
        // --keep-days 0 would keep the latest run only, but the next run's band drops
        // compare with the latest run at least 7 days before it (2026-06-04).
        let r = try runTelltale(["alerts", "prune", "--keep-days", "0", "--db", pruned, "--config", sampleConfig])
        #expect(r.status == 0 && r.stderr.contains("deleted 1 run (2026-06-01): ")
                && r.stderr.contains("kept 3 runs from 2026-06-04 (the next run's band drops compare with it"), "\(r.stderr)")
        #expect(!r.stderr.contains("note:") && dry.stderr.contains("note: kept the runs band drops need with alerts.band_drop_days 7, the default"),
                "without --config the default is named: \(dry.stderr)")
        let gone = try runTelltale(["alerts", "list", "--db", pruned, "--as-of", "2026-06-01"])
        #expect(gone.status != 0 && gone.stderr.contains("its runs: 2026-06-04, 2026-06-08, 2026-06-11 (3)"), "\(gone.stderr)")
        let size = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int }
        #expect(try size(pruned) < size(full), "VACUUM gives the deleted runs' pages back")

        for d in ["2026-06-12", "2026-06-15"] {
            try score(d, full, dir + "/full-\(d).csv")
            try score(d, pruned, dir + "/pruned-\(d).csv")
            let a = try String(contentsOfFile: dir + "/full-\(d).csv", encoding: .utf8)
            #expect(a == (try String(contentsOfFile: dir + "/pruned-\(d).csv", encoding: .utf8)), "\(d)")
            #expect(a.contains("engaged") && a.contains("dismissed"), "the CSM actions are in force on \(d)")
        }
        let again = try runTelltale(["alerts", "prune", "--keep-days", "1000", "--db", pruned])
        #expect(again.status == 0 && again.stderr.hasPrefix("nothing to delete: no run is older than that"), "\(again.stderr)")
        let bad = try runTelltale(["alerts", "prune", "--keep-days", "a year", "--db", pruned])
        #expect(bad.status != 0 && bad.stderr.contains("--keep-days must be a number of days like 365d or 52w"), "\(bad.stderr)")
    }
}

/// `alerts outcomes` against the same counts made from `alerts list` and the renewals file.
@Suite struct AlertOutcomesCommandTests {
    @Test func outcomesCountWhatTheListedAlertsAndTheRenewalsSay() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-outcomes-\(UUID().uuidString)").path
        let dates = ["2025-11-12", "2025-11-19", "2025-12-03"]
        for d in dates {
            let r = try runTelltale(["score", "--model", sampleModel, "--config", sampleConfig, "--as-of", d, "--db", dir + "/h.sqlite", "--out", dir + "/s.csv"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        var fired: [Set<String>] = []
        for d in dates {
            let list = try runTelltale(["alerts", "list", "--db", dir + "/h.sqlite", "--as-of", d, "--status", "fired"]).stdout
            fired.append(Set(list.split(separator: "\n").dropFirst().map { line in
                let cells = line.split(separator: ",", omittingEmptySubsequences: false)
                return "\(cells[1])|\(cells[2])"
            }))
        }
        // What ended at the last run, from the database, is the score file's ended_alert_types column.
        let ended = try runTelltale(["alerts", "list", "--db", dir + "/h.sqlite", "--status", "ended"])
        let listedResolved = Set(ended.stdout.split(separator: "\n").dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            return "\(cells[1])|\(cells[2])"
        })
        let scoreLines = try String(contentsOfFile: dir + "/s.csv", encoding: .utf8).split(separator: "\n")
        #expect(scoreLines[0].hasSuffix(",ended_alert_types"))
        let fromScores = Set(scoreLines.dropFirst().flatMap { line -> [String] in
            let account = line.split(separator: ",")[0]
            let last = line.split(separator: ",", omittingEmptySubsequences: false).last!.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return last.isEmpty ? [] : last.split(separator: ";").map { "\(account)|\($0)" }
        })
        #expect(ended.status == 0 && !listedResolved.isEmpty && listedResolved == fromScores, "\(listedResolved.symmetricDifference(fromScores))")
        let both = try runTelltale(["alerts", "list", "--db", dir + "/h.sqlite", "--status", "ended", "--new"])
        #expect(both.status != 0 && both.stderr.contains("--new lists fired alerts"))
        var decisions: [String: [(Day, Bool)]] = [:]
        let renewals = try String(contentsOfFile: repositoryRoot.appendingPathComponent("notebooks-data/renewals.csv").path, encoding: .utf8)
        for line in renewals.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            decisions[String(cells[0]), default: []].append((Day.parse(String(cells[1]))!, cells[2].lowercased() == "churned"))
        }
        var episodes = 0, churned = 0, renewed = 0, none = 0, nextDecided = 0, nextChurned = 0
        for (i, d) in dates.enumerated() {
            let day = Day.parse(d)!
            for key in fired[i] where i == 0 || !fired[i - 1].contains(key) {
                episodes += 1
                let account = String(key.split(separator: "|")[0])
                let next = decisions[account, default: []].filter { $0.0 > day && $0.0 - day <= 90 }.min { $0.0 < $1.0 }
                if let next { if next.1 { churned += 1 } else { renewed += 1 } } else { none += 1 }
                if let later = decisions[account, default: []].filter({ $0.0 > day }).min(by: { $0.0 < $1.0 }) {
                    nextDecided += 1
                    if later.1 { nextChurned += 1 }
                }
            }
        }
        #expect(episodes > 100 && churned > 10, "\(episodes) episodes, \(churned) churned")
        let r = try runTelltale(["alerts", "outcomes", "--db", dir + "/h.sqlite", "--config", sampleConfig])
        #expect(r.status == 0, "\(r.stderr)")
        let all = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("all,") }).split(separator: ",")
        #expect(all[1...5].map(String.init) == ["\(episodes)", "\(churned)", "\(renewed)", "\(none)", "0"], "\(all)")
        #expect(r.stdout.hasPrefix("type,") && r.stdout.split(separator: "\n")[0].hasSuffix(",next_renewal_decided,next_renewal_churned,next_renewal_precision"))
        #expect(all[14...15].map(String.init) == ["\(nextDecided)", "\(nextChurned)"] && nextDecided > churned + renewed && nextChurned > churned, "\(all)")
        #expect(r.stderr.contains("\(episodes) alert episodes: \(churned) churned within 90 days"), "\(r.stderr)")
        let bad = try runTelltale(["alerts", "outcomes", "--db", dir + "/h.sqlite", "--config", sampleConfig, "--horizon", "0d"])
        #expect(bad.status != 0 && bad.stderr.contains("--horizon must be a number of days"))
        // Without a config, the two files it reads are enough (the usage export is not read).
        let data = repositoryRoot.appendingPathComponent("notebooks-data").path
        let files = try runTelltale(["alerts", "outcomes", "--db", dir + "/h.sqlite", "--accounts", data + "/accounts.csv", "--renewals", data + "/renewals.csv"])
        #expect(files.status == 0 && files.stdout == r.stdout, "\(files.stderr)")
        let neither = try runTelltale(["alerts", "outcomes", "--db", dir + "/h.sqlite"])
        #expect(neither.status != 0 && neither.stderr.contains("Pass --config FILE, or --accounts FILE and --renewals FILE."))
    }
}

/// A model remembers the granularity of the usage rows it was trained on:
/// `days_active` on weekly rows counts weeks, so a weekly model scoring daily
/// rows (or the reverse) would read every window wrong without a word.
@Suite struct UsageGranularityTests {
    @Test func aModelIsScoredOnlyOnUsageRowsOfItsOwnGranularity() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-weekly-\(UUID().uuidString)").path
        #expect(try runTelltale(["simulate", "--out", dir, "--accounts", "300", "--days", "400", "--seed", "5", "--no-gzip"]).status == 0)
        // Weekly sums of the daily rows, in 7-day blocks from the data's first day (csat: the week's last answer).
        let lines = try String(contentsOfFile: dir + "/usage.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let csat = try #require(header.firstIndex(of: "csat"))
        let first = try #require(Day.parse(String(lines[1].split(separator: ",")[1])))
        var weeks: [String: [String]] = [:], order: [String] = []
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let day = try #require(Day.parse(cells[1]))
            let week = Day(number: first.number + (day.number - first.number) / 7 * 7).description
            let key = cells[0] + "," + week
            var sums = weeks[key] ?? { order.append(key); return Array(repeating: "", count: cells.count - 2) }()
            for c in 2..<cells.count where !cells[c].isEmpty {
                sums[c - 2] = c == csat ? cells[c] : String((Double(sums[c - 2]) ?? 0) + Double(cells[c])!)
            }
            weeks[key] = sums
        }
        try ((header.joined(separator: ",")) + "\n" + order.map { $0 + "," + weeks[$0]!.joined(separator: ",") }.joined(separator: "\n") + "\n")
            .write(toFile: dir + "/weekly.csv", atomically: true, encoding: .utf8)
        let daily = "data:\n  accounts: accounts.csv\n  usage: usage.csv\n  renewals: renewals.csv\n  level_metrics: [csat]\n"
        try daily.write(toFile: dir + "/daily.yml", atomically: true, encoding: .utf8)
        try daily.replacingOccurrences(of: "usage.csv", with: "weekly.csv").appending("  granularity: weekly\n")
            .write(toFile: dir + "/weekly.yml", atomically: true, encoding: .utf8)

        let trained = try runTelltale(["train", "--config", dir + "/weekly.yml", "--out", dir + "/weekly.json", "--trained-at", "2026-07-01"])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(try runTelltale(["inspect", dir + "/weekly.json"]).stdout.contains("; weekly usage to "))
        let mismatch = try runTelltale(["score", "--model", dir + "/weekly.json", "--config", dir + "/daily.yml", "--no-db"])
        #expect(mismatch.status != 0 && mismatch.stderr.contains("this model was trained on weekly usage rows, and the usage table is read as daily"), "\(mismatch.stderr)")
        let scored = try runTelltale(["score", "--model", dir + "/weekly.json", "--config", dir + "/weekly.yml", "--no-db", "--out", dir + "/s.csv"])
        #expect(scored.status == 0 && scored.stderr.contains("accounts scored"), "\(scored.stderr)")
        // The reverse: the daily sample model on weekly rows.
        let reverse = try runTelltale(["score", "--model", sampleModel, "--config", dir + "/weekly.yml", "--no-db"])
        #expect(reverse.status != 0 && reverse.stderr.contains("trained on daily usage rows, and the usage table is read as weekly"), "\(reverse.stderr)")
        // Only a weekly model's file names its granularity; daily ones are unchanged.
        #expect(try String(contentsOfFile: dir + "/weekly.json", encoding: .utf8).contains("\"usage_row_days\" : 7"))
        #expect(try !String(contentsOfFile: sampleModel, encoding: .utf8).contains("usage_row_days"))
    }

    /// The same for level metrics: csat read as a count makes every day
    /// without an answer a 0 (the sample model's red band: 44 -> 41 accounts).
    @Test func aModelIsScoredOnlyWithItsMetricsReadAsInTraining() throws {
        let dir = try scratchDirectory("levels")
        let config = try sampleConfigWithAbsolutePaths()
        #expect(config.contains("  level_metrics: [csat]\n"))
        try config.replacingOccurrences(of: "  level_metrics: [csat]\n", with: "  level_metrics: []\n").write(toFile: dir + "/none.yml", atomically: true, encoding: .utf8)
        try config.replacingOccurrences(of: "  level_metrics: [csat]\n", with: "  level_metrics: [csat, logins]\n").write(toFile: dir + "/more.yml", atomically: true, encoding: .utf8)
        #expect(try String(contentsOfFile: sampleModel, encoding: .utf8).contains("\"level_metrics\" : [\n    \"csat\"\n  ]"))
        let none = try runTelltale(["score", "--model", sampleModel, "--config", dir + "/none.yml", "--no-db"])
        #expect(none.status != 0 && none.stderr.contains("'csat' was a level (a day without a row is missing) in training, and this config reads it as a count")
                && none.stderr.contains("Add it to data.level_metrics, as in training"), "\(none.stderr)")
        let more = try runTelltale(["score", "--model", sampleModel, "--config", dir + "/more.yml", "--no-db"])
        #expect(more.status != 0 && more.stderr.contains("'logins' was a count (a day without a row is 0) in training, and this config reads it as a level")
                && more.stderr.contains("Leave it out of data.level_metrics"), "\(more.stderr)")
        // A model file from before the field was kept is scored as it always was.
        let old = try String(contentsOfFile: sampleModel, encoding: .utf8)
            .replacingOccurrences(of: "  \"level_metrics\" : [\n    \"csat\"\n  ],\n", with: "")
        try old.write(toFile: dir + "/old.json", atomically: true, encoding: .utf8)
        #expect(!old.contains("level_metrics"))
        #expect(try runTelltale(["score", "--model", dir + "/old.json", "--config", dir + "/none.yml", "--no-db", "--out", dir + "/s.csv"]).status == 0)
    }
}

@Suite struct BacktestCommandTests {
    /// A sweep of a rule that does not exist stops before the replay, with the closest rule
    /// (it was a warning after the whole replay, and before that only in the report).
    @Test func aSweptRuleThatDoesNotExistIsNamed() throws {
        let dir = try scratchDirectory("sweep")
        try (sampleConfigWithAbsolutePaths() + "\nbacktest:\n  sweep: {logins_drop_33pt: [0.5, 0.7]}\n").write(toFile: dir + "/t.yml", atomically: true, encoding: .utf8)
        let r = try runTelltale(["backtest", "--config", dir + "/t.yml", "--model", sampleModel, "--from", "2026-01-07", "--to", "2026-03-25", "--out", dir + "/b.md"])
        #expect(r.status != 0 && r.stderr.contains("t.yml:")
                && r.stderr.contains(": 'backtest.sweep': no alert rule 'logins_drop_33pt'; did you mean 'logins_drop_33pct'?"), "\(r.stderr)")
        #expect(!r.stderr.contains("replaying") && !FileManager.default.fileExists(atPath: dir + "/b.md"))
    }

    /// It had replayed 83 dates with no usage and recommended thresholds that caught "0 churns".
    @Test func aFromDateOnOrBeforeTheUsageDataStartsIsRefused() throws {
        let r = try runTelltale(["backtest", "--config", sampleConfig, "--model", sampleModel, "--from", "2023-01-01", "--to", "2024-08-01"])
        #expect(r.status != 0 && r.stderr.contains("--from 2023-01-01 is not after the usage data's first day (2024-07-01)"), "\(r.stderr)")
    }

    @Test func aFromDateAfterTheToDateIsRefusedAsSuch() throws {
        let r = try runTelltale(["backtest", "--config", sampleConfig, "--from", "2026-01-01", "--to", "2025-01-01"])
        #expect(r.status != 0 && r.stderr.contains("--from 2026-01-01 is after --to 2025-01-01"), "\(r.stderr)")
    }

    @Test func aBacktestOfTheSampleWritesTheReportAndItsSummary() throws {
        let dir = try scratchDirectory("bt-cli")
        let r = try runTelltale(["backtest", "--config", sampleConfig, "--model", sampleModel, "--from", "2025-10-01", "--to", "2025-12-24",
                                 "--every", "4w", "--out", dir + "/bt.md", "--db", dir + "/none.sqlite"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Replayed 4 as-of dates, every 28 days from 2025-10-01 to 2025-12-24, with one fixed model"), "\(r.stderr)")
        let report = try String(contentsOfFile: dir + "/bt.md", encoding: .utf8)
        for heading in ["## Alerts by rule", "## Single-signal rules, model bands and combined patterns", "## Threshold sweep", "## Calibration over time"] {
            #expect(report.contains(heading))
        }
        let bad = try runTelltale(["backtest", "--config", sampleConfig, "--every", "weekly"])
        #expect(bad.status != 0 && bad.stderr.contains("--every must be a number of days like 7d or 2w"))
        let late = try runTelltale(["backtest", "--config", sampleConfig, "--model", sampleModel, "--to", "2026-09-01"])
        #expect(late.status != 0 && late.stderr.contains("past the usage data"), "\(late.stderr)")
    }
}
