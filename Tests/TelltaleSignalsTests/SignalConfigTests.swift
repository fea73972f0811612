import Foundation
import Testing
import TelltaleConfig
import TelltaleSignals

@Suite struct SignalConfigTests {
    @Test func eachTransformsInverseGivesBackTheSignalsOwnValue() {
        for t in SignalTransform.allCases {
            for x in [0, 0.5, 3, 29, 1e4] {
                #expect(abs(t.inverse(t.apply(x)) - x) <= 1e-12 * max(1, x), "\(t) at \(x)")
            }
        }
        #expect(abs(SignalTransform.asinh.inverse(SignalTransform.asinh.apply(-7)) + 7) < 1e-12)
    }

    @Test func everyKindOfDefinitionIsReadFromYAML() throws {
        let yaml = """
        signals:
          lead_days: 45
          defaults: false
          define:
            - name: logins_30d
              window: {metric: logins, days: 30, aggregate: sum}
              transform: log1p
              missing: median
            - name: logins_trend
              trend: {metric: logins, recent: 28, baseline: 84, form: drop}
            - name: logins_weeks
              trend: {metric: logins, recent: 56, baseline: 84, statistic: weekly_median}
            - name: logins_active_t
              trend: {metric: logins, recent: 56, baseline: 84, form: t, statistic: active_weeks}
            - name: logins_decline
              trend: {metric: logins, recent: 91, baseline: 91, form: decline_probability, statistic: active_weeks, to: 0.25, prior: 0.05}
            - name: logins_vs_segment
              cohort: {signal: logins_30d, min_accounts: 20}
            - name: missed_onboarding
              milestone: {metric: logins, within: 14, at_least: 5}
            - name: users_per_seat
              ratio: {numerator: logins_30d, denominator: seats}
              missing: keep
            - name: low_and_declining
              flag: ["logins_vs_segment < 0.6", "logins_trend >= 33"]
              label: under 60% of the segment and falling
        """
        let config = try Configuration.parse(yaml, file: "t.yml", baseDirectory: ".")
        let s = config.signals
        #expect(s.leadDays == 45 && !s.useDefaults)
        var defs = s.resolved(metrics: ["logins"])
        #expect(defs.map(\.name) == ["logins_30d", "logins_trend", "logins_weeks", "logins_active_t", "logins_decline", "logins_vs_segment", "missed_onboarding", "users_per_seat", "low_and_declining"])
        #expect(defs[0].kind == .window(WindowSignal(metric: "logins", days: 30, aggregate: .sum)) && defs[0].transform == .log1p && defs[0].missing == .median)
        #expect(defs[1].kind == .trend(TrendSignal(metric: "logins", recent: 28, baseline: 84, form: .drop)))
        #expect(defs[2].kind == .trend(TrendSignal(metric: "logins", recent: 56, baseline: 84, statistic: .weeklyMedian)))
        #expect(defs[3].kind == .trend(TrendSignal(metric: "logins", recent: 56, baseline: 84, form: .t, statistic: .activeWeeks)))
        #expect(defs[3].missing == .value(0))
        #expect(defs[4].kind == .trend(TrendSignal(metric: "logins", recent: 91, baseline: 91, form: .declineProbability, statistic: .activeWeeks,
                                                   declineTo: 0.25, prior: 0.05)))
        #expect(defs[4].missing == .value(0.05)) // the prior: no evidence either way
        defs.removeSubrange(2...4)
        #expect(defs[2].kind == .cohort(CohortSignal(signal: "logins_30d", minimumAccounts: 20)))
        #expect(defs[3].kind == .milestone(MilestoneSignal(metric: "logins", within: 14, atLeast: 5)))
        #expect(defs[4].missing == .keep)
        #expect(defs[5].kind == .flag([Condition(signal: "logins_vs_segment", op: .lt, value: 0.6), Condition(signal: "logins_trend", op: .ge, value: 33)]))
        #expect(defs[5].label == "under 60% of the segment and falling")
        try SignalDefinition.validate(defs, metrics: ["logins"])
    }

    @Test func aDeclaredSignalReplacesTheDefaultOfTheSameName() throws {
        let yaml = "signals:\n  define:\n    - name: logins_30d\n      window: {metric: logins, days: 28}\n"
        let defs = try Configuration.parse(yaml, file: "t.yml", baseDirectory: ".").signals.resolved(metrics: ["logins"])
        #expect(defs.filter { $0.name == "logins_30d" }.count == 1)
        #expect(defs.first { $0.name == "logins_30d" }?.kind == .window(WindowSignal(metric: "logins", days: 28, aggregate: .sum)))
    }

    @Test func mistakesNameTheKeyAndLine() {
        func error(_ yaml: String) -> String {
            do { _ = try Configuration.parse(yaml, file: "t.yml", baseDirectory: "."); return "no error" } catch { return "\(error)" }
        }
        #expect(error("signals:\n  define:\n    - name: x\n      window: {metric: logins, days: 30, aggregate: median}\n")
            .contains("t.yml:4: 'signals.x.window.aggregate': expected one of sum, mean, max, min, last, days_active, days_since_active, found 'median'"))
        #expect(error("signals:\n  define:\n    - name: x\n      flag: logins is low\n").contains("is not a condition of the form"))
        #expect(error("signals:\n  define:\n    - name: x\n      trend: {metric: logins, statistic: median}\n")
            .contains("t.yml:4: 'signals.x.trend.statistic': expected one of mean, weekly_median, active_weeks, found 'median'"))
        #expect(error("signals:\n  define:\n    - name: x\n      window: {metric: logins, days: 30}\n      trend: {metric: logins}\n")
            .contains("give one kind, not window and trend"))
        #expect(error("signals:\n  define:\n    - name: x\n      windw: {metric: logins, days: 30}\n").contains("Did you mean 'window'?"))
        #expect(error("signals:\n  define:\n    - name: x\n      window: {days: 30}\n").contains("'metric' is required"))
        #expect(error("signals:\n  lead_days: -3\n").contains("t.yml:2: 'signals.lead_days'"))
        #expect(error("signals:\n  define:\n    - name: x\n      trend: {metric: logins, form: t, statistic: active_weeks, prior: 0.2}\n")
            .contains("t.yml:4: 'signals.x.trend.prior': prior belongs to form decline_probability; this trend's form is t"))
        #expect(error("signals:\n  define:\n    - name: x\n      trend: {metric: logins, quiet_weeks: skip}\n")
            .contains("t.yml:4: 'signals.x.trend.quiet_weeks': quiet_weeks belongs to a weekly statistic (weekly_median, active_weeks); this trend's is mean"))
        #expect(error("signals:\n  define:\n    - name: x\n      trend: {metric: logins, statistic: active_weeks, quiet_weeks: drop}\n")
            .contains("expected one of skip, keep, found 'drop'"))
    }

    /// A weekly trend skips the population's quiet weeks unless the config keeps them.
    @Test func aWeeklyTrendSkipsQuietWeeksUnlessTheConfigKeepsThem() throws {
        func trend(_ spec: String) throws -> TrendSignal? {
            let yaml = "signals:\n  define:\n    - name: x\n      trend: {metric: logins, \(spec)}\n"
            guard case let .trend(t)? = try Configuration.parse(yaml, file: "t.yml", baseDirectory: ".").signals.definitions.first?.kind else { return nil }
            return t
        }
        #expect(try trend("statistic: active_weeks")?.quietWeeks == .skip)
        #expect(try trend("statistic: weekly_median, quiet_weeks: keep")?.quietWeeks == .keep)
        #expect(try trend("statistic: mean")?.skipsQuietWeeks == false)
    }
}
