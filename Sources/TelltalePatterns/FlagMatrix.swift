/// Binary flags over the rows of a training table, one bitset per flag, so a
/// conjunction is a word-wise AND and its support a popcount.
///
/// - Complexity: a pattern's support and churn count over n rows cost n/64
///   AND + popcount steps; 1M rows are 15,625 words.
public struct FlagMatrix: Sendable {
    public var names: [String]
    /// Plain words per flag ("no login for 14+ days").
    public var labels: [String]
    public let rows: Int
    public let wordCount: Int
    /// `bits[f]`: flag f, bit r set when row r has the flag.
    public var bits: [[UInt64]]

    public init(rows: Int) {
        self.rows = rows
        wordCount = (rows + 63) / 64
        names = []
        labels = []
        bits = []
    }

    /// Adds a flag from a column: set where `isSet` is true.
    public mutating func add(name: String, label: String, _ isSet: (Int) -> Bool) {
        var words = [UInt64](repeating: 0, count: wordCount)
        for r in 0..<rows where isSet(r) { words[r >> 6] |= 1 << UInt64(r & 63) }
        names.append(name)
        labels.append(label)
        bits.append(words)
    }

    public var count: Int { names.count }

    /// A bitset from booleans (labels, a segment's rows).
    public static func bitset(rows: Int, _ isSet: (Int) -> Bool) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: (rows + 63) / 64)
        for r in 0..<rows where isSet(r) { words[r >> 6] |= 1 << UInt64(r & 63) }
        return words
    }

    /// Rows set in `words`.
    public static func popcount(_ words: [UInt64]) -> Int {
        words.reduce(0) { $0 + $1.nonzeroBitCount }
    }
}

extension FlagMatrix {
    /// Only the named flags, in this matrix's order.
    public func keeping(_ names: Set<String>) -> FlagMatrix {
        let keep = self.names.indices.filter { names.contains(self.names[$0]) }
        var f = FlagMatrix(rows: rows)
        f.names = keep.map { self.names[$0] }
        f.labels = keep.map { labels[$0] }
        f.bits = keep.map { bits[$0] }
        return f
    }
}
