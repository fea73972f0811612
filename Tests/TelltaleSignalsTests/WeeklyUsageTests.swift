import Foundation
import Testing
import TelltaleData
@testable import TelltaleSignals

/// Weekly usage rows (`data.granularity: weekly`) against the same usage as
/// daily rows: a random daily history written both ways and read back by the
/// loader. A weekly row is the week's sums, dated by its Monday.
@Suite struct WeeklyUsageTests {
    static let definitions: [SignalDefinition] = {
        func w(_ name: String, _ metric: String, _ days: Int, _ agg: WindowAggregate) -> SignalDefinition {
            SignalDefinition(name: name, kind: .window(WindowSignal(metric: metric, days: days, aggregate: agg)))
        }
        func t(_ name: String, _ form: TrendSignal.Form, _ statistic: TrendSignal.Statistic) -> SignalDefinition {
            SignalDefinition(name: name, kind: .trend(TrendSignal(metric: "core_actions", recent: 56, baseline: 84, form: form, statistic: statistic)))
        }
        return [w("logins_sum_28", "logins", 28, .sum), w("core_sum_84", "core_actions", 84, .sum), w("logins_mean_28", "logins", 28, .mean),
                w("logins_sum_7", "logins", 7, .sum), w("logins_last_7", "logins", 7, .last),
                w("logins_max_28", "logins", 28, .max), w("logins_min_28", "logins", 28, .min), w("logins_active_28", "logins", 28, .daysActive),
                t("core_weekly_median", .ratio, .weeklyMedian), t("core_t", .t, .activeWeeks), t("core_decline", .declineProbability, .activeWeeks)]
    }()

    /// The same random usage as daily rows and as weekly sums, loaded.
    static func histories(seed: UInt64) throws -> (daily: History, weekly: History) {
        let built = HistoryBuilder.random(seed: seed, accounts: 60).build()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-weekly-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var accounts = "account_id,segment,signup_date,contract_value\n"
        for a in 0..<built.accounts.count {
            accounts += "\(built.accounts.ids[a]),\(built.accounts.segment[a]),\(built.accounts.signup[a]),1000\n"
        }
        let u = built.usage
        let header = "account_id,date," + u.metrics.joined(separator: ",") + "\n"
        func cell(_ v: Double) -> String { v.isNaN ? "" : String(v) }
        var daily = header, weekly = header
        for a in 0..<built.accounts.count {
            var weeks: [Int32: [Double]] = [:] // Monday -> sums (NaN while no value)
            for r in u.rows(of: a) {
                let values = (0..<u.metrics.count).map { u.values[$0][r] }
                daily += "\(built.accounts.ids[a]),\(Day(number: u.day[r]))," + values.map(cell).joined(separator: ",") + "\n"
                let monday = u.day[r] - Int32(Day(number: u.day[r]).weekday)
                var sums = weeks[monday] ?? Array(repeating: .nan, count: values.count)
                for (m, v) in values.enumerated() where !v.isNaN { sums[m] = sums[m].isNaN ? v : sums[m] + v }
                weeks[monday] = sums
            }
            for monday in weeks.keys.sorted() {
                weekly += "\(built.accounts.ids[a]),\(Day(number: monday))," + weeks[monday]!.map(cell).joined(separator: ",") + "\n"
            }
        }
        try accounts.write(toFile: dir + "/accounts.csv", atomically: true, encoding: .utf8)
        try daily.write(toFile: dir + "/daily.csv", atomically: true, encoding: .utf8)
        try weekly.write(toFile: dir + "/weekly.csv", atomically: true, encoding: .utf8)
        func load(_ file: String, rowDays: Int) throws -> History {
            var options = LoadOptions(accountsPath: dir + "/accounts.csv", usagePath: dir + "/" + file, renewalsPath: nil)
            options.progress = false
            options.rowDays = rowDays
            options.metrics = u.metrics
            options.levelMetrics = ["csat"]
            return try HistoryLoader(options: options).load()
        }
        return (try load("daily.csv", rowDays: 1), try load("weekly.csv", rowDays: 7))
    }

