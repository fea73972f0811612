import Foundation
import Testing
import TelltaleAlerts
import TelltaleData
import TelltaleModel
import TelltaleScorer
import TelltaleSignals

/// The built-in trend rules compare an account's trend with its segment's on
/// the same date, so a season every account shares (the December holidays)
/// does not raise a trend alert on each of them, and a real decline still does.
@Suite struct SeasonalTrendRuleTests {
    static let asOf = Day.parse("2026-03-01")!

    /// Account i's logins `back` days before the as-of date: FALL (0) logs in
    /// every other day in the season.
    static func logins(_ i: Int, _ back: Int) -> Int { back > 45 ? 4 : i > 0 ? 2 : back % 2 }
    static func coreActions(_ i: Int, _ back: Int) -> Int { back > 45 ? 6 : i > 0 ? 3 : back % 2 == 0 ? 3 : 0 }

    /// The last 30 days' mean against the 90 days' before, as `logins_trend` is defined.
    static func trend(_ metric: (Int, Int) -> Int, _ i: Int) -> Double {
        let recent = (1...30).map { Double(metric(i, $0)) }.reduce(0, +) / 30
        let baseline = (31...120).map { Double(metric(i, $0)) }.reduce(0, +) / 90
        return recent / baseline
    }

    /// 15 accounts whose logins and core actions all halve in the last 45 days
    /// (a season), and `FALL`, down to an eighth over the same days.
    static func seasonalHistory() throws -> History {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-season-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var accounts = "account_id,segment,signup_date,contract_value,renewal_date,owner,seats\n"
        var usage = "account_id,date," + ScoringFixture.metrics.joined(separator: ",") + "\n"
        for i in 0...15 {
            let id = i == 0 ? "FALL" : String(format: "S%02d", i)
            accounts += "\(id),Mid,\(asOf - 400),\(10_000 * (i + 1)),\(asOf + 200),Ana,5\n"
            for back in 1...300 {
                usage += "\(id),\(asOf - back),\(logins(i, back)),3,4,\(coreActions(i, back)),0\n"
            }
        }
        try accounts.write(toFile: directory + "/accounts.csv", atomically: true, encoding: .utf8)
        try usage.write(toFile: directory + "/usage.csv", atomically: true, encoding: .utf8)
        var options = LoadOptions(accountsPath: directory + "/accounts.csv", usagePath: directory + "/usage.csv", renewalsPath: nil)
        options.progress = false
        return try HistoryLoader(options: options).load()
    }

    @Test func aSeasonEveryAccountSharesRaisesNoTrendAlertButADeclineBeyondItDoes() throws {
        let history = try Self.seasonalHistory()
        let model = try ScoringFixture.model(history: history)
        let run = try AccountScorer(model: model).score(history: history, asOf: Self.asOf)
        var fired: [String: Set<String>] = [:]
        for a in run.alerts where a.status == .fired { fired[a.accountID, default: []].insert(a.rule) }
        let trendRules: Set = ["logins_drop_33pct", "core_actions_drop_33pct", "low_and_declining"]
        #expect(fired["FALL"].map { trendRules.isSubset(of: $0) } == true, "\(fired)")
        for i in 1...15 {
            let id = String(format: "S%02d", i)
            #expect(fired[id, default: []].isDisjoint(with: trendRules), "\(id): \(fired[id, default: []])")
        }

        // Every other account's trend is the segment's median (15 of 16 accounts share it).
        let fallLogins = Self.trend(Self.logins, 0) / Self.trend(Self.logins, 1)
        let fallCore = Self.trend(Self.coreActions, 0) / Self.trend(Self.coreActions, 1)
        #expect(Self.trend(Self.logins, 1) <= 0.67 && Self.trend(Self.coreActions, 1) <= 0.67, "a season the raw rules read as a drop")
        let engine = try SignalEngine(history: history, definitions: SignalDefinition.defaults(metrics: ScoringFixture.metrics)
                                        + SignalDefinition.ruleOnly)
        let table = engine.table(for: history.scoringObservations(asOf: Self.asOf))
        let fall = try #require(table.observations.firstIndex { table.accountIDs[Int($0.account)] == "FALL" })
        #expect(abs(table.column("logins_trend")![fall] - Self.trend(Self.logins, 0)) < 1e-12)
        #expect(abs(table.column("logins_trend_vs_segment")![fall] - fallLogins) < 1e-12)
        #expect(abs(table.column("core_actions_trend_vs_segment")![fall] - fallCore) < 1e-12)
        #expect(fallLogins <= 0.67 && fallCore <= 0.67)

        // The same data on the raw trend, as the rules read it before: the season alerts everyone.
        var raw = AlertSettings()
        raw.rules = raw.rules.map { rule in
            var r = rule
            r.conditions = r.conditions.map { c in
                guard let base = c.signal.components(separatedBy: "_vs_segment").first, c.signal.hasSuffix("trend_vs_segment") else { return c }
                var plain = c
                plain.signal = base
                return plain
            }
            return r
        }
        #expect(raw.rules.contains { $0.signals == ["logins_trend"] })
        let before = try AccountScorer(model: model, alerts: raw).score(history: history, asOf: Self.asOf)
        let alerted = Set(before.alerts.filter { $0.status == .fired && $0.rule == "logins_drop_33pct" }.map(\.accountID))
        #expect(alerted.count == 16, "\(alerted.sorted())")
    }

    /// A flat table is one date's population: its rows are the cohort. A row's
    /// trend is compared with its segment's median, a segment under 10 rows
    /// with every row's.
    @Test func aFlatTablesTrendRulesCompareWithItsSegmentsMedianTrend() throws {
        let model = try ScoringFixture.model(history: try Self.seasonalHistory())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-season-flat-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var rows: [(id: String, segment: String, trend: Double)] = (1...12).map { ("M\($0)", "Mid", 0.5) }
        rows += [("X", "Mid", 0.3), ("Y", "Mid", 0.4), ("T1", "Tiny", 0.3), ("T2", "Tiny", 1.0)]
        var text = "account_id,segment,as_of,logins_30d,logins_trend\n"
        for r in rows { text += "\(r.id),\(r.segment),2026-03-01,60,\(r.trend)\n" }
        try text.write(toFile: directory + "/flat.csv", atomically: true, encoding: .utf8)
        let flat = try FlatScoringInput(path: directory + "/flat.csv", model: model)
        let run = AccountScorer(model: model).score(table: flat.table, facts: flat.facts, asOf: flat.asOf!)

        func median(_ v: [Double]) -> Double {
            let s = v.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        let mid = median(rows.filter { $0.segment == "Mid" }.map(\.trend)), all = median(rows.map(\.trend))
        let expected = Set(rows.filter { $0.trend / ($0.segment == "Mid" ? mid : all) <= 0.67 }.map(\.id))
        #expect(expected == ["X", "T1"])
        let fired = Set(run.alerts.filter { $0.status == .fired && $0.rule == "logins_drop_33pct" }.map(\.accountID))
        #expect(fired == expected)
    }
}
