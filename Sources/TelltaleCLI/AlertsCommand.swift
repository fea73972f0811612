import ArgumentParser
import Foundation
import TelltaleAlerts
import TelltaleConfig
import TelltaleData
import TelltaleScoreHistory

/// `telltale alerts`: what the CSMs do with alerts, recorded in the history database.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List alerts, dismiss one with a reason code, or record that a CSM engaged with an account; see what became of them; prune old runs.",
        subcommands: [List.self, Dismiss.self, Engage.self, Outcomes.self, Prune.self],
        defaultSubcommand: List.self
    )

    struct DatabaseOption: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The score history database.", valueName: "FILE"))
        var db: String = ScoreCommand.defaultDatabase

        @Option(name: .long, help: ArgumentHelp("The config (alerts.reason_codes and the hold-back periods; for outcomes, its accounts and renewals files and backtest.horizon_days).", valueName: "FILE"))
        var config: String?

        func open() throws -> ScoreHistory {
            guard FileManager.default.fileExists(atPath: db) else {
                throw CommandError("\(db): no history database yet. `telltale score ... --db \(db)` creates it.")
            }
            return try openHistory(db)
        }

        func settings() throws -> AlertSettings {
            try config.map { try Configuration.load(path: $0).alerts } ?? AlertSettings()
        }

        /// Records a CSM's action on an account some run scored (an unknown id is most likely a typo).
        func record(on account: String, _ body: (ScoreHistory) throws -> Void) throws {
            let history = try open()
            do {
                if try !history.knows(account: account) {
                    throw CommandError("\(account): no scoring run in \(history.path) has this account; check the id")
                }
                try body(history)
            } catch let e as ScoreHistoryError { throw CommandError(e.message) }
        }
    }

    /// What every CSM action names: the account, an optional note and the day.
    struct ActionOptions: ParsableArguments {
        @Argument(help: ArgumentHelp("The account id.", valueName: "ACCOUNT"))
        var account: String

        @Option(name: .long, help: ArgumentHelp("Free text for the team.", valueName: "TEXT"))
        var note: String?

        @Option(name: .long, help: ArgumentHelp("The day it happened (default today).", valueName: "DATE"))
        var on: String?

        var day: Day { on.flatMap(Day.parse) ?? Day.today() }

        func validate() throws {
            guard let on else { return }
            guard let day = Day.parse(on) else { throw ValidationError("--on must be a date YYYY-MM-DD") }
            // A hold-back that starts in the future holds nothing back today: most likely a mistyped year.
            if day > Day.today() { throw ValidationError("--on \(on) is after today (\(Day.today())): it says when it happened") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the alerts of a scoring run (the latest by default), as CSV.")

        @OptionGroup var database: DatabaseOption

        @Option(name: .long, help: ArgumentHelp("The run's as-of date.", valueName: "DATE"))
        var asOf: String?

        @Option(name: .long, help: ArgumentHelp("Only this account.", valueName: "ACCOUNT"))
        var account: String?

        @Option(name: .long, help: ArgumentHelp("fired, suppressed, or ended: the types that fired for an account at the previous run and do not fire at this one (as score's ended_alert_types).", valueName: "STATUS"))
        var status: String?

        @Option(name: .long, help: ArgumentHelp("Only this alert type.", valueName: "TYPE"))
        var type: String?

        @Flag(name: .long, help: "Only fired alerts whose type did not fire for the account at the previous run.")
        var new = false

        func validate() throws {
            if let asOf, Day.parse(asOf) == nil { throw ValidationError("--as-of must be a date YYYY-MM-DD, got '\(asOf)'") }
            if let status, !["fired", "suppressed", "ended"].contains(status) { throw ValidationError("--status must be fired, suppressed or ended") }
            if status == "ended" && new { throw ValidationError("--new lists fired alerts; --status ended lists those that stopped firing") }
            if let type, AlertType(rawValue: type) == nil {
                throw ValidationError("--type must be one of \(AlertType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() throws {
            let history = try database.open()
            let alerts: [StoredAlert]
            do {
                // A date or account the history does not hold is a typo to name, not "0 alerts".
                if let asOf {
                    let runs = try history.runs().map(\.asOf)
                    guard runs.contains(asOf) else {
                        throw CommandError("\(history.path) has no scoring run as of \(asOf); its runs: "
                            + (runs.count > 8 ? runs.prefix(3).joined(separator: ", ") + ", ..., " + runs.suffix(3).joined(separator: ", ")
                                : runs.joined(separator: ", ")) + " (\(runs.count))")
                    }
                }
                if let account, try !history.knows(account: account) {
                    throw CommandError("\(account): no scoring run in \(history.path) has this account; check the id")
                }
                alerts = status == "ended" ? try history.endedAlerts(asOf: asOf, account: account, type: type)
                    : try history.alerts(asOf: asOf, account: account, status: status, type: type, onlyNew: new)
            } catch let e as ScoreHistoryError { throw CommandError(e.message) }
            var out = "as_of,account_id,type,rule,severity,status,suppressed_because,detail,new\n"
            for a in alerts {
                out += [a.asOf, a.accountID, a.type, a.rule, a.severity, a.status, a.suppressedBecause ?? "", a.detail, a.isNew ? "1" : "0"]
                    .map(csvField).joined(separator: ",") + "\n"
            }
            FileHandle.standardOutput.write(Data(out.utf8))
            printError("\(alerts.count) alert\(alerts.count == 1 ? "" : "s")")
        }
    }

    struct Dismiss: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dismiss an account's alerts of one type, with a reason code; they are held back for alerts.dismissed_days.")

        @OptionGroup var action: ActionOptions

        @Option(name: .long, help: ArgumentHelp("The alert type.", valueName: "TYPE"))
        var type: String

        @Option(name: .long, help: ArgumentHelp("Why (one of alerts.reason_codes: false_positive, seasonal, known_issue, customer_engaged, data_problem, other by default).", valueName: "CODE"))
        var reason: String

        @OptionGroup var database: DatabaseOption

        func validate() throws {
            if AlertType(rawValue: type) == nil {
                throw ValidationError("--type must be one of \(AlertType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() throws {
            let settings = try database.settings()
            try database.record(on: action.account) { history in
                try history.dismiss(account: action.account, type: AlertType(rawValue: type)!, reasonCode: reason, note: action.note,
                                    on: action.day, settings: settings)
            }
            printError("dismissed \(type) alerts for \(action.account) (\(reason)); held back for \(settings.dismissedDays) days")
        }
    }

    struct Engage: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record that a CSM engaged with an account: its alerts are held back for alerts.engaged_days.")

        @OptionGroup var action: ActionOptions

        @OptionGroup var database: DatabaseOption

        func run() throws {
            let settings = try database.settings()
            try database.record(on: action.account) { history in
                try history.engage(account: action.account, note: action.note, on: action.day)
            }
            printError("recorded engagement with \(action.account); its alerts are held back for \(settings.engagedDays) days")
        }
    }

    struct Outcomes: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What became of the alerts scoring raised: per alert type, churned or renewed since, CSM engagements, dismissals; churns no alert preceded.",
            discussion: """
            Reads the score history and the renewals table (the config's, or --renewals). An \
            episode is an alert type firing for an account in a run after not firing in the run \
            before; its outcome is the account's first renewal decided within the horizon after \
            that run, as in the backtest. Engaged-then-renewed counts are what a CSM's action \
            may have saved, not proof that it did. See docs/scoring.md.
            """)

        @OptionGroup var database: DatabaseOption

        @Option(name: .long, help: ArgumentHelp("accounts.csv, overriding data.accounts.", valueName: "FILE"))
        var accounts: String?

        @Option(name: .long, help: ArgumentHelp("renewals.csv, overriding data.renewals.", valueName: "FILE"))
        var renewals: String?

        @Option(name: .long, help: ArgumentHelp("Days after an alert in which a churn counts: 90d, 13w or a number of days (default backtest.horizon_days).", valueName: "PERIOD"))
        var horizon: String?

        @Option(name: .long, help: ArgumentHelp("Write the table here (CSV) instead of to stdout.", valueName: "FILE"))
        var out: String?

        func validate() throws {
            guard database.config != nil || (accounts != nil && renewals != nil) else {
                throw ValidationError("Pass --config FILE, or --accounts FILE and --renewals FILE.")
            }
            if let horizon, Period.days(horizon).map({ $0 > 0 }) != true {
                throw ValidationError("--horizon must be a number of days like 90d or 13w, got '\(horizon)'")
            }
        }

        func run() throws {
            let history = try database.open()
            let configuration = try database.config.map { try Configuration.load(path: $0) } ?? Configuration()
            let options = try configuration.loadOptions(InputOverrides(accounts: accounts, renewals: renewals), needRenewals: true, needUsage: false)
            let (known, decided) = try HistoryLoader(options: options).loadDecisions()
            let decisions = (0..<decided.count).map {
                AlertOutcomes.Decision(account: known.ids[Int(decided.account[$0])], date: decided.date[$0], churned: decided.churned[$0])
            }
            let outcomes: AlertOutcomes
            do {
                let record = try history.alertRecord()
                guard !record.runs.isEmpty else { throw CommandError("\(history.path) holds no scoring run yet") }
                outcomes = AlertOutcomes(runs: record.runs, fired: record.fired, engagements: record.engagements, dismissals: try history.dismissals(),
                                         decisions: decisions, horizonDays: horizon.flatMap(Period.days) ?? configuration.backtest.horizonDays)
            } catch let e as ScoreHistoryError { throw CommandError(e.message) }
            let csv = outcomes.csv()
            if let out { try AtomicFile.write(csv, to: out) } else { FileHandle.standardOutput.write(Data(csv.utf8)) }
            printError(outcomes.summary() + (out.map { "; table: \($0)" } ?? ""))
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete scoring runs older than a number of days from the history, with their scores and alerts, and compact the file.",
            discussion: """
            The history keeps every run unless told otherwise: about 1.7 MB a run for 10,000 \
            accounts, 600 MB a year scored daily. Runs dated more than --keep-days before the \
            latest go, with their scores, rejects and alerts; dismissals and engagements stay. \
            What the next run reads is always kept: the latest run and every run from the one \
            its band drops compare with (alerts.band_drop_days, from --config). `alerts list` \
            and `alerts outcomes` no longer see the removed runs, and the oldest run kept \
            counts all its fired alerts as new. --dry-run says what would go.
            """)

        @OptionGroup var database: DatabaseOption

        @Option(name: .long, help: ArgumentHelp("Keep the runs of this many days before the latest run (365d, 52w or a number of days).", valueName: "PERIOD"))
        var keepDays: String

        @Flag(name: .long, help: "Say what would be deleted, and delete nothing.")
        var dryRun = false

        func validate() throws {
            if Period.days(keepDays).map({ $0 >= 0 }) != true {
                throw ValidationError("--keep-days must be a number of days like 365d or 52w, got '\(keepDays)'")
            }
        }

        func run() throws {
            let history = try database.open()
            let settings = try database.settings()
            let keep = Period.days(keepDays)!
            let sizeBefore = Self.fileSize(history.path)
            let result: PruneResult
            do {
                result = try history.prune(keepingDays: keep, bandDropDays: settings.bandDropDays, dryRun: dryRun)
            } catch let e as ScoreHistoryError { throw CommandError(e.message) }
            guard result.keptFrom != nil else { throw CommandError("\(history.path) holds no scoring run yet") }
            let runs = result.removedRuns
            var line = runs.isEmpty ? "nothing to delete: no run is older than that"
                : (dryRun ? "would delete " : "deleted ")
                    + "\(runs.count) run\(runs.count == 1 ? "" : "s") (\(runs.first!)\(runs.count > 1 ? " to \(runs.last!)" : "")): "
                    + "\(result.removedScores) scores, \(result.removedAlerts) alerts, \(result.removedRejects) rejects"
            if let from = result.keptFrom {
                line += "; kept \(result.keptRuns) run\(result.keptRuns == 1 ? "" : "s") from \(from)"
                if result.keptForBandDrops { line += " (the next run's band drops compare with it: alerts.band_drop_days \(settings.bandDropDays))" }
            }
            let sizeAfter = Self.fileSize(history.path)
            if !dryRun && (!runs.isEmpty || sizeAfter < sizeBefore) {
                line += "; \(history.path) \(Self.megabytes(sizeBefore)) -> \(Self.megabytes(sizeAfter))"
            }
            printError(line)
            // A scoring job whose config compares band drops over more days needs older runs than the default keeps.
            if database.config == nil && !runs.isEmpty {
                printError("note: kept the runs band drops need with alerts.band_drop_days \(settings.bandDropDays), the default; "
                    + "pass the scoring job's --config if it sets another")
            }
        }

        static func fileSize(_ path: String) -> Int {
            ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        }

        static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
    }
}
