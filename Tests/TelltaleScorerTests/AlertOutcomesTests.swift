import Testing
import TelltaleAlerts
import TelltaleData
@testable import TelltaleScoreHistory

/// Alert outcomes on a history small enough to count by hand.
@Suite struct AlertOutcomesTests {
    let d0 = Day.parse("2026-01-05")!

    /// Three runs a week apart. A: a trend alert in the first two runs (one
    /// episode), engaged on day 10, dismissed as a false positive on day 5,
    /// churned on day 30. B: a cohort alert in the first and third runs (two
    /// episodes), engaged on day 40, renewed on day 50. C: scored twice, never
    /// alerted, churned on day 20 (a missed churn). E: a cohort alert in the
    /// last run and no renewal since. D: churned on day 200, past every run's
    /// horizon (not counted).
    func outcomes(withLateChurn: Bool) -> AlertOutcomes {
        let runs = [(d0, Set(["A", "B", "C", "E"])), (d0 + 7, Set(["A", "B", "C", "E"])), (d0 + 14, Set(["A", "B", "E"]))]
        let fired = [AlertOutcomes.Fired(asOf: d0, account: "A", type: "trend"), AlertOutcomes.Fired(asOf: d0 + 7, account: "A", type: "trend"),
                     AlertOutcomes.Fired(asOf: d0, account: "B", type: "cohort"), AlertOutcomes.Fired(asOf: d0 + 14, account: "B", type: "cohort"),
                     AlertOutcomes.Fired(asOf: d0 + 14, account: "E", type: "cohort")]
        var decisions = [AlertOutcomes.Decision(account: "A", date: d0 + 30, churned: true), AlertOutcomes.Decision(account: "B", date: d0 + 50, churned: false),
                         AlertOutcomes.Decision(account: "C", date: d0 + 20, churned: true)]
        if withLateChurn { decisions.append(AlertOutcomes.Decision(account: "D", date: d0 + 200, churned: true)) }
        let dismissals = [Dismissal(accountID: "A", type: .trend, reasonCode: "false_positive", note: nil, dismissedOn: (d0 + 5).description)]
        return AlertOutcomes(runs: runs, fired: fired, engagements: [("A", d0 + 10), ("B", d0 + 40)], dismissals: dismissals,
                             decisions: decisions, horizonDays: 90)
    }

    @Test func episodesTheirOutcomesEngagementsAndMissedChurnsAreCountedAsByHand() {
        let o = outcomes(withLateChurn: true)
        #expect(o.rows.map(\.type) == ["cohort", "trend", "all"])
        let cohort = o.rows[0], trend = o.rows[1], all = o.rows[2]
        #expect(cohort.episodes == 3 && cohort.renewed == 2 && cohort.noRenewal == 1 && cohort.churned == 0 && cohort.pending == 0)
        #expect(cohort.engaged == 2 && cohort.engagedRenewed == 2 && cohort.dismissed == 0)
        #expect(trend.episodes == 1 && trend.churned == 1 && trend.leadDays == [30] && trend.precision == 1)
        #expect(trend.engaged == 1 && trend.engagedChurned == 1 && trend.dismissedFalsePositive == 1 && trend.dismissedFalsePositiveChurned == 1)
        #expect(all.episodes == 4 && all.decided == 4 && all.churned == 1 && all.precision == 0.25 && all.engaged == 3)
        #expect(o.churnsScored == 2 && o.churnsCaught == 1)
        #expect(o.csv().contains("\ntrend,1,1,0,0,0,1.000,30,1,0,1,1,1,1,1,1,1.000\n"))
        #expect(cohort.nextRenewalDecided == 2 && cohort.nextRenewalChurned == 0, "E has no renewal decided after its alert")
        #expect(!o.summary().contains("months before"), "every type here had its renewal within the horizon")
        #expect(o.summary().hasPrefix("4 alert episodes: 1 churned within 90 days (25% of the 4 whose outcome is known), 0 pending; 1 of 2 churns"))
    }

    /// A milestone alert comes ten months before the renewal it foretells: the horizon counts
    /// it as no churn; the account's next renewal, however far, says what came of it.
    @Test func alertsMonthsAheadAreJudgedByTheNextRenewalToo() {
        let accounts = (1...12).map { "M\($0)" }
        let fired = accounts.map { AlertOutcomes.Fired(asOf: d0, account: $0, type: "milestone") }
        let decisions = accounts.enumerated().map { AlertOutcomes.Decision(account: $1, date: d0 + 300, churned: $0 < 5) }
            + [AlertOutcomes.Decision(account: "M12", date: d0 + 665, churned: true)] // not the next renewal
        let o = AlertOutcomes(runs: [(d0, Set(accounts))], fired: fired, engagements: [], dismissals: [], decisions: decisions, horizonDays: 90)
        let m = o.rows[0]
        #expect(m.type == "milestone" && m.episodes == 12 && m.noRenewal == 12 && m.precision == 0)
        #expect(m.nextRenewalDecided == 12 && m.nextRenewalChurned == 5)
        #expect(o.csv().contains("\nmilestone,12,0,0,12,0,0.000,,0,0,0,0,0,0,12,5,0.417\n"))
        #expect(o.summary().hasSuffix("; milestone alerts come months before the renewal (0 of 12 had one within 90 days): "
            + "judged by the next renewal however far, 42% of 12 churned"), "\(o.summary())")
    }

    /// While the renewals table ends inside an episode's horizon, an episode
    /// with no decision yet is pending, not "no churn".
    @Test func anEpisodeWhoseHorizonOutrunsTheRenewalsIsPending() {
        let o = outcomes(withLateChurn: false)
        let cohort = o.rows[0]
        #expect(cohort.noRenewal == 0 && cohort.pending == 1 && cohort.decided == 2)
    }
}
