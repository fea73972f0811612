import ArgumentParser
import Foundation
import TelltaleConfig
import TelltaleData
import TelltalePatterns

/// `telltale patterns`: the combined-signal search alone, for exploration.
struct PatternsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patterns",
        abstract: "Search combinations of flags for joint patterns that churn far more than their parts.",
        discussion: """
        Builds the training table (see `telltale signals --training`), then tests every \
        conjunction of flags up to --max-order with enough renewals, against each of its \
        sub-patterns (one-sided Fisher test), with a Benjamini-Hochberg false discovery rate \
        over everything tested. Writes the kept patterns best first (columns pattern, order, \
        accounts, churned, churn_rate, ci_low, ci_high, lift, synergy, p_value, q_value, ...); \
        the summary and the top patterns go to stderr. See docs/patterns.md.
        """
    )

    @OptionGroup var input: InputOptions

    @Option(name: .long, help: "Largest number of flags in a pattern (overrides patterns.max_order; 1-6).")
    var maxOrder: Int?

    @Flag(name: .long, help: "Write every pattern tested, with a status column saying why it was or was not kept.")
    var all = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        try input.requireTables()
        if let maxOrder, !(1...6).contains(maxOrder) { throw ValidationError("--max-order must be 1 to 6, got \(maxOrder)") }
    }

    func run() throws {
        let config = try input.configuration()
        var settings = config.patterns
        if let maxOrder { settings.search.maxOrder = maxOrder }
        let training = try TrainingTable.load(config: config, overrides: input.overrides)
        let flags = try training.flags(settings).matrix
        guard flags.count > 0 else { throw CommandError("No flags to combine: define flag signals (docs/signals.md) or list patterns.cut.") }
        let report = PatternFinder(settings: settings.search).run(flags: flags, churned: training.churned, segments: training.segments)
        try output.emit(report.csv(all: all))
        printError(report.summary())
    }
}
