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

    /// A whole number.
    public mutating func append(int: Int) {
        if int < 0 { bytes.append(0x2D) }
        var n = int.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat { d[count] = UInt8(48 + n % 10); n /= 10; count += 1 } while n > 0
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(d[i]) }
        }
    }

    /// `x` with exactly `digits` decimals, the digits `formatFixed` gives, without an intermediate String.
    public mutating func append(fixed x: Double, digits: Int) {
        guard let (negative, n) = fixedDigits(x, digits: digits) else { append(formatFixed(x, digits: digits)); return }
        if negative { bytes.append(0x2D) }
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        append(int: n / scale)
        if digits > 0 {
            bytes.append(0x2E)
            var rest = n % scale
            var div = scale / 10
            while div > 0 { bytes.append(UInt8(48 + rest / div)); rest %= div; div /= 10 }
        }
    }
}
