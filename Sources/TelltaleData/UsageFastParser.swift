import Dispatch
import Foundation

/// The usage table's hot path: one pass over the bytes that finds fields and
/// converts them at once (account by comparison with the previous row, dates
/// by fixed positions, integers digit by digit), with no per-field copy and
/// no per-record callback.
///
/// It handles the common export (no quotes, LF or CRLF); a quote anywhere
/// makes it stop with `.needsGeneralReader`, and the caller re-reads the file
/// with the general RFC 4180 reader, so correctness never depends on it.
struct UsageFastParser {
    enum Outcome: Error { case needsGeneralReader }

    let path: String
    let columnCount: Int
    let idColumn: Int
    let dateColumn: Int
    /// Column index → metric index, or -1 for a column that is not read.
    let metricOf: [Int]
    let metricNames: [String]
    let header: [String]
    let accountsPath: String

    /// Where parsed rows go.
    protocol RowWriter {
        /// False when there is no room (the caller then falls back).
        mutating func write(account: Int32, day: Int32, line: Int32, values: UnsafePointer<Double>) -> Bool
    }

    /// Appends to growing arrays (compressed input, whose row count is unknown).
    struct AppendingWriter: RowWriter {
        var account: [Int32] = [], day: [Int32] = [], line: [Int32] = [], values: [[Double]]
        init(metrics k: Int, reserve: Int) {
            values = Array(repeating: [], count: k)
            account.reserveCapacity(reserve); day.reserveCapacity(reserve); line.reserveCapacity(reserve)
            for m in 0..<k { values[m].reserveCapacity(reserve) }
        }
        mutating func write(account a: Int32, day d: Int32, line l: Int32, values v: UnsafePointer<Double>) -> Bool {
            account.append(a); day.append(d); line.append(l)
            for m in values.indices { values[m].append(v[m]) }
            return true
        }
    }

    /// Writes into preallocated columns from a given row on: the two halves
    /// of a file fill one set of final arrays, with no copy and no joining.
    struct PointerWriter: RowWriter {
        let account: UnsafeMutablePointer<Int32>, day: UnsafeMutablePointer<Int32>, line: UnsafeMutablePointer<Int32>
        let values: [UnsafeMutablePointer<Double>]
        let end: Int
        var next: Int
        mutating func write(account a: Int32, day d: Int32, line l: Int32, values v: UnsafePointer<Double>) -> Bool {
            guard next < end else { return false }
            account[next] = a; day[next] = d; line[next] = l
            for m in 0..<values.count { values[m][next] = v[m] }
            next += 1
            return true
        }
    }

