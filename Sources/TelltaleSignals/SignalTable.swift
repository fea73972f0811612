import Foundation
import TelltaleData

/// Signals for a set of observations, in the units the definitions state
/// (logins, days, ratios), with NaN where a signal cannot be computed.
public struct SignalTable: Sendable {
    public var definitions: [SignalDefinition]
    public var observations: [Observation]
    /// Days of usage history before each as-of date.
    public var historyDays: [Double]
    /// `raw[s][row]`: signal s, untransformed, NaN when missing.
    public var raw: [[Double]]
    public var accountIDs: [String]
    /// Each account's segment (by account index, like `accountIDs`).
    public var segments: [String]
    /// Per row: the account is older than the usage data, and the data's start
    /// leaves less history than the longest window needs. Its missing windows
    /// are an artefact of the export, which the account's scores today do not
    /// share; a new account's short history is real and is not marked.
    public var historyCut: [Bool]
    /// A flat table without `as_of`: its rows carry no observation date (their
    /// `asOf` is a placeholder), so it can only be validated grouped by account.
    public var undated = false

    /// Each row's own segment where an account's rows differ (a flat table in
    /// which an account grew from SMB into Mid-Market renewed once in each);
    /// nil when every row is in its account's segment.
    public var segmentOfRow: [String]?

    public var rowCount: Int { observations.count }

    /// Each row's segment: its own where rows have one, else its account's.
    public var rowSegments: [String] { segmentOfRow ?? observations.map { segments[Int($0.account)] } }

    public func segment(ofRow r: Int) -> String { segmentOfRow?[r] ?? segments[Int(observations[r].account)] }

    public init(definitions: [SignalDefinition], observations: [Observation], historyDays: [Double], raw: [[Double]],
                accountIDs: [String], segments: [String], historyCut: [Bool]? = nil) {
        self.definitions = definitions
        self.observations = observations
        self.historyDays = historyDays
        self.raw = raw
        self.accountIDs = accountIDs
        self.segments = segments
        self.historyCut = historyCut ?? Array(repeating: false, count: observations.count)
    }

    public func column(_ name: String) -> [Double]? {
        definitions.firstIndex { $0.name == name }.map { raw[$0] }
    }

    /// Days of history the longest window needs.
    public var requiredHistory: Int {
        definitions.map { def -> Int in
            switch def.kind {
            case let .window(w): return w.aggregate == .daysSinceActive ? 0 : w.days
            case let .trend(t): return t.requiredHistory
            default: return 0
            }
        }.max() ?? 0
    }

    /// Per row: whether the history before the as-of date covers every window.
    /// Rows that are not complete have missing (NaN) window signals.
    public var complete: [Bool] {
        let need = Double(requiredHistory)
        return historyDays.map { $0 >= need }
    }

    /// The table as CSV for notebooks: `account_id, segment, as_of,
    /// [renewal_date,] history_days, <signals...>[, churned]`. Missing values
    /// are empty cells. Training tables (with outcomes) open directly in
    /// `telltale fit --data FILE --label churned`.
    public func csv() -> String {
        let training = observations.first?.churned != nil
        var header = ["account_id", "segment", "as_of"]
        if training { header.append("renewal_date") }
        header.append("history_days")
        header += definitions.map(\.name)
        if training { header.append("churned") }
        var out = header.joined(separator: ",") + "\n"
        out.reserveCapacity(rowCount * (header.count * 6 + 40))
        for (r, o) in observations.enumerated() {
            let a = Int(o.account)
            out += csvField(accountIDs[a]); out += ","
            out += csvField(segments[a]); out += ","
            out += o.asOf.description
            if training { out += ","; out += o.renewal?.description ?? "" }
            out += ","; out += formatCell(historyDays[r])
            for s in raw.indices { out += ","; out += formatCell(raw[s][r]) }
            if training { out += ","; out += o.churned == true ? "1" : "0" }
            out += "\n"
        }
        return out
    }
}

/// A number for a CSV cell: integers without a decimal point, others in the
/// shortest form that reads back to the same double; missing is empty.
public func formatCell(_ v: Double) -> String {
    if v.isNaN { return "" }
    if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
    return "\(v)"
}

extension SignalTable {
    /// The rows at `rows`, in that order.
    public func subset(_ rows: [Int]) -> SignalTable {
        var t = self
        t.observations = rows.map { observations[$0] }
        t.historyDays = rows.map { historyDays[$0] }
        t.historyCut = rows.map { historyCut[$0] }
        t.raw = raw.map { column in rows.map { column[$0] } }
        t.segmentOfRow = segmentOfRow.map { s in rows.map { s[$0] } }
        return t
    }
}

/// Each row's segment as a small number, and the segments' names: one pass
/// over a million rows instead of a String comparison per row and use.
public struct RowSegments: Sendable {
    public let of: [Int]
    public let names: [String]

    public init(_ table: SignalTable) {
        let n = table.rowCount
        let blocks = Parallel.blockCount(rows: n, serialBelow: 100_000, perCore: 1)
        // Each block numbers its segments in the order it meets them; the blocks'
        // lists, joined in row order, give the same first-seen order as one pass.
        let local = Parallel.map(blocks) { b in Self.number(table, Parallel.block(b, of: blocks, rows: n)) }
        var names: [String] = [], index: [String: Int] = [:]
        let maps = local.map { block in
            block.names.map { s -> Int in
                if let i = index[s] { return i }
                index[s] = names.count
                names.append(s)
                return names.count - 1
            }
        }
        of = [Int](unsafeUninitializedCapacity: n) { out, initialized in
            DispatchQueue.concurrentPerform(iterations: blocks) { b in
                let start = Parallel.block(b, of: blocks, rows: n).lowerBound, map = maps[b]
                for (k, code) in local[b].codes.enumerated() { (out.baseAddress! + start + k).initialize(to: map[code]) }
            }
            initialized = n
        }
        self.names = names
    }

    private static func number(_ table: SignalTable, _ rows: Range<Int>) -> (codes: [Int], names: [String]) {
        // Segments are few and their strings shared row to row: a short scan of the
        // ones seen (equal storage compares at once) before any hashing.
        var index: [String: Int] = [:], recent: [String] = [], names: [String] = []
        let codes = rows.map { r -> Int in
            let s = table.segment(ofRow: r)
            if let i = recent.firstIndex(of: s) { return i }
            if let i = index[s] { return i }
            index[s] = names.count
            names.append(s)
            if recent.count == names.count - 1 && recent.count < 16 { recent.append(s) }
            return names.count - 1
        }
        return (codes, names)
    }

    /// The number of a segment's name, nil when no row is in it.
    public func code(of name: String) -> Int? { names.firstIndex(of: name) }
}
