import Foundation

/// A column of a flat table once its type is known.
public enum ColumnValues: Equatable, Sendable {
    /// Numbers; NaN is a missing cell. Not `Double?`: at 16 bytes a cell, the
    /// optionals were a third of the memory a wide table was read into, and the
    /// kernel's clearing of it a good part of the reading time.
    case numeric([Double])
    /// Text levels; `nil` is a missing cell.
    case text([String?])

    /// Missing numbers compare equal, as `nil`s did.
    public static func == (a: ColumnValues, b: ColumnValues) -> Bool {
        switch (a, b) {
        case let (.numeric(x), .numeric(y)): return x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        case let (.text(x), .text(y)): return x == y
        default: return false
        }
    }
}

public struct TableColumn: Equatable, Sendable {
    public var name: String
    public var values: ColumnValues

    public var count: Int {
        switch values { case .numeric(let v): return v.count; case .text(let v): return v.count }
    }
    public func isMissing(_ row: Int) -> Bool {
        switch values { case .numeric(let v): return v[row].isNaN; case .text(let v): return v[row] == nil }
    }
}

/// A bring-your-own-features table: one row per observation, read from CSV
/// with each column typed as numeric or text.
///
/// A column is numeric when at least 95% of its non-missing cells are numbers:
/// the remaining cells are then reported as bad values (file, line, column,
/// value) rather than turning the whole column into text. Cells that are empty
/// or spell a missing value (`NA`, `N/A`, `NaN`, `null`, `None`) are missing.
public struct FlatTable: Equatable, Sendable {
    public let file: String
    public private(set) var columns: [TableColumn]
    /// The CSV line of each row, for messages that point back into the file.
    public let lines: [Int]

    public var rowCount: Int { lines.count }
    public var columnNames: [String] { columns.map(\.name) }

    public func column(named name: String) -> TableColumn? { columns.first { $0.name == name } }

