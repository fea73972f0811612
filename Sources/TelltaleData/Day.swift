import Foundation

/// A calendar date as days since 1970-01-01 (proleptic Gregorian, no time zone).
///
/// Usage tables hold millions of dates; an `Int32` day number is four bytes,
/// compares and subtracts as an integer ("30 days before the observation
/// date" is `day - 30`) and never meets a time zone.
public struct Day: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public var number: Int32

    public init(number: Int32) { self.number = number }

    /// Days from civil date (Howard Hinnant's algorithm); nil for an impossible date.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(month: month, year: year) else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        number = Int32(era * 146_097 + doe - 719_468)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// (year, month, day).
    public var components: (year: Int, month: Int, day: Int) {
        let z = Int(number) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
    public var weekday: Int { Int(((Int64(number) % 7) + 7 + 3) % 7) }

    /// `YYYY-MM-DD`.
    public var description: String {
        if let s = withISOBytes({ String(decoding: $0, as: UTF8.self) }) { return s }
        let (y, m, d) = components
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// The ten bytes of `YYYY-MM-DD` for years 0-9999 (nil for others), made
    /// on the stack: `String(format:)` dominated writing a million-row score file.
    public func withISOBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        guard var bytes = isoBytes else { return nil }
        return withUnsafeBytes(of: &bytes) { body($0.bindMemory(to: UInt8.self)) }
    }

    /// `YYYY-MM-DD` as two little-endian words, the first eight bytes and the
    /// last two (nil outside years 0-9999): digits in pairs, no loop, no
    /// buffer, so a writer stores a date with two stores.
    public var isoBytes: (head: UInt64, tail: UInt16)? {
        let (y, m, d) = components
        guard (0...9999).contains(y) else { return nil }
        @inline(__always) func pair(_ v: Int) -> UInt64 { UInt64(48 + v / 10) | UInt64(48 + v % 10) << 8 }
        return (pair(y / 100) | pair(y % 100) << 16 | 0x2D << 32 | pair(m) << 40 | 0x2D << 56, UInt16(truncatingIfNeeded: pair(d)))
    }

    public static func < (a: Day, b: Day) -> Bool { a.number < b.number }
    public static func + (a: Day, days: Int) -> Day { Day(number: a.number + Int32(days)) }
    public static func - (a: Day, days: Int) -> Day { Day(number: a.number - Int32(days)) }
    public static func - (a: Day, b: Day) -> Int { Int(a.number) - Int(b.number) }

    /// Parses `YYYY-MM-DD` from bytes (surrounding spaces allowed); nil otherwise.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Day? {
        var s = 0, e = bytes.count
        while s < e, bytes[s] == 0x20 { s += 1 }
        while e > s, bytes[e - 1] == 0x20 || bytes[e - 1] == 0x0D { e -= 1 }
        guard e - s == 10, bytes[s + 4] == 0x2D, bytes[s + 7] == 0x2D else { return nil }
        func digits(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for k in from..<(from + count) {
                let d = bytes[k] &- 48
                if d > 9 { return nil }
                v = v * 10 + Int(d)
            }
            return v
        }
        guard let y = digits(s, 4), let m = digits(s + 5, 2), let d = digits(s + 8, 2) else { return nil }
        return Day(year: y, month: m, day: d)
    }

    /// The problem message for a cell that is not a date: what the contract
    /// expects, and what the value is when it is a common near miss (a
    /// warehouse timestamp, a date with slashes).
    public static func notADate(_ text: String, orEmpty: Bool = false) -> String {
        "is not " + expectedDate(text, orEmpty: orEmpty)
    }

    /// What `DataError.badValue` says was expected instead of `text` ("... is not" comes before it).
    public static func expectedDate(_ text: String, orEmpty: Bool = false) -> String {
        var message = "a date (expected YYYY-MM-DD" + (orEmpty ? " or empty" : "")
        if text.utf8.count > 10, parse(String(text.prefix(10))) != nil {
            message += "; this is a date and time: export the date alone"
        } else if text.contains("/") {
            message += "; a date with slashes reads as day/month or month/day"
        }
        return message + ")"
    }

    public static func parse(_ text: String) -> Day? {
        var t = text
        return t.withUTF8 { parse($0) }
    }

    /// Today in UTC, for defaults; commands take the clock as a parameter so tests can fix it.
    public static func today(now: Date = Date()) -> Day {
        Day(number: Int32((now.timeIntervalSince1970 / 86_400).rounded(.down)))
    }
}