    /// As of any day D, weekly rows give what daily rows give as of the Monday
    /// on or before D: only weeks that are over by D count, so none of the days
    /// from D on (the leakage a week's row dated by its Monday would bring).
    @Test(arguments: [1, 2, 3] as [UInt64])
    func weeklyRowsAsOfAnyDayGiveTheDailyValuesAsOfTheMondayBefore(seed: UInt64) throws {
        let (daily, weekly) = try Self.histories(seed: seed)
        let defs = Self.definitions
        let dailyEngine = try SignalEngine(history: daily, definitions: defs)
        let weeklyEngine = try SignalEngine(history: weekly, definitions: defs)
        // Every weekday, well inside the data (2025-01-01 to 2026-02-04).
        let dates = (0..<14).map { Day(year: 2025, month: 8, day: 4)! + 11 * $0 } // Monday, then every weekday in turn
        #expect(Set(dates.map(\.weekday)).count == 7)
        var asOf: [Observation] = [], mondays: [Observation] = []
        for d in dates {
            for a in 0..<weekly.accounts.count where weekly.accounts.signup[a] + 160 <= d {
                asOf.append(Observation(account: Int32(a), asOf: d))
                mondays.append(Observation(account: Int32(a), asOf: d - d.weekday))
            }
        }
        let w = weeklyEngine.table(for: asOf), m = dailyEngine.table(for: mondays)
        func column(_ t: SignalTable, _ name: String) -> [Double] { t.column(name)! }
        var compared = 0
        for name in ["logins_sum_28", "core_sum_84", "logins_mean_28", "logins_sum_7", "core_weekly_median", "core_t", "core_decline"] {
            for (r, (x, y)) in zip(column(w, name), column(m, name)).enumerated() {
                #expect(sameValue(x, y), "seed \(seed) \(name) as of \(asOf[r].asOf): weekly \(x), daily as of the Monday \(y)")
                if !x.isNaN { compared += 1 }
            }
        }
        // The last, largest, smallest and active weeks of the four before the
        // Monday, from the daily rows: a week without rows is no row (0 for a
        // count), a week whose cells are all empty an empty cell (left out).
        let logins = daily.usage.metrics.firstIndex(of: "logins")!
        var withoutRows = 0
        for (r, o) in mondays.enumerated() {
            let weeks = (0..<4).map { k -> (rows: Bool, sum: Double) in
                let days = (o.asOf - 7 * (k + 1)).number..<(o.asOf - 7 * k).number
                let rows = daily.usage.rows(of: Int(o.account)).filter { days.contains(daily.usage.day[$0]) }
                let values = rows.map { daily.usage.values[logins][$0] }.filter { !$0.isNaN }
                return (!rows.isEmpty, values.isEmpty ? .nan : values.reduce(0, +))
            }
            let known = weeks.map(\.sum).filter { !$0.isNaN } + (weeks.allSatisfy(\.rows) ? [] : [0])
            let context = "seed \(seed), \(weekly.accounts.ids[Int(o.account)]) as of \(asOf[r].asOf)"
            #expect(sameValue(column(w, "logins_last_7")[r], weeks[0].rows ? weeks[0].sum : 0), "\(context)")
            #expect(sameValue(column(w, "logins_max_28")[r], known.max() ?? .nan), "\(context)")
            #expect(sameValue(column(w, "logins_min_28")[r], known.min() ?? .nan), "\(context)")
            #expect(column(w, "logins_active_28")[r] == Double(weeks.filter { $0.sum > 0 }.count), "\(context)")
            if !weeks.allSatisfy(\.rows) { withoutRows += 1 }
        }
        #expect(asOf.count > 300 && compared > 1500, "seed \(seed): \(asOf.count) rows, \(compared) known values compared")
        #expect(withoutRows > 20, "seed \(seed): \(withoutRows) rows with a week of no usage among the last four")
    }
}
