import TelltaleSignals

/// One alert rule: fires when every condition holds (conditions read signals
/// by name, or the account built-ins `seats`, `contract_value`, `tenure_days`).
public struct AlertRule: Codable, Equatable, Sendable {
    /// Unique; what the history database and the backtest count alerts by.
    public var name: String
    public var type: AlertType
    public var conditions: [Condition]
    /// Before contract value and renewal date move it (see `SeverityPolicy`).
    public var severity: Severity
    /// Whether the conditions must hold at every grace check date, not only
    /// today: a two-week holiday of zero use then does not alert.
    public var grace: Bool
    /// Plain words for the alert ("logins under 60% of the segment median").
    public var label: String

    public init(name: String, type: AlertType, conditions: [Condition], severity: Severity, grace: Bool? = nil, label: String) {
        self.name = name
        self.type = type
        self.conditions = conditions
        self.severity = severity
        self.grace = grace ?? (type != .milestone)
        self.label = label
    }

    /// The signals and built-ins the rule reads.
    public var signals: [String] { conditions.map(\.signal) }

    /// The rules of the domain (sections 4 and 5) on the built-in signals:
    /// cohort-relative under 60% of the segment median, a 33% drop against the
    /// previous 90 days (measured against the segment's trend on the same date,
    /// so a holiday everyone takes is not a drop: `SignalDefinition.ruleOnly`),
    /// both together, shallow adoption, a month without a
    /// login, the three onboarding milestones (for accounts up to 120 days
    /// old: a milestone missed years ago is not news), a single user in a team.
    public static let defaults: [AlertRule] = {
        // A milestone is binary and a month without a login is a duration
        // already: neither needs the grace period.
        func rule(_ name: String, _ type: AlertType, _ severity: Severity, _ label: String, _ conditions: String...) -> AlertRule {
            AlertRule(name: name, type: type, conditions: conditions.map { Condition(parsing: $0)! }, severity: severity,
                      grace: type != .milestone && type != .abandonment, label: label)
        }
        return [
            rule("logins_under_60pct_segment", .cohort, .medium, "logins under 60% of the segment median", "logins_vs_segment < 0.6"),
            rule("logins_drop_33pct", .trend, .medium, "logins down 33%+ on the previous 90 days, beyond the segment's own change",
                 "logins_trend_vs_segment <= 0.67"),
            rule("core_actions_drop_33pct", .trend, .medium, "core actions down 33%+ on the previous 90 days, beyond the segment's own change",
                 "core_actions_trend_vs_segment <= 0.67"),
            rule("low_and_declining", .combined, .high, "logins low for the segment and falling faster than it",
                 "logins_vs_segment < 0.6", "logins_trend_vs_segment <= 0.67"),
            rule("shallow_adoption", .adoption, .low, "at most 2 features used in a day over 30 days", "features_used_max_30d <= 2"),
            rule("no_login_30d", .abandonment, .high, "no login for 30+ days", "days_since_login >= 30"),
            rule("missed_onboarding_14d", .milestone, .high, "onboarding missed: under 5 logins in the first 14 days",
                 "missed_onboarding_14d >= 1", "tenure_days <= 120"),
            rule("missed_first_value_30d", .milestone, .high, "first value missed: under 10 core actions in the first 30 days",
                 "missed_first_value_30d >= 1", "tenure_days <= 120"),
            rule("missed_second_feature_60d", .milestone, .medium, "second feature missed in the first 60 days",
                 "missed_second_feature_60d >= 1", "tenure_days <= 120"),
            rule("single_user_team", .singleUser, .high, "a single active user in a team account of 5+ seats",
                 "active_users_max_30d <= 1", "seats >= 5"),
        ]
    }()
}

extension AlertRule {
    /// A message for each rule that reads a name no signal has here: not among `known`
    /// (the model's and the config's signals), not built in, not an account fact. That is
    /// a typo (`contract_valu`), and its rule would never fire without anyone noticing;
    /// a built-in signal whose metric the data lacks only leaves its rule out, with a warning.
    public static func unknownSignals(_ rules: [AlertRule], known: Set<String>) -> [String] {
        let names = known.union(SignalDefinition.builtInNames).union(AccountSignal.allCases.map(\.rawValue))
        return rules.flatMap { rule in
            rule.signals.filter { !names.contains($0) }.map { signal in
                "alert rule '\(rule.name)' reads '\(signal)', which is no signal: not built in, not in signals.define, not an account fact"
                    + (closestName(to: signal, among: names.sorted()).map { " (did you mean '\($0)'?)" } ?? "")
            }
        }
    }
}
