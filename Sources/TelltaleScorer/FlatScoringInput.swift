import Foundation
import TelltaleData
import TelltaleModel
import TelltaleSignals

/// A flat table to score (bring-your-own features): one row per account,
/// the model's signal columns by name, and optional `account_id`,
/// `segment`, `owner`, `contract_value`, `renewal_date` and `as_of` columns.
///
/// Read in one streaming pass that keeps only those columns: a scoring job
/// reads a million-row export, so no cell it does not need becomes a String.
public struct FlatScoringInput {
    public var table: SignalTable
    public var facts: [AccountFacts]
    /// The latest `as_of` in the table, if it has the column.
    public var asOf: Day?
    /// Text cells holding a level training never saw, per column: scored as
    /// the most common level, and said so.
    public var warnings: [String] = []

    /// - Throws: `DataError` naming the file and the columns the model needs,
    ///   or the line, column and value of a cell that is not a number or a date
    ///   (the first ten in full, then a count).
    /// `strategicColumn`, `expansionColumn`: the severity's columns
    /// (`alerts.severity`), which must be there when named.
    public init(path: String, model: ChurnModel, segmentColumn: String = "segment",
                strategicColumn: String? = nil, expansionColumn: String? = nil) throws {
        try self.init(path: path, model: model, segmentColumn: segmentColumn, strategicColumn: strategicColumn,
                      expansionColumn: expansionColumn, minimumParallelBytes: 8 << 20)
    }

    /// `minimumParallelBytes`: the file size from which it is read on every
    /// core (tests read small files both ways).
    init(path: String, model: ChurnModel, segmentColumn: String, strategicColumn: String? = nil, expansionColumn: String? = nil,
         minimumParallelBytes: Int) throws {
        let reader = CSVReader(path: path)
        var columns: Columns?
        let header: (CSVRecord) throws -> Void = { rec in
            columns = try Columns(header: rec.strings.map { $0.trimmingCharacters(in: .whitespaces) }, path: path, model: model,
                                  segmentColumn: segmentColumn, strategicColumn: strategicColumn, expansionColumn: expansionColumn)
        }
        // One part per core when the file allows it (uncompressed, no quotes), else one streaming pass.
        let capacity = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let parts = UnsafeMutableBufferPointer<Part>.allocate(capacity: capacity)
        defer { for k in 0..<capacity { parts[k].deallocate() }; parts.deinitialize(); parts.deallocate() }
        for k in 0..<capacity { (parts.baseAddress! + k).initialize(to: Part(path: path)) }
        var used = 1, lines = 0
        // The first part's facts get room for every part's rows, so the others are
        // appended without moving it (moving a million facts cost 45 ms).
        let parallel = try reader.forEachRecordInParallel(minimumBytes: minimumParallelBytes, header: header,
                                                          lines: { k, count in
                                                              lines += count
                                                              parts[k].reserve(count, columns!)
                                                              parts[0].facts.reserveCapacity(lines + 1)
                                                          },
                                                          { k, rec in parts[k].add(rec) })
        if let parallel {
            used = parallel
        } else {
            try reader.forEachRecord { rec in
                if columns == nil { try header(rec); parts[0].reserve(0, columns!) } else { parts[0].add(rec) }
            }
        }
        guard let columns else { throw DataError.empty(file: path) }
        var problems = ProblemLog(file: path)
        for k in 0..<used { for p in parts[k].problems.problems { problems.record(p) }; problems.recordUnshown(parts[k].problems.total - parts[k].problems.problems.count) }
        try problems.throwIfAny()
        // The first part's facts are taken over, the others appended to them;
        // each signal column is one copy of every part's values, on every core.
        var facts: [AccountFacts] = []
        swap(&facts, &parts[0].facts)
        for k in 1..<max(used, 1) { facts.append(contentsOf: parts[k].facts) }
        let n = facts.count
        var partStarts = [0]
        for k in 0..<used { partStarts.append(partStarts.last! + parts[k].rows) }
        let raw = Parallel.map(columns.definitions.count) { s in
            [Double](unsafeUninitializedCapacity: n) { column, initialized in
                for k in 0..<used where parts[k].rows > 0 { (column.baseAddress! + partStarts[k]).initialize(from: parts[k].column(s), count: parts[k].rows) }
                initialized = n
            }
        }
        let latest = (0..<used).compactMap { parts[$0].latest }.max()
        // Rows are made a part at a time on every core; the ids and segments too:
        // each part's rows share that part's segment strings, so no two cores
        // retain the same one.
        let asOfDay = latest ?? Day(number: 0)
        let observations = [Observation](unsafeUninitializedCapacity: n) { out, initialized in
            DispatchQueue.concurrentPerform(iterations: used) { k in
                for r in partStarts[k]..<partStarts[k + 1] { (out.baseAddress! + r).initialize(to: Observation(account: Int32(r), asOf: asOfDay)) }
            }
            initialized = n
        }
        var ids: [String] = [], segments: [String] = []
        facts.withUnsafeBufferPointer { facts in
            ids = [String](unsafeUninitializedCapacity: n) { ids, initializedIDs in
                segments = [String](unsafeUninitializedCapacity: n) { segments, initialized in
                    DispatchQueue.concurrentPerform(iterations: used) { k in
                        for r in partStarts[k]..<partStarts[k + 1] {
                            (ids.baseAddress! + r).initialize(to: facts[r].id)
                            (segments.baseAddress! + r).initialize(to: facts[r].segment)
                        }
                    }
                    initialized = n
                }
                initializedIDs = n
            }
        }
        table = SignalTable(definitions: columns.definitions, observations: observations, historyDays: Array(repeating: 0, count: n),
                            raw: raw, accountIDs: ids, segments: segments)
        self.facts = facts
        asOf = latest
        warnings = columns.categories.indices.compactMap { c in
            var unseen: [String: Int] = [:]
            for k in 0..<used { unseen.merge(parts[k].layout.categories[c].unseen, uniquingKeysWith: +) }
            guard !unseen.isEmpty else { return nil }
            let read = columns.categories[c], rows = unseen.values.reduce(0, +)
            let values = unseen.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            return "\(rows) row\(rows == 1 ? "" : "s") of \(path) \(rows == 1 ? "has" : "have") a '\(columns.header[read.column])' the model was not trained on ("
                + values.prefix(5).map { "'\($0.key)' \($0.value)" }.joined(separator: ", ") + (values.count > 5 ? ", ..." : "")
                + "): scored as its most common level in training, '\(read.names[0])'"
        }
    }

