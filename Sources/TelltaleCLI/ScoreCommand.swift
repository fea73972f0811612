import ArgumentParser
import Foundation
import TelltaleAlerts
import TelltaleConfig
import TelltaleData
import TelltaleModel
import TelltaleScoreHistory
import TelltaleScorer

/// `telltale score`: the scheduled job that feeds health scores and alerts into a CRM.
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score today's accounts with a saved model: churn probability, health score, band, reasons, alerts, severity, playbook.",
        discussion: """
        Every active account (signed up before the as-of date, not churned before it) is \
        scored from usage dated before the as-of date, or listed in the rejects file with \
        the reason. Alerts follow the config's `alerts:` rules with their grace period and \
        suppression; band changes and suppression come from the history database (--db). \
        Re-scoring the same as-of date replaces that run. See docs/scoring.md.
        """
    )

    @OptionGroup var input: InputOptions

    @Option(name: .long, help: ArgumentHelp("The model file (telltale train writes it).", valueName: "FILE"))
    var model: String = "models/churn.json"

    @Option(name: .long, help: ArgumentHelp("A flat table to score instead of the three tables (a model trained with --data).", valueName: "TABLE.csv"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("With --data: the segment column.", valueName: "COL"))
    var segment: String = "segment"

    @Option(name: .long, help: ArgumentHelp("Score as of this date, from usage before it (default: the day after the usage data ends).", valueName: "DATE"))
    var asOf: String?

    @Option(name: .long, help: ArgumentHelp("Write the scores here (atomically) instead of stdout.", valueName: "FILE"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("csv or jsonl (default: from the --out extension, .jsonl/.ndjson/.json is JSON Lines).", valueName: "FORMAT"))
    var format: String?

    @Option(name: .long, help: ArgumentHelp("Accounts that could not be scored, with the reason (default: next to --out as NAME.rejects.csv, else rejects.csv).", valueName: "FILE"))
    var rejects: String?

    @Option(name: .long, help: ArgumentHelp("The score history database.", valueName: "FILE"))
    var db: String = ScoreCommand.defaultDatabase

    @Flag(name: .long, help: "Keep no history: no band changes, no suppression by engagement or dismissal.")
    var noDb = false

    static let defaultDatabase = "telltale-history.sqlite"

    func validate() throws {
        if data == nil { try input.requireTables() }
        if let asOf, Day.parse(asOf) == nil { throw ValidationError("--as-of must be a date YYYY-MM-DD, got '\(asOf)'") }
        if let format, ScoreOutput.Format(rawValue: format.lowercased()) == nil { throw ValidationError("--format must be csv or jsonl, got '\(format)'") }
        // Found before anything is written: the rejects would go next to it first.
        var isFolder: ObjCBool = false
        if let out, FileManager.default.fileExists(atPath: out, isDirectory: &isFolder), isFolder.boolValue {
            throw ValidationError("--out \(out) is a folder: name the score file in it, e.g. --out \((out as NSString).appendingPathComponent("scores.csv"))")
        }
    }

    func run() throws {
        let config = try input.configuration()
        let churnModel: ChurnModel
        do { churnModel = try ChurnModel.read(path: model) } catch let e as ModelFileError { throw CommandError(e.message) }
        // Like --out, the database may go into a folder the job has not made yet.
        // If it cannot be made, opening the database names the folder.
        let folder = (db as NSString).deletingLastPathComponent
        if !noDb && !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let history = noDb ? nil : try openHistory(db)
        // Only the history compares runs' models: without it the file is not read a second time.
        let fingerprint = try history.map { _ in try FileFingerprint.fnv1a64(path: model) }
        var scorer = AccountScorer(model: churnModel, alerts: config.alerts, settings: config.scoring)
        let run: ScoreRun
        // The inputs stay alive to the end: freeing a million rows' facts and
        // columns one by one is work the process's exit does for free.
        var inputs: Any?
        do {
            if let data {
                let flat = try FlatScoringInput(path: data, model: churnModel, segmentColumn: segment,
                                                strategicColumn: config.alerts.severity.strategicColumn,
                                                expansionColumn: config.alerts.severity.expansionColumn)
                inputs = flat
                let day = asOf.flatMap(Day.parse) ?? flat.asOf ?? Day.today()
                var scored = scorer.score(table: flat.table, facts: flat.facts, asOf: day,
                                          context: try history?.context(asOf: day, settings: config.alerts, modelFingerprint: fingerprint) ?? ScoringContext())
                scored.warnings += flat.warnings
                run = scored
            } else {
                let options = try config.loadOptions(input.overrides, needRenewals: false)
                let loaded = try HistoryLoader(options: options).load()
                inputs = loaded
                let coverage = loaded.usage.dateRange
                let day = asOf.flatMap(Day.parse) ?? coverage.map { $0.upperBound + 1 } ?? Day.today()
                try checkAsOf(day, coverage: coverage)
                scorer.available = config.signals.resolved(metrics: loaded.usage.metrics)
                var scored = try scorer.score(history: loaded, asOf: day,
                                              context: try history?.context(asOf: day, settings: config.alerts, modelFingerprint: fingerprint) ?? ScoringContext())
                scored.rejects += RejectedAccount.unknownAccounts(in: loaded.problems)
                // A scheduled job whose export was not refreshed scores the same date again,
                // replacing that run (when it is recorded, below): say so, or the CRM gets the
                // same scores for days unnoticed.
                if asOf == nil, let history, let before = try history.scoredAt(asOf: day) {
                    scored.warnings.append("the usage data ends where it did at the run this one replaces (as of \(day), scored \(before)): "
                        + "the export may not have been refreshed (--as-of re-scores a date on purpose without this warning)")
                }
                if options.renewalsPath == nil {
                    scored.warnings.append("no renewals table (data.renewals or --renewals): accounts that churned cannot be told "
                        + "from active ones, so every account signed up before \(day) is scored")
                }
                if !loaded.problems.isEmpty, let report = config.problemReportPath {
                    try AtomicFile.write(loaded.problems.csv(), to: report)
                    printError("\(loaded.problems.total) input problem\(loaded.problems.total == 1 ? "" : "s") skipped (data.on_problem: skip); listed in \(report)")
                }
                run = scored
            }
        } catch let e as ScoringError { throw CommandError(e.message) }
        catch let e as ScoreHistoryError { throw CommandError(e.message) }

        // History first: if another job holds the database, nothing is written.
        do { try history?.record(run, model: (model as NSString).lastPathComponent, modelFingerprint: fingerprint) } catch let e as ScoreHistoryError { throw CommandError(e.message) }
        let chosen = format.flatMap { ScoreOutput.Format(rawValue: $0.lowercased()) } ?? out.map(ScoreOutput.Format.from(path:)) ?? .csv
        let rejectsPath = rejects ?? Self.defaultRejectsPath(out: out)
        if !run.rejects.isEmpty || rejects != nil || out != nil {
            try AtomicFile.write(ScoreOutput.rejectsCSV(run.rejects), to: rejectsPath)
        }
        if let out {
            try ScoreOutput.write(run.rows, format: chosen, to: out)
        } else {
            for part in ScoreOutput.renderParts(run.rows, format: chosen) { FileHandle.standardOutput.write(part) }
        }
        for w in run.warnings { printError("warning: \(w)") }
        printError(ScoreSummary.text(run, rejectsPath: run.rejects.isEmpty ? nil : rejectsPath)
            + (out.map { "scores: \($0)" } ?? "") + (history.map { (out == nil ? "" : "; ") + "history: \($0.path)" } ?? ""))
        // Everything is in place: the history committed (SQLite keeps a committed
        // transaction whatever happens to the process next), the files renamed.
        // Freeing a million scored rows one by one would take another quarter of a
        // second (measured); the process ends here and the system takes the memory back.
        withExtendedLifetime(inputs) { Foundation.exit(EXIT_SUCCESS) }
    }

    /// Next to the score file, or `rejects.csv` when the scores go to stdout,
    /// `/dev/stdout` or a pipe (not `/dev/stdout.rejects.csv`).
    static func defaultRejectsPath(out: String?) -> String {
        guard let out, !AtomicFile.isStream(out) else { return "rejects.csv" }
        return rejectsPath(for: out)
    }

    /// `out/scores.csv` → `out/scores.rejects.csv`.
    static func rejectsPath(for out: String) -> String {
        let ns = out as NSString
        let stem = (ns.lastPathComponent as NSString).deletingPathExtension
        return (ns.deletingLastPathComponent as NSString).appendingPathComponent(stem + ".rejects.csv")
    }
}

/// Opens the history database (the file is created on first use), with its errors worded for the command line.
func openHistory(_ path: String) throws -> ScoreHistory {
    do { return try ScoreHistory(path: path) } catch let e as ScoreHistoryError { throw CommandError(e.message) }
}
