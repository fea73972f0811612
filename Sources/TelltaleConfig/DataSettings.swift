import Foundation
import Yams

/// The `data:` section: which files to read and how.
public struct DataSettings: Equatable, Sendable {
    public enum Granularity: String, CaseIterable, Sendable { case daily, weekly }
    public enum ProblemPolicy: String, CaseIterable, Sendable {
        /// Any problem row stops the run (after all problems are listed).
        case error
        /// Problem rows are left out and listed in `problemReport`.
        case skip
    }

    public var accounts: String?
    public var usage: String?
    public var renewals: String?
    /// A usage row per day (default) or per week.
    public var granularity: Granularity = .daily
    /// Contract column name → the name in the user's file, per table.
    public var columns: [String: [String: String]] = [:]
    /// Metric columns of the usage table; nil = every column besides the account and date.
    public var metrics: [String]?
    /// Metrics that are levels or scores (a day with no row is missing, not
    /// zero); nil when the config does not say, which is the contract's CSAT
    /// (`LoadOptions.levelMetrics`).
    public var levelMetrics: [String]?
    public var onProblem: ProblemPolicy = .error
    /// Where skipped rows are listed (CSV) with `onProblem: skip`.
    public var problemReport: String?

    public init() {}

    static let keys = ["accounts", "usage", "renewals", "granularity", "columns", "metrics", "level_metrics",
                       "on_problem", "problem_report"]
    /// The contract's column names per table, which `columns:` may remap.
    public static let contractColumns: [String: [String]] = [
        "accounts": ["account_id", "segment", "signup_date", "contract_value", "renewal_date", "owner", "seats"],
        "usage": ["account_id", "date"],
        "renewals": ["account_id", "renewal_date", "outcome", "contract_value"],
    ]

    init(_ node: Node, reader: NodeReader) throws {
        for (key, value) in try reader.mapping(node, key: "data") {
            let name = "data.\(key.name)"
            switch key.name {
            case "accounts": accounts = try reader.string(value, key: name)
            case "usage": usage = try reader.string(value, key: name)
            case "renewals": renewals = try reader.string(value, key: name)
            case "granularity":
                let v = try reader.string(value, key: name)
                guard let g = Granularity(rawValue: v.lowercased()) else {
                    throw ConfigError.invalidValue(file: reader.file, key: name, line: value.mark?.line, message: "expected daily or weekly, found '\(v)'")
                }
                granularity = g
            case "columns":
                for (table, mapping) in try reader.mapping(value, key: name) {
                    guard let known = Self.contractColumns[table.name] else {
                        throw reader.unknown(table, allowed: Self.contractColumns.keys.sorted())
                    }
                    var map: [String: String] = [:]
                    for (column, userName) in try reader.mapping(mapping, key: "\(name).\(table.name)") {
                        guard known.contains(column.name) else { throw reader.unknown(column, allowed: known) }
                        map[column.name] = try reader.string(userName, key: "\(name).\(table.name).\(column.name)")
                    }
                    columns[table.name] = map
                }
            case "metrics": metrics = try reader.strings(value, key: name)
            case "level_metrics": levelMetrics = try reader.strings(value, key: name)
            case "on_problem":
                let v = try reader.string(value, key: name)
                guard let p = ProblemPolicy(rawValue: v.lowercased()) else {
                    throw ConfigError.invalidValue(file: reader.file, key: name, line: value.mark?.line, message: "expected error or skip, found '\(v)'")
                }
                onProblem = p
            case "problem_report": problemReport = try reader.string(value, key: name)
            default: throw reader.unknown(key, allowed: Self.keys)
            }
        }
    }

    /// The user's name for a contract column of `table`.
    public func column(_ contractName: String, in table: String) -> String {
        columns[table]?[contractName] ?? contractName
    }
}
