import TelltaleData

/// One row of a signal table: an account seen as of a date. Only usage dated
/// strictly before `asOf` may feed its signals.
public struct Observation: Equatable, Sendable {
    public var account: Int32
    public var asOf: Day
    /// Training rows: the renewal this observation precedes and its outcome.
    public var renewal: Day?
    public var churned: Bool?

    public init(account: Int32, asOf: Day, renewal: Day? = nil, churned: Bool? = nil) {
        self.account = account
        self.asOf = asOf
        self.renewal = renewal
        self.churned = churned
    }
}

/// Which observations a table holds, and those left out with the reason.
public struct ObservationPlan: Sendable {
    public var observations: [Observation]
    /// Renewals with no usable observation date (renewal − lead before signup).
    public var leftOut: [(account: Int32, renewal: Day, reason: String)]
}

extension History {
    /// The first day the usage data covers and its last (nil for no usage).
    public var usageCoverage: ClosedRange<Day>? { usage.dateRange }

    /// The first renewal each account churned at, if any.
    public var churnDates: [Day?] {
        var out = [Day?](repeating: nil, count: accounts.count)
        for r in 0..<renewals.count where renewals.churned[r] {
            let a = Int(renewals.account[r])
            if out[a] == nil || renewals.date[r] < out[a]! { out[a] = renewals.date[r] }
        }
        return out
    }

    /// Training observations: one per past renewal, observed `leadDays`
    /// before it, so that the signals describe what a CSM could have seen in
    /// time to act. Renewals whose observation date is not after signup are
    /// left out and listed (there is no account to observe yet).
    ///
    /// `withinTerm`: only where that date is after the account's previous
    /// renewal too, so the renewal observed is the one the account was
    /// `leadDays` from (a monthly contract is never 150 days from its next
    /// renewal); the distance calibration's rows.
    public func trainingObservations(leadDays: Int, withinTerm: Bool = false) -> ObservationPlan {
        var order = Array(0..<renewals.count)
        order.sort { (renewals.account[$0], renewals.date[$0].number) < (renewals.account[$1], renewals.date[$1].number) }
        var obs: [Observation] = []
        var leftOut: [(Int32, Day, String)] = []
        let usageEnd = usage.dateRange?.upperBound
        var previous: (account: Int32, date: Day)?
        for r in order {
            let a = renewals.account[r]
            let asOf = renewals.date[r] - leadDays
            defer { previous = (a, renewals.date[r]) }
            guard asOf > accounts.signup[Int(a)] else {
                leftOut.append((a, renewals.date[r], "the observation date \(asOf) (renewal − \(leadDays) days) is not after signup \(accounts.signup[Int(a)])"))
                continue
            }
            // No usage describes it: every window would be missing and filled in.
            if let usageEnd, asOf > usageEnd + 1 {
                leftOut.append((a, renewals.date[r], "the observation date \(asOf) (renewal − \(leadDays) days) is after the usage data ends (\(usageEnd))"))
                continue
            }
            if withinTerm, let previous, previous.account == a, asOf <= previous.date {
                leftOut.append((a, renewals.date[r], "the observation date \(asOf) (renewal − \(leadDays) days) is not after the previous renewal \(previous.date)"))
                continue
            }
            obs.append(Observation(account: a, asOf: asOf, renewal: renewals.date[r], churned: renewals.churned[r]))
        }
        return ObservationPlan(observations: obs, leftOut: leftOut)
    }

    /// The renewals observed `daysBefore` days before each, for the distance
    /// calibration (`trainingObservations(withinTerm: true)`). Those left out
    /// are not listed: they are the renewals `trainingObservations` already
    /// reports, or ones too close to the previous term.
    public func distanceObservations(daysBefore: Int) -> [Observation] {
        trainingObservations(leadDays: daysBefore, withinTerm: true).observations
    }

    /// Accounts active as of a date: signed up before it and not churned at a
    /// renewal before it.
    public func activeAccounts(asOf day: Day, churnDates: [Day?]? = nil) -> [Int32] {
        let churn = churnDates ?? self.churnDates
        var out: [Int32] = []
        for a in 0..<accounts.count where accounts.signup[a] < day && (churn[a].map { $0 >= day } ?? true) {
            out.append(Int32(a))
        }
        return out
    }

    /// Scoring observations: every active account as of `day`.
    public func scoringObservations(asOf day: Day) -> [Observation] {
        activeAccounts(asOf: day).map { Observation(account: $0, asOf: day) }
    }
}
