import Foundation

/// How a table column became model columns, kept so scoring can encode new
/// rows exactly as training did.
public enum ColumnEncoding: Equatable, Codable, Sendable {
    case numeric(column: String)
    /// One 0/1 column per level except `reference`, which is absorbed by the intercept.
    case oneHot(column: String, reference: String, levels: [String])
}

/// The numeric matrix a model is fitted on, built from a flat table.
///
/// Text columns are one-hot encoded against a reference level, the first in
/// sorted order (R's and patsy's convention, so coefficient tables read the
/// same as theirs); columns are named like patsy does: `segment[T.SMB]`.
/// Rows with a missing value in any used column are left out and reported by
/// their CSV line.
public struct DesignMatrix: Sendable {
    public var names: [String]
    /// Row-major, `rowCount x names.count`, without an intercept column.
    public var values: [Double]
    public var labels: [Double]
    public var encodings: [ColumnEncoding]
    /// CSV lines of the rows used, in order.
    public var lines: [Int]
    /// CSV lines of rows left out for missing values, with the first column missing.
    public var droppedRows: [(line: Int, column: String)]

    public var rowCount: Int { labels.count }
    public var columnCount: Int { names.count }

    /// Columns of the contract's flat table that identify rather than describe
    /// an observation; never used as features.
    public static let identifierColumns: Set<String> = ["account_id", "as_of", "renewal_date"]

    public init(table: FlatTable, label: String, exclude: [String] = []) throws {
        guard let labelColumn = table.column(named: label) else {
            throw DataError.missingColumn(file: table.file, column: label, available: table.columnNames)
        }
        for name in exclude where table.column(named: name) == nil {
            throw DataError.missingColumn(file: table.file, column: name, available: table.columnNames)
        }
        let n = table.rowCount
        var problems = ProblemLog(file: table.file)
        var y = [Double?](repeating: nil, count: n)
        switch labelColumn.values {
        case .numeric(let v):
            for r in 0..<n {
                let x = v[r]
                guard !x.isNaN else { continue }
                if x == 0 || x == 1 { y[r] = x } else {
                    problems.record(.badValue(file: table.file, line: table.lines[r], column: label,
                                              value: x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)", expected: "a binary label (\(BinaryLabel.accepted))"))
                }
            }
        case .text(let v):
            for r in 0..<n {
                guard let s = v[r] else { continue }
                if let x = BinaryLabel.parse(s) { y[r] = x } else {
                    problems.record(.badValue(file: table.file, line: table.lines[r], column: label,
                                              value: s, expected: "a binary label (\(BinaryLabel.accepted))"))
                }
            }
        }
        try problems.throwIfAny()

        let skip = Set(exclude).union(Self.identifierColumns).union([label])
        let features = table.columns.filter { !skip.contains($0.name) }
        if features.isEmpty {
            throw DataError.invalid(file: table.file, message: "no feature columns are left besides the label '\(label)'")
        }

        // Rows usable: label present and every feature present.
        var dropped: [(Int, String)] = []
        var keep: [Int] = []
        keep.reserveCapacity(n)
        for r in 0..<n {
            if y[r] == nil { dropped.append((table.lines[r], label)); continue }
            if let missing = features.first(where: { $0.isMissing(r) }) { dropped.append((table.lines[r], missing.name)); continue }
            keep.append(r)
        }
        if keep.isEmpty {
            throw DataError.invalid(file: table.file, message: "every row has a missing value in the label or a feature column")
        }

        var names: [String] = []
        var encodings: [ColumnEncoding] = []
        // First pass: the model columns each feature becomes.
        var plans: [(column: TableColumn, offset: Int, index: [String: Int])] = []
        for col in features {
            switch col.values {
            case .numeric:
                plans.append((col, names.count, [:]))
                names.append(col.name)
                encodings.append(.numeric(column: col.name))
            case .text(let v):
                let levels = Set(keep.map { v[$0]! }).sorted()
                guard let reference = levels.first else { continue }
                let others = Array(levels.dropFirst())
                plans.append((col, names.count, Dictionary(uniqueKeysWithValues: others.enumerated().map { ($1, $0) })))
                names += others.map { "\(col.name)[T.\($0)]" }
                encodings.append(.oneHot(column: col.name, reference: reference, levels: others))
            }
        }
        // Second pass: fill the row-major matrix column by column.
        let p = names.count
        var values = [Double](repeating: 0, count: keep.count * p)
        values.withUnsafeMutableBufferPointer { out in
            for plan in plans {
                switch plan.column.values {
                case .numeric(let v):
                    for (i, r) in keep.enumerated() { out[i * p + plan.offset] = v[r] }
                case .text(let v):
                    for (i, r) in keep.enumerated() {
                        if let k = plan.index[v[r]!] { out[i * p + plan.offset + k] = 1 }
                    }
                }
            }
        }

        self.names = names
        self.values = values
        self.labels = keep.map { y[$0]! }
        self.encodings = encodings
        self.lines = keep.map { table.lines[$0] }
        self.droppedRows = dropped
    }

    public init(names: [String], values: [Double], labels: [Double]) {
        precondition(values.count == names.count * labels.count, "values do not fill a \(labels.count) x \(names.count) matrix")
        self.names = names
        self.values = values
        self.labels = labels
        self.encodings = names.map { .numeric(column: $0) }
        self.lines = Array(0..<labels.count).map { $0 + 2 }
        self.droppedRows = []
    }
}
