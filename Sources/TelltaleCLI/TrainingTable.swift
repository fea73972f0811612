import Foundation
import TelltaleConfig
import TelltaleData
import TelltalePatterns
import TelltaleSignals

/// What `patterns` and `train` start from: the history, its signals and the
/// training table (one row per past renewal, observed before it).
struct TrainingTable {
    var history: History
    var definitions: [SignalDefinition]
    var table: SignalTable

    static func load(config: Configuration, overrides: InputOverrides) throws -> TrainingTable {
        let options = try config.loadOptions(overrides, needRenewals: true)
        let history = try HistoryLoader(options: options).load()
        guard history.renewals.count > 0 else { throw CommandError("\(options.renewalsPath ?? "renewals"): no renewal decisions to learn from.") }
        let definitions = config.signals.resolved(metrics: history.usage.metrics)
        let engine = try SignalEngine(history: history, definitions: definitions)
        let plan = history.trainingObservations(leadDays: config.signals.leadDays)
        if !plan.leftOut.isEmpty {
            printError("\(plan.leftOut.count) renewal\(plan.leftOut.count == 1 ? "" : "s") left out (observation date not after signup), e.g. "
                + "\(history.accounts.ids[Int(plan.leftOut[0].account)]) renewal \(plan.leftOut[0].renewal)")
        }
        return TrainingTable(history: history, definitions: definitions, table: engine.table(for: plan.observations))
    }

    var churned: [Bool] { table.observations.map { $0.churned ?? false } }
    var segments: [String] { table.observations.map { history.accounts.segment[Int($0.account)] } }

    /// The flags the pattern search combines, as the config selects them, plus its data-driven cuts.
    func flags(_ settings: PatternSettings) throws -> (FlagMatrix, [DataDrivenCut]) {
        var cuts: [DataDrivenCut] = []
        let minCount = max(settings.search.minSupport, Int((settings.search.minShare * Double(table.rowCount)).rounded(.up)))
        for name in settings.cut {
            guard let column = table.column(name) else {
                throw CommandError("patterns.cut: '\(name)' is not a signal (signals: \(definitions.map(\.name).joined(separator: ", ")))")
            }
            if let cut = DataDrivenCut.choose(signal: name, values: column, churned: churned, minCount: minCount) { cuts.append(cut) }
            else { printError("patterns.cut: '\(name)' has no cut with \(minCount)+ rows on each side; left out") }
        }
        var matrix = FlagMatrix(table: table, cuts: cuts)
        if let wanted = settings.flags {
            for name in wanted where !matrix.names.contains(name) {
                throw CommandError("patterns.flags: '\(name)' is not a flag or milestone signal (flags: \(matrix.names.joined(separator: ", ")))")
            }
            matrix = matrix.keeping(Set(wanted + cuts.map(\.name)))
        }
        return (matrix, cuts)
    }
}
