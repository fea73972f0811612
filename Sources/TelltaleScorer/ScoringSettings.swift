/// The `scoring:` section of the config: when an account is scored at all.
public struct ScoringSettings: Equatable, Sendable {
    /// Accounts with fewer days of usage before the as-of date are rejected
    /// (listed with the reason): the model's 30-day windows do not exist yet.
    public var minimumHistoryDays = 30
    /// Accounts whose model signals are missing (and would be imputed) in a
    /// larger share than this are rejected rather than scored on medians.
    public var maximumImputedShare = 0.5
    /// How many reasons each row gives.
    public var reasonCount = 3

    public init() {}
}