    /// Where the columns the scorer reads are, from the header (-1: no such column).
    struct Columns {
        var header: [String] = []
        var signals: [Int] = [], definitions: [SignalDefinition] = []
        var categories: [CategoryRead] = []
        var id = -1, segment = -1, owner = -1, value = -1, renewal = -1, asOf = -1, strategic = -1, expansion = -1

        init() {}

        init(header: [String], path: String, model: ChurnModel, segmentColumn: String,
             strategicColumn: String? = nil, expansionColumn: String? = nil) throws {
            self.header = header
            // Every signal the model's inputs read must be a column (a table from
            // `telltale signals --as-of` has them all); others are used when present.
            let needed = Set(model.features.compactMap { spec -> String? in if case let .signal(s) = spec.kind { return s } else { return nil } })
            var absent: [String] = []
            for column in model.signals.filter({ needed.contains($0.name) }).map(Self.sourceColumn) where !header.contains(column) && !absent.contains(column) {
                absent.append(column) // a text column once, however many of its levels are signals
            }
            if !absent.isEmpty {
                throw DataError.invalid(file: path, message: "the model reads \(absent.count) column\(absent.count == 1 ? "" : "s") the table does not have: "
                    + absent.prefix(5).joined(separator: ", ") + (absent.count > 5 ? ", ..." : "")
                    + (model.signals.allSatisfy(\.isTableColumn)
                        ? ". A table to score needs the columns the model was trained on (`telltale inspect` lists its inputs)"
                        : ". Score the three tables with --config, or export the signals with `telltale signals --as-of DATE`"))
            }
            var categoryDefinitions: [SignalDefinition] = []
            for def in model.signals {
                guard let c = header.firstIndex(of: Self.sourceColumn(def)) else { continue }
                if case let .category(category) = def.kind {
                    // One read per text column, whatever the number of its levels' signals.
                    let k = categories.firstIndex { $0.column == c } ?? {
                        categories.append(CategoryRead(column: c, levels: category.levels))
                        return categories.count - 1
                    }()
                    categories[k].signals.append((categoryDefinitions.count, category.levels.firstIndex(of: category.level)!))
                    categoryDefinitions.append(def)
                } else {
                    signals.append(c); definitions.append(def)
                }
            }
            // Category signals' values follow the numeric ones in each part's block.
            for k in categories.indices { categories[k].signals = categories[k].signals.map { ($0.0 + signals.count, $0.1) } }
            definitions += categoryDefinitions
            func index(_ name: String) -> Int { header.firstIndex(of: name) ?? -1 }
            // A segment column asked for by name must be there: without it every row would be segment "all".
            if segmentColumn != "segment" && !header.contains(segmentColumn) {
                throw DataError.missingColumn(file: path, column: segmentColumn, available: header)
            }
            (id, segment, owner, value) = (index("account_id"), index(segmentColumn), index("owner"), index("contract_value"))
            (renewal, asOf) = (index("renewal_date"), index("as_of"))
            for name in [strategicColumn, expansionColumn].compactMap({ $0 }) where !header.contains(name) {
                throw DataError.missingColumn(file: path, column: name, available: header)
            }
            (strategic, expansion) = (strategicColumn.map(index) ?? -1, expansionColumn.map(index) ?? -1)
        }

