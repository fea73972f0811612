import Testing
import TelltaleAlerts
import TelltaleSignals

@Suite struct PlaybookTypesTests {
    static let standardMetrics = ["logins", "active_users", "features_used", "core_actions", "session_minutes", "support_cases", "csat"]

    /// Every built-in signal against the default rules, written out by hand:
    /// the rules decide first, a missed milestone goes by its metric, and
    /// support and CSAT point nowhere.
    @Test func theBuiltInSignalsPointToThePlaybooksOfTheDefaultRules() {
        let types = PlaybookTypes(rules: AlertRule.defaults, definitions: SignalDefinition.defaults(metrics: Self.standardMetrics))
        let expected: [String: AlertType?] = [
            "logins_30d": .cohort, "days_since_login": .abandonment, "logins_trend": .trend, "logins_vs_segment": .cohort,
            "active_users_max_30d": .singleUser, "users_per_seat": .singleUser, "features_used_max_30d": .adoption,
            "core_actions_30d": .trend, "core_actions_trend": .trend, "core_actions_weekly_trend": .trend,
            "core_actions_weekly_t": .trend, "core_actions_decline_probability": .trend, "core_actions_vs_segment": .trend,
            "session_minutes_30d": nil, "minutes_per_login": .cohort, "support_cases_30d": nil, "csat_min_30d": nil,
            "missed_onboarding_14d": .cohort, "missed_first_value_30d": .trend, "missed_second_feature_60d": .adoption,
            "no_login_14d": .abandonment, "support_over_10_30d": nil, "csat_under_5": nil,
            "logins_under_60pct_segment": .cohort, "logins_drop_33pct": .trend, "core_actions_drop_33pct": .trend,
            "low_and_declining": .combined, "single_user_team": .singleUser, "shallow_adoption": .adoption,
            "logins_trend_vs_segment": .trend, "core_actions_trend_vs_segment": .trend,
        ]
        #expect(Set(expected.keys) == Set(SignalDefinition.builtInNames), "a new built-in signal needs its expected playbook here")
        for (name, type) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(types.type(ofSignal: name) == type, "\(name)")
        }
    }

    /// The config's rules are what a signal reads as: a rule on support cases
    /// gives them its playbook, and without rules only a trend has one.
    @Test func theConfigsRulesDecideWhatASignalPointsTo() {
        let definitions = SignalDefinition.defaults(metrics: Self.standardMetrics)
        let support = AlertRule(name: "support_storm", type: .abandonment, conditions: [Condition(parsing: "support_cases_30d > 20")!],
                                severity: .high, label: "support storm")
        let withSupport = PlaybookTypes(rules: [support] + AlertRule.defaults, definitions: definitions)
        #expect(withSupport.type(ofSignal: "support_cases_30d") == .abandonment)
        #expect(withSupport.type(ofSignal: "support_over_10_30d") == .abandonment, "a flag on it too")
        let none = PlaybookTypes(rules: [], definitions: definitions)
        #expect(none.type(ofSignal: "core_actions_weekly_t") == .trend)
        #expect(none.type(ofSignal: "logins_30d") == nil)
        #expect(none.type(ofSignal: "missed_second_feature_60d") == nil)
        #expect(none.type(ofSignal: "no_such_signal") == nil)
    }

    /// Signals that refer to each other in a loop (a hand-edited model file)
    /// end the search instead of recursing for ever.
    @Test func aLoopOfSignalsEndsTheSearch() {
        let a = SignalDefinition(name: "a", kind: .ratio(RatioSignal(numerator: "b", denominator: "seats")))
        let b = SignalDefinition(name: "b", kind: .cohort(CohortSignal(signal: "a")))
        let types = PlaybookTypes(rules: [], definitions: [a, b])
        #expect(types.type(ofSignal: "a") == .cohort)
        #expect(types.type(ofSignal: "b") == .cohort)
    }
}
