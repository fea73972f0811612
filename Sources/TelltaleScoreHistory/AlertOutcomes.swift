import Foundation
import TelltaleData
import TelltaleSignals

/// What became of the alerts scoring really raised: the re-calibration the
/// domain asks for ("which alerts led to saves, which were false positives,
/// which churns were missed"), from the score history and the renewal
/// decisions taken since. The backtest replays rules on the past; this reads
/// what was sent to CSMs, with their engagements and dismissals.
///
/// An *episode* is an alert type firing for an account in a run when the run
/// before did not fire it (the first run counts as a start). Its outcome is
/// the account's first renewal decided after the run's date and within the
/// horizon, as in the backtest: churned, renewed, or pending while the
/// renewals table ends inside the horizon; no decision within a horizon that
/// has passed counts as no churn.
public struct AlertOutcomes: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        public var type: String
        public var episodes = 0, churned = 0, renewed = 0, noRenewal = 0, pending = 0
        /// A CSM engaged with the account between the episode's start and its outcome.
        public var engaged = 0, engagedRenewed = 0, engagedChurned = 0
        /// The type was dismissed for the account in that time; and of those as false positives.
        public var dismissed = 0, dismissedFalsePositive = 0, dismissedFalsePositiveChurned = 0
        /// Days from each churned episode's start to the churn.
        public var leadDays: [Int] = []
        /// Episodes whose account's first renewal after the run is decided, however far, and
        /// those that churned at it: how an alert that comes months ahead (a missed onboarding
        /// milestone, ten months before the renewal it foretells) is judged, which the horizon
        /// always counts as no churn.
        public var nextRenewalDecided = 0, nextRenewalChurned = 0

        /// Episodes whose outcome is known.
        public var decided: Int { churned + renewed + noRenewal }
        /// Share of the decided episodes that churned.
        public var precision: Double? { decided > 0 ? Double(churned) / Double(decided) : nil }
        public var nextRenewalPrecision: Double? { nextRenewalDecided > 0 ? Double(nextRenewalChurned) / Double(nextRenewalDecided) : nil }
    }

    /// One row per alert type that fired, then "all".
    public var rows: [Row]
    /// Churns decided after the first run and within the horizon of the last
    /// whose account some run scored in the horizon before the churn.
    public var churnsScored: Int
    /// Of those, the churns a fired alert (any type) preceded within the horizon.
    public var churnsCaught: Int
    public var horizonDays: Int

    /// An alert type that fired (was not held back) for an account in the run as of
    /// `asOf`; made by `ScoreHistory.alertRecord()`, so its memberwise init stays internal.
    public struct Fired: Sendable {
        public var asOf: Day
        public var account: String
        public var type: String
    }

    /// A renewal decision of the renewals table.
    public struct Decision: Sendable {
        public var account: String
        public var date: Day
        public var churned: Bool
        public init(account: String, date: Day, churned: Bool) {
            self.account = account
            self.date = date
            self.churned = churned
        }
    }

    /// - Parameters:
    ///   - runs: every run's as-of date with the accounts it scored.
    ///   - engagements: (account, day) a CSM engaged.
    public init(runs: [(asOf: Day, scored: Set<String>)], fired: [Fired], engagements: [(account: String, day: Day)],
                dismissals: [Dismissal], decisions: [Decision], horizonDays: Int) {
        self.horizonDays = horizonDays
        let runDates = runs.map(\.asOf).sorted()
        let previousRun = Dictionary(uniqueKeysWithValues: zip(runDates.dropFirst(), runDates))
        let firedKeys = Set(fired.map { "\($0.asOf)|\($0.account)|\($0.type)" })
        let byAccount = Dictionary(grouping: decisions, by: \.account).mapValues { $0.sorted { $0.date < $1.date } }
        let frontier = decisions.map(\.date).max()
        let engagedDays = Dictionary(grouping: engagements, by: \.account).mapValues { $0.map(\.day) }
        let dismissedBy = Dictionary(grouping: dismissals, by: { "\($0.accountID)|\($0.type.rawValue)" })

        var rows: [String: Row] = [:], all = Row(type: "all")
        for f in fired.sorted(by: { ($0.asOf, $0.account, $0.type) < ($1.asOf, $1.account, $1.type) }) {
            // Only the first run of a stretch of runs that fired it starts an episode.
            if let before = previousRun[f.asOf], firedKeys.contains("\(before)|\(f.account)|\(f.type)") { continue }
            var row = rows[f.type] ?? Row(type: f.type)
            let next = byAccount[f.account]?.first { $0.date > f.asOf }
            let decision = next.flatMap { $0.date - f.asOf <= Int32(horizonDays) ? $0 : nil }
            let end = decision?.date ?? f.asOf + horizonDays
            func count(_ update: (inout Row) -> Void) { update(&row); update(&all) }
            count { $0.episodes += 1 }
            if let next { count { $0.nextRenewalDecided += 1; if next.churned { $0.nextRenewalChurned += 1 } } }
            if let decision {
                count { decision.churned ? ($0.churned += 1) : ($0.renewed += 1) }
                if decision.churned { count { $0.leadDays.append(Int(decision.date - f.asOf)) } }
            } else if let frontier, frontier >= f.asOf + horizonDays {
                count { $0.noRenewal += 1 }
            } else {
                count { $0.pending += 1 }
            }
            if engagedDays[f.account]?.contains(where: { $0 >= f.asOf && $0 <= end }) == true {
                count { $0.engaged += 1 }
                if let decision { count { decision.churned ? ($0.engagedChurned += 1) : ($0.engagedRenewed += 1) } }
            }
            let dismissed = (dismissedBy["\(f.account)|\(f.type)"] ?? []).filter { d in Day.parse(d.dismissedOn).map { $0 >= f.asOf && $0 <= end } ?? false }
            if !dismissed.isEmpty {
                count { $0.dismissed += 1 }
                if dismissed.contains(where: { $0.reasonCode == "false_positive" }) {
                    count { $0.dismissedFalsePositive += 1 }
                    if decision?.churned == true { count { $0.dismissedFalsePositiveChurned += 1 } }
                }
            }
            rows[f.type] = row
        }
        self.rows = rows.values.sorted { $0.episodes != $1.episodes ? $0.episodes > $1.episodes : $0.type < $1.type } + [all]

        // Churns the history could have warned of, and those it did.
        var scored = 0, caught = 0
        let firedByAccount = Dictionary(grouping: fired, by: \.account).mapValues { $0.map(\.asOf) }
        if let first = runDates.first, let last = runDates.last {
            for d in decisions where d.churned && d.date > first && d.date - last <= Int32(horizonDays) {
                let window = { (day: Day) in day < d.date && d.date - day <= Int32(horizonDays) }
                guard runs.contains(where: { window($0.asOf) && $0.scored.contains(d.account) }) else { continue }
                scored += 1
                if firedByAccount[d.account]?.contains(where: window) == true { caught += 1 }
            }
        }
        churnsScored = scored
        churnsCaught = caught
    }
}

