import ArgumentParser
import Foundation
import TelltaleAlerts
import TelltaleConfig
import TelltaleData
import TelltaleSignals

/// `telltale check`: validate a new export and summarise it.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the input files and print a data summary and every problem found.",
        discussion: """
        Exits non-zero when the data is not usable: problems under data.on_problem: error \
        (the default), or no accounts, usage rows or renewals at all; or when the config's \
        signals cannot be computed from the export or an alert rule reads no signal. With on_problem: skip \
        the problem rows are left out and listed in data.problem_report.
        """
    )

    @OptionGroup var input: InputOptions

    func validate() throws { try input.requireTables() }

    /// Days as runs of consecutive days: "2025-12-24 to 2026-01-01, 2026-05-01".
    static func ranges(_ days: [Day]) -> String {
        var runs: [(Day, Day)] = []
        for d in days {
            if let last = runs.last, d == last.1 + 1 { runs[runs.count - 1].1 = d } else { runs.append((d, d)) }
        }
        return runs.map { $0 == $1 ? "\($0)" : "\($0) to \($1)" }.joined(separator: ", ")
    }

    func run() throws {
        let config = try input.configuration()
        let options = try config.loadOptions(input.overrides, needRenewals: false)
        let history = try HistoryLoader(options: options).loadCollectingProblems()
        print(history.summary(accountsFile: options.accountsPath, usageFile: options.usagePath, renewalsFile: options.renewalsPath),
              terminator: "")
        if options.skipProblems, !history.problems.isEmpty, let report = config.problemReportPath {
            try AtomicFile.write(history.problems.csv(), to: report)
            printError("\(history.problems.total) problem rows left out; listed in \(report)")
        }
        // The config against this export: every signal computable from its metrics, every
        // rule reading a signal that exists, before train or a scheduled score finds out.
        var configProblems: [String] = []
        let definitions = config.signals.resolved(metrics: history.usage.metrics)
        configProblems += SignalDefinition.problems(definitions, metrics: history.usage.metrics, levels: history.usage.levelMetrics).map(\.description)
        configProblems += AlertRule.unknownSignals(config.alerts.rules, known: Set(definitions.map(\.name)))
        if !configProblems.isEmpty {
            print("\nConfig problems (\(config.file)): \(configProblems.count)\n" + configProblems.map { "  - " + $0 }.joined(separator: "\n"))
        } else {
            let quiet = history.usage.quietDays(for: definitions)
            if !quiet.isEmpty {
                print("\nQuiet days (the whole population under half its use of the same weekday in the 8 weeks before; weekly trends leave their weeks out):")
                for (metric, days) in quiet { print("  \(metric): " + (days.isEmpty ? "none" : Self.ranges(days))) }
            }
        }
        var unusable: [String] = []
        if !options.skipProblems && !history.problems.isEmpty {
            unusable.append("\(history.problems.total) problem\(history.problems.total == 1 ? "" : "s") (data.on_problem: error)")
        }
        if !configProblems.isEmpty { unusable.append("\(configProblems.count) config problem\(configProblems.count == 1 ? "" : "s")") }
        if history.accounts.count == 0 { unusable.append("no accounts") }
        if history.usage.count == 0 { unusable.append("no usage rows") }
        if options.renewalsPath != nil && history.renewals.count == 0 { unusable.append("no renewal decisions") }
        if !unusable.isEmpty {
            printError("Error: \(configProblems.isEmpty ? "the data is" : "the data and config are") not usable: " + unusable.joined(separator: "; "))
            throw ExitCode.failure
        }
    }
}
