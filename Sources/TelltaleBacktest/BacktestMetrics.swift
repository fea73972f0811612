import TelltaleAlerts
import TelltaleData
import TelltaleModel
import TelltaleSignals

/// How one alert (a rule, a type, a band, a severity level, a pattern) would have done.
public struct AlertStats: Equatable, Sendable {
    public var name: String
    /// Account-dates on which it fired.
    public var alerts = 0
    /// New alerts: fired on a date after not firing on the account's previous replayed date.
    public var episodes = 0
    /// Account-dates on which it fired and the account churned at a renewal within the horizon.
    public var truePositives = 0
    /// Account-dates without a churn within the horizon, and those of them on which it fired.
    public var negatives = 0
    public var falsePositives = 0
    /// Churns (account, renewal) within the horizon of some replayed date, and those it fired before.
    public var churns = 0
    public var churnsCaught = 0
    /// Per caught churn: days from the first alert in the horizon before it to the renewal.
    public var leadDays: [Int] = []
    /// New alerts per CSM (distinct owners) per week replayed.
    public var perCSMWeek = 0.0

    public var precision: Double? { alerts > 0 ? Double(truePositives) / Double(alerts) : nil }
    public var recall: Double? { churns > 0 ? Double(churnsCaught) / Double(churns) : nil }
    public var falsePositiveRate: Double? { negatives > 0 ? Double(falsePositives) / Double(negatives) : nil }
    public var medianLead: Double? { leadDays.isEmpty ? nil : median(leadDays.map(Double.init)) }
}

/// How one alert would have done judged by each account's next renewal, however far.
///
/// The horizon credits an alert only within its days before a churn, which suits alerts
/// that mean "soon". An onboarding milestone missed in a contract's first weeks comes
/// ten months before the renewal it foretells: within any horizon it is never right, and
/// read that way the report would advise switching off the alert the domain says to act
/// on at once. Here the unit is an account term: an account from a replayed date up to
/// its next renewal.
public struct TermStats: Equatable, Sendable {
    public var name: String
    /// Terms the alert fired on at some replayed date, whose renewal the data has decided.
    public var terms = 0
    /// Those of them that ended in churn (the churns it caught).
    public var churned = 0
    /// Alerted terms whose renewal is not decided yet: left out of the rates.
    public var undecided = 0
    /// Alerted (decided) terms first alerted more than the horizon before their renewal.
    public var beyondHorizon = 0
    /// Every replayed term with a decided renewal, and those that churned (the base rate).
    public var allTerms = 0
    public var allChurned = 0
    /// Per caught churn: days from the first alert in the term to the renewal.
    public var leadDays: [Int] = []

    public var precision: Double? { terms > 0 ? Double(churned) / Double(terms) : nil }
    public var recall: Double? { allChurned > 0 ? Double(churned) / Double(allChurned) : nil }
    public var baseRate: Double? { allTerms > 0 ? Double(allChurned) / Double(allTerms) : nil }
    public var lift: Double? { precision.flatMap { p in baseRate.flatMap { $0 > 0 ? p / $0 : nil } } }
    public var medianLead: Double? { leadDays.isEmpty ? nil : median(leadDays.map(Double.init)) }
}

public enum BacktestMetrics {
    /// Term stats for every name `fires` can return, in the order of `names`.
    public static func termStats(_ run: BacktestRun, names: [String], fires: (BacktestObservation) -> Set<String>) -> [TermStats] {
        struct Term: Hashable { var account: Int32; var renewal: Day? }
        let wanted = Set(names)
        var firstAlert: [Term: [String: Day]] = [:]
        var churned: [Term: Bool] = [:]
        for o in run.observations {
            let term = Term(account: o.account, renewal: o.nextRenewal)
            churned[term] = o.nextChurned
            for name in fires(o) where wanted.contains(name) && firstAlert[term]?[name] == nil {
                firstAlert[term, default: [:]][name] = o.date // observations come date by date
            }
        }
        let decided = churned.filter { $0.key.renewal != nil }
        let allChurned = decided.values.filter { $0 }.count
        var stats = Dictionary(uniqueKeysWithValues: names.map {
            ($0, TermStats(name: $0, allTerms: decided.count, allChurned: allChurned))
        })
        for (term, first) in firstAlert {
            for (name, date) in first {
                guard let renewal = term.renewal else { stats[name]!.undecided += 1; continue }
                stats[name]!.terms += 1
                if renewal - date > run.horizonDays { stats[name]!.beyondHorizon += 1 }
                if churned[term]! {
                    stats[name]!.churned += 1
                    stats[name]!.leadDays.append(renewal - date)
                }
            }
        }
        for name in names { stats[name]!.leadDays.sort() }
        return names.map { stats[$0]! }
    }

