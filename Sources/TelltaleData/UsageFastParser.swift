import Dispatch
import Foundation
import Synchronization

/// The usage table's hot path: one pass over the bytes that finds fields and
/// converts them at once (account by comparison with the previous row, dates
/// by fixed positions, integers digit by digit), with no per-field copy and
/// no per-record callback.
///
/// It handles the common export (no quotes, LF or CRLF); a quote anywhere
/// makes it stop with `.needsGeneralReader`, and the caller re-reads the file
/// with the general RFC 4180 reader, so correctness never depends on it.
struct UsageFastParser {
    enum Outcome: Error {
        case needsGeneralReader
        /// A metric value is not exactly a `Float`: read again into `Double` columns.
        case needsDoubleColumns
        /// Another part of the file stopped the read.
        case stopped
    }

    let path: String
    let columnCount: Int
    let idColumn: Int
    let dateColumn: Int
    /// Column index → metric index, or -1 for a column that is not read.
    let metricOf: [Int]
    let metricNames: [String]
    let header: [String]
    let accountsPath: String

    /// Where parsed rows go. The parser writes a row's metric values straight
    /// into `targets[m][slot]` as it converts them, and `commit` keeps the row
    /// (a row with a problem is not committed, and the next one overwrites
    /// it): a row buffer copied into the columns cost a store and a load per
    /// cell.
    protocol RowWriter {
        associatedtype Value: ColumnValue
        /// Per metric, the column the next row's value goes into at `slot`.
        var targets: UnsafePointer<UnsafeMutablePointer<Value>> { get }
        var slot: Int { get }
        /// False when there is no room for another row (the caller then falls back).
        var hasRoom: Bool { get }
        mutating func commit(account: Int32, day: Int32, line: Int32)
    }

    /// Appends to growing columns (compressed input, whose row count is unknown),
    /// from a one-row buffer. The metric columns are `MetricColumn`s: `Float`s
    /// until a value is not exact, when that column alone turns into `Double`s
    /// (one copy of what it holds so far), so a late decimal costs no second read.
    struct AppendingWriter<Value: ColumnValue>: RowWriter {
        var account: [Int32] = [], day: [Int32] = [], line: [Int32] = [], values: [MetricColumn]
        let targets: UnsafePointer<UnsafeMutablePointer<Value>>
        let row: UnsafeMutablePointer<Value>
        var slot: Int { 0 }
        var hasRoom: Bool { true }
        init(metrics k: Int, reserve: Int) {
            values = Array(repeating: [], count: k)
            account.reserveCapacity(reserve); day.reserveCapacity(reserve); line.reserveCapacity(reserve)
            for m in 0..<k { values[m].reserveCapacity(reserve) }
            row = .allocate(capacity: max(k, 1))
            let t = UnsafeMutablePointer<UnsafeMutablePointer<Value>>.allocate(capacity: max(k, 1))
            for m in 0..<k { t[m] = row + m }
            targets = UnsafePointer(t)
        }
        func deallocate() { row.deallocate(); targets.deallocate() }
        mutating func commit(account a: Int32, day d: Int32, line l: Int32) {
            account.append(a); day.append(d); line.append(l)
            for m in values.indices { values[m].append(Double(row[m])) }
        }
    }

    /// Writes into preallocated columns from a given row on: the two halves
    /// of a file fill one set of final arrays, with no copy and no joining.
    struct PointerWriter<Value: ColumnValue>: RowWriter {
        let account: UnsafeMutablePointer<Int32>, day: UnsafeMutablePointer<Int32>, line: UnsafeMutablePointer<Int32>
        let targets: UnsafePointer<UnsafeMutablePointer<Value>>
        let end: Int
        var slot: Int
        var hasRoom: Bool { slot < end }
        @inline(__always)
        mutating func commit(account a: Int32, day d: Int32, line l: Int32) {
            account[slot] = a; day[slot] = d; line[slot] = l
            slot += 1
        }
    }

    struct Output {
        var account: [Int32] = []
        var day: [Int32] = []
        var line: [Int32] = []
        var values: [MetricColumn] = []
        var problems: [Problem] = []
        /// Physical lines read (the header included for the first part).
        var lines = 0
    }

