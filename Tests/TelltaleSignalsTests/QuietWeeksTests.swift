import Foundation
import Testing
import TelltaleData
@testable import TelltaleSignals

/// Weeks the whole population went quiet in (holidays) are left out of weekly
/// trends that skip them: found from the data alone, with no later data.
@Suite struct QuietWeeksTests {
    static let dataStart = Day(year: 2025, month: 1, day: 1)!
    /// A holiday of 8 days and one of a day, 200 and 300 days into the data.
    static let holidays: Set<Int32> = Set((200..<208).map { dataStart.number + Int32($0) } + [dataStart.number + 300])

    /// A random history of `accounts` accounts, every count zero on the holidays.
    static func history(accounts: Int, seed: UInt64 = 8, extraHoliday: Int32? = nil) -> History {
        var b = HistoryBuilder.random(seed: seed, accounts: accounts)
        let quiet = holidays.union(extraHoliday.map { [$0] } ?? [])
        for k in b.rows.indices where quiet.contains(b.rows[k].day.number) {
            b.rows[k].values = b.rows[k].values.enumerated().map { m, v in b.isLevel[m] ? v : 0 }
        }
        return b.build()
    }

    static func quietDays(_ history: History, _ metric: String) -> [Int32] {
        QuietDays(usage: history.usage, metric: history.usage.metrics.firstIndex(of: metric)!).days
    }

    @Test func theHolidaysAreTheQuietDaysAndTheWeeklyTrendsAgreeWithABruteForceWalk() throws {
        let history = Self.history(accounts: 150)
        let brute = BruteForceSignals(history: history, definitions: everyKind)
        for metric in ["logins", "core_actions"] {
            #expect(Set(Self.quietDays(history, metric)) == Self.holidays, "\(metric)")
            #expect(brute.quietDays(history.usage.metrics.firstIndex(of: metric)!) == Self.holidays, "\(metric), brute force")
        }
        #expect(Self.quietDays(history, "csat").isEmpty, "a level has no total")

        // The weekly trends (which read no other signal), on dates whose weeks meet the holidays.
        let weeklyKinds = everyKind.filter { if case let .trend(t) = $0.kind { return t.statistic.isWeekly } else { return false } }
        let weeklyBrute = BruteForceSignals(history: history, definitions: weeklyKinds)
        var obs: [Observation] = []
        for offset in stride(from: 195, through: 399, by: 17) { obs += history.scoringObservations(asOf: Self.dataStart + offset) }
        let weeklyTable = try SignalEngine(history: history, definitions: weeklyKinds).table(for: obs)
        var checked = 0
        for (r, o) in obs.enumerated() {
            let expected = weeklyBrute.values(Int(o.account), o.asOf)
            for s in weeklyKinds.indices {
                #expect(sameValue(weeklyTable.raw[s][r], expected[s]),
                        "\(weeklyKinds[s].name) for \(history.accounts.ids[Int(o.account)]) as of \(o.asOf): engine \(weeklyTable.raw[s][r]), brute force \(expected[s])")
                checked += 1
            }
        }
        #expect(checked > 5_000)
        let table = try SignalEngine(history: history, definitions: everyKind).table(for: obs)

        // Kept instead, the holiday weeks change the weekly trends over them.
        let kept = everyKind.map { def -> SignalDefinition in
            guard case var .trend(t) = def.kind, t.statistic.isWeekly else { return def }
            t.quietWeeks = .keep
            var d = def
            d.kind = .trend(t)
            return d
        }
        let keptTable = try SignalEngine(history: history, definitions: kept).table(for: obs)
        // Of a count: a level (CSAT) has no total, so no quiet day.
        let weekly = everyKind.indices.filter {
            if case let .trend(t) = everyKind[$0].kind { return t.skipsQuietWeeks && t.metric != "csat" } else { return false }
        }
        #expect(weekly.count >= 4)
        for s in weekly {
            let differing = obs.indices.filter { !sameValue(table.raw[s][$0], keptTable.raw[s][$0]) }.count
            #expect(differing > obs.count / 10, "\(everyKind[s].name): \(differing) of \(obs.count) differ")
        }
        for s in everyKind.indices where !weekly.contains(s) { #expect(zip(table.raw[s], keptTable.raw[s]).allSatisfy(sameValue)) }
    }

    /// A day is judged by data dated up to itself: a later holiday changes no earlier day.
    @Test func aDayIsQuietOrNotWhateverComesAfterIt() {
        let later = Self.dataStart.number + 350
        let before = Self.quietDays(Self.history(accounts: 150), "logins")
        let after = Self.quietDays(Self.history(accounts: 150, extraHoliday: later), "logins")
        #expect(after == (before + [later]).sorted())
    }

    /// Weekly rows (each dated by its week's last day): a week under half the total of the 8
    /// before is quiet, a week with one holiday in it is not.
    @Test func weeklyRowsHaveQuietWeeks() {
        var b = HistoryBuilder(metrics: ["logins"], isLevel: [false])
        var rng = SeededRandom(seed: 5)
        let lastDays = (0..<60).map { Self.dataStart + (7 * $0 + 6) }
        for a in 0..<80 {
            b.ids.append("A\(a)"); b.segments.append("S"); b.signups.append(Self.dataStart - 400); b.seats.append(5)
            for (k, day) in lastDays.enumerated() {
                let normal = Double(rng.int(20...40))
                // Weeks 30 and 31: a two-week shutdown at a tenth of the use; week 40: one holiday of seven days.
                let value = k == 30 || k == 31 ? (normal / 10).rounded() : k == 40 ? (normal * 6 / 7).rounded() : normal
                b.rows.append(.init(account: a, day: day, values: [value]))
            }
        }
        var history = b.build()
        history.usage.rowDays = 7
        #expect(Self.quietDays(history, "logins") == [lastDays[30], lastDays[31]].map(\.number))
    }

    /// Fewer than 30 accounts with some use on the days compared cannot tell a
    /// holiday from chance: no day is quiet, every week counts.
    @Test func aSmallPopulationHasNoQuietDays() {
        #expect(Self.quietDays(Self.history(accounts: 30), "logins").isEmpty)
    }

    @Test func aWeeklyTrendSkipsQuietWeeksUnlessTheModelFileSaysOtherwise() throws {
        let skip = TrendSignal(metric: "core_actions", recent: 56, baseline: 84, form: .t, statistic: .activeWeeks)
        #expect(skip.quietWeeks == .skip && skip.skipsQuietWeeks)
        #expect(!TrendSignal(metric: "logins").skipsQuietWeeks, "a mean-day trend counts every day")
        let json = String(decoding: try JSONEncoder().encode(skip), as: UTF8.self)
        #expect(json.contains(#""quiet_weeks":"skip""#))
        #expect(try JSONDecoder().decode(TrendSignal.self, from: Data(json.utf8)) == skip)
        // A format-6 file has no key: it kept those weeks, and reads so.
        let old = #"{"metric":"core_actions","recent":56,"baseline":84,"form":"t","statistic":"active_weeks"}"#
        let read = try JSONDecoder().decode(TrendSignal.self, from: Data(old.utf8))
        #expect(read.quietWeeks == .keep && !read.skipsQuietWeeks)
        #expect(!String(decoding: try JSONEncoder().encode(read), as: UTF8.self).contains("quiet_weeks"), "written back as it was")
    }
}
