import ArgumentParser
import TelltaleConfig
import TelltaleData

/// The options of every command that reads the three tables: the config and
/// per-file overrides, so one config serves many exports.
struct InputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The YAML configuration (see notebooks-data/telltale.yml).", valueName: "FILE"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("accounts.csv, overriding data.accounts.", valueName: "FILE"))
    var accounts: String?

    @Option(name: .long, help: ArgumentHelp("usage.csv, overriding data.usage.", valueName: "FILE"))
    var usage: String?

    @Option(name: .long, help: ArgumentHelp("renewals.csv, overriding data.renewals.", valueName: "FILE"))
    var renewals: String?

    /// Commands that read the three tables call this first (`train --data` reads none).
    func requireTables() throws {
        if config == nil && (accounts == nil || usage == nil) {
            throw ValidationError("Pass --config FILE, or at least --accounts FILE and --usage FILE.")
        }
    }

    var overrides: InputOverrides { InputOverrides(accounts: accounts, usage: usage, renewals: renewals) }

    func configuration() throws -> Configuration {
        if let config { return try Configuration.load(path: config) }
        return Configuration()
    }
}

/// Refuses an as-of date more than a day past the usage data: the days
/// without data would read as no use at all (`signals --as-of`, `score`).
func checkAsOf(_ day: Day, coverage: ClosedRange<Day>?) throws {
    guard let coverage else { throw CommandError("The usage table has no rows: no signals can be computed.") }
    if day > coverage.upperBound + 1 {
        throw CommandError("""
        The usage data ends on \(coverage.upperBound), \(day - coverage.upperBound - 1) days before the as-of date \(day): \
        those days would read as no use at all. Pass --as-of \(coverage.upperBound + 1) (or earlier), or use a newer export.
        """)
    }
    // Only usage dated before the as-of date counts: on or before the first day there is none.
    if day <= coverage.lowerBound {
        throw CommandError("""
        The usage data starts on \(coverage.lowerBound), not before the as-of date \(day): no usage is known before it. \
        Pass --as-of \(coverage.lowerBound + 1) or later, or use an export that starts earlier.
        """)
    }
}
