import TelltaleData
import TelltaleModel
import TelltaleSignals

/// A flat table to score (bring-your-own features): one row per account,
/// the model's signal columns by name, and optional `account_id`,
/// `segment`, `owner`, `contract_value`, `renewal_date` and `as_of` columns.
public struct FlatScoringInput {
    public var table: SignalTable
    public var facts: [AccountFacts]
    /// The latest `as_of` in the table, if it has the column.
    public var asOf: Day?

    /// - Throws: `DataError` naming the file and the column the model needs, or the line of a bad date.
    public init(_ flat: FlatTable, model: ChurnModel, segmentColumn: String = "segment") throws {
        func text(_ c: TableColumn?, _ row: Int) -> String? {
            switch c?.values {
            case .text(let v): return v[row]
            case .numeric(let v): return v[row].map { formatNumber($0) }
            case nil: return nil
            }
        }
        let n = flat.rowCount
        var definitions: [SignalDefinition] = [], raw: [[Double]] = []
        for def in model.signals {
            guard let column = flat.column(named: def.name) else {
                if case .column = def.kind {
                    throw DataError.missingColumn(file: flat.file, column: def.name, available: flat.columnNames)
                }
                continue // a usage signal of a model trained on the three tables: the caller says which command fits
            }
            guard case let .numeric(values) = column.values else {
                throw DataError.invalid(file: flat.file, message: "column '\(def.name)' must be numeric: the model reads it as a signal")
            }
            definitions.append(def)
            raw.append(values.map { $0 ?? .nan })
        }
        let ids = flat.column(named: "account_id"), segments = flat.column(named: segmentColumn)
        let owners = flat.column(named: "owner"), values = flat.column(named: "contract_value")
        let renewals = flat.column(named: "renewal_date"), asOfColumn = flat.column(named: "as_of")
        var facts: [AccountFacts] = [], latest: Day?
        facts.reserveCapacity(n)
        for r in 0..<n {
            var renewal: Day?
            if let t = text(renewals, r), !t.isEmpty {
                guard let d = Day.parse(t) else {
                    throw DataError.badValue(file: flat.file, line: flat.lines[r], column: "renewal_date", value: t, expected: "a date YYYY-MM-DD")
                }
                renewal = d
            }
            if let t = text(asOfColumn, r), !t.isEmpty {
                guard let d = Day.parse(t) else {
                    throw DataError.badValue(file: flat.file, line: flat.lines[r], column: "as_of", value: t, expected: "a date YYYY-MM-DD")
                }
                if latest == nil || d > latest! { latest = d }
            }
            var value: Double?
            if case let .numeric(v)? = values?.values { value = v[r] }
            facts.append(AccountFacts(id: text(ids, r) ?? "row \(flat.lines[r])", segment: text(segments, r) ?? "all",
                                      owner: text(owners, r), contractValue: value, renewalDate: renewal))
        }
        let observations = (0..<n).map { Observation(account: Int32($0), asOf: latest ?? Day(number: 0)) }
        table = SignalTable(definitions: definitions, observations: observations, historyDays: Array(repeating: 0, count: n),
                            raw: raw, accountIDs: facts.map(\.id), segments: facts.map(\.segment))
        self.facts = facts
        asOf = latest
    }
}