    /// Stats for every name `fires` can return, in the order of `names`.
    ///
    /// An account-date is positive when the account churned at a renewal
    /// within the horizon after the date. A churn counts as caught when the
    /// alert fired on a replayed date within the horizon before the renewal.
    public static func stats(_ run: BacktestRun, names: [String], fires: (BacktestObservation) -> Set<String>) -> [AlertStats] {
        var stats = Dictionary(uniqueKeysWithValues: names.map { ($0, AlertStats(name: $0)) })
        var lastFired: [Int32: (date: Day, names: Set<String>)] = [:]
        // (account, renewal) of every churn in reach → the earliest date each name fired before it.
        var firstAlert: [ChurnKey: [String: Day]] = [:]
        var churnKeys = Set<ChurnKey>()
        let owners = Set(run.observations.map(\.owner)).count
        for o in run.observations {
            let f = fires(o)
            let previous = lastFired[o.account]
            let wasFiring = previous.map { $0.date == o.date - run.everyDays } ?? false ? previous!.names : []
            let positive = o.churned && o.renewal != nil
            if positive { churnKeys.insert(ChurnKey(account: o.account, renewal: o.renewal!)) }
            for name in names {
                let on = f.contains(name)
                if !positive { stats[name]!.negatives += 1 }
                guard on else { continue }
                stats[name]!.alerts += 1
                if !wasFiring.contains(name) { stats[name]!.episodes += 1 }
                if positive {
                    stats[name]!.truePositives += 1
                    let key = ChurnKey(account: o.account, renewal: o.renewal!)
                    if firstAlert[key]?[name] == nil { firstAlert[key, default: [:]][name] = o.date }
                } else {
                    stats[name]!.falsePositives += 1
                }
            }
            lastFired[o.account] = (o.date, f)
        }
        let weeks = Double(run.dates.count * run.everyDays) / 7
        for name in names {
            stats[name]!.churns = churnKeys.count
            for key in churnKeys {
                if let d = firstAlert[key]?[name] {
                    stats[name]!.churnsCaught += 1
                    stats[name]!.leadDays.append(key.renewal - d)
                }
            }
            stats[name]!.leadDays.sort()
            stats[name]!.perCSMWeek = owners > 0 && weeks > 0 ? Double(stats[name]!.episodes) / Double(owners) / weeks : 0
        }
        return names.map { stats[$0]! }
    }

    struct ChurnKey: Hashable { var account: Int32; var renewal: Day }

    /// Renewal rate per band at each date, over the accounts whose next renewal
    /// was decided within the horizon: do the bands hold out of sample?
    public static func bandRenewalRates(_ run: BacktestRun) -> [(date: Day, bands: [(band: Band, decided: Int, renewalRate: Double?)])] {
        var byDate: [Day: [Band: (Int, Int)]] = [:]
        for o in run.observations where o.renewal != nil {
            var cell = byDate[o.date, default: [:]][o.band, default: (0, 0)]
            cell.0 += 1
            if !o.churned { cell.1 += 1 }
            byDate[o.date, default: [:]][o.band] = cell
        }
        return run.dates.map { d in
            (d, Band.allCases.map { b in
                let (n, ok) = byDate[d]?[b] ?? (0, 0)
                return (b, n, n > 0 ? Double(ok) / Double(n) : nil)
            })
        }
    }

    /// Mean predicted churn against the churn at the next renewal, however far, by days to
    /// that renewal: the model learns from accounts `lead_days` before their renewal, and
    /// `score` applies it to every account whatever its renewal date.
    public static func calibrationByDistance(_ run: BacktestRun, edges: [Int] = [90, 180, 270]) -> [(from: Int, upTo: Int?, decided: Int, predicted: Double, observed: Double)] {
        var cells = [(n: Int, p: Double, churned: Int)](repeating: (0, 0, 0), count: edges.count + 1)
        for o in run.observations {
            guard let next = o.nextRenewal else { continue }
            let k = edges.firstIndex { next - o.date <= $0 } ?? edges.count
            cells[k].n += 1; cells[k].p += o.churnProbability; if o.nextChurned { cells[k].churned += 1 }
        }
        return cells.enumerated().compactMap { k, c in
            c.n > 0 ? (k == 0 ? 1 : edges[k - 1] + 1, k < edges.count ? edges[k] : nil, c.n, c.p / Double(c.n), Double(c.churned) / Double(c.n)) : nil
        }
    }

    /// Mean predicted churn against the churn observed within the horizon, per date.
    public static func calibration(_ run: BacktestRun) -> [(date: Day, decided: Int, predicted: Double, observed: Double)] {
        var byDate: [Day: (n: Int, p: Double, churned: Int)] = [:]
        for o in run.observations where o.renewal != nil {
            var cell = byDate[o.date, default: (0, 0, 0)]
            cell.n += 1; cell.p += o.churnProbability; if o.churned { cell.churned += 1 }
            byDate[o.date] = cell
        }
        return run.dates.compactMap { d in
            guard let c = byDate[d], c.n > 0 else { return nil }
            return (d, c.n, c.p / Double(c.n), Double(c.churned) / Double(c.n))
        }
    }
}
