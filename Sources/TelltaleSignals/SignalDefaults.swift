extension SignalDefinition {
    /// The signal set used when the config declares none: the domain's
    /// signals for the contract's standard metrics (logins, active_users,
    /// features_used, core_actions, session_minutes, support_cases, csat).
    /// Definitions whose metrics or dependencies are absent from the usage
    /// table are left out, so any subset of the standard metrics works.
    ///
    /// `core_actions_weekly_trend` (the median week of the last 8 against the
    /// 12 before) tells a steady decline from a vacation, which halves a
    /// 30-day trend as much: on simulated histories it scores the planted
    /// decline at ROC AUC 0.94-0.95 against 0.92-0.93 for `core_actions_trend`
    /// (renewals with the 140 days of history it needs), and adds 0.003-0.008
    /// to `train`'s holdout AUC (docs/training.md).
    ///
    /// `core_actions_weekly_t` (Welch's t of the active weeks, same periods)
    /// ranks that decline about as well, but on one scale for every account
    /// size, where the ratio reads a third of 3 actions a week like a third of
    /// 300: it raised `train`'s holdout AUC by 0.005-0.024 on all seven
    /// simulated histories measured.
    ///
    /// `core_actions_decline_probability` (the chance of a steady fall to a
    /// third over the last 13 weeks, against the 13 before) tests for the
    /// shape of a decline rather than any change, and as a probability it is
    /// on the scale a linear model can use: it reads the planted decline at
    /// ROC AUC 0.988 where the t reads 0.963, and raised `train`'s holdout AUC
    /// by 0.003-0.016 on all seven histories.
    ///
    /// The flags encode the domain's rules of thumb: no login for two weeks,
    /// more than 10 support cases in 30 days, CSAT under 5, under 60% of the
    /// segment median, a 33% drop against the account's previous 90 days, a
    /// single user in a team account, and "low and declining" together.
    public static func defaults(metrics: [String]) -> [SignalDefinition] {
        var kept: [SignalDefinition] = []
        for def in builtIn {
            let metricsPresent = def.metrics.allSatisfy(metrics.contains)
            let depsPresent = def.dependencies.allSatisfy { d in AccountSignal.named(d) != nil || kept.contains { $0.name == d } }
            if metricsPresent && depsPresent { kept.append(def) }
        }
        return kept
    }

    /// Every built-in signal's name, whatever the data's metrics: a name outside these, the
    /// config's and the account facts is a typo, where a built-in one may only lack its metric.
    public static var builtInNames: [String] { (builtIn + ruleOnly).map(\.name) }

    /// Built-in signals the alert rules read and no model does: each usage
    /// trend against its segment's median trend on the same date. A holiday
    /// lowers every account's 30-day trend together (on the sample, 24-31
    /// December took the segments' median `logins_trend` from 1.05 to 0.72-0.75
    /// through January, and the trend alerts fired from about 41 a week to
    /// 75-101), then raises it while it sits in the 90-day baseline (1.13-1.16
    /// in February-March, hiding real declines). Against the segment the season
    /// cancels. On the backtest of 10,000 accounts × 730 days the login-drop rule
    /// caught 653 churns of 1,639 at 19.7% precision, against 627 at 18.8% on the
    /// raw trend, with about as many alerts (docs/scoring.md). They stay out of
    /// the model's inputs, which learn the season from the renewals, and out of
    /// the pattern search: the scorer computes one only for a rule that reads it.
    public static let ruleOnly: [SignalDefinition] = [
        SignalDefinition(name: "logins_trend_vs_segment", kind: .cohort(CohortSignal(signal: "logins_trend"))),
        SignalDefinition(name: "core_actions_trend_vs_segment", kind: .cohort(CohortSignal(signal: "core_actions_trend"))),
    ]

    /// The whole built-in set, before leaving out what the data's metrics cannot compute.
    static var builtIn: [SignalDefinition] {
        func window(_ name: String, _ metric: String, _ days: Int, _ agg: WindowAggregate,
                    _ transform: SignalTransform = .none) -> SignalDefinition {
            SignalDefinition(name: name, kind: .window(WindowSignal(metric: metric, days: days, aggregate: agg)), transform: transform)
        }
        func flag(_ name: String, _ label: String, _ conditions: String...) -> SignalDefinition {
            SignalDefinition(name: name, kind: .flag(conditions.map { Condition(parsing: $0)! }), label: label)
        }
        return [
            window("logins_30d", "logins", 30, .sum, .log1p),
            window("days_since_login", "logins", 30, .daysSinceActive, .log1p),
            SignalDefinition(name: "logins_trend", kind: .trend(TrendSignal(metric: "logins"))),
            SignalDefinition(name: "logins_vs_segment", kind: .cohort(CohortSignal(signal: "logins_30d"))),
            window("active_users_max_30d", "active_users", 30, .max, .log1p),
            SignalDefinition(name: "users_per_seat", kind: .ratio(RatioSignal(numerator: "active_users_max_30d", denominator: "seats"))),
            window("features_used_max_30d", "features_used", 30, .max),
            window("core_actions_30d", "core_actions", 30, .sum, .log1p),
            SignalDefinition(name: "core_actions_trend", kind: .trend(TrendSignal(metric: "core_actions"))),
            SignalDefinition(name: "core_actions_weekly_trend",
                             kind: .trend(TrendSignal(metric: "core_actions", recent: 56, baseline: 84, statistic: .weeklyMedian))),
            SignalDefinition(name: "core_actions_weekly_t",
                             kind: .trend(TrendSignal(metric: "core_actions", recent: 56, baseline: 84, form: .t, statistic: .activeWeeks))),
            SignalDefinition(name: "core_actions_decline_probability",
                             kind: .trend(TrendSignal(metric: "core_actions", recent: 91, baseline: 91, form: .declineProbability,
                                                      statistic: .activeWeeks))),
            SignalDefinition(name: "core_actions_vs_segment", kind: .cohort(CohortSignal(signal: "core_actions_30d"))),
            window("session_minutes_30d", "session_minutes", 30, .sum, .log1p),
            SignalDefinition(name: "minutes_per_login", kind: .ratio(RatioSignal(numerator: "session_minutes_30d", denominator: "logins_30d")),
                             transform: .log1p),
            window("support_cases_30d", "support_cases", 30, .sum, .log1p),
            window("csat_min_30d", "csat", 30, .min),
            SignalDefinition(name: "missed_onboarding_14d",
                             kind: .milestone(MilestoneSignal(metric: "logins", within: 14, atLeast: 5)),
                             label: "onboarding missed (under 5 logins in the first 14 days)"),
            SignalDefinition(name: "missed_first_value_30d",
                             kind: .milestone(MilestoneSignal(metric: "core_actions", within: 30, atLeast: 10)),
                             label: "first value missed (under 10 core actions in the first 30 days)"),
            SignalDefinition(name: "missed_second_feature_60d",
                             kind: .milestone(MilestoneSignal(metric: "features_used", within: 60, atLeast: 2, aggregate: .max)),
                             label: "second feature missed (never 2 features in a day in the first 60 days)"),
            flag("no_login_14d", "no login for 14+ days", "days_since_login >= 14"),
            flag("support_over_10_30d", "more than 10 support cases in 30 days", "support_cases_30d > 10"),
            flag("csat_under_5", "CSAT under 5", "csat_min_30d < 5"),
            flag("logins_under_60pct_segment", "logins under 60% of the segment median", "logins_vs_segment < 0.6"),
            flag("logins_drop_33pct", "logins down 33%+ on the previous 90 days", "logins_trend <= 0.67"),
            flag("core_actions_drop_33pct", "core actions down 33%+ on the previous 90 days", "core_actions_trend <= 0.67"),
            flag("low_and_declining", "logins low for the segment and falling", "logins_vs_segment < 0.6", "logins_trend <= 0.67"),
            flag("single_user_team", "a single active user in a team account", "active_users_max_30d <= 1", "seats >= 5"),
            flag("shallow_adoption", "at most 2 features used", "features_used_max_30d <= 2"),
        ]
    }
}
