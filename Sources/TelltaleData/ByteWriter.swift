import Foundation

/// Appends text to a byte buffer: what large CSV and JSON Lines outputs are
/// built with (a million-row score file spent most of its time in String
/// appends and `String(format:)` before).
public struct ByteWriter {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    @inlinable public mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    @inlinable public mutating func append(byte: UInt8) { bytes.append(byte) }

    /// A CSV cell (RFC 4180): quoted when it holds a comma, quote or line break.
    public mutating func appendCSV(_ s: String) {
        var s = s
        s.withUTF8 { u in
            var special = false
            for b in u where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { special = true; break }
            guard special else { bytes.append(contentsOf: u); return }
            bytes.append(0x22)
            for b in u { if b == 0x22 { bytes.append(0x22) }; bytes.append(b) }
            bytes.append(0x22)
        }
    }

    /// Makes the bytes from `start` on one CSV cell: quoted, quotes doubled,
    /// when they hold a comma, quote or line break (as `appendCSV` would have
    /// written them), for a cell written piece by piece.
    public mutating func quoteCSV(from start: Int) {
        let end = bytes.count
        let quotes: Int? = bytes.withUnsafeBufferPointer { b in
            var quotes = 0, special = false
            for i in start..<end {
                let c = b[i]
                if c == 0x22 { quotes += 1; special = true } else if c == 0x2C || c == 0x0A || c == 0x0D { special = true }
            }
            return special ? quotes : nil
        }
        guard let quotes else { return }
        bytes.append(contentsOf: repeatElement(0, count: quotes + 2))
        bytes.withUnsafeMutableBufferPointer { b in
            // From the back, so every byte moves once.
            var to = b.count - 1
            b[to] = 0x22; to -= 1
            for i in stride(from: end - 1, through: start, by: -1) {
                b[to] = b[i]; to -= 1
                if b[i] == 0x22 { b[to] = 0x22; to -= 1 }
            }
            b[to] = 0x22
        }
    }

    /// A date as YYYY-MM-DD, without an intermediate String (digits by hand:
    /// `String(format:)` dominated writing a million-row score file).
    public mutating func append(day: Day) {
        let (y, m, d) = day.components
        guard (0...9999).contains(y) else { append(String(format: "%04d-%02d-%02d", y, m, d)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (UInt8(48 + y / 1000), UInt8(48 + y / 100 % 10), UInt8(48 + y / 10 % 10), UInt8(48 + y % 10), 0x2D,
             UInt8(48 + m / 10), UInt8(48 + m % 10), 0x2D, UInt8(48 + d / 10), UInt8(48 + d % 10))
        withUnsafeBytes(of: &digits) { bytes.append(contentsOf: $0.bindMemory(to: UInt8.self)) }
    }

    /// A JSON string literal.
    public mutating func appendJSON(_ s: String) {
        bytes.append(0x22)
        var s = s
        s.withUTF8 { u in
            for b in u {
                switch b {
                case 0x22: bytes.append(0x5C); bytes.append(0x22)
                case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
                case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
                case 0x0D: bytes.append(0x5C); bytes.append(0x72)
                case 0x09: bytes.append(0x5C); bytes.append(0x74)
                case 0..<0x20:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
                default: bytes.append(b)
                }
            }
        }
        bytes.append(0x22)
    }

    /// A whole number. Digits go to a stack buffer and join the bytes in one
    /// append: a byte at a time, each append checked the array's capacity and
    /// uniqueness, which a million-row score file paid for a hundred times a row.
    public mutating func append(int: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { d in
            var n = int.magnitude, i = d.count
            repeat { i -= 1; d[i] = UInt8(truncatingIfNeeded: 48 + n % 10); n /= 10 } while n > 0
            if int < 0 { i -= 1; d[i] = 0x2D }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: d[i...]))
        }
    }

    /// `x` with exactly `digits` decimals, the digits `formatFixed` gives, without an intermediate String.
    public mutating func append(fixed x: Double, digits: Int) {
        guard let (negative, n) = fixedDigits(x, digits: digits) else { append(formatFixed(x, digits: digits)); return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { d in
            var rest = n.magnitude, i = d.count
            for _ in 0..<digits { i -= 1; d[i] = UInt8(truncatingIfNeeded: 48 + rest % 10); rest /= 10 }
            if digits > 0 { i -= 1; d[i] = 0x2E }
            repeat { i -= 1; d[i] = UInt8(truncatingIfNeeded: 48 + rest % 10); rest /= 10 } while rest > 0
            if negative { i -= 1; d[i] = 0x2D }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: d[i...]))
        }
    }

}
