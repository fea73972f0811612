/// The kinds of alert the domain describes (docs/scoring.md, "Alerts").
public enum AlertType: String, Codable, CaseIterable, Comparable, Sendable {
    /// Well under the segment's median (e.g. logins under 60% of it).
    case cohort
    /// Falling against the account's own baseline (last 30 days vs the 90 before).
    case trend
    /// Low for the segment AND falling: fewer false alarms than either alone.
    case combined
    /// Few features in regular use.
    case adoption
    /// No use at all for a month.
    case abandonment
    /// An onboarding milestone missed on schedule.
    case milestone
    /// One active user in a team account.
    case singleUser = "single_user"
    /// The health band fell since the previous scoring run.
    case bandDrop = "band_drop"
    /// The account matches a combined pattern the model learned churns well above the base rate.
    case pattern

    /// Usage alerts are held back while a support case is open (the score still moves).
    public var isUsageAlert: Bool {
        switch self {
        case .cohort, .trend, .combined, .adoption, .abandonment: return true
        case .milestone, .singleUser, .bandDrop, .pattern: return false
        }
    }

    /// The types that fired at the previous run and do not fire now, in
    /// declaration order: what a feed closes (`score`'s `ended_alert_types`,
    /// `alerts list --status ended`). Held back now counts as not firing.
    public static func ended(firedBefore: Set<AlertType>, firingNow: (AlertType) -> Bool) -> [AlertType] {
        allCases.filter { firedBefore.contains($0) && !firingNow($0) }
    }

    public static func < (a: AlertType, b: AlertType) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// How soon a CSM should act (domain section 5).
public enum Severity: Int, Codable, CaseIterable, Comparable, Sendable, CustomStringConvertible {
    case none, low, medium, high, critical

    public init?(name: String) {
        guard let s = Severity.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = s
    }

    public var description: String {
        switch self {
        case .none: return "none"
        case .low: return "low"
        case .medium: return "medium"
        case .high: return "high"
        case .critical: return "critical"
        }
    }

    /// Moves the severity by `steps` within low...critical (an alert never drops to none).
    public func shifted(by steps: Int) -> Severity {
        Severity(rawValue: min(Severity.critical.rawValue, max(Severity.low.rawValue, rawValue + steps)))!
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
}
