import TelltaleData

/// Input file overrides from the command line (`--accounts`, `--usage`, `--renewals`).
public struct InputOverrides: Sendable {
    public var accounts: String?
    public var usage: String?
    public var renewals: String?
    public init(accounts: String? = nil, usage: String? = nil, renewals: String? = nil) {
        self.accounts = accounts
        self.usage = usage
        self.renewals = renewals
    }
}

extension Configuration {
    /// How to read the inputs: config paths (relative to the config file)
    /// unless a flag overrides them (flags are taken as given, relative to the
    /// working directory). `needUsage: false` for what reads only accounts and
    /// renewals (`HistoryLoader.loadDecisions`): no usage path is asked for.
    public func loadOptions(_ overrides: InputOverrides = InputOverrides(), needRenewals: Bool, needUsage: Bool = true) throws -> LoadOptions {
        guard let accounts = overrides.accounts ?? data.accounts.map(resolve) else {
            throw ConfigError.missing(file: file, key: "data.accounts", hint: "Name the accounts file in the config or pass --accounts FILE.")
        }
        let usage = overrides.usage ?? data.usage.map(resolve)
        if needUsage && usage == nil {
            throw ConfigError.missing(file: file, key: "data.usage", hint: "Name the usage file in the config or pass --usage FILE.")
        }
        let renewals = overrides.renewals ?? data.renewals.map(resolve)
        if needRenewals && renewals == nil {
            throw ConfigError.missing(file: file, key: "data.renewals", hint: "Name the renewals file in the config or pass --renewals FILE.")
        }
        var options = LoadOptions(accountsPath: accounts, usagePath: usage ?? "", renewalsPath: renewals)
        options.columns = data.columns
        options.metrics = data.metrics
        options.levelMetrics = data.levelMetrics.map(Set.init)
        options.skipProblems = data.onProblem == .skip
        options.rowDays = data.granularity == .weekly ? 7 : 1
        // The severity's account columns are read (and checked) with the accounts, by every command.
        options.accountFlags = alerts.severity.strategicColumn.map { [$0] } ?? []
        options.accountNumbers = alerts.severity.expansionColumn.map { [$0] } ?? []
        return options
    }

    /// Where skipped rows are listed, resolved (nil when not configured).
    public var problemReportPath: String? { data.problemReport.map(resolve) }
}
