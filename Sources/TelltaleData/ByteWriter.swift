import Foundation

/// Appends text to a byte buffer: what large CSV and JSON Lines outputs are
/// built with (a million-row score file spent most of its time in String
/// appends and `String(format:)` before).
///
/// One growing buffer it owns alone (not copyable) rather than a `[UInt8]`,
/// whose every append checks the array's uniqueness and capacity through the
/// runtime; a score file makes a few dozen appends per row. (The gain on its
/// own was small: copies of the rows and shared reference counts were the
/// large costs of rendering. A class was twice as slow: its stored properties
/// are checked for exclusive access on every append.) A chunk's bytes are
/// handed to the file without a copy (`takeData`).
public struct ByteWriter: ~Copyable {
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var capacity: Int
    /// Bytes written so far.
    public var count: Int { written }
    @usableFromInline var written = 0

    public init(capacity: Int = 0) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// A copy of the bytes written.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: written)) }

    /// The bytes written, handed over without a copy (a score file's chunks
    /// are a hundred megabytes: copying them touched as much fresh memory again).
    public consuming func takeData() -> Data {
        let (base, count) = (self.base, written)
        discard self
        return Data(bytesNoCopy: base, count: count, deallocator: .custom { pointer, _ in
            pointer.assumingMemoryBound(to: UInt8.self).deallocate()
        })
    }

    /// The bytes written, as text (they are UTF-8).
    public var string: String { String(decoding: UnsafeBufferPointer(start: base, count: written), as: UTF8.self) }

    /// The last byte written, if any.
    public var last: UInt8? { written == 0 ? nil : base[written - 1] }

    public mutating func removeLast() { precondition(written > 0); written -= 1 }

    /// Room for `n` more bytes, at `base + count`.
    @inlinable @inline(__always) mutating func reserve(_ n: Int) {
        if written + n > capacity { grow(written + n) }
    }

    @usableFromInline @inline(never) mutating func grow(_ needed: Int) {
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: max(needed, 2 * capacity))
        bigger.update(from: base, count: written)
        base.deallocate()
        base = bigger
        capacity = max(needed, 2 * capacity)
    }

    @inlinable public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let from = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + written).update(from: from, count: bytes.count)
        written += bytes.count
    }

    public mutating func append(_ s: String) {
        if s.utf8.withContiguousStorageIfAvailable({ append($0) }) == nil { for b in s.utf8 { append(byte: b) } }
    }

    @inlinable public mutating func append(byte: UInt8) {
        reserve(1)
        base[written] = byte
        written += 1
    }

    /// A CSV cell (RFC 4180): quoted when it holds a comma, quote or line break.
    public mutating func appendCSV(_ s: String) {
        let start = count
        append(s)
        quoteCSV(from: start)
    }

    /// Makes the bytes from `start` on one CSV cell: quoted, quotes doubled,
    /// when they hold a comma, quote or line break (as `appendCSV` would have
    /// written them), for a cell written piece by piece.
    public mutating func quoteCSV(from start: Int) {
        var quotes = 0, special = false
        for i in start..<written {
            let c = base[i]
            if c == 0x22 { quotes += 1; special = true } else if c == 0x2C || c == 0x0A || c == 0x0D { special = true }
        }
        guard special else { return }
        reserve(quotes + 2)
        // From the back, so every byte moves once.
        var to = written + quotes + 1
        base[to] = 0x22; to -= 1
        for i in stride(from: written - 1, through: start, by: -1) {
            base[to] = base[i]; to -= 1
            if base[i] == 0x22 { base[to] = 0x22; to -= 1 }
        }
        base[to] = 0x22
        written += quotes + 2
    }

    /// A date as YYYY-MM-DD, without an intermediate String.
    public mutating func append(day: Day) {
        guard let (head, tail) = day.isoBytes else { append(day.description); return }
        reserve(10)
        let at = UnsafeMutableRawPointer(base + written)
        at.storeBytes(of: head.littleEndian, as: UInt64.self)
        at.storeBytes(of: tail.littleEndian, toByteOffset: 8, as: UInt16.self)
        written += 10
    }

    /// A JSON string literal.
    public mutating func appendJSON(_ s: String) {
        append(byte: 0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: append(byte: 0x5C); append(byte: 0x22)
            case 0x5C: append(byte: 0x5C); append(byte: 0x5C)
            case 0x0A: append(byte: 0x5C); append(byte: 0x6E)
            case 0x0D: append(byte: 0x5C); append(byte: 0x72)
            case 0x09: append(byte: 0x5C); append(byte: 0x74)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                for h in [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]] { append(byte: h) }
            default: append(byte: b)
            }
        }
        append(byte: 0x22)
    }

    /// A whole number, its digits written from the back into reserved room.
    public mutating func append(int: Int) {
        reserve(20)
        var n = int.magnitude, digits = 0
        repeat { digits += 1; n /= 10 } while n > 0
        let end = written + digits + (int < 0 ? 1 : 0)
        var at = end
        n = int.magnitude
        repeat { at -= 1; base[at] = UInt8(truncatingIfNeeded: 48 + n % 10); n /= 10 } while n > 0
        if int < 0 { base[at - 1] = 0x2D }
        written = end
    }

    /// `x` with exactly `digits` decimals, the digits `formatFixed` gives, without an intermediate String.
    public mutating func append(fixed x: Double, digits: Int) {
        guard let (negative, n) = fixedDigits(x, digits: digits) else { append(formatFixed(x, digits: digits)); return }
        if negative { append(byte: 0x2D) }
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        append(int: n / scale)
        guard digits > 0 else { return }
        reserve(digits + 1)
        base[written] = 0x2E
        var rest = n % scale
        for i in stride(from: digits, through: 1, by: -1) { base[written + i] = UInt8(truncatingIfNeeded: 48 + rest % 10); rest /= 10 }
        written += digits + 1
    }
}