    /// Parses the whole file, or `range` of it (which must start at a line
    /// start; line numbers are then counted from the range's start, and only
    /// the range starting at 0 has the header).
    ///
    /// With `mapping`, a range that ends with a line end is parsed in place in
    /// the mapped file (no copy); otherwise the bytes are read in 4 MB chunks.
    ///
    /// Each chunk is cut into blocks of about 64 KB that are parsed in two
    /// steps: first the offsets of every comma and line feed are listed (sixteen
    /// bytes at a time), then the rows are walked field by field. Knowing where
    /// each field ends before reading it takes the loop-carried dependency out
    /// of the field loop: one field's value no longer waits on finding where
    /// the previous one ended, and the number of digits is known up front.
    ///
    /// Metric values go in as `W.Value`; with `Float` columns a value that is
    /// not exactly a `Float` stops the parse with `.needsDoubleColumns`. A
    /// parse that stops raises `stop`, and one that sees `stop` raised stops
    /// with `.stopped`, so the other half of a file does not run on for nothing.
    func parse<W: RowWriter>(into writer: inout W, accounts: Accounts, progress: ProgressReporter?,
                             range: Range<Int>? = nil, mapping: MappedFile? = nil,
                             stop: StopSignal = StopSignal()) throws -> (problems: [Problem], lines: Int, rows: Int) {
        do {
            return try parseRows(into: &writer, accounts: accounts, progress: progress, range: range, mapping: mapping, stop: stop)
        } catch {
            stop.raise()
            throw error
        }
    }

    private func parseRows<W: RowWriter>(into writer: inout W, accounts: Accounts, progress: ProgressReporter?,
                                         range: Range<Int>?, mapping: MappedFile?,
                                         stop: StopSignal) throws -> (problems: [Problem], lines: Int, rows: Int) {
        var problems: [Problem] = []
        var rows = 0

        let inPlace: (base: UnsafePointer<UInt8>, count: Int)? = mapping.flatMap { m in
            let lo = range?.lowerBound ?? 0, hi = min(range?.upperBound ?? m.count, m.count)
            return hi > lo && m.pointer[hi - 1] == 0x0A ? (m.pointer + lo, hi - lo) : nil
        }
        let source = inPlace == nil ? try ByteSource(path: path, range: range) : nil
        let capacity = 4 << 20
        let owned = inPlace == nil ? UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 1) : nil
        defer { owned?.deallocate() }
        // In place, the parser only reads: it writes to its buffer to add a missing
        // last line end and to move a partial line, neither of which happens then.
        let buffer = owned ?? UnsafeMutablePointer(mutating: inPlace!.base)
        let targets = writer.targets
        // What each column holds, looked up once per field.
        let kind = UnsafeMutablePointer<Int>.allocate(capacity: columnCount + 1)
        defer { kind.deallocate() }
        for c in 0..<columnCount {
            kind[c] = c == idColumn ? FieldKind.id : c == dateColumn ? FieldKind.date
                : (c < metricOf.count && metricOf[c] >= 0) ? metricOf[c] : FieldKind.skipped
        }
        kind[columnCount] = FieldKind.skipped // and every column past the header's
        var separators = SeparatorIndex(capacity: SeparatorIndex.blockSize)
        defer { separators.deallocate() }

        var filled = inPlace?.count ?? 0
        var line = 0              // physical line of the last complete record
        var bytesRead = filled
        var atEOF = inPlace != nil
        var headerSkipped = (range?.lowerBound ?? 0) > 0
        // In place, parsed pages are handed back every 32 MB so the mapped file
        // never sits in the process's memory whole (the typed columns do).
        var releasedUpTo = 0
        let releaseEvery = Self.releaseInterval
        var lastID = RecentID()
        defer { lastID.deallocate() }
        var lastAccount: Int32 = 0
        // Dates: the first day of the last month seen, so a row's date is an addition
        // (usage rows come in runs of consecutive days).
        var lastMonthKey: UInt64 = 0, lastMonthStart: Int32 = 0, lastMonthDays = 0
        var blocksSinceProgress = 0
        // A value that a `Float` column would round (checked only for those).
        var inexact = false

