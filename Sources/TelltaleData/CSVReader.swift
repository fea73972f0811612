import Foundation

/// One record handed to `CSVReader.forEachRecord`. Its field bytes live in the
/// reader's buffer and are only valid inside the callback.
public struct CSVRecord {
    /// 1-based physical line on which the record starts (the header is line 1).
    public let line: Int
    public let fieldCount: Int
    @usableFromInline let bytes: UnsafePointer<UInt8>
    @usableFromInline let ends: UnsafePointer<Int>

    /// The raw bytes of field `i` (quotes removed, `""` unescaped).
    @inlinable
    public func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let start = i == 0 ? 0 : ends[i - 1]
        return UnsafeBufferPointer(start: bytes + start, count: ends[i] - start)
    }

    public func string(_ i: Int) -> String {
        String(decoding: field(i), as: UTF8.self)
    }

    public var strings: [String] { (0..<fieldCount).map(string) }

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
        var fieldCapacity = 1 << 12
        var fieldBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: fieldCapacity)
        var endsCapacity = 64
        var ends = UnsafeMutablePointer<Int>.allocate(capacity: endsCapacity)
        defer { fieldBytes.deallocate(); ends.deallocate() }

        var used = 0          // bytes in fieldBytes
        var fieldCount = 0
        var line = 1          // current physical line
        var recordLine = 1
        var inQuotes = false
        var quoteClosed = false // just saw the closing quote of a quoted field (or a "" pair's first half)
        var atFieldStart = true
        var pendingCR = false
        var firstChunk = true
        var bytesRead = 0
        var records = 0
        let delimiter = self.delimiter

        @inline(__always) func append(_ b: UInt8) {
            if used == fieldCapacity {
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: fieldCapacity * 2)
                bigger.update(from: fieldBytes, count: used)
                fieldBytes.deallocate()
                fieldBytes = bigger
                fieldCapacity *= 2
            }
            fieldBytes[used] = b
            used += 1
        }
        @inline(__always) func appendSpan(_ p: UnsafePointer<UInt8>, _ n: Int) {
            if used + n > fieldCapacity {
                var cap = fieldCapacity * 2
                while cap < used + n { cap *= 2 }
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
                bigger.update(from: fieldBytes, count: used)
                fieldBytes.deallocate()
                fieldBytes = bigger
                fieldCapacity = cap
            }
            (fieldBytes + used).update(from: p, count: n)
            used += n
        }
        @inline(__always) func endField() {
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
        func endRecord() throws {
            endField()
            let record = CSVRecord(line: recordLine, fieldCount: fieldCount, bytes: fieldBytes, ends: ends)
            if !record.isBlank { records += 1; try body(record) }
            used = 0
            fieldCount = 0
            recordLine = line
        }

        while true {
            let n = try source.read(into: chunk, capacity: Self.chunkSize)
            if n == 0 { break }
            bytesRead += n
            progress?.update(bytes: bytesRead, rows: records)
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
                    try endRecord(); continue
                }
                if b == 0x0D {
                    line += 1; i += 1; pendingCR = true
                    try endRecord(); continue
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
        if inQuotes { throw DataError.unterminatedQuote(file: path, line: recordLine) }
        if used > 0 || fieldCount > 0 || quoteClosed { try endRecord() }
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
