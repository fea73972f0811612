/// A problem with an input file, precise enough for a user to fix the file.
///
/// Every case names the file and, where there is one, the line (1-based,
/// counting the header as line 1) and the column, the offending value and
/// what was expected. Messages are written for the person holding the file.
public enum DataError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(file: String, reason: String)
    case empty(file: String)
    case missingColumn(file: String, column: String, available: [String])
    case duplicateColumn(file: String, column: String)
    case raggedRow(file: String, line: Int, found: Int, expected: Int)
    case unterminatedQuote(file: String, line: Int)
    case badValue(file: String, line: Int, column: String, value: String, expected: String)
    /// Several problems at once: the first few in full, then a count.
    case many(file: String, problems: [DataError], total: Int)
    case invalid(file: String, message: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason):
            return "\(file): cannot open: \(reason)"
        case let .empty(file):
            return "\(file): the file is empty; expected a header row and at least one data row"
        case let .missingColumn(file, column, available):
            let list = available.prefix(12).map { "'\($0)'" }.joined(separator: ", ")
            // One column holding the whole header: the file is separated by something else
            // (a European spreadsheet's ';', a tab), which "no column named" alone does not say.
            if available.count == 1, let separator = [(";", "semicolons"), ("\t", "tabs"), ("|", "'|'")].first(where: { available[0].contains($0.0) }) {
                return "\(file): the header is one column, \(quoted(available[0])): the file looks separated by \(separator.1); "
                    + "Telltale reads comma-separated CSV (RFC 4180): export it with commas"
            }
            return "\(file): no column named '\(column)' in the header (columns: \(list)\(available.count > 12 ? ", ..." : ""))"
        case let .duplicateColumn(file, column):
            return "\(file): line 1: the column name '\(column)' appears more than once in the header"
        case let .raggedRow(file, line, found, expected):
            return "\(file): line \(line): \(found) field\(found == 1 ? "" : "s") but the header has \(expected)"
        case let .unterminatedQuote(file, line):
            return "\(file): line \(line): a quoted field is never closed (missing \")"
        case let .badValue(file, line, column, value, expected):
            return "\(file): line \(line), column '\(column)': \(quoted(value)) is not \(expected)"
        case let .many(file, problems, total):
            var lines = ["\(file): \(total) problem\(total == 1 ? "" : "s") found:"]
            lines += problems.map { "  - " + $0.description.replacingPrefix("\(file): ") }
            if total > problems.count { lines.append("  ... and \(total - problems.count) more") }
            return lines.joined(separator: "\n")
        case let .invalid(file, message):
            return "\(file): \(message)"
        }
    }
}

func quoted(_ value: String) -> String {
    let shown = value.count > 40 ? String(value.prefix(40)) + "..." : value
    return "\"\(shown)\""
}

extension String {
    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}

/// Collects problems so a user sees all of them (the first few in full) rather
/// than fixing a file one error at a time.
public struct ProblemLog {
    public let file: String
    public let keep: Int
    public private(set) var problems: [DataError] = []
    public private(set) var total = 0

    public init(file: String, keep: Int = 10) { self.file = file; self.keep = keep }

    public mutating func record(_ problem: DataError) {
        total += 1
        if problems.count < keep { problems.append(problem) }
    }

    /// Counts problems beyond those kept in full.
    public mutating func recordUnshown(_ count: Int) { total += max(0, count) }

    public var isEmpty: Bool { total == 0 }

    /// Throws the collected problems, if any: one as itself, several as `.many`.
    public func throwIfAny() throws {
        if total == 1, let only = problems.first { throw only }
        if total > 1 { throw DataError.many(file: file, problems: problems, total: total) }
    }
}
