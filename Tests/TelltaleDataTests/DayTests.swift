import Foundation
import Testing
@testable import TelltaleData

@Suite struct DayTests {
    @Test func dayNumbersAgreeWithFoundationsGregorianCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for n in stride(from: -135_000, to: 800_000, by: 997) { // 1600 onwards: Foundation switches to the Julian calendar before 1582
            let date = Date(timeIntervalSince1970: Double(n) * 86_400)
            let c = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            let day = Day(number: Int32(n))
            let (y, m, d) = day.components
            #expect(y == c.year && m == c.month && d == c.day, "day \(n)")
            #expect(Day(year: c.year!, month: c.month!, day: c.day!) == day)
            #expect((day.weekday + 1) % 7 + 1 == c.weekday, "weekday of \(day)") // Foundation: 1 = Sunday
        }
    }

    @Test func parsesAndPrintsIsoDates() {
        #expect(Day.parse("2026-11-22")?.description == "2026-11-22")
        #expect(Day.parse(" 2024-02-29 ")?.description == "2024-02-29")
        #expect(Day.parse("2026-11-22")!.weekday == 6, "a Sunday")
        #expect(Day.parse("1970-01-01")?.number == 0)
    }

    /// Dates are written as two stored words of digit pairs: the same text
    /// `String(format:)` gives from the components, for years 0-9999, and the
    /// formatted fallback outside them.
    @Test func isoBytesAreTheFormattedComponents() {
        for n in stride(from: -800_000, through: 3_000_000, by: 997) {
            let day = Day(number: Int32(n))
            let (y, m, d) = day.components
            let formatted = String(format: "%04d-%02d-%02d", y, m, d)
            var w = ByteWriter()
            w.append(day: day)
            #expect(w.string == formatted, "day \(n)")
            #expect(day.description == formatted)
            #expect((day.isoBytes == nil) == !(0...9999).contains(y))
        }
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "2024-00-10", "2024-1-01", "2024/01/01", "20240101", "", "2024-01-32", "abcd-ef-gh"])
    func rejectsImpossibleOrMisformattedDates(text: String) {
        #expect(Day.parse(text) == nil)
    }

    @Test func aCellThatIsNotADateIsToldWhatItLooksLike() {
        #expect(Day.notADate("2024-02-30") == "is not a date (expected YYYY-MM-DD)")
        #expect(Day.notADate("", orEmpty: true) == "is not a date (expected YYYY-MM-DD or empty)")
        for timestamp in ["2024-07-01 00:00:00", "2024-07-01T08:15:00Z"] {
            #expect(Day.notADate(timestamp) == "is not a date (expected YYYY-MM-DD; this is a date and time: export the date alone)")
        }
        #expect(Day.notADate("07/01/2024") == "is not a date (expected YYYY-MM-DD; a date with slashes reads as day/month or month/day)")
        #expect(Day.notADate("2024-13-01 00:00") == "is not a date (expected YYYY-MM-DD)", "no valid date in front")
    }
}
