/// The `alerts:` section of the config: rules, false-positive controls and
/// severity thresholds. Every default is the domain's (docs/config.md).
public struct AlertSettings: Equatable, Sendable {
    public var rules: [AlertRule] = AlertRule.defaults
    /// A rule with `grace` must hold at the as-of date and at every
    /// `graceStepDays` before it, back to `graceDays` before it.
    public var graceDays = 14
    public var graceStepDays = 7
    /// Usage alerts are held back while a support case is open: a case
    /// logged in the last `openCaseDays` days of `supportMetric` counts as open.
    public var supportMetric = "support_cases"
    public var openCaseDays = 14
    /// After `telltale alerts engage`, the account's alerts are held back this long.
    public var engagedDays = 30
    /// After `telltale alerts dismiss`, that alert type is held back this long for the account.
    public var dismissedDays = 90
    /// The codes `alerts dismiss --reason` accepts (what the backtest counts false positives by).
    public var reasonCodes = ["false_positive", "seasonal", "known_issue", "customer_engaged", "data_problem", "other"]
    /// A kept combined pattern (2+ flags) alerts when its training churn rate
    /// is at least this multiple of the base rate.
    public var patternMinimumLift = 2.0
    /// A band drop alerts when the account is below its band at the latest run
    /// at least this many days before, on that run's every successor too
    /// (`BandDropBaseline`); 0: below the previous run's band.
    public var bandDropDays = 7
    public var severity = SeverityPolicy()

    public init() {}

    /// Days back from the as-of date at which a grace rule must also hold: 0, step, 2·step, ... up to `graceDays`.
    public var graceOffsets: [Int] {
        guard graceDays > 0, graceStepDays > 0 else { return [0] }
        var out = Array(stride(from: 0, through: graceDays, by: graceStepDays))
        if out.last != graceDays { out.append(graceDays) }
        return out
    }
}

/// How the model's risk, contract value and time to renewal move a base severity (domain section 5):
/// the same drop is low for a small account far from renewal and critical for
/// a large account renewing soon.
public struct SeverityPolicy: Equatable, Sendable {
    /// Contract values at or above are large (+1), at or below are small (−1).
    /// nil: the 75th and 25th percentiles of the accounts being scored.
    public var largeContract: Double?
    public var smallContract: Double?
    /// A renewal within this many days raises severity by one; beyond `renewalFarDays` lowers it.
    public var renewalSoonDays = 90
    public var renewalFarDays = 180
    /// This many alert types at once raise severity by one ("risk factors compound").
    public var compoundingAlerts = 3
    /// With no alert, a red account starts from `low` (informational: feeds emails and the score),
    /// then moves with its contract value and renewal date as an alert would.
    public var redWithoutAlert = Severity.low
    /// A yes/no column of the accounts table (or of a flat table scored with
    /// `--data`) marking strategic accounts: yes raises severity one step.
    public var strategicColumn: String?
    /// A number column (≥ 0) of expansion potential (upsell value, say):
    /// at or above `largeExpansion` raises severity one step, at or below
    /// `smallExpansion` lowers it, as contract value does. nil thresholds: the
    /// 75th and 25th percentiles of the accounts being scored that have one.
    public var expansionColumn: String?
    public var largeExpansion: Double?
    public var smallExpansion: Double?

    public init() {}

    /// The severity of an account from its alerts' base severities. An unknown
    /// contract value or renewal date (a flat table without those columns)
    /// moves it neither way: counted as 0, every account was "large" when no
    /// account had a value (both quartiles 0), and one step too severe.
    ///
    /// A red account whose alerts are all held back (a support case open, a
    /// CSM engaged) still has the model's risk: a $500k account renewing next
    /// month at 49% churn was `low` like a $3k one renewing next year. The red
    /// band is then the base, so it does not raise itself a second time.
    ///
    /// Strategic weight and expansion potential (domain section 5) move it
    /// only when the config names their columns and the account has a value;
    /// an empty cell moves it neither way.
    public func severity(alerts: [Severity], band: String?, contractValue: Double?, daysToRenewal: Int?,
                         large: Double, small: Double, strategic: Bool? = nil,
                         expansion: Double? = nil, largeExpansion: Double = .infinity, smallExpansion: Double = -.infinity) -> Severity {
        let base: Severity
        var steps = 0
        if let highest = alerts.max() {
            base = highest
            // The model's risk: an alert on an account the model already puts in the red band.
            if band == "red" { steps += 1 }
        } else if band == "red" {
            base = redWithoutAlert
        } else {
            return .none
        }
        if alerts.count >= compoundingAlerts { steps += 1 }
        if let v = contractValue {
            if v >= large { steps += 1 } else if v <= small { steps -= 1 }
        }
        if let d = daysToRenewal {
            if d <= renewalSoonDays { steps += 1 } else if d > renewalFarDays { steps -= 1 }
        }
        if strategic == true { steps += 1 }
        if let e = expansion {
            if e >= largeExpansion { steps += 1 } else if e <= smallExpansion { steps -= 1 }
        }
        return base.shifted(by: steps)
    }
}
