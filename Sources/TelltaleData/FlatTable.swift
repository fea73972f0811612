import Foundation

/// A column of a flat table once its type is known.
public enum ColumnValues: Equatable, Sendable {
    /// Numbers; `nil` is a missing cell.
    case numeric([Double?])
    /// Text levels; `nil` is a missing cell.
    case text([String?])
}

public struct TableColumn: Equatable, Sendable {
    public var name: String
    public var values: ColumnValues

    public var count: Int {
        switch values { case .numeric(let v): return v.count; case .text(let v): return v.count }
    }
    public func isMissing(_ row: Int) -> Bool {
        switch values { case .numeric(let v): return v[row] == nil; case .text(let v): return v[row] == nil }
    }
}

/// A bring-your-own-features table: one row per observation, read from CSV
/// with each column typed as numeric or text.
///
/// A column is numeric when at least 95% of its non-missing cells are numbers:
/// the remaining cells are then reported as bad values (file, line, column,
/// value) rather than turning the whole column into text. Cells that are empty
/// or spell a missing value (`NA`, `N/A`, `NaN`, `null`, `None`) are missing.
public struct FlatTable: Sendable {
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

    /// Reads and types a CSV file.
    /// - Parameter textColumns: columns to keep as text even if they look numeric
    ///   (codes such as `region = 1, 2, 3`).
    public static func read(path: String, textColumns: Set<String> = []) throws -> FlatTable {
        let reader = CSVReader(path: path)
        var header: [String] = []
        var numbers: [[Double]] = []          // NaN marks "not a number" cells
        var texts: [[String?]] = []           // raw text per cell while the column may be text
        var textAlive: [Bool] = []
        var distinct: [Set<String>] = []
        var numericCount: [Int] = [], textCount: [Int] = []
        var firstBad: [[(Int, String)]] = []
        var lines: [Int] = []
        var problems = ProblemLog(file: path)
        // Rows expected from the file's size and its first record, so that the columns grow
        // once: grown by doubling, their pages were zeroed and copied again and again (a
        // third of reading a 500,000-row table went to the kernel clearing pages).
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        var reserved = false

        try reader.forEachRecord { rec in
            if header.isEmpty {
                header = rec.strings.map { $0.trimmingCharacters(in: .whitespaces) }
                var seen = Set<String>()
                for name in header where !seen.insert(name).inserted {
                    throw DataError.duplicateColumn(file: path, column: name)
                }
                let k = header.count
                numbers = Array(repeating: [], count: k)
                texts = Array(repeating: [], count: k)
                textAlive = Array(repeating: true, count: k)
                distinct = Array(repeating: [], count: k)
                numericCount = Array(repeating: 0, count: k)
                textCount = Array(repeating: 0, count: k)
                firstBad = Array(repeating: [], count: k)
                return
            }
            if !reserved, let fileBytes, rec.fieldCount > 0 {
                reserved = true
                let expected = min(fileBytes / max(1, rec.ends[rec.fieldCount - 1] + 1) + fileBytes / 100_000 + 16, 100_000_000)
                lines.reserveCapacity(expected)
                for c in numbers.indices { numbers[c].reserveCapacity(expected) }
            }
            if rec.fieldCount != header.count {
                problems.record(.raggedRow(file: path, line: rec.line, found: rec.fieldCount, expected: header.count))
                return
            }
            lines.append(rec.line)
            for c in 0..<header.count {
                let f = rec.field(c)
                if let v = NumberParsing.parseDouble(f), v.isFinite {
                    numbers[c].append(v)
                    numericCount[c] += 1
                    if textAlive[c] {
                        let s = Self.trimmedText(f)
                        texts[c].append(s)
                        if distinct[c].count <= maximumTextLevels { distinct[c].insert(s) }
                    }
                    continue
                }
                let s = Self.trimmedText(f)
                numbers[c].append(.nan)
                if missingTokens.contains(s) {
                    if textAlive[c] { texts[c].append(nil) }
                } else {
                    textCount[c] += 1
                    if firstBad[c].count < 10 { firstBad[c].append((rec.line, s)) }
                    if textAlive[c] { texts[c].append(s); if distinct[c].count <= maximumTextLevels { distinct[c].insert(s) } }
                }
                if textAlive[c] && distinct[c].count > maximumTextLevels && numericCount[c] > 0 {
                    // Too many levels to be a category: it is numeric (with bad cells) or an id.
                    textAlive[c] = false
                    texts[c] = []
                    distinct[c] = []
                }
            }
        }
        if header.isEmpty { throw DataError.empty(file: path) }
        try problems.throwIfAny()
        if lines.isEmpty { throw DataError.invalid(file: path, message: "the file has a header but no data rows") }

        var columns: [TableColumn] = []
        for c in 0..<header.count {
            let nonMissing = numericCount[c] + textCount[c]
            let looksNumeric = textCount[c] == 0 || Double(numericCount[c]) >= 0.95 * Double(nonMissing)
            if !textColumns.contains(header[c]) && looksNumeric {
                for (line, value) in firstBad[c] {
                    problems.record(.badValue(file: path, line: line, column: header[c], value: value, expected: "a number"))
                }
                problems.recordUnshown(textCount[c] - firstBad[c].count)
                // A missing cell, and a bad one (named above), is NaN here.
                let col = numbers[c].map { $0.isNaN ? nil : $0 }
                numbers[c] = []
                columns.append(TableColumn(name: header[c], values: .numeric(col)))
            } else if textAlive[c] {
                columns.append(TableColumn(name: header[c], values: .text(texts[c])))
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