        while true {
            if !atEOF {
                let n = try source!.read(into: buffer + filled, capacity: capacity - filled)
                if n == 0 { atEOF = true } else { filled += n; bytesRead += n }
            }
            if filled == 0 && atEOF { break }
            if atEOF && buffer[filled - 1] != 0x0A { buffer[filled] = 0x0A; filled += 1 } // last line without newline
            // Only complete lines are parsed; the tail moves to the front.
            var lastNewline = filled - 1
            while lastNewline >= 0 && buffer[lastNewline] != 0x0A { lastNewline -= 1 }
            guard lastNewline >= 0 else {
                if filled == capacity { throw Outcome.needsGeneralReader } // a 4 MB line: not our case
                if atEOF { break }
                continue
            }
            let end = lastNewline + 1
            var p = 0
            if !headerSkipped {
                p = buffer.distance(to: memchr(buffer, 0x0A, end)!.assumingMemoryBound(to: UInt8.self)) + 1
                // The blocks below note quotes in the rows as they index them.
                if memchr(buffer, 0x22, p) != nil { throw Outcome.needsGeneralReader }
                line = 1
                headerSkipped = true
            }
            while p < end {
                if let inPlace, p - releasedUpTo >= releaseEvery {
                    releasedUpTo = mapping!.release(upTo: inPlace.base + p, from: inPlace.base + releasedUpTo) - inPlace.base
                }
                if inexact { throw Outcome.needsDoubleColumns }
                if stop.isRaised { throw Outcome.stopped }
                let blockEnd = p + SeparatorIndex.blockLength(buffer + p, available: end - p)
                let block = buffer + p
                let blockCount = blockEnd - p
                let sepCount = separators.index(block, count: blockCount)
                if separators.sawQuote { throw Outcome.needsGeneralReader }
                let seps = separators.offsets
                // Bytes from here on can be loaded eight at a time.
                let wideLimit = end - p - 8

                var s = 0
                var fieldStart = 0
                while s < sepCount {
                    line += 1
                    // Line counts size the columns, so a line always has a slot.
                    guard writer.hasRoom else { throw Outcome.needsGeneralReader }
                    let slot = writer.slot
                    let recordStart = fieldStart
                    var column = 0
                    var accountIndex: Int32 = -1
                    var dayNumber: Int32 = 0
                    // The first bad field of the row, as plain integers: a `Problem?`
                    // carried through this loop was copied between stack slots on every
                    // field (a third of the parse time, measured).
                    var badKind = BadField.none, badColumn = 0, badStart = 0, badEnd = 0
                    var atLineEnd = false
                    while !atLineEnd {
                        let sep = Int(seps[s]); s += 1
                        atLineEnd = block[sep] == 0x0A
                        var fieldEnd = sep
                        if atLineEnd && fieldEnd > fieldStart && block[fieldEnd - 1] == 0x0D { fieldEnd -= 1 }
                        let length = fieldEnd - fieldStart
                        // Tests in order of frequency: a `switch` here compiled to a jump
                        // through a table on every field (1-2% slower, measured).
                        let fieldKind = kind[min(column, columnCount)]
                        if fieldKind >= 0 {
                            let m = fieldKind
                            if length == 0 {
                                targets[m][slot] = .nan // an empty cell: missing
                            } else if length == 1, block[fieldStart] &- 48 < 10 {
                                // One digit, the commonest cell (zeros above all): a subtraction
                                // rather than the eight-digit conversion's chain of multiplies
                                // (10% of the whole read, measured; two digits the same way: slower).
                                targets[m][slot] = W.Value(block[fieldStart] &- 48)
                            } else if length <= W.Value.digitsAlwaysExact, fieldStart <= wideLimit,
                                      let v = Self.digits(block + fieldStart, count: length) {
                                // Exact by its length: checking the value cost 3% of the read.
                                targets[m][slot] = W.Value(v)
                            } else {
                                let field = UnsafeBufferPointer(start: block + fieldStart, count: length)
                                if let v = NumberParsing.parseDouble(field), v.isFinite {
                                    let x = W.Value(v)
                                    targets[m][slot] = x
                                    if W.Value.mayRound && Double(x) != v { inexact = true }
                                } else if field.allSatisfy({ $0 == 0x20 }) {
                                    targets[m][slot] = .nan
                                } else if badKind == .none {
                                    badKind = .number; badColumn = column; badStart = fieldStart; badEnd = fieldEnd
                                }
                            }
                        } else if fieldKind == FieldKind.date {
                            if length == 10, let d = Self.isoDate(block + fieldStart, monthKey: &lastMonthKey,
                                                                 monthStart: &lastMonthStart, monthDays: &lastMonthDays) {
                                dayNumber = d
                            } else if let day = Day.parse(UnsafeBufferPointer(start: block + fieldStart, count: length)) {
                                dayNumber = day.number
                            } else if badKind == .none {
                                badKind = .date; badColumn = column; badStart = fieldStart; badEnd = fieldEnd
                            }
                        } else if fieldKind == FieldKind.id {
                            let f = block + fieldStart
                            // Rows come grouped by account: compare with the last id before hashing.
                            if lastID.matches(f, count: length, wide: fieldStart <= wideLimit) {
                                accountIndex = lastAccount
                            } else {
                                let id = text(UnsafeBufferPointer(start: f, count: length))
                                if let found = accounts.index[id] {
                                    accountIndex = found
                                    lastAccount = found
                                    lastID.remember(f, count: length, wide: fieldStart <= wideLimit)
                                } else if badKind == .none {
                                    badKind = .unknownAccount; badColumn = column; badStart = fieldStart; badEnd = fieldEnd
                                }
                            }
                        }
                        column += 1
                        fieldStart = sep + 1
                    }
                    // A blank line (LF or CRLF) is not a record. (Keep this form: an equivalent
                    // rewrite through a named line length made the whole parse 25% slower, measured.)
                    if column == 1 && fieldStart - recordStart <= 2 && (fieldStart - recordStart == 1 || block[recordStart] == 0x0D) { continue }
                    if column != columnCount {
                        problems.append(Problem(file: path, line: line, column: "", value: "",
                                                message: "\(column) fields but the header has \(columnCount)"))
                        continue
                    }
                    if badKind != .none {
                        problems.append(problem(badKind, line: line, column: badColumn,
                                                value: text(UnsafeBufferPointer(start: block + badStart, count: badEnd - badStart)), accounts: accounts))
                        continue
                    }
                    writer.commit(account: accountIndex, day: dayNumber, line: Int32(clamping: line))
                    rows += 1
                }
                p = blockEnd
                blocksSinceProgress += 1
                if blocksSinceProgress == 64, let progress {
                    blocksSinceProgress = 0
                    progress.update(bytes: inPlace == nil ? bytesRead : p, rows: rows)
                }
            }
            if inexact { throw Outcome.needsDoubleColumns }
            // Move the incomplete tail to the front.
            let tail = filled - end
            if tail > 0 { memmove(buffer, buffer + end, tail) }
            filled = tail
            progress?.update(bytes: bytesRead, rows: rows)
            if atEOF && filled == 0 { break }
        }
        return (problems, line, rows)
    }

    /// What a column holds, in the parser's column table: a metric's index
    /// (0 and up), or one of these. One signed table and a sign test for the
    /// usual field, a metric.
    enum FieldKind {
        static let skipped = -1, id = -2, date = -3
    }

    /// The last account id matched, to recognise the next row's id without
    /// hashing it: ids of up to 16 bytes are compared as two words, longer ones
    /// (UUIDs) byte by byte, up to 64.
    struct RecentID {
        private var first: UInt64 = 0, last: UInt64 = 0
        private var length = -1
        private let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)

        func deallocate() { bytes.deallocate() }

        /// `wide`: the eight bytes at `id` are readable whatever `count` is.
        @inline(__always)
        func matches(_ id: UnsafePointer<UInt8>, count: Int, wide: Bool) -> Bool {
            guard count == length else { return false }
            if count <= 16 && wide { return Self.words(id, count) == (first, last) }
            return memcmp(id, bytes, count) == 0
        }

        mutating func remember(_ id: UnsafePointer<UInt8>, count: Int, wide: Bool) {
            guard count <= 64 else { length = -1; return }
            bytes.update(from: id, count: count)
            length = count
            (first, last) = count <= 16 && wide ? Self.words(id, count) : (0, 0)
        }

        /// The first eight bytes (masked to the id) and, past eight, the last eight.
        @inline(__always)
        private static func words(_ id: UnsafePointer<UInt8>, _ count: Int) -> (UInt64, UInt64) {
            let mask: UInt64 = count >= 8 ? ~0 : (1 << UInt64(8 * count)) &- 1
            return (Bytes.load(id) & mask, count > 8 ? Bytes.load(id + count - 8) : 0)
        }
    }

    /// The value of the `count` (1 to 8) bytes at `p` if they are all decimal
    /// digits, else nil; the eight bytes at `p` must be readable.
    @inline(__always)
    static func digits(_ p: UnsafePointer<UInt8>, count: Int) -> Int64? {
        // The first byte is the most significant digit: shift the field's bytes to
        // the top of the word, and the bytes below them become leading zeros.
        // Masking shifts: Swift's `<<` and `>>` test for a shift of 64 or more, two
        // compares and moves per metric cell that cost 4-5% of the whole read
        // (measured). `shift` is 0-56; the fill's shift of 8 * count (8-64) is
        // split in two so that 64 still clears the word.
        let shift = UInt64(64 - 8 * count)
        let fill = ((0x3030_3030_3030_3030 as UInt64) &>> UInt64(8 * count - 1)) &>> 1
        return Bytes.eightDigits((Bytes.load(p) &<< shift) | fill).map { Int64($0) }
    }

    /// A `YYYY-MM-DD` date at `c` as a day number, through a cache of the last
    /// month seen (`monthKey`: its checked `YYYY-MM-` bytes as one word, 0 for
    /// none), so a row of the same month compares one word and reads two
    /// digits; nil for anything else (the caller then tries `Day.parse`). The
    /// ten bytes at `c` must be readable.
    @inline(__always)
    static func isoDate(_ c: UnsafePointer<UInt8>, monthKey: inout UInt64, monthStart: inout Int32, monthDays: inout Int) -> Int32? {
        let prefix = Bytes.load(c)
        if prefix != monthKey {
            guard c[4] == 0x2D, c[7] == 0x2D else { return nil }
            let d0 = c[0] &- 48, d1 = c[1] &- 48, d2 = c[2] &- 48, d3 = c[3] &- 48
            let d4 = c[5] &- 48, d5 = c[6] &- 48
            guard max(d0, d1, d2, d3, d4, d5) < 10 else { return nil }
            let y = Int(d0) * 1000 + Int(d1) * 100 + Int(d2) * 10 + Int(d3)
            let month = Int(d4) * 10 + Int(d5)
            guard let first = Day(year: y, month: month, day: 1) else { return nil }
            monthKey = prefix
            monthStart = first.number
            monthDays = Day.daysIn(month: month, year: y)
        }
        let d6 = c[8] &- 48, d7 = c[9] &- 48
        guard d6 < 10, d7 < 10 else { return nil }
        let dayOfMonth = Int(d6) * 10 + Int(d7)
        guard dayOfMonth >= 1 && dayOfMonth <= monthDays else { return nil }
        return monthStart + Int32(dayOfMonth - 1)
    }

    /// Splits a file of more than `parallelThreshold` bytes into two ranges
    /// at a line end, for two cores; one range otherwise. Only valid for files
    /// without quotes (which the parser checks as it goes).
    nonisolated(unsafe) static var parallelThreshold = 32 << 20
    /// Bytes parsed in place between hand-backs of the mapped pages (small in tests).
    nonisolated(unsafe) static var releaseInterval = 32 << 20

    static func ranges(_ file: MappedFile) -> [Range<Int>] {
        let size = file.count
        guard ProcessInfo.processInfo.activeProcessorCount >= 2, size > parallelThreshold,
              let nl = memchr(file.pointer + size / 2, 0x0A, size - size / 2) else { return [0..<size] }
        let split = UnsafeRawPointer(nl) - UnsafeRawPointer(file.pointer) + 1
        return split < size ? [0..<split, split..<size] : [0..<size]
    }

    /// Reads the file: a compressed one on one core into growing arrays; an
    /// uncompressed one in two halves on two cores, straight into final
    /// columns sized by counting line ends first.
    ///
    /// Metric columns are `Double`s, or `Float`s (see `MetricColumn` for why)
    /// for an uncompressed file without a decimal point, whose numbers are then
    /// integers (the line count notes points for free). One that a `Float`
    /// would round (more than seven digits, or `1e-3`) is rare there, and the
    /// file is then read again into `Double`s. All columns of a file have one
    /// type, which keeps the field loop free of per-column tests. A compressed
    /// file, with no count first, is parsed into `Double`s on one core and
    /// appended to columns that stay `Float`s while their values are exact
    /// (`AppendingWriter`): half the bytes to write, where the pages' first
    /// touch is most of the cost (a 20M-row file: 7.1 s -> 3.7 s, 1.79 -> 1.00 GB).
    func read(accounts: Accounts, reserve: Int, progress: ProgressReporter?) throws -> Output {
        if path.hasSuffix(".gz") {
            var writer = AppendingWriter<Double>(metrics: metricNames.count, reserve: reserve)
            defer { writer.deallocate() }
            let r = try parse(into: &writer, accounts: accounts, progress: progress)
            return Output(account: writer.account, day: writer.day, line: writer.line,
                          values: writer.values, problems: r.problems, lines: r.lines)
        }
        let mapped = try MappedFile(path: path)
        let ranges = Self.ranges(mapped)
        let counts = Parallel.map(ranges.count) { mapped.countLines(ranges[$0]) }
        if !counts.contains(where: \.sawPoint) {
            do {
                return try read(as: Float.self, mapped, ranges, lineCounts: counts.map(\.lines), accounts: accounts, progress: progress)
            } catch Outcome.needsDoubleColumns {}
        }
        return try read(as: Double.self, mapped, ranges, lineCounts: counts.map(\.lines), accounts: accounts, progress: progress)
    }

    private func read<V: ColumnValue>(as _: V.Type, _ mapped: MappedFile, _ ranges: [Range<Int>], lineCounts: [Int],
                                      accounts: Accounts, progress: ProgressReporter?) throws -> Output {
        let k = metricNames.count
        var out = Output()
        var capacities = lineCounts
        // The header is not a row: without this slot the second part's rows would
        // have to move down by one after the parse (a copy of half the table).
        capacities[0] = max(0, capacities[0] - 1)
        let total = capacities.reduce(0, +)
        let starts = capacities.indices.map { capacities[..<$0].reduce(0, +) }
        var account = [Int32].unfilled(total), day = [Int32].unfilled(total), line = [Int32].unfilled(total)
        // One box per metric column, so each column's storage can be borrowed
        // for the whole parse without overlapping access to a shared array.
        let boxes = (0..<k).map { _ in ColumnBox<V>(count: total) }
        let stop = StopSignal()
        let parts = account.withUnsafeMutableBufferPointer { ap in
        day.withUnsafeMutableBufferPointer { dp in
        line.withUnsafeMutableBufferPointer { lp in
            let a = ap.baseAddress!, d = dp.baseAddress!, l = lp.baseAddress!
            return ColumnBox.withPointers(boxes) { pointers in
            Parallel.map(ranges.count) { t in
                let targets = UnsafeMutablePointer<UnsafeMutablePointer<V>>.allocate(capacity: max(k, 1))
                defer { targets.deallocate() }
                for m in 0..<k { targets[m] = pointers[m] }
                var writer = PointerWriter(account: a, day: d, line: l, targets: targets,
                                           end: starts[t] + capacities[t], slot: starts[t])
                return Result {
                    try parse(into: &writer, accounts: accounts, progress: t == 0 ? progress : nil,
                              range: ranges[t], mapping: mapped, stop: stop)
                }
            }
            }
        }}}
        // The first error in part order, leaving out the parts that only stopped for it.
        for case .failure(let error) in parts where (error as? Outcome) != .stopped { throw error }
        let results = try parts.map { try $0.get() }
        // Shift the second half's line numbers; close the gaps left by problem
        // rows and header/blank lines (each half filled its slots from the front).
        var offset = 0
        var kept = 0
        for t in ranges.indices {
            let r = results[t], start = starts[t]
            for var p in r.problems { p.line += offset; out.problems.append(p) }
            if offset > 0 {
                let shift = Int32(clamping: offset)
                line.withUnsafeMutableBufferPointer { for i in start..<(start + r.rows) { $0[i] += shift } }
            }
            if kept != start {
                func slide<T>(_ column: inout [T]) {
                    column.withUnsafeMutableBufferPointer { c in
                        // Regions may overlap: memmove, not a plain copy.
                        _ = memmove(c.baseAddress! + kept, c.baseAddress! + start, r.rows * MemoryLayout<T>.stride)
                    }
                }
                slide(&account); slide(&day); slide(&line)
                for box in boxes { slide(&box.values) }
            }
            kept += r.rows
            offset += r.lines
        }
        if kept < total {
            account.removeLast(total - kept); day.removeLast(total - kept); line.removeLast(total - kept)
            for box in boxes { box.values.removeLast(total - kept) }
        }
        out.values = boxes.map { box in defer { box.values = [] }; return V.column(box.values) }
        out.account = account; out.day = day; out.line = line; out.lines = offset
        return out
    }

    /// A metric column in its own object (see `read`).
    final class ColumnBox<Value: ColumnValue> {
        var values: [Value]
        init(count: Int) { values = .unfilled(count) }

        /// Borrows every box's storage at once for `body`.
        static func withPointers<R>(_ boxes: [ColumnBox], _ body: ([UnsafeMutablePointer<Value>]) -> R) -> R {
            func nest(_ i: Int, _ collected: [UnsafeMutablePointer<Value>]) -> R {
                if i == boxes.count { return body(collected) }
                return boxes[i].values.withUnsafeMutableBufferPointer { p in
                    nest(i + 1, collected + [p.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!])
                }
            }
            return nest(0, [])
        }
    }

    enum BadField { case none, date, number, unknownAccount }

    private func problem(_ kind: BadField, line: Int, column: Int, value: String, accounts: Accounts) -> Problem {
        switch kind {
        case .date:
            return Problem(file: path, line: line, column: header[column], value: value,
                           message: Day.notADate(value))
        case .number:
            return Problem(file: path, line: line, column: metricNames[metricOf[column]], value: value,
                           message: "is not a number (leave the cell empty for a missing value)")
        case .unknownAccount, .none:
            return Problem(file: path, line: line, column: header[column], value: value,
                           message: accounts.unknownAccountMessage(value, accountsPath: accountsPath),
                           unknownAccount: true)
        }
    }

    private func text(_ f: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: f, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }
}


