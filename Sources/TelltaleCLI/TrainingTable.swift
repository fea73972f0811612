import Foundation
import TelltaleConfig
import TelltaleData
import TelltaleModelTraining
import TelltalePatterns
import TelltaleSignals

/// What `patterns` and `train` start from: the history, its signals and the
/// training table (one row per past renewal, observed before it).
struct TrainingTable {
    var history: History
    var definitions: [SignalDefinition]
    var table: SignalTable
    /// The same renewals observed at each of `distanceDays` (`load`'s), for the
    /// trainer's distance calibration (`model.distance_calibration`).
    var distanceTables: [ChurnTrainer.DistanceTable]
    /// Where the tables were read from (config paths or the overriding flags).
    var options: LoadOptions

    static func load(config: Configuration, overrides: InputOverrides, distanceDays: [Int] = []) throws -> TrainingTable {
        let options = try config.loadOptions(overrides, needRenewals: true)
        let history = try HistoryLoader(options: options).load()
        guard history.renewals.count > 0 else { throw CommandError("\(options.renewalsPath ?? "renewals"): no renewal decisions to learn from.") }
        let definitions = try config.signalDefinitions(metrics: history.usage.metrics)
        let engine = try SignalEngine(history: history, definitions: definitions)
        let plan = history.trainingObservations(leadDays: config.signals.leadDays)
        if !plan.leftOut.isEmpty {
            let first = plan.leftOut[0]
            printError("\(plan.leftOut.count) renewal\(plan.leftOut.count == 1 ? "" : "s") left out"
                + (plan.leftOut.count == 1 ? ": " : ", e.g. ") + "\(history.accounts.ids[Int(first.account)]) renewal \(first.renewal): \(first.reason)")
        }
        let tables = ChurnTrainer.DistanceTable.build(training: plan.observations, days: distanceDays, history: history, engine: engine)
        return TrainingTable(history: history, definitions: definitions, table: tables.training, distanceTables: tables.distance, options: options)
    }

    var churned: [Bool] { table.observations.map { $0.churned ?? false } }
    var segments: [String] { table.observations.map { history.accounts.segment[Int($0.account)] } }

    /// The flags the pattern search combines, as the config selects them, plus its data-driven cuts.
    func flags(_ settings: PatternSettings) throws -> SearchFlags {
        let flags: SearchFlags
        do {
            flags = try SearchFlags(table: table, settings: settings.search, cutSignals: settings.cut, flags: settings.flags)
        } catch let error as SearchFlagsError { throw CommandError(error.message) }
        for name in flags.uncut {
            printError("patterns.cut: '\(name)' has no cut with \(settings.search.minimumCount(rows: table.rowCount))+ rows on each side; left out")
        }
        return flags
    }
}

extension Configuration {
    /// The signals `train`, `patterns`, `signals` and `backtest` compute for these
    /// metrics; an error when there are none, which would train a model on segment
    /// indicators alone (and tell nobody why).
    func signalDefinitions(metrics: [String]) throws -> [SignalDefinition] {
        let definitions = signals.resolved(metrics: metrics)
        // A product's own metric names (reports_run for core actions) matched no built-in
        // signal and were left out without a word: the model never saw the product's use.
        let read = Set(definitions.flatMap(\.metrics))
        let unread = metrics.filter { !read.contains($0) }
        if !definitions.isEmpty, let first = unread.first {
            printError("note: no signal reads the usage metric\(unread.count == 1 ? "" : "s") \(unread.joined(separator: ", ")). "
                + "Define signals for \(unread.count == 1 ? "it" : "them") (signals.define, docs/signals.md), or give \(unread.count == 1 ? "it" : "them") "
                + "the contract's names with data.columns (e.g. usage: {core_actions: \(first)}); data.metrics can leave \(unread.count == 1 ? "it" : "them") out")
        }
        guard definitions.isEmpty else { return definitions }
        throw CommandError("no signals to compute: "
            + (signals.useDefaults
                ? "the built-in set needs the contract's metric names (logins, active_users, core_actions, ...), "
                  + "and this usage file has \(metrics.isEmpty ? "no metric columns" : metrics.joined(separator: ", "))"
                : "signals.defaults is false")
            + ", and signals.define adds none. Rename the columns (data.columns) or define signals (docs/signals.md).")
    }
}
