import TelltaleData

extension SignalTable {
    /// A training table from a flat table (bring-your-own features): every
    /// numeric column but the label becomes a `.column` signal, and every text
    /// column of 2 to `maximumCategoryLevels` levels a `.category` signal per
    /// level but its most common; `account_id`
    /// groups rows by account (each row is its own account without it);
    /// `segment` (or `segmentColumn`) is the segment; `as_of` dates the rows,
    /// which out-of-time validation needs (without it the table is `undated`
    /// and can only be validated grouped by account); an optional `renewal_date` dates each
    /// outcome (else the outcome counts as known at `as_of`); `owner` is not a
    /// model input. Other text columns (dates, too many levels, one level) are
    /// not used and are returned with the reason, so the caller can say so.
    ///
    /// - Throws: `DataError` naming the file, line and column for a label that
    ///   is not binary or an unparseable date.
    public static func training(from table: FlatTable, label: String, segmentColumn: String = "segment") throws
        -> (table: SignalTable, unusedTextColumns: [String]) {
        guard let labelColumn = table.column(named: label) else {
            throw DataError.missingColumn(file: table.file, column: label, available: table.columnNames)
        }
        // A segment column asked for by name must be there: without it every row would be segment
        // "all", and the real segment column a category.
        if segmentColumn != "segment" && table.column(named: segmentColumn) == nil {
            throw DataError.missingColumn(file: table.file, column: segmentColumn, available: table.columnNames)
        }
        let asOfColumn = table.column(named: "as_of")
        func text(_ c: TableColumn?, _ row: Int) -> String? {
            switch c?.values {
            case .text(let v): return v[row]
            case .numeric(let v): return v[row].map { formatNumber($0) }
            case nil: return nil
            }
        }
        var ids: [String] = [], index: [String: Int32] = [:], segments: [String] = []
        var observations: [Observation] = []
        let idColumn = table.column(named: "account_id"), segColumn = table.column(named: segmentColumn)
        let renewalColumn = table.column(named: "renewal_date")
        for row in 0..<table.rowCount {
            let line = table.lines[row]
            guard let y = text(labelColumn, row).flatMap(BinaryLabel.parse) else {
                throw DataError.badValue(file: table.file, line: line, column: label, value: text(labelColumn, row) ?? "",
                                         expected: "an outcome (\(BinaryLabel.accepted))")
            }
            var day = Self.undatedDay
            if asOfColumn != nil {
                guard let dateText = text(asOfColumn, row), let d = Day.parse(dateText) else {
                    throw DataError.badValue(file: table.file, line: line, column: "as_of", value: text(asOfColumn, row) ?? "", expected: Day.expectedDate(text(asOfColumn, row) ?? ""))
                }
                day = d
            }
            // The outcome's own date, when the table has it: the out-of-time split keeps
            // outcomes decided after the holdout starts out of the development rows.
            var renewal = day
            if let r = text(renewalColumn, row) {
                guard let d = Day.parse(r), d >= day else {
                    throw DataError.badValue(file: table.file, line: line, column: "renewal_date", value: r, expected: "a date YYYY-MM-DD on or after as_of")
                }
                renewal = d
            }
            let id = text(idColumn, row) ?? "row \(line)"
            let account: Int32
            if let a = index[id] { account = a } else {
                account = Int32(ids.count); index[id] = account; ids.append(id); segments.append(text(segColumn, row) ?? "all")
            }
            observations.append(Observation(account: account, asOf: day, renewal: renewal, churned: y == 1))
        }
        var definitions: [SignalDefinition] = [], raw: [[Double]] = [], unused: [String] = []
        let skip: Set<String> = [label, "as_of", "account_id", segmentColumn, "renewal_date", "owner"]
        for column in table.columns where !skip.contains(column.name) {
            switch column.values {
            case .numeric(let v):
                definitions.append(SignalDefinition(name: column.name, kind: .column, label: column.name))
                raw.append(v.map { $0 ?? .nan })
            case .text(let v):
                switch categoryLevels(v) {
                case .failure(let why): unused.append("\(column.name) (\(why.reason))")
                case .success(let levels):
                    for level in levels.dropFirst() {
                        let name = "\(column.name)=\(level)"
                        if table.column(named: name) != nil {
                            throw DataError.invalid(file: table.file, message: "column '\(name)' has the name of level '\(level)' of text column '\(column.name)'; rename one of them")
                        }
                        definitions.append(SignalDefinition(name: name, kind: .category(CategorySignal(column: column.name, level: level, levels: levels))))
                        raw.append(v.map { $0 == nil ? .nan : $0 == level ? 1 : 0 })
                    }
                }
            }
        }
        var signals = SignalTable(definitions: definitions, observations: observations,
                                  historyDays: Array(repeating: 0, count: observations.count), raw: raw,
                                  accountIDs: ids, segments: segments)
        signals.undated = asOfColumn == nil
        return (signals, unused)
    }

    /// The rows' `asOf` in a table without `as_of`: never written out (the
    /// model's observation dates and the holdout file leave it empty).
    static let undatedDay = Day(number: 0)

    /// More levels than this and a text column is not a category but an
    /// identifier or free text: one indicator per level would fit noise.
    public static let maximumCategoryLevels = 20

    struct NotACategory: Error { var reason: String }

    /// A text column's levels, most common first (ties by name), or why the
    /// column is not a category.
    static func categoryLevels(_ values: [String?]) -> Result<[String], NotACategory> {
        var counts: [String: Int] = [:]
        for case let v? in values { counts[v, default: 0] += 1 }
        if counts.isEmpty { return .failure(NotACategory(reason: "no values")) }
        if counts.count == 1 { return .failure(NotACategory(reason: "one value, '\(counts.keys.first!)'")) }
        if counts.keys.allSatisfy({ Day.parse($0) != nil }) {
            return .failure(NotACategory(reason: "dates: a number derived from them, such as days since, can be a signal"))
        }
        if counts.count > maximumCategoryLevels {
            return .failure(NotACategory(reason: "\(counts.count) distinct values, more than the \(maximumCategoryLevels) a category may have"))
        }
        return .success(counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key))
    }
}