        /// The column a signal is read from: its own, or for one level of a
        /// text column, that column.
        static func sourceColumn(_ def: SignalDefinition) -> String {
            if case let .category(c) = def.kind { return c.column }
            return def.name
        }
    }

    /// A text column the model one-hot encodes: its levels as training saw
    /// them, and which block column gets each level's 0/1.
    struct CategoryRead {
        var column: Int
        var levels: [[UInt8]]
        var names: [String]
        /// The names lower-cased: another case of a level is that level.
        var folded: [String]
        /// (place in the part's block, index in `levels`) per signal.
        var signals: [(Int, Int)] = []
        /// Cells holding none of the levels: value -> rows.
        var unseen: [String: Int] = [:]

        init(column: Int, levels: [String]) {
            self.column = column
            self.names = levels
            self.folded = levels.map { $0.lowercased() }
            self.levels = levels.map { Array($0.utf8) }
        }

        /// The level a cell holds: nil when empty, missing or unseen (which is recorded).
        mutating func level(of f: UnsafeBufferPointer<UInt8>) -> Int? {
            for (i, l) in levels.enumerated() where l.count == f.count {
                if l.withUnsafeBufferPointer({ f.isEmpty || memcmp($0.baseAddress!, f.baseAddress!, f.count) == 0 }) { return i }
            }
            // Another case of a level is that level, as in training (TRUE, true, True).
            let text = String(decoding: f, as: UTF8.self)
            if let i = folded.firstIndex(of: text.lowercased()) { return i }
            if !FlatTable.missingTokens.contains(text) { unseen[text, default: 0] += 1 }
            return nil
        }
    }

    /// The rows of one part of the file. Signal values go to one block of
    /// columns, room made once for the part's lines (a growing array per
    /// column paid a uniqueness check and a capacity check per cell).
    struct Part {
        var values: UnsafeMutablePointer<Double>?
        var capacity = 0, rows = 0
        var facts: [AccountFacts] = []
        var latest: Day?
        var problems: ProblemLog
        var segments = Pool(), owners = Pool()
        /// The last date read and its bytes: an `as_of` column holds one date on every row.
        var lastDay: (head: UInt64, tail: UInt16, day: Day)?

        struct Pool { var recent: [([UInt8], String)] = []; var all: [String: String] = [:] }

        init(path: String) { problems = ProblemLog(file: path) }

        /// Where the columns are, held by the part (a struct copy: its arrays
        /// still share storage with the caller's, but rows read only its integer
        /// fields and the header's count), and the signals' places in a buffer of
        /// its own: iterating the shared `signals` array retained it on every
        /// row, from every core at once, and the reference count's cache line
        /// went back and forth.
        var layout = Columns()
        var signalColumns: UnsafeMutableBufferPointer<Int>?

        func deallocate() { values?.deallocate(); signalColumns?.deallocate() }

        /// Signal `s` of the part's rows.
        func column(_ s: Int) -> UnsafePointer<Double> { UnsafePointer(values! + s * capacity) }

        /// Takes the columns' places and makes room for `lines` rows.
        mutating func reserve(_ lines: Int, _ c: Columns) {
            layout = c
            signalColumns = .allocate(capacity: c.signals.count)
            _ = signalColumns!.initialize(from: c.signals)
            grow(to: max(lines, 1))
            facts.reserveCapacity(lines)
        }

        mutating func grow(to newCapacity: Int) {
            let signals = layout.definitions.count
            let bigger = UnsafeMutablePointer<Double>.allocate(capacity: max(1, newCapacity * signals))
            if let values {
                for s in 0..<signals { (bigger + s * newCapacity).moveInitialize(from: values + s * capacity, count: rows) }
                values.deallocate()
            }
            values = bigger
            capacity = newCapacity
        }

