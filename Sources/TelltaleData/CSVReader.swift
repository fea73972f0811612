import Foundation

/// One record handed to `CSVReader.forEachRecord`. Its field bytes live in the
/// reader's buffer and are only valid inside the callback.
public struct CSVRecord {
    /// 1-based physical line on which the record starts (the header is line 1).
    public let line: Int
    public let fieldCount: Int
    @usableFromInline let bytes: UnsafePointer<UInt8>
    @usableFromInline let ends: UnsafePointer<Int>
    /// Bytes between one field's end and the next one's start: 0 where the
    /// parser copied the fields together, 1 (the delimiter) where the record
    /// is read in place in the file.
    @usableFromInline let gap: Int

    init(line: Int, fieldCount: Int, bytes: UnsafePointer<UInt8>, ends: UnsafePointer<Int>, gap: Int = 0) {
        self.line = line
        self.fieldCount = fieldCount
        self.bytes = bytes
        self.ends = ends
        self.gap = gap
    }

    /// The raw bytes of field `i` (quotes removed, `""` unescaped).
    @inlinable
    public func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let start = i == 0 ? 0 : ends[i - 1] + gap
        return UnsafeBufferPointer(start: bytes + start, count: ends[i] - start)
    }

    public func string(_ i: Int) -> String {
        String(decoding: field(i), as: UTF8.self)
    }

    public var strings: [String] { (0..<fieldCount).map(string) }

    /// Field `i` when it is a short plain decimal (`[-]digits[.digits]`, 1 to
    /// 8 bytes, no spaces: most cells of a numeric export), read without a
    /// loop over its bytes; nil for anything else, for `NumberParsing.parseDouble`.
    /// The eight bytes ending at the field's end are loaded at once, so the
    /// record must have eight bytes before it: not the first short field.
    public func shortDecimal(_ i: Int) -> Double? {
        let f = field(i)
        guard ends[i] >= 8, (1...8).contains(f.count) else { return nil }
        return NumberParsing.shortDecimal(Bytes.load(bytes + ends[i] - 8), count: f.count)
    }

    /// True for a line with nothing on it, which the reader skips.
    var isBlank: Bool { fieldCount == 1 && ends[0] == 0 }
}

/// A streaming RFC 4180 reader: quoted fields with embedded commas, quotes and
/// newlines, LF or CRLF line ends, an optional UTF-8 byte-order mark, and
/// `.gz` files. Memory use is one chunk plus the longest record, whatever the
/// file size.
///
/// Blank lines are skipped. A stray quote inside an unquoted field is kept as
/// a literal character, as spreadsheet exports expect; an unterminated quoted
/// field is an error naming the line where it opened.
public struct CSVReader {
    public let path: String
    public var delimiter: UInt8 = UInt8(ascii: ",")
    static let chunkSize = 1 << 20

    public init(path: String) { self.path = path }

