/// Signals every account has without a definition: facts of the accounts
/// table and of the calendar, usable in ratios and flags
/// (`single_user_team: active_users_max_30d <= 1 and seats >= 5`).
public enum AccountSignal: String, CaseIterable, Sendable {
    /// Licensed seats (missing when the accounts table has none).
    case seats
    /// Annual contract value.
    case contractValue = "contract_value"
    /// Days from signup to the as-of date.
    case tenureDays = "tenure_days"
    /// Days of usage history before the as-of date: from the later of signup
    /// and the first day of the usage data.
    case historyDays = "history_days"

    public static func named(_ name: String) -> AccountSignal? { AccountSignal(rawValue: name) }
}