extension AlertOutcomes {
    /// One row per alert type, then "all"; `precision` is churned over decided.
    public func csv() -> String {
        var out = "type,episodes,churned,renewed,no_renewal_in_horizon,pending,precision,median_lead_days,engaged,engaged_renewed,engaged_churned,dismissed,dismissed_false_positive,dismissed_false_positive_churned,next_renewal_decided,next_renewal_churned,next_renewal_precision\n"
        for r in rows {
            let median = r.leadDays.isEmpty ? "" : String(format: "%g", TelltaleSignals.median(r.leadDays.map(Double.init)))
            out += [r.type, "\(r.episodes)", "\(r.churned)", "\(r.renewed)", "\(r.noRenewal)", "\(r.pending)",
                    r.precision.map { String(format: "%.3f", $0) } ?? "", median,
                    "\(r.engaged)", "\(r.engagedRenewed)", "\(r.engagedChurned)", "\(r.dismissed)", "\(r.dismissedFalsePositive)",
                    "\(r.dismissedFalsePositiveChurned)", "\(r.nextRenewalDecided)", "\(r.nextRenewalChurned)",
                    r.nextRenewalPrecision.map { String(format: "%.3f", $0) } ?? ""].joined(separator: ",") + "\n"
        }
        return out
    }

    /// The line for stderr: how many alerts were right, and how many churns none preceded.
    public func summary() -> String {
        let all = rows.last!
        func pct(_ x: Double?) -> String { x.map { String(format: "%.0f%%", 100 * $0) } ?? "-" }
        return "\(all.episodes) alert episodes: \(all.churned) churned within \(horizonDays) days (\(pct(all.precision)) of the \(all.decided) whose outcome is known), "
            + "\(all.pending) pending; \(churnsScored - churnsCaught) of \(churnsScored) churns of scored accounts had no alert in the \(horizonDays) days before; "
            + "\(all.engagedRenewed) engaged then renewed, \(all.dismissedFalsePositiveChurned) dismissed as false positives then churned"
            + earlyTypes(pct)
    }

    /// Types that fire months before the renewal (under one episode in ten had a renewal
    /// within the horizon), with 10 or more whose next renewal is decided: the horizon alone
    /// counts every one of them as no churn.
    func earlyTypes(_ pct: (Double?) -> String) -> String {
        let early = rows.dropLast().filter { r in r.nextRenewalDecided >= 10 && 10 * (r.churned + r.renewed) < r.decided }
        guard !early.isEmpty else { return "" }
        return "; " + early.map { r in
            "\(r.type) alerts come months before the renewal (\(r.churned + r.renewed) of \(r.decided) had one within \(horizonDays) days): "
                + "judged by the next renewal however far, \(pct(r.nextRenewalPrecision)) of \(r.nextRenewalDecided) churned"
        }.joined(separator: "; ")
    }
}
