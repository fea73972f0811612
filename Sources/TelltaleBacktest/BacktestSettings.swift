/// The `backtest:` section of the config (docs/backtest.md).
public struct BacktestSettings: Equatable, Sendable {
    /// A churn at a renewal within this many days after an alert makes it a true positive.
    public var horizonDays = 90
    /// Days between replayed as-of dates (`--every`).
    public var everyDays = 7
    /// Without a fixed model, retrain when the model in use is this old (a quarter).
    public var retrainDays = 91
    /// Alerts (new alert episodes) a CSM can act on per week: the sweep recommends
    /// the setting that catches most churn within it.
    public var alertBudget = 5.0
    /// When set, the sweep also recommends, per rule, the setting that catches
    /// most churn with at least this precision (churn caught per alert-day).
    public var precisionTarget: Double?
    /// The rule thresholds the sweep tries (rule name → values of its first condition).
    public var sweep: [String: [Double]] = [
        "logins_under_60pct_segment": [0.4, 0.5, 0.6, 0.7, 0.8],
        "logins_drop_33pct": [0.5, 0.6, 0.67, 0.7, 0.8],
        "low_and_declining": [0.4, 0.5, 0.6, 0.7, 0.8],
    ]
    /// Grace periods the sweep tries (days; multiples of the grace step).
    public var sweepGraceDays = [0, 7, 14, 21]

    public init() {}
}
