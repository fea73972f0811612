/// Each account's renewal decisions in date order: the renewal an account was
/// heading for on a date, and how it went. The scorer dates a past as-of
/// date's renewal from it; the backtest also reads the outcome.
public struct RenewalsByAccount: Sendable {
    private var decisions: [[(date: Day, churned: Bool)]]

    public init(_ renewals: Renewals, accounts: Int) {
        var decisions = Array(repeating: [(date: Day, churned: Bool)](), count: accounts)
        for r in 0..<renewals.count { decisions[Int(renewals.account[r])].append((renewals.date[r], renewals.churned[r])) }
        for a in decisions.indices where decisions[a].count > 1 { decisions[a].sort { $0.date < $1.date } }
        self.decisions = decisions
    }

    /// The account's first decision dated after `day`.
    public func first(account: Int32, after day: Day) -> (date: Day, churned: Bool)? {
        decisions[Int(account)].first { $0.date > day }
    }
}
