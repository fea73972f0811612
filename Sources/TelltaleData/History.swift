import Foundation

/// One row per account (accounts.csv of the contract).
public struct Accounts: Sendable {
    public var ids: [String] = []
    public var index: [String: Int32] = [:]
    public var segment: [String] = []
    public var signup: [Day] = []
    public var contractValue: [Double] = []
    public var renewalDate: [Day?] = []
    public var owner: [String?] = []
    public var seats: [Double?] = []
    /// Extra yes/no columns asked for by name (`LoadOptions.accountFlags`), nil for an empty cell.
    public var flags: [String: [Bool?]] = [:]
    /// Extra number columns asked for by name (`LoadOptions.accountNumbers`), nil for an empty cell.
    public var numbers: [String: [Double?]] = [:]
    public var lines: [Int] = []
    /// Ids whose own row had a problem, with its line: rows of other tables
    /// naming them are told apart from rows naming no account at all.
    public var rejectedLines: [String: Int] = [:]

    public var count: Int { ids.count }
    public init() {}

    /// What is wrong with a row of another table naming `id`, which is not in `index`.
    public func unknownAccountMessage(_ id: String, accountsPath: String) -> String {
        guard let line = rejectedLines[id] else { return "is not an account in \(accountsPath)" }
        return "is the account on line \(line) of \(accountsPath), which has a problem"
    }
}

/// Usage rows, sorted by account then date, stored column-wise.
///
/// `rows(of: a)` is a contiguous range, so every per-account window
/// computation (the signals) walks one slice. Metric values read as `Double`
/// with NaN for an empty cell (missing, not zero); see `MetricColumn` for how
/// they are held.
public struct Usage: Sendable {
    public var metrics: [String] = []
    /// Per metric: a level or score (a day without a row is missing) rather than a count.
    public var isLevel: [Bool] = []
    /// The names of the level metrics, as signal validation asks for them.
    public var levelMetrics: Set<String> { Set(zip(metrics, isLevel).filter(\.1).map(\.0)) }
    public var account: [Int32] = []
    public var day: [Int32] = []
    /// `values[m][r]`: metric m on row r.
    public var values: [MetricColumn] = []
    /// CSV line of each row, for messages.
    public var line: [Int32] = []
    /// Rows of account a are `start[a]..<start[a + 1]`.
    public var start: [Int] = [0]
    /// Days each row covers: 1, or 7 for weekly rows. A weekly row's `day` is
    /// its week's last day (the file dates it by the first), so windows ending
    /// at an as-of date take only weeks that are over by then.
    public var rowDays = 1

    public var count: Int { account.count }
    public init() {}

    public func rows(of account: Int) -> Range<Int> { start[account]..<start[account + 1] }

    /// The days the rows cover, from the first row's first day to the last row's last.
    public var dateRange: ClosedRange<Day>? {
        guard let lo = day.min(), let hi = day.max() else { return nil }
        return Day(number: lo - Int32(rowDays - 1))...Day(number: hi)
    }

    /// Bytes held by the typed columns (for the memory budget of the reader).
    public var typedBytes: Int { count * (4 + 4 + 4) + values.reduce(0) { $0 + $1.byteCount } + start.count * 8 }
}

/// Past renewal decisions (renewals.csv of the contract).
public struct Renewals: Sendable {
    public var account: [Int32] = []
    public var date: [Day] = []
    public var churned: [Bool] = []
    public var contractValue: [Double?] = []
    public var lines: [Int] = []

    public var count: Int { account.count }
    public init() {}
}

/// The three tables, checked against each other.
public struct History: Sendable {
    public var accounts: Accounts
    public var usage: Usage
    public var renewals: Renewals
    /// Every problem found (all of them under the `skip` policy; the first
    /// `ProblemList.keep` in full otherwise) and the total count.
    public var problems: ProblemList
    /// Columns of the usage file that were not read as metrics.
    public var ignoredUsageColumns: [String]
    /// Why: left out of `data.metrics` when the config lists the metrics, else not numeric.
    public var ignoredUsageReason = "not numeric"

    public init(accounts: Accounts, usage: Usage, renewals: Renewals, problems: ProblemList, ignoredUsageColumns: [String] = []) {
        self.accounts = accounts
        self.usage = usage
        self.renewals = renewals
        self.problems = problems
        self.ignoredUsageColumns = ignoredUsageColumns
    }
}

/// A problem row, in the form the problem report lists it.
public struct Problem: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: String
    public var value: String
    public var message: String
    /// The row names an account the accounts table does not have (whatever
    /// the id column is called in this export).
    public var unknownAccount = false

    public var description: String {
        let place = line > 0 ? "line \(line)" + (column.isEmpty ? "" : ", column '\(column)'") : (column.isEmpty ? "" : "column '\(column)'")
        let shown = value.isEmpty ? "" : " \(quoted(value))"
        return "\(file): \(place):\(shown) \(message)"
    }
}

/// Problems across the input files: the first `keep` in full, then a count.
public struct ProblemList: Sendable {
    public var keep: Int
    public private(set) var items: [Problem] = []
    public private(set) var total = 0

    public init(keep: Int) { self.keep = keep }

    public mutating func add(_ p: Problem) {
        total += 1
        if items.count < keep { items.append(p) }
    }

    public var isEmpty: Bool { total == 0 }

    /// The kept problems by file (in the order the files were read), then line: checks
    /// that run after a file's parse (a second row for a date) find theirs later, and a
    /// user fixing an export works down it.
    public var inFileOrder: [Problem] {
        var rank: [String: Int] = [:]
        for p in items where rank[p.file] == nil { rank[p.file] = rank.count }
        return items.enumerated().sorted { a, b in
            (rank[a.element.file]!, a.element.line, a.offset) < (rank[b.element.file]!, b.element.line, b.offset)
        }.map(\.element)
    }

    /// The user-facing list: every kept problem, then "... and N more".
    public func render(limit: Int = 20) -> String {
        var lines = inFileOrder.prefix(limit).map { "  - " + $0.description }
        if total > min(limit, items.count) { lines.append("  ... and \(total - min(limit, items.count)) more") }
        return lines.joined(separator: "\n")
    }

    /// CSV with one problem per row, for the `problem_report` file.
    public func csv() -> String {
        var out = "file,line,column,value,problem\n"
        for p in inFileOrder {
            out += [p.file, String(p.line), p.column, p.value, p.message].map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }
}

/// Quotes a CSV field when it needs it (RFC 4180).
public func csvField(_ s: String) -> String {
    // Bytes, not Characters: this runs for every cell of a score file.
    var quote = false, special = false
    for b in s.utf8 {
        if b == 0x22 { quote = true; special = true; break }
        if b == 0x2C || b == 0x0A || b == 0x0D { special = true }
    }
    if special { return "\"" + (quote ? s.replacingOccurrences(of: "\"", with: "\"\"") : s) + "\"" }
    return s
}

/// Raised when the input has problems and the policy is `error`.
public struct InputProblems: Error, CustomStringConvertible {
    public var problems: ProblemList
    public var description: String {
        "the input has \(problems.total) problem\(problems.total == 1 ? "" : "s"):\n" + problems.render()
            + "\nFix the rows, or set data.on_problem: skip in the config to leave them out (listed in data.problem_report)."
    }
}
