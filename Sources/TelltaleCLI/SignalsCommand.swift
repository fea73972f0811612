import ArgumentParser
import Foundation
import TelltaleConfig
import TelltaleData
import TelltaleSignals

/// `telltale signals`: the signal table as of a date, or the training table.
struct SignalsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signals",
        abstract: "Write the signal table as of a date, or the training table (one row per past renewal).",
        discussion: """
        Signals come from the config's signals section (the built-in set when it has none; \
        docs/signals.md). Only usage dated before each row's as-of date is used: a training \
        row is observed signals.lead_days (default 60) before its renewal. Missing values \
        (too little history, no CSAT answer) are empty cells; --model-inputs writes what a \
        model sees instead (missing values filled, transforms applied).
        """
    )

    @OptionGroup var input: InputOptions

    @Option(name: .long, help: ArgumentHelp("Signals as of this date (YYYY-MM-DD; default the day after the usage data ends, as score): every active account.", valueName: "DATE"))
    var asOf: String?

    @Flag(name: .long, help: "The training table: one row per past renewal, with its outcome.")
    var training = false

    @Flag(name: .long, help: "Write model inputs: missing values filled by each signal's policy, then transformed.")
    var modelInputs = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        try input.requireTables()
        if training && asOf != nil { throw ValidationError("Pass --as-of DATE or --training, not both.") }
        if let asOf, Day.parse(asOf) == nil { throw ValidationError("--as-of must be a date YYYY-MM-DD, got '\(asOf)'") }
    }

    func run() throws {
        let config = try input.configuration()
        let options = try config.loadOptions(input.overrides, needRenewals: training)
        let history = try HistoryLoader(options: options).load()
        let definitions = try config.signalDefinitions(metrics: history.usage.metrics)
        let engine = try SignalEngine(history: history, definitions: definitions)
        let table: SignalTable
        if training {
            let plan = history.trainingObservations(leadDays: config.signals.leadDays)
            for left in plan.leftOut.prefix(5) {
                printError("left out: \(history.accounts.ids[Int(left.account)]) renewal \(left.renewal): \(left.reason)")
            }
            if plan.leftOut.count > 5 { printError("left out: ... and \(plan.leftOut.count - 5) more renewals") }
            table = engine.table(for: plan.observations)
        } else {
            // As `score`: by default the day after the usage data ends, the scheduled job's date.
            let day = asOf.flatMap(Day.parse) ?? engine.coverage.map { $0.upperBound + 1 } ?? Day.today()
            try checkAsOf(day, coverage: engine.coverage)
            table = engine.table(for: history.scoringObservations(asOf: day))
        }
        let text = modelInputs ? modelInputCSV(table) : table.csv()
        try output.emit(text)
        let incomplete = table.complete.filter { !$0 }.count
        printError("\(table.rowCount) rows x \(definitions.count) signals"
            + (incomplete > 0 ? "; \(incomplete) rows with too little history for some window (empty cells)" : ""))
    }

    private func modelInputCSV(_ table: SignalTable) -> String {
        let inputs = SignalPreparation.fit(table).apply(table)
        var copy = table
        copy.raw = inputs
        return copy.csv()
    }
}
