import Foundation

/// Parses a decimal number from ASCII bytes without going through `String`.
///
/// Bulk CSV numbers are the hot path of every command: Foundation's
/// `Double(String)` on each cell was 40x slower than parsing bytes
/// (`../shared/platform-notes.md`). The fast path is Clinger's: when the
/// decimal mantissa fits in 53 bits and the power of ten is at most 22, one
/// multiplication or division by an exact power of ten is correctly rounded.
/// Everything else (long mantissas, large exponents, inf/nan spellings) goes to
/// `strtod`, so results are always the correctly rounded double.
public enum NumberParsing {
    @usableFromInline static let exactPowersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// The number in `bytes`, or nil if the bytes are not a number. Leading and
    /// trailing spaces are allowed; an empty field is not a number (the caller
    /// decides that empty means missing).
    public static func parseDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0D { end -= 1 }
        if start == end { return nil }
        var i = start
        var negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if bytes[i] == UInt8(ascii: "+") { i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while i < end, bytes[i] &- 48 < 10 {
            sawDigit = true
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 48); if mantissa != 0 { digits += 1 } }
            else { exponent += 1 }
            i += 1
        }
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, bytes[i] &- 48 < 10 {
                sawDigit = true
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 48)
                    if mantissa != 0 { digits += 1 }
                    exponent -= 1
                }
                i += 1
            }
        }
        if !sawDigit { return slowPath(bytes, start, end) }
        if i < end, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < end, bytes[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if i < end, bytes[i] == UInt8(ascii: "+") { i += 1 }
            var e = 0
            var sawExpDigit = false
            while i < end, bytes[i] &- 48 < 10 {
                sawExpDigit = true
                if e < 100_000 { e = e * 10 + Int(bytes[i] &- 48) }
                i += 1
            }
            if !sawExpDigit { return nil }
            exponent += expNegative ? -e : e
        }
        if i != end { return nil }
        if digits >= 19 { return slowPath(bytes, start, end) } // may have dropped digits
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        if mantissa < (1 << 53) && exponent >= -22 && exponent <= 22 {
            var v = Double(mantissa)
            if exponent >= 0 { v *= exactPowersOfTen[exponent] } else { v /= exactPowersOfTen[-exponent] }
            return negative ? -v : v
        }
        return slowPath(bytes, start, end)
    }

    /// `strtod` on a NUL-terminated copy; rejects trailing garbage and hex forms.
    static func slowPath(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let count = end - start
        for k in start..<end where bytes[k] | 0x20 == UInt8(ascii: "x") { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buf -> Double? in
            for k in 0..<count { buf[k] = CChar(bitPattern: bytes[start + k]) }
            buf[count] = 0
            var endPtr: UnsafeMutablePointer<CChar>?
            let v = strtod(buf.baseAddress!, &endPtr)
            guard let e = endPtr, e == buf.baseAddress! + count else { return nil }
            return v
        }
    }

    /// The value of a short plain decimal, `[-]digits[.digits]` of 1 to 8
    /// bytes (the usual export cell: "0", "12.0", "1.484", "-3.5"), held in the
    /// top `count` bytes of `word` (first byte lowest, as loaded from memory
    /// ending at the field's end); nil for anything else, which
    /// `parseDouble` then reads. The same value `parseDouble` gives: at most 8
    /// digits are exact in a Double and one division by an exact power of ten
    /// is correctly rounded.
    ///
    /// Without a loop over the bytes: the bytes below the field become leading
    /// zeros, a minus becomes one too, the point is found by a zero-byte test
    /// and closed up, then `Bytes.eightDigits` checks and converts the digits.
    @inline(__always)
    static func shortDecimal(_ word: UInt64, count: Int) -> Double? {
        let below = UInt64(8 * (8 - count))
        let field: UInt64 = count >= 8 ? ~0 : ~((1 << below) &- 1)
        var w = (word & field) | (0x3030_3030_3030_3030 & ~field)
        var digits = count
        let negative = (w >> below) & 0xFF == 0x2D
        if negative { w ^= (0x2D ^ 0x30) << below; digits -= 1 }
        let x = w ^ 0x2E2E_2E2E_2E2E_2E2E
        let point = (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
        var decimals = 0
        if point != 0 {
            // The lowest zero byte is a real one (borrows only disturb bytes above it).
            let j = UInt64(point.trailingZeroBitCount / 8)
            decimals = 7 - Int(j)
            let above = j == 7 ? 0 : w & (~0 << (8 * j + 8))
            let under = j == 0 ? 0 : w & ((1 << (8 * j)) &- 1)
            w = above | (under << 8) | 0x30
            digits -= 1
        }
        guard digits > 0, let v = Bytes.eightDigits(w) else { return nil }
        let value = Double(v) / exactPowerOfTen(decimals)
        return negative ? -value : value
    }

    /// 10^k for k in 0...7 without a branch or a table: 10^(k mod 4) from
    /// four 16-bit fields of one constant, times 10^4 when k >= 4 (a switch
    /// mispredicted on cells of varying decimals; a static array costs a
    /// lazy-initialisation check per read, a tuple on the stack was slower still).
    @inline(__always)
    static func exactPowerOfTen(_ k: Int) -> Double {
        let low = (UInt64(0x03E8_0064_000A_0001) >> UInt64(16 * (k & 3))) & 0xFFFF
        return Double(low * (k >= 4 ? 10_000 : 1))
    }

    public static func parseDouble(_ text: String) -> Double? {
        var s = text
        return s.withUTF8 { parseDouble($0) }
    }
}

/// `x` with exactly `digits` decimals ("0.1648", "83.5"), the same digits as `%.*f` but
/// without Foundation's format machinery, which dominated writing large score
/// files. A negative value that rounds to zero is written without its sign. Values
/// past 1e15 and non-finite ones fall back to `String(format:)`.
public func formatFixed(_ x: Double, digits: Int) -> String {
    var w = ByteWriter(capacity: 24)
    guard fixedDigits(x, digits: digits) != nil else { return String(format: "%.\(digits)f", x) }
    w.append(fixed: x, digits: digits)
    return w.string
}

/// The sign and the integer |x|·10^digits rounded as printf rounds the exact
/// binary value: p is the nearest double to the product and e the exact
/// remainder (a fused multiply-add), so a tie in p is broken by the sign of
/// e, and a true tie goes to the even digit. nil past 1e15 or non-finite.
func fixedDigits(_ x: Double, digits: Int) -> (negative: Bool, digits: Int)? {
    precondition((0...9).contains(digits))
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let a = abs(x), p = a * scale
    guard x.isFinite, p < 1e15 else { return nil }
    let e = (-p).addingProduct(a, scale)
    let low = p.rounded(.down), fraction = p - low
    var scaled = low
    if fraction > 0.5 || (fraction == 0.5 && (e > 0 || (e == 0 && low.truncatingRemainder(dividingBy: 2) == 1))) { scaled += 1 }
    return (x < 0 && scaled > 0, Int(scaled))
}