    struct Output {
        var account: [Int32] = []
        var day: [Int32] = []
        var line: [Int32] = []
        var values: [[Double]] = []
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
    func parse<W: RowWriter>(into writer: inout W, accounts: Accounts, progress: ProgressReporter?,
                             range: Range<Int>? = nil, mapping: MappedFile? = nil) throws -> (problems: [Problem], lines: Int, rows: Int) {
        let k = metricNames.count
        var out = Output()
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
        let row = UnsafeMutablePointer<Double>.allocate(capacity: max(k, 1))
        defer { row.deallocate() }
        var filled = inPlace?.count ?? 0
        var line = 0              // physical line of the last complete record
        var bytesRead = filled
        var atEOF = inPlace != nil
        var headerSkipped = (range?.lowerBound ?? 0) > 0
        // In place, parsed pages are handed back every 32 MB so the mapped file
        // never sits in the process's memory whole (the typed columns do).
        var releasedUpTo = 0
        let releaseEvery = Self.releaseInterval
        let lastIDCapacity = 64
        let lastID = UnsafeMutablePointer<UInt8>.allocate(capacity: lastIDCapacity)
        defer { lastID.deallocate() }
        var lastIDLength = -1
        // Dates: the first day of the last month seen, so a row's date is an addition
        // (usage rows come in runs of consecutive days).
        var lastMonthKey = -1, lastMonthStart: Int32 = 0, lastMonthDays = 0
        var lastAccount: Int32 = 0
        let delimiter: UInt8 = 0x2C

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
            if memchr(buffer, 0x22, end) != nil { throw Outcome.needsGeneralReader }
            var p = 0
            if !headerSkipped {
                let nl = buffer.distance(to: memchr(buffer, 0x0A, end)!.assumingMemoryBound(to: UInt8.self))
                p = nl + 1
                line = 1
                headerSkipped = true
            }
            while p < end {
                if let inPlace, p - releasedUpTo >= releaseEvery {
                    releasedUpTo = mapping!.release(upTo: inPlace.base + p, from: inPlace.base + releasedUpTo) - inPlace.base
                }
                line += 1
                // Blank line (LF or CRLF).
                if buffer[p] == 0x0A { p += 1; continue }
                if buffer[p] == 0x0D && buffer[p + 1] == 0x0A { p += 2; continue }
                var column = 0
                var accountIndex: Int32 = -1
                var dayNumber: Int32 = 0
                var bad: Problem?
                while true {
                    let fieldStart = p
                    var q = p
                    if column == dateColumn {
                        // YYYY-MM-DD at fixed positions.
                        var ok = false
                        if q + 10 < end, buffer[q + 4] == 0x2D, buffer[q + 7] == 0x2D {
                            let c = buffer + q
                            let d0 = c[0] &- 48, d1 = c[1] &- 48, d2 = c[2] &- 48, d3 = c[3] &- 48
                            let d4 = c[5] &- 48, d5 = c[6] &- 48, d6 = c[8] &- 48, d7 = c[9] &- 48
                            if (d0 | d1 | d2 | d3 | d4 | d5 | d6 | d7) < 10 && max(d0, d1, d2, d3, d4, d5, d6, d7) < 10 {
                                let y = Int(d0) * 1000 + Int(d1) * 100 + Int(d2) * 10 + Int(d3)
                                let month = Int(d4) * 10 + Int(d5), dayOfMonth = Int(d6) * 10 + Int(d7)
                                let key = y * 16 + month
                                if key != lastMonthKey, let first = Day(year: y, month: month, day: 1) {
                                    lastMonthKey = key
                                    lastMonthStart = first.number
                                    lastMonthDays = Day.daysIn(month: month, year: y)
                                }
                                let after = c[10]
                                if key == lastMonthKey && dayOfMonth >= 1 && dayOfMonth <= lastMonthDays
                                    && (after == delimiter || after == 0x0A || after == 0x0D) {
                                    dayNumber = lastMonthStart + Int32(dayOfMonth - 1); q += 10; ok = true
                                }
                            }
                        }
                        if !ok {
                            while buffer[q] != delimiter && buffer[q] != 0x0A && buffer[q] != 0x0D { q += 1 }
                            let field = UnsafeBufferPointer(start: buffer + fieldStart, count: q - fieldStart)
                            if let day = Day.parse(field) { dayNumber = day.number } else if bad == nil {
                                bad = Problem(file: path, line: line, column: header[column], value: text(field),
                                              message: "is not a date (expected YYYY-MM-DD)")
                            }
                        }
                    } else if column < metricOf.count, metricOf[column] >= 0 {
                        let m = metricOf[column]
                        // Integers digit by digit; anything else goes to the full number parser.
                        var negative = false
                        if buffer[q] == 0x2D { negative = true; q += 1 }
                        // Signed: at most 18 digits fit, and Int64 -> Double is one instruction
                        // where UInt64 -> Double is a slow sequence.
                        var value: Int64 = 0
                        let digitsStart = q
                        while buffer[q] &- 48 < 10 && q - digitsStart < 18 { value = value &* 10 &+ Int64(buffer[q] &- 48); q += 1 }
                        let stop = buffer[q]
                        if q > digitsStart && (stop == delimiter || stop == 0x0A || stop == 0x0D) {
                            row[m] = negative ? -Double(value) : Double(value)
                        } else {
                            while buffer[q] != delimiter && buffer[q] != 0x0A && buffer[q] != 0x0D { q += 1 }
                            let field = UnsafeBufferPointer(start: buffer + fieldStart, count: q - fieldStart)
                            if let v = NumberParsing.parseDouble(field), v.isFinite {
                                row[m] = v
                            } else if field.allSatisfy({ $0 == 0x20 }) {
                                row[m] = .nan
                            } else if bad == nil {
                                bad = Problem(file: path, line: line, column: metricNames[m], value: text(field),
                                              message: "is not a number (leave the cell empty for a missing value)")
                            }
                        }
                    } else {
                        while buffer[q] != delimiter && buffer[q] != 0x0A && buffer[q] != 0x0D { q += 1 }
                        if column == idColumn {
                            let length = q - fieldStart
                            if length == lastIDLength && memcmp(buffer + fieldStart, lastID, length) == 0 {
                                accountIndex = lastAccount
                            } else {
                                let id = text(UnsafeBufferPointer(start: buffer + fieldStart, count: length))
                                if let found = accounts.index[id] {
                                    accountIndex = found
                                    lastAccount = found
                                    if length <= lastIDCapacity {
                                        lastID.update(from: buffer + fieldStart, count: length)
                                        lastIDLength = length
                                    } else { lastIDLength = -1 }
                                } else if bad == nil {
                                    bad = Problem(file: path, line: line, column: header[column], value: id,
                                                  message: "is not an account in \(accountsPath)", unknownAccount: true)
                                }
                            }
                        }
                    }
                    column += 1
                    let stop = buffer[q]
                    if stop == delimiter { p = q + 1; continue }
                    // End of record: LF or CRLF.
                    p = stop == 0x0D && buffer[q + 1] == 0x0A ? q + 2 : q + 1
                    break
                }
                if column != columnCount {
                    out.problems.append(Problem(file: path, line: line, column: "", value: "",
                                                message: "\(column) fields but the header has \(columnCount)"))
                    continue
                }
                if let bad { out.problems.append(bad); continue }
                guard writer.write(account: accountIndex, day: dayNumber, line: Int32(clamping: line), values: row) else {
                    throw Outcome.needsGeneralReader
                }
                rows += 1
            }
            // Move the incomplete tail to the front.
            let tail = filled - end
            if tail > 0 { memmove(buffer, buffer + end, tail) }
            filled = tail
            progress?.update(bytes: bytesRead, rows: rows)
            if atEOF && filled == 0 { break }
        }
        return (out.problems, line, rows)
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
    func read(accounts: Accounts, reserve: Int, progress: ProgressReporter?) throws -> Output {
        let k = metricNames.count
        var out = Output()
        if path.hasSuffix(".gz") {
            var writer = AppendingWriter(metrics: k, reserve: reserve)
            let r = try parse(into: &writer, accounts: accounts, progress: progress)
            out.account = writer.account; out.day = writer.day; out.line = writer.line; out.values = writer.values
            out.problems = r.problems; out.lines = r.lines
            return out
        }
        let mapped = try MappedFile(path: path)
        let ranges = Self.ranges(mapped)
        var capacities = [Int](repeating: 0, count: ranges.count)
        capacities.withUnsafeMutableBufferPointer { c in
            let base = c.baseAddress!
            DispatchQueue.concurrentPerform(iterations: ranges.count) { t in base[t] = Self.countLines(mapped, ranges[t]) }
        }
        let total = capacities.reduce(0, +)
        var results = [(problems: [Problem], lines: Int, rows: Int)?](repeating: nil, count: ranges.count)
        var errors = [Error?](repeating: nil, count: ranges.count)
        var account = [Int32].unfilled(total), day = [Int32].unfilled(total), line = [Int32].unfilled(total)
        // One box per metric column, so each column's storage can be borrowed
        // for the whole parse without overlapping access to a shared array.
        let boxes = (0..<k).map { _ in ColumnBox(count: total) }
        account.withUnsafeMutableBufferPointer { ap in
        day.withUnsafeMutableBufferPointer { dp in
        line.withUnsafeMutableBufferPointer { lp in
        results.withUnsafeMutableBufferPointer { resultPointer in
        errors.withUnsafeMutableBufferPointer { errorPointer in
            let a = ap.baseAddress!, d = dp.baseAddress!, l = lp.baseAddress!
            let resultBase = resultPointer.baseAddress!, errorBase = errorPointer.baseAddress!
            let starts = capacities.indices.map { capacities[..<$0].reduce(0, +) }
            ColumnBox.withPointers(boxes) { pointers in
            DispatchQueue.concurrentPerform(iterations: ranges.count) { t in
                var writer = PointerWriter(account: a, day: d, line: l, values: pointers,
                                           end: starts[t] + capacities[t], next: starts[t])
                do {
                    resultBase[t] = try parse(into: &writer, accounts: accounts, progress: t == 0 ? progress : nil,
                                              range: ranges[t], mapping: mapped)
                } catch { errorBase[t] = error }
            }
            }
        }}}}}
        if let error = errors.compactMap({ $0 }).first { throw error }
        // Shift the second half's line numbers; close the gaps left by problem
        // rows and header/blank lines (each half filled its slots from the front).
        var offset = 0
        var kept = 0
        for t in ranges.indices {
            let r = results[t]!
            let start = capacities[..<t].reduce(0, +)
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
        out.values = boxes.map { box in defer { box.values = [] }; return box.values }
        out.account = account; out.day = day; out.line = line; out.lines = offset
        return out
    }

    /// A metric column in its own object (see `read`).
    final class ColumnBox {
        var values: [Double]
        init(count: Int) { values = .unfilled(count) }

        /// Borrows every box's storage at once for `body`.
        static func withPointers<R>(_ boxes: [ColumnBox], _ body: ([UnsafeMutablePointer<Double>]) -> R) -> R {
            func nest(_ i: Int, _ collected: [UnsafeMutablePointer<Double>]) -> R {
                if i == boxes.count { return body(collected) }
                return boxes[i].values.withUnsafeMutableBufferPointer { p in
                    nest(i + 1, collected + [p.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!])
                }
            }
            return nest(0, [])
        }
    }

    /// Line ends in a range of a mapped file, plus one for a last line
    /// without one: an upper bound on its records.
    static func countLines(_ file: MappedFile, _ range: Range<Int>) -> Int {
        var count = 0
        var p = UnsafeRawPointer(file.pointer + range.lowerBound)
        let end = UnsafeRawPointer(file.pointer + range.upperBound)
        while p < end, let hit = memchr(p, 0x0A, end - p) { count += 1; p = UnsafeRawPointer(hit) + 1 }
        return count + (range.isEmpty || file.pointer[range.upperBound - 1] == 0x0A ? 0 : 1)
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

/// A read-only memory map of a whole file: the parser reads the page cache
/// in place instead of copying the file through `read` twice (once to count
/// lines, once to parse).
final class MappedFile: @unchecked Sendable {
    let pointer: UnsafePointer<UInt8>
    let count: Int
    private let mapped: Bool

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw DataError.cannotOpen(file: path, reason: FileManager.default.fileExists(atPath: path) ? String(cString: strerror(errno)) : "no such file")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DataError.cannotOpen(file: path, reason: String(cString: strerror(errno))) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw DataError.cannotOpen(file: path, reason: "it is a directory") }
        count = Int(info.st_size)
        guard count > 0 else {
            pointer = UnsafePointer(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))
            mapped = false
            return
        }
        guard let m = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED else {
            throw DataError.cannotOpen(file: path, reason: "cannot map the file: \(String(cString: strerror(errno)))")
        }
        madvise(m, count, MADV_SEQUENTIAL)
        pointer = UnsafePointer(m.assumingMemoryBound(to: UInt8.self))
        mapped = true
    }

    /// Drops the whole pages in [from, upTo) from this process's memory (they
    /// stay in the page cache, and a later read maps them again with the same
    /// bytes: the mapping is private and never written). Returns the new start.
    func release(upTo end: UnsafePointer<UInt8>, from start: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        guard mapped else { return start }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let base = Int(bitPattern: pointer)
        let lo = (Int(bitPattern: start) - base) / page * page
        let hi = (Int(bitPattern: end) - base) / page * page
        if hi > lo { madvise(UnsafeMutableRawPointer(mutating: pointer + lo), hi - lo, MADV_DONTNEED) }
        return pointer + max(hi, Int(bitPattern: start) - base)
    }

    deinit {
        if mapped { munmap(UnsafeMutableRawPointer(mutating: pointer), count) } else { UnsafeMutablePointer(mutating: pointer).deallocate() }
    }
}
