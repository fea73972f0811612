import ArgumentParser
import Foundation
import TelltaleBacktest
import TelltaleConfig
import TelltaleData
import TelltaleModel
import TelltaleModelTraining
import TelltaleScoreHistory
import TelltaleScorer
import TelltaleSignals

/// `telltale backtest`: how the thresholds and bands would have done on past periods.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay past as-of dates to judge alert thresholds and bands: alerts raised, how early, churns caught, noise.",
        discussion: """
        At each date only what was known then is used: usage before it, and a model trained on \
        the renewals decided before it (retrained every backtest.retrain_days; or --model to \
        hold one fixed). Alerts fire with the configured rules, grace periods and support-case \
        suppression; an alert is right when the account churned at a renewal within the \
        horizon. The report (Markdown, or HTML for --out *.html) compares the rules, the \
        model's bands and the combined patterns, and sweeps the rules' thresholds. See docs/backtest.md.
        """
    )

    @OptionGroup var input: InputOptions

    @Option(name: .long, help: ArgumentHelp("First as-of date (default: a year before --to).", valueName: "DATE"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("Last as-of date (default: the horizon before the last renewal decision).", valueName: "DATE"))
    var to: String?

    @Option(name: .long, help: ArgumentHelp("Days between as-of dates: 7d, 2w or a number of days (default backtest.every_days, 7).", valueName: "PERIOD"))
    var every: String?

    @Option(name: .long, help: ArgumentHelp("Days after an alert within which a churn makes it right: 90d (default backtest.horizon_days).", valueName: "PERIOD"))
    var horizon: String?

    @Option(name: .long, help: ArgumentHelp("Hold this model fixed instead of retraining as the walk goes.", valueName: "FILE"))
    var model: String?

    @Option(name: .long, help: ArgumentHelp("Write the report here: HTML for .html, else Markdown (default: Markdown on stdout).", valueName: "FILE"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("The score history database whose dismissals feed the false-positive rates.", valueName: "FILE"))
    var db: String = ScoreCommand.defaultDatabase

    func validate() throws {
        try input.requireTables()
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, Day.parse(value) == nil { throw ValidationError("\(name) must be a date YYYY-MM-DD, got '\(value)'") }
        }
        if let from = from.flatMap(Day.parse), let to = to.flatMap(Day.parse), from > to {
            throw ValidationError("--from \(from) is after --to \(to)")
        }
        for (name, value) in [("--every", every), ("--horizon", horizon)] {
            if let value, (Period.days(value) ?? 0) < 1 { throw ValidationError("\(name) must be a number of days like 7d or 2w, got '\(value)'") }
        }
    }

    func run() throws {
        let config = try input.configuration()
        var settings = config.backtest
        if let every { settings.everyDays = Period.days(every)! }
        if let horizon { settings.horizonDays = Period.days(horizon)! }
        let options = try config.loadOptions(input.overrides, needRenewals: true)
        let history = try HistoryLoader(options: options).load()
        guard let coverage = history.usage.dateRange, history.renewals.count > 0 else {
            throw CommandError("a backtest needs usage rows and renewal decisions to compare with")
        }
        let lastDecision = history.renewals.date.max()!
        let end = to.flatMap(Day.parse) ?? min(coverage.upperBound + 1, lastDecision - settings.horizonDays)
        let start = from.flatMap(Day.parse) ?? max(coverage.lowerBound + 180, end - 364)
        guard start <= end else {
            throw CommandError("no as-of dates to replay between \(start) and \(end): the history is too short for a \(settings.horizonDays)-day horizon; pass --from/--to")
        }
        if start <= coverage.lowerBound {
            throw CommandError("--from \(start) is not after the usage data's first day (\(coverage.lowerBound)): nothing is known before it. "
                + "Pass a later --from (the default starts 180 days into the data)")
        }
        if end > coverage.upperBound + 1 {
            throw CommandError("--to \(end) is past the usage data (it ends on \(coverage.upperBound))")
        }
        let definitions = try config.signalDefinitions(metrics: history.usage.metrics)
        let fixed: ChurnModel?
        do { fixed = try model.map { try ChurnModel.read(path: $0) } } catch let e as ModelFileError { throw CommandError(e.message) }
        let trainer = ChurnTrainer(settings: config.training, patternSearch: config.patterns.search, patternFlags: config.patterns.flags,
                                   cutSignals: config.patterns.cut, leadDays: config.signals.leadDays)
        let train = try Backtester.retraining(history: history, definitions: definitions, trainer: trainer,
                                              leadDays: config.signals.leadDays, toolVersion: Telltale.version)
        let backtester = Backtester(history: history, definitions: definitions, alerts: config.alerts, scoring: config.scoring,
                                    settings: settings, fixedModel: fixed, train: fixed == nil ? train : nil)
        let dates = Backtester.dates(from: start, to: end, every: settings.everyDays)
        printError("replaying \(dates.count) as-of dates from \(start) to \(end) (horizon \(settings.horizonDays) days)...")
        let run: BacktestRun
        do { run = try backtester.run(dates: dates, keepSnapshots: true) } catch let e as ScoringError { throw CommandError(e.message) }
        var feedback: [DismissalFeedback] = []
        if FileManager.default.fileExists(atPath: db) {
            do {
                let dismissals = try ScoreHistory(path: db).dismissals()
                for type in Array(Set(dismissals.map(\.type.rawValue))).sorted() {
                    let of = dismissals.filter { $0.type.rawValue == type }
                    feedback.append(DismissalFeedback(type: type, dismissals: of.count, falsePositives: of.filter { $0.reasonCode == "false_positive" }.count))
                }
            } catch let e as ScoreHistoryError { throw CommandError(e.message) }
        }
        let summary = BacktestSummary(run: run, alerts: config.alerts, settings: settings, dismissals: feedback)
        let html = out.map { $0.lowercased().hasSuffix(".html") || $0.lowercased().hasSuffix(".htm") } ?? false
        let report = html ? BacktestReport.html(summary) : BacktestReport.markdown(summary)
        if let out { try AtomicFile.write(report, to: out) } else { FileHandle.standardOutput.write(Data(report.utf8)) }
        for line in BacktestReport.headline(summary) { printError(line) }
        // As train and score do: the report's warnings on stderr too, where a scheduled run's log shows them.
        for w in summary.warnings { printError("warning: \(w)") }
        if let out { printError("report: \(out)") }
    }
}