    public static let missingTokens: Set<String> = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "#N/A"]
    /// Text columns with more distinct levels than this are not kept as text;
    /// one-hot encoding them would make a column per row.
    public static let maximumTextLevels = 1000

    /// A cell's text without the white space around it. Most cells have none,
    /// and Foundation's trimming cost more than all the rest of reading them
    /// (54% of `telltale fit` on a 500,000-row table with an id and a date
    /// column): a cell that starts and ends with a printable ASCII character
    /// has nothing to trim, and only the others take that path.
    @inline(__always) static func trimmedText(_ cell: UnsafeBufferPointer<UInt8>) -> String {
        func printable(_ b: UInt8) -> Bool { b > 0x20 && b < 0x7F }
        if let first = cell.first, let last = cell.last, printable(first) && printable(last) {
            return String(decoding: cell, as: UTF8.self)
        }
        return String(decoding: cell, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    public init(file: String, columns: [TableColumn], lines: [Int]) {
        self.file = file
        self.columns = columns
        self.lines = lines
    }

    /// Reads and types a CSV file: uncompressed and unquoted, one part per core
    /// (from `minimumParallelBytes`; tests read small files both ways), else in
    /// one streaming pass. Either way the same table, problems and messages.
    /// - Parameter textColumns: columns to keep as text even if they look numeric
    ///   (codes such as `region = 1, 2, 3`).
    public static func read(path: String, textColumns: Set<String> = []) throws -> FlatTable {
        try read(path: path, textColumns: textColumns, minimumParallelBytes: 8 << 20)
    }

    static func read(path: String, textColumns: Set<String>, minimumParallelBytes: Int) throws -> FlatTable {
        let reader = CSVReader(path: path)
        var header: [String] = []
        let takeHeader = { (rec: CSVRecord) throws in
            header = rec.strings.map { $0.trimmingCharacters(in: .whitespaces) }
            var seen = Set<String>()
            for name in header where !seen.insert(name).inserted {
                throw DataError.duplicateColumn(file: path, column: name)
            }
        }
        // Parts behind a pointer, like the scorer's: each core mutates its own in place, with
        // no exclusivity check or copy on every cell (an array of classes took twice as long).
        let capacity = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let parts = UnsafeMutableBufferPointer<FlatTablePart>.allocate(capacity: capacity)
        var initialized = 0
        defer { parts.baseAddress!.deinitialize(count: initialized); parts.deallocate() }
        let parallel = try reader.forEachRecordInParallel(minimumBytes: minimumParallelBytes, header: { rec in
            try takeHeader(rec)
            for k in 0..<capacity { (parts.baseAddress! + k).initialize(to: FlatTablePart(path: path, columns: header.count)) }
            initialized = capacity
        }, lines: { k, count in parts[k].reserve(count) }, { k, rec in parts[k].add(rec) })
        if parallel == nil {
            // Rows expected from the file's size and its first record, so that the columns grow
            // once: grown by doubling, their pages were cleared and copied again and again.
            let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            try reader.forEachRecord { rec in
                if header.isEmpty {
                    try takeHeader(rec)
                    parts.baseAddress!.initialize(to: FlatTablePart(path: path, columns: header.count))
                    initialized = 1
                    return
                }
                if parts[0].lines.isEmpty, let fileBytes, rec.fieldCount > 0 {
                    parts[0].reserve(min(fileBytes / max(1, rec.ends[rec.fieldCount - 1] + 1) + fileBytes / 100_000 + 16, 100_000_000))
                }
                parts[0].add(rec)
            }
        }
        if header.isEmpty { throw DataError.empty(file: path) }
        let used = UnsafeMutableBufferPointer(rebasing: parts[0..<(parallel ?? 1)])
        var problems = ProblemLog(file: path)
        for part in used {
            for p in part.problems.problems { problems.record(p) }
            problems.recordUnshown(part.problems.total - part.problems.problems.count)
        }
        try problems.throwIfAny()
        let lines = used.count == 1 ? used[0].lines : used.flatMap(\.lines)
        if lines.isEmpty { throw DataError.invalid(file: path, message: "the file has a header but no data rows") }

        let numericCounts = (0..<header.count).map { c in used.reduce(0) { $0 + $1.numericCount[c] } }
        let textCounts = (0..<header.count).map { c in used.reduce(0) { $0 + $1.textCount[c] } }
        let numeric = (0..<header.count).map { c in
            !textColumns.contains(header[c]) && (textCounts[c] == 0 || Double(numericCounts[c]) >= 0.95 * Double(numericCounts[c] + textCounts[c]))
        }
        // A numeric column is its parts' numbers (a missing cell, and a bad one named below,
        // NaN already), taken over from a single part, else joined on every core.
        let readParts = UnsafeBufferPointer(used)
        let typed = used.count == 1 ? (0..<header.count).map { numeric[$0] ? used[0].numbers[$0] : [] }
            : Parallel.map(header.count) { c -> [Double] in numeric[c] ? readParts.flatMap { $0.numbers[c] } : [] }
        for k in used.indices { used[k].numbers = [] }
        var columns: [TableColumn] = []
        for c in 0..<header.count {
            let numericCount = numericCounts[c], textCount = textCounts[c]
            // Each part counted at most one value past the limit, so their union is over it exactly
            // when the whole file's values are; a part that dropped its texts was over it alone.
            var textAlive = used.allSatisfy { $0.textAlive[c] }
            if textAlive && numericCount > 0 && used.count > 1 {
                textAlive = used.reduce(into: Set<String>()) { $0.formUnion($1.distinct[c]) }.count <= maximumTextLevels
            }
            if numeric[c] {
                let firstBad = used.flatMap { $0.firstBad[c] }.prefix(FlatTablePart.namedBadCells)
                for (line, value) in firstBad {
                    problems.record(.badValue(file: path, line: line, column: header[c], value: value, expected: "a number"))
                }
                problems.recordUnshown(textCount - firstBad.count)
                columns.append(TableColumn(name: header[c], values: .numeric(typed[c])))
            } else if textAlive {
                columns.append(TableColumn(name: header[c], values: .text(used.count == 1 ? used[0].texts[c] : used.flatMap { $0.texts[c] })))
            } else {
                columns.append(TableColumn(name: header[c], values: .text([])))
                problems.record(.invalid(file: path, message:
                    "column '\(header[c])' has more than \(maximumTextLevels) distinct text values; it looks like an identifier. Exclude it (--exclude \(header[c]))"))
            }
        }
        try problems.throwIfAny()
        return FlatTable(file: path, columns: columns, lines: lines)
    }

    /// Removes the named columns (an unknown name is an error naming the file's columns).
    public mutating func removeColumns(_ names: [String]) throws {
        for name in names where column(named: name) == nil {
            throw DataError.missingColumn(file: file, column: name, available: columnNames)
        }
        let drop = Set(names)
        columns.removeAll { drop.contains($0.name) }
    }
}

/// One part of a file being read (one per core, or the whole file): its rows'
/// cells by column, while each column may still turn out numeric or text.
struct FlatTablePart {
    /// Bad cells named per column; the rest are counted.
    static let namedBadCells = 10
    let path: String
    var numbers: [[Double]]           // NaN marks "not a number" cells
    var texts: [[String?]]            // raw text per cell while the column may be text
    var textAlive: [Bool]
    /// Distinct texts, at most one past `FlatTable.maximumTextLevels`: all that is asked is whether there are more.
    var distinct: [Set<String>]
    var numericCount: [Int], textCount: [Int]
    var firstBad: [[(Int, String)]]
    var lines: [Int] = []
    var problems: ProblemLog

    init(path: String, columns k: Int) {
        self.path = path
        numbers = Array(repeating: [], count: k)
        texts = Array(repeating: [], count: k)
        textAlive = Array(repeating: true, count: k)
        distinct = Array(repeating: [], count: k)
        numericCount = Array(repeating: 0, count: k)
        textCount = Array(repeating: 0, count: k)
        firstBad = Array(repeating: [], count: k)
        problems = ProblemLog(file: path)
    }

    mutating func reserve(_ rows: Int) {
        lines.reserveCapacity(rows)
        for c in numbers.indices { numbers[c].reserveCapacity(rows) }
    }

    mutating func add(_ rec: CSVRecord) {
        let k = numbers.count
        if rec.fieldCount != k {
            problems.record(.raggedRow(file: path, line: rec.line, found: rec.fieldCount, expected: k))
            return
        }
        lines.append(rec.line)
        let limit = FlatTable.maximumTextLevels
        for c in 0..<k {
            let f = rec.field(c)
            if let v = NumberParsing.parseDouble(f), v.isFinite {
                numbers[c].append(v)
                numericCount[c] += 1
                if textAlive[c] {
                    let s = FlatTable.trimmedText(f)
                    texts[c].append(s)
                    if distinct[c].count <= limit { distinct[c].insert(s) }
                }
                continue
            }
            let s = FlatTable.trimmedText(f)
            numbers[c].append(.nan)
            if FlatTable.missingTokens.contains(s) {
                if textAlive[c] { texts[c].append(nil) }
            } else {
                textCount[c] += 1
                if firstBad[c].count < Self.namedBadCells { firstBad[c].append((rec.line, s)) }
                if textAlive[c] { texts[c].append(s); if distinct[c].count <= limit { distinct[c].insert(s) } }
            }
            if textAlive[c] && distinct[c].count > limit && numericCount[c] > 0 {
                // Too many levels to be a category: it is numeric (with bad cells) or an id.
                textAlive[c] = false
                texts[c] = []
                distinct[c] = []
            }
        }
    }
}
