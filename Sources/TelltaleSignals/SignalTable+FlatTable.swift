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
            case .numeric(let v): return v[row].isNaN ? nil : formatNumber(v[row])
            case nil: return nil
            }
        }
        var ids: [String] = [], index: [String: Int32] = [:], segments: [String] = [], rowSegments: [String] = []
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
            let segment = text(segColumn, row) ?? "all"
            let account: Int32
            if let a = index[id] { account = a } else {
                account = Int32(ids.count); index[id] = account; ids.append(id); segments.append(segment)
            }
            rowSegments.append(segment)
            observations.append(Observation(account: account, asOf: day, renewal: renewal, churned: y == 1))
        }
        var definitions: [SignalDefinition] = [], raw: [[Double]] = [], unused: [String] = []
        let skip: Set<String> = [label, "as_of", "account_id", segmentColumn, "renewal_date", "owner"]
        for column in table.columns where !skip.contains(column.name) {
            switch column.values {
            case .numeric(let v):
                definitions.append(SignalDefinition(name: column.name, kind: .column, label: column.name))
                raw.append(v)
            case .text(let v):
                switch categoryLevels(v) {
                case .failure(let why): unused.append("\(column.name) (\(why.reason))")
                case .success(let levels):
                    // Levels differing only in case are one level (TRUE, true and True), as score reads them.
                    let keys = v.map { $0?.lowercased() }
                    for level in levels.dropFirst() {
                        let name = "\(column.name)=\(level)"
                        if table.column(named: name) != nil {
                            throw DataError.invalid(file: table.file, message: "column '\(name)' has the name of level '\(level)' of text column '\(column.name)'; rename one of them")
                        }
                        definitions.append(SignalDefinition(name: name, kind: .category(CategorySignal(column: column.name, level: level, levels: levels))))
                        let key = level.lowercased()
                        raw.append(keys.map { $0 == nil ? .nan : $0 == key ? 1 : 0 })
                    }
                }
            }
        }
        var signals = SignalTable(definitions: definitions, observations: observations,
                                  historyDays: Array(repeating: 0, count: observations.count), raw: raw,
                                  accountIDs: ids, segments: segments)
        signals.undated = asOfColumn == nil
        // An account's renewals keep the segment of their own rows: one that grew from SMB into
        // Mid-Market renewed once in each, and is banded so.
        if zip(signals.observations, rowSegments).contains(where: { segments[Int($0.0.account)] != $0.1 }) { signals.segmentOfRow = rowSegments }
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
    /// column is not a category. Spellings differing only in case are one
    /// level, named by its most common spelling: a warehouse export's TRUE,
    /// true and True are one answer.
    static func categoryLevels(_ values: [String?]) -> Result<[String], NotACategory> {
        var spellings: [String: Int] = [:]
        for case let v? in values { spellings[v, default: 0] += 1 }
        if spellings.isEmpty { return .failure(NotACategory(reason: "no values")) }
        if spellings.keys.allSatisfy({ Day.parse($0) != nil }) {
            return .failure(NotACategory(reason: "dates: a number derived from them, such as days since, can be a signal"))
        }
        if let example = spellings.keys.sorted(by: { ($0.count, $1) > ($1.count, $0) }).first(where: { decoratedNumber($0) != nil }),
           spellings.keys.allSatisfy({ decoratedNumber($0) != nil || FlatTable.missingTokens.contains($0) }) {
            return .failure(NotACategory(reason: "numbers written with a thousands separator, '%' or a currency sign, such as '\(example)': "
                + "export them as plain numbers (\(formatNumber(decoratedNumber(example)!))) to use the column"))
        }
        // Case-folded levels: their count, and each spelling's count to name them by.
        var counts: [String: Int] = [:], name: [String: (String, Int)] = [:]
        for (spelling, n) in spellings {
            let key = spelling.lowercased()
            counts[key, default: 0] += n
            if let (best, m) = name[key], m > n || (m == n && best < spelling) { continue }
            name[key] = (spelling, n)
        }
        if counts.count == 1 { return .failure(NotACategory(reason: "one value, '\(name.values.first!.0)'")) }
        if counts.count > maximumCategoryLevels {
            return .failure(NotACategory(reason: "\(counts.count) distinct values, more than the \(maximumCategoryLevels) a category may have"))
        }
        return .success(counts.sorted { $0.value != $1.value ? $0.value > $1.value : name[$0.key]!.0 < name[$1.key]!.0 }.map { name[$0.key]!.0 })
    }

    /// The number a cell like "9,271", "18%", "$1,200.50" or "€90" writes with
    /// decorations a CSV number does not have (nil for anything else, plain
    /// numbers included): what to tell a user whose export formatted them.
    static func decoratedNumber(_ text: String) -> Double? {
        var t = Substring(text.trimmingCharacters(in: .whitespaces))
        var decorated = false
        if let first = t.first, "$€£¥".contains(first) { t = t.dropFirst(); decorated = true }
        if t.last == "%" { t = t.dropLast(); decorated = true }
        if t.contains(",") {
            // Thousands separators: groups of three digits after the first.
            let parts = t.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            let groups = parts[0].split(separator: ",", omittingEmptySubsequences: false)
            let lead = groups[0].drop { $0 == "-" || $0 == "+" }
            guard !lead.isEmpty, lead.count <= 3, groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
            t = Substring(groups.joined() + (parts.count > 1 ? "." + parts[1] : ""))
            decorated = true
        }
        guard decorated, let v = Double(t), v.isFinite else { return nil }
        return v
    }
}
