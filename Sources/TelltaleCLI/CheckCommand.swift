import ArgumentParser
import Foundation
import TelltaleConfig
import TelltaleData

/// `telltale check`: validate a new export and summarise it.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the input files and print a data summary and every problem found.",
        discussion: """
        Exits non-zero when the data is not usable: problems under data.on_problem: error \
        (the default), or no accounts, usage rows or renewals at all. With on_problem: skip \
        the problem rows are left out and listed in data.problem_report.
        """
    )

    @OptionGroup var input: InputOptions

    func validate() throws { try input.requireTables() }

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
        var unusable: [String] = []
        if !options.skipProblems && !history.problems.isEmpty {
            unusable.append("\(history.problems.total) problem\(history.problems.total == 1 ? "" : "s") (data.on_problem: error)")
        }
        if history.accounts.count == 0 { unusable.append("no accounts") }
        if history.usage.count == 0 { unusable.append("no usage rows") }
        if options.renewalsPath != nil && history.renewals.count == 0 { unusable.append("no renewal decisions") }
        if !unusable.isEmpty {
            printError("Error: the data is not usable: " + unusable.joined(separator: "; "))
            throw ExitCode.failure
        }
    }
}