extension Array where Element: BitwiseCopyable {
    /// An array of `count` elements whose memory is not written first.
    ///
    /// Zero-filling a column of millions of values only to overwrite it costs
    /// a full extra pass of page faults (on this machine about as much as the
    /// parse itself). Only for plain values, and only where every element is
    /// written before it is read: the usage reader fills each slot or removes it.
    static func unfilled(_ count: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}

/// The element types the usage reader writes metric columns in.
protocol ColumnValue: BinaryFloatingPoint, BitwiseCopyable {
    /// The most digits (1-8) of an integer that this type always holds exactly,
    /// which the parser reads without a check.
    static var digitsAlwaysExact: Int { get }
    static func column(_ values: [Self]) -> MetricColumn
}

extension ColumnValue {
    /// Whether a value parsed as a `Double` may not be exact in this type
    /// (checked per value then).
    static var mayRound: Bool { significandBitCount < Double.significandBitCount }
}

extension Float: ColumnValue {
    static var digitsAlwaysExact: Int { 7 } // 9,999,999 < 2^24
    static func column(_ values: [Float]) -> MetricColumn { MetricColumn(floats: values) }
}

extension Double: ColumnValue {
    static var digitsAlwaysExact: Int { 8 }
    static func column(_ values: [Double]) -> MetricColumn { MetricColumn(doubles: values) }
}

/// Raised by the first part of a parallel read that stops, so the others stop too.
final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    func raise() { flag.store(true, ordering: .relaxed) }
    var isRaised: Bool { flag.load(ordering: .relaxed) }
}