        mutating func add(_ rec: CSVRecord) {
            guard rec.fieldCount == layout.header.count else {
                problems.record(.raggedRow(file: problems.file, line: rec.line, found: rec.fieldCount, expected: layout.header.count))
                return
            }
            if rows == capacity { grow(to: max(1024, capacity * 2)) }
            let out = values! + rows
            let signals = signalColumns!
            for k in signals.indices { out[k * capacity] = number(rec, signals[k]) }
            if !layout.categories.isEmpty {
                for c in layout.categories.indices {
                    let level = layout.categories[c].level(of: trimmed(rec.field(layout.categories[c].column)))
                    for (k, l) in layout.categories[c].signals { out[k * capacity] = level.map { $0 == l ? 1 : 0 } ?? .nan }
                }
            }
            rows += 1
            if let d = day(rec, layout.asOf), latest == nil || d > latest! { latest = d }
            let contract = layout.value >= 0 ? number(rec, layout.value) : .nan
            let ownerField = layout.owner >= 0 ? trimmed(rec.field(layout.owner)) : UnsafeBufferPointer(start: nil, count: 0)
            facts.append(AccountFacts(
                id: layout.id >= 0 ? String(decoding: trimmed(rec.field(layout.id)), as: UTF8.self) : "row \(rec.line)",
                segment: layout.segment >= 0 ? Self.interned(trimmed(rec.field(layout.segment)), &segments) : "all",
                owner: ownerField.isEmpty ? nil : Self.interned(ownerField, &owners),
                contractValue: contract.isNaN ? nil : contract,
                renewalDate: day(rec, layout.renewal),
                strategic: layout.strategic >= 0 ? yesNo(rec, layout.strategic) : nil,
                expansion: layout.expansion >= 0 ? nonNegative(rec, layout.expansion) : nil))
        }

        /// A yes/no cell; nil when empty (or a missing-value token), or not yes/no (recorded).
        mutating func yesNo(_ rec: CSVRecord, _ column: Int) -> Bool? {
            let text = String(decoding: trimmed(rec.field(column)), as: UTF8.self)
            if text.isEmpty || FlatTable.missingTokens.contains(text) { return nil }
            guard let v = BinaryLabel.parseYesNo(text) else {
                problems.record(.badValue(file: problems.file, line: rec.line, column: layout.header[column], value: text,
                                          expected: "yes or no (\(BinaryLabel.yesNo))"))
                return nil
            }
            return v
        }

        /// A number ≥ 0; nil when empty, or not such a number (recorded).
        mutating func nonNegative(_ rec: CSVRecord, _ column: Int) -> Double? {
            let v = number(rec, column)
            if v.isNaN { return nil }
            guard v >= 0 else {
                problems.record(.badValue(file: problems.file, line: rec.line, column: layout.header[column],
                                          value: String(decoding: trimmed(rec.field(column)), as: UTF8.self), expected: "a number >= 0"))
                return nil
            }
            return v
        }

        mutating func number(_ rec: CSVRecord, _ column: Int) -> Double {
            if let v = rec.shortDecimal(column) { return v }
            let f = trimmed(rec.field(column))
            if let v = NumberParsing.parseDouble(f), v.isFinite { return v }
            if !f.isEmpty && !(f.count <= 4 && FlatTable.missingTokens.contains(String(decoding: f, as: UTF8.self))) {
                problems.record(.badValue(file: problems.file, line: rec.line, column: layout.header[column],
                                          value: String(decoding: f, as: UTF8.self), expected: "a number"))
            }
            return .nan
        }

        mutating func day(_ rec: CSVRecord, _ column: Int) -> Day? {
            guard column >= 0 else { return nil }
            let f = trimmed(rec.field(column))
            if f.isEmpty { return nil }
            var head: UInt64 = 0, tail: UInt16 = 0
            if f.count == 10 {
                head = UnsafeRawPointer(f.baseAddress!).loadUnaligned(as: UInt64.self)
                tail = UnsafeRawPointer(f.baseAddress! + 8).loadUnaligned(as: UInt16.self)
                if let last = lastDay, last.head == head, last.tail == tail { return last.day }
            }
            guard let d = Day.parse(f) else {
                problems.record(.badValue(file: problems.file, line: rec.line, column: layout.header[column],
                                          value: String(decoding: f, as: UTF8.self), expected: Day.expectedDate(String(decoding: f, as: UTF8.self))))
                return nil
            }
            if f.count == 10 { lastDay = (head, tail, d) }
            return d
        }

        func trimmed(_ f: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            var lo = 0, hi = f.count
            while lo < hi && (f[lo] == 0x20 || f[lo] == 0x09) { lo += 1 }
            while hi > lo && (f[hi - 1] == 0x20 || f[hi - 1] == 0x09) { hi -= 1 }
            return UnsafeBufferPointer(rebasing: f[lo..<hi])
        }

        /// One String per distinct value (segments and owners repeat on every row):
        /// the last few values are matched on their bytes before any String is made.
        static func interned(_ f: UnsafeBufferPointer<UInt8>, _ pool: inout Pool) -> String {
            // By index: `for (bytes, text) in` would copy (retain and release) every entry it passes.
            for i in pool.recent.indices where pool.recent[i].0.count == f.count {
                let same = pool.recent[i].0.withUnsafeBufferPointer { f.isEmpty || memcmp($0.baseAddress!, f.baseAddress!, f.count) == 0 }
                if same { return pool.recent[i].1 }
            }
            let s = String(decoding: f, as: UTF8.self)
            let text = pool.all[s] ?? s
            pool.all[text] = text
            if pool.recent.count < 64 { pool.recent.append((Array(f), text)) }
            return text
        }
    }
}