    /// Calls `body` for every record, the header first.
    /// - Complexity: O(file size), one pass.
    public func forEachRecord(progress: ProgressReporter? = nil, _ body: (CSVRecord) throws -> Void) throws {
        let source = try ByteSource(path: path)
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.chunkSize)
        defer { chunk.deallocate() }
        var parser = CSVParser(path: path, delimiter: delimiter, firstLine: 1)
        defer { parser.deallocate() }
        var bytesRead = 0
        while true {
            let n = try source.read(into: chunk, capacity: Self.chunkSize)
            if n == 0 { break }
            bytesRead += n
            progress?.update(bytes: bytesRead, rows: parser.records)
            try parser.consume(chunk, n, body)
        }
        try parser.finish(body)
    }

    /// Like `forEachRecord`, on every core: an uncompressed file without a
    /// single quote character is cut at line ends into one part per core, and
    /// `body(part, record)` runs for the records of each part on its own thread
    /// (parts in file order; within a part, records in order). `header` gets
    /// the first record alone, before any part starts. Returns the number of
    /// parts, or nil (having read nothing) when the file is compressed, small,
    /// quoted anywhere or has a carriage return outside a CRLF: then use
    /// `forEachRecord`, which handles everything. Comma-separated parts are
    /// read in place (`forEachRecordInPlace`), with no copy of any field.
    /// `lines(part, count)` says, after the header and before any record, how
    /// many lines each part has (its records are at most that many): room for
    /// them can be made once.
    public func forEachRecordInParallel(minimumBytes: Int = 8 << 20, header: (CSVRecord) throws -> Void,
                                        lines: (Int, Int) -> Void = { _, _ in },
                                        _ body: (Int, CSVRecord) throws -> Void) throws -> Int? {
        guard !path.hasSuffix(".gz"), ProcessInfo.processInfo.activeProcessorCount >= 2 else { return nil }
        let file = try MappedFile(path: path)
        guard file.count >= minimumBytes else { return nil }
        let bom = file.count >= 3 && file.pointer[0] == 0xEF && file.pointer[1] == 0xBB && file.pointer[2] == 0xBF ? 3 : 0
        // The header: everything up to the first line end.
        guard let nl = memchr(file.pointer + bom, 0x0A, file.count - bom) else { return nil }
        let headerEnd = UnsafeRawPointer(nl) - UnsafeRawPointer(file.pointer) + 1
        let parts = ProcessInfo.processInfo.activeProcessorCount
        var bounds = [headerEnd]
        for k in 1..<parts {
            let from = max(bounds.last!, headerEnd + (file.count - headerEnd) * k / parts)
            guard from < file.count, let hit = memchr(file.pointer + from, 0x0A, file.count - from) else { break }
            bounds.append(UnsafeRawPointer(hit) - UnsafeRawPointer(file.pointer) + 1)
        }
        bounds.append(file.count)
        let ranges = zip(bounds, bounds.dropFirst()).map { $0..<$1 }.filter { !$0.isEmpty }
        // One look at each part, on its own core, before anything is handed out: a
        // quote, or a carriage return on its own (which ends a line for the state
        // machine but not for a count of line ends: old Mac files), sends the file
        // to the one-pass reader; otherwise the part's line ends say where the next
        // part's line numbers start.
        func plain(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool { memchr(p, 0x22, n) == nil && !Self.hasLoneCarriageReturn(p, n) }
        let lineEnds = Parallel.map(ranges.count) { k -> Int? in
            let r = ranges[k]
            return plain(file.pointer + r.lowerBound, r.count) ? file.countLines(r).lines : nil
        }
        guard plain(file.pointer + bom, headerEnd - bom), !lineEnds.contains(nil) else { return nil }
        var headerParser = CSVParser(path: path, delimiter: delimiter, firstLine: 1)
        defer { headerParser.deallocate() }
        try headerParser.consume(file.pointer + bom, headerEnd - bom, header)
        // Each part starts on the line after the line ends before it.
        var firstLines = [2]
        for ends in lineEnds.dropLast() { firstLines.append(firstLines.last! + ends!) }
        for (k, ends) in lineEnds.enumerated() { lines(k, ends!) }
        let errors = Parallel.map(ranges.count) { k -> Error? in
            let part = file.pointer + ranges[k].lowerBound, count = ranges[k].count
            do {
                if delimiter == 0x2C {
                    try Self.forEachRecordInPlace(part, count, firstLine: firstLines[k]) { try body(k, $0) }
                } else {
                    var parser = CSVParser(path: path, delimiter: delimiter, firstLine: firstLines[k])
                    defer { parser.deallocate() }
                    try parser.consume(part, count) { try body(k, $0) }
                    try parser.finish { try body(k, $0) }
                }
                return nil
            } catch { return error }
        }
        if let error = errors.compactMap({ $0 }).first { throw error }
        return ranges.count
    }

    /// The records of a quote-free, comma-separated stretch of a file, read in
    /// place: a record's fields point into the file (no byte is copied), their
    /// ends found a block at a time by `SeparatorIndex`. Gives the records
    /// `CSVParser` gives for such bytes (blank lines skipped, CRLF accepted);
    /// the caller checks there is no quote and no carriage return outside a CRLF
    /// (`hasLoneCarriageReturn`).
    static func forEachRecordInPlace(_ start: UnsafePointer<UInt8>, _ count: Int, firstLine: Int,
                                     _ body: (CSVRecord) throws -> Void) throws {
        var index = SeparatorIndex(capacity: SeparatorIndex.blockSize)
        defer { index.deallocate() }
        var ends = FieldEnds()
        defer { ends.deallocate() }
        var line = firstLine
        var p = 0
        while p < count {
            let block = start + p
            let length = SeparatorIndex.blockLength(block, available: count - p)
            let separators = index.index(block, count: length)
            let offsets = index.offsets
            var recordStart = 0, fieldStart = 0
            ends.count = 0
            for s in 0..<separators {
                let at = Int(offsets[s])
                let lineEnd = block[at] == 0x0A
                // A field ends at the separator, or before the CR of a CRLF.
                ends.append((lineEnd && at > fieldStart && block[at - 1] == 0x0D ? at - 1 : at) - recordStart)
                fieldStart = at + 1
                if lineEnd {
                    // A line with nothing on it is skipped, as CSVParser does.
                    if !(ends.count == 1 && ends.pointer[0] == 0) {
                        try body(CSVRecord(line: line, fieldCount: ends.count, bytes: block + recordStart, ends: ends.pointer, gap: 1))
                    }
                    line += 1
                    ends.count = 0
                    recordStart = fieldStart
                }
            }
            // The last line of the file, without a line end.
            if recordStart < length {
                ends.append((length > fieldStart && block[length - 1] == 0x0D ? length - 1 : length) - recordStart)
                if !(ends.count == 1 && ends.pointer[0] == 0) {
                    try body(CSVRecord(line: line, fieldCount: ends.count, bytes: block + recordStart, ends: ends.pointer, gap: 1))
                }
            }
            p += length
        }
    }

    /// The field ends of the record being read in place (relative to its start).
    struct FieldEnds {
        var pointer = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        var capacity = 64
        var count = 0

        func deallocate() { pointer.deallocate() }

        @inline(__always) mutating func append(_ end: Int) {
            if count == capacity { grow() }
            pointer[count] = end
            count += 1
        }

        mutating func grow() {
            let bigger = UnsafeMutablePointer<Int>.allocate(capacity: capacity * 2)
            bigger.update(from: pointer, count: count)
            pointer.deallocate()
            pointer = bigger
            capacity *= 2
        }
    }

    /// Whether a carriage return stands anywhere but before a line feed (old
    /// Mac line ends), which `forEachRecordInPlace` does not treat as one.
    static func hasLoneCarriageReturn(_ start: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var p = 0
        while p < count, let hit = memchr(start + p, 0x0D, count - p) {
            let at = UnsafeRawPointer(hit) - UnsafeRawPointer(start)
            if at + 1 >= count || start[at + 1] != 0x0A { return true }
            p = at + 2
        }
        return false
    }

    /// Reads the header row: the column names, trimmed of surrounding spaces.
    public func header() throws -> [String] {
        var names: [String]?
        struct Stop: Error {}
        do {
            try forEachRecord { rec in names = rec.strings; throw Stop() }
        } catch is Stop {}
        guard let names else { throw DataError.empty(file: path) }
        return names.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// The RFC 4180 state machine behind `CSVReader`, fed bytes chunk by chunk.
/// Field bytes collect in one growing buffer, so a record costs no allocation.
struct CSVParser {
    let path: String
    let delimiter: UInt8
    var fieldCapacity = 1 << 12
    var fieldBytes: UnsafeMutablePointer<UInt8>
    var endsCapacity = 64
    var ends: UnsafeMutablePointer<Int>
    var used = 0          // bytes in fieldBytes
    var fieldCount = 0
    var line: Int         // current physical line
    var recordLine: Int
    var inQuotes = false
    var quoteClosed = false // just saw the closing quote of a quoted field (or a "" pair's first half)
    var atFieldStart = true
    var pendingCR = false
    var firstChunk = true
    var records = 0

    init(path: String, delimiter: UInt8, firstLine: Int) {
        self.path = path
        self.delimiter = delimiter
        line = firstLine
        recordLine = firstLine
        fieldBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: fieldCapacity)
        ends = UnsafeMutablePointer<Int>.allocate(capacity: endsCapacity)
    }

    func deallocate() { fieldBytes.deallocate(); ends.deallocate() }

    @inline(__always) mutating func append(_ b: UInt8) {
        if used == fieldCapacity { grow(to: used + 1) }
        fieldBytes[used] = b
        used += 1
    }

    @inline(__always) mutating func appendSpan(_ p: UnsafePointer<UInt8>, _ n: Int) {
        if used + n > fieldCapacity { grow(to: used + n) }
        (fieldBytes + used).update(from: p, count: n)
        used += n
    }

    mutating func grow(to needed: Int) {
        var cap = fieldCapacity * 2
        while cap < needed { cap *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
        bigger.update(from: fieldBytes, count: used)
        fieldBytes.deallocate()
        fieldBytes = bigger
        fieldCapacity = cap
    }

    @inline(__always) mutating func endField() {
        if fieldCount == endsCapacity {
            let bigger = UnsafeMutablePointer<Int>.allocate(capacity: endsCapacity * 2)
            bigger.update(from: ends, count: fieldCount)
            ends.deallocate()
            ends = bigger
            endsCapacity *= 2
        }
        ends[fieldCount] = used
        fieldCount += 1
        atFieldStart = true
        quoteClosed = false
    }

    mutating func endRecord(_ body: (CSVRecord) throws -> Void) throws {
        endField()
        let record = CSVRecord(line: recordLine, fieldCount: fieldCount, bytes: fieldBytes, ends: ends)
        if !record.isBlank { records += 1; try body(record) }
        used = 0
        fieldCount = 0
        recordLine = line
    }

    /// Parses `n` more bytes, calling `body` for each record they complete.
    mutating func consume(_ chunk: UnsafePointer<UInt8>, _ n: Int, _ body: (CSVRecord) throws -> Void) throws {
        var i = 0
        if firstChunk {
            firstChunk = false
            if n >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF { i = 3 }
        }
        while i < n {
            let b = chunk[i]
            if pendingCR {
                pendingCR = false
                if b == 0x0A { i += 1; continue } // the LF of a CRLF already ended the record
            }
            if inQuotes {
                // Copy the run up to the next quote in one go (newlines included).
                var j = i
                while j < n, chunk[j] != 0x22 {
                    if chunk[j] == 0x0A { line += 1 }
                    j += 1
                }
                if j > i { appendSpan(chunk + i, j - i) }
                if j < n { inQuotes = false; quoteClosed = true }
                i = j + 1
                continue
            }
            if quoteClosed {
                // After a closing quote: a second quote is an escaped quote.
                if b == 0x22 { append(0x22); inQuotes = true; quoteClosed = false; i += 1; continue }
                quoteClosed = false
            }
            if b == delimiter {
                endField(); i += 1; continue
            }
            if b == 0x0A {
                line += 1; i += 1
                try endRecord(body); continue
            }
            if b == 0x0D {
                line += 1; i += 1; pendingCR = true
                try endRecord(body); continue
            }
            if b == 0x22 && atFieldStart {
                inQuotes = true; atFieldStart = false; i += 1; continue
            }
            // Unquoted run: copy up to the next special byte.
            atFieldStart = false
            var j = i + 1
            while j < n {
                let c = chunk[j]
                if c == delimiter || c == 0x0A || c == 0x0D { break }
                j += 1
            }
            appendSpan(chunk + i, j - i)
            i = j
        }
    }

    /// The end of the input: the last record without a line end, or an unterminated quote.
    mutating func finish(_ body: (CSVRecord) throws -> Void) throws {
        if inQuotes { throw DataError.unterminatedQuote(file: path, line: recordLine) }
        if used > 0 || fieldCount > 0 || quoteClosed { try endRecord(body) }
    }
}
