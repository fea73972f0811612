import ArgumentParser
import Foundation
import TelltaleData
import TelltaleSimulation

/// `telltale simulate`: a realistic synthetic history with planted effects.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write a synthetic SaaS history (accounts, usage, renewals) with the planted ground truth.",
        discussion: """
        Deterministic for a given seed. Writes accounts.csv, usage.csv.gz, renewals.csv, \
        ground_truth.json (the planted effects) and ground_truth_renewals.csv (each renewal's \
        risk factors and churn probability) into DIR. See docs/simulator.md.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Folder to write into (created if missing).", valueName: "DIR"))
    var out: String

    @Option(name: .long, help: "Number of accounts.")
    var accounts: Int = 1500

    @Option(name: .long, help: "Days of usage history.")
    var days: Int = 730

    @Option(name: .long, help: "Random seed.")
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("Last day of the history (YYYY-MM-DD).", valueName: "DATE"))
    var end: String = "2026-06-30"

    @Flag(name: .long, help: "Write usage.csv uncompressed instead of usage.csv.gz.")
    var noGzip = false

    func validate() throws {
        guard accounts >= 1 else { throw ValidationError("--accounts must be at least 1, got \(accounts)") }
        guard days >= 60 else { throw ValidationError("--days must be at least 60, got \(days)") }
        guard Day.parse(end) != nil else { throw ValidationError("--end must be a date YYYY-MM-DD, got '\(end)'") }
    }

    func run() throws {
        let settings = SimulationSettings(accounts: accounts, days: days, seed: seed, end: Day.parse(end)!)
        let history = Simulator(settings: settings).run()
        try history.write(to: out, gzipUsage: !noGzip)
        let decided = history.truth.filter(\.decided)
        let churned = decided.filter(\.churned).count
        let rows = history.usageCSV.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } - 1
        printError("""
        wrote \(out): \(accounts) accounts, \(rows) usage rows (\(settings.start) to \(settings.end)), \
        \(decided.count) renewal decisions, \(churned) churned (\(String(format: "%.1f", 100 * Double(churned) / Double(max(decided.count, 1))))%)
        """)
    }
}
