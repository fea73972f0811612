import Foundation
import Testing
import TelltaleAlerts
import TelltaleData
import TelltaleModel
import TelltalePatterns
@testable import TelltaleScorer
import TelltaleSignals

@Suite struct AccountScorerTests {
    let fixture: ScoringFixture
    init() throws { fixture = try ScoringFixture() }

    /// A large table's pattern matches are found a pattern per core: the same
    /// as row by row. (Its rule columns: `Parallel.column`, tested with it.)
    @Test func aLargeTablesPatternMatchesAreThoseOfItsRows() {
        let n = 120_000
        var state: UInt64 = 9
        func bit() -> Double { state = state &* 6364136223846793005 &+ 1; return state >> 62 == 0 ? 1 : 0 }
        let flags = (0..<3).map { _ in (0..<n).map { _ in bit() } }
        let segments = (0..<n).map { $0 % 3 == 0 ? "B" : "A" }
        let table = SignalTable(definitions: ["f0", "f1", "f2"].map { SignalDefinition(name: $0, kind: .column) },
                                observations: (0..<n).map { Observation(account: Int32($0), asOf: Day(number: 20_000)) },
                                historyDays: Array(repeating: 0, count: n), raw: flags,
                                accountIDs: (0..<n).map { "A\($0)" }, segments: segments)
        let patterns = [PatternDefinition(flags: ["f0", "f1"]), PatternDefinition(flags: ["f2"], segment: "B"),
                        PatternDefinition(flags: ["f0", "f1", "f2"])]
        let matches = PatternMatcher.matches(patterns, table: table, cuts: [])
        #expect(matches[0] == (0..<n).map { flags[0][$0] == 1 && flags[1][$0] == 1 })
        #expect(matches[1] == (0..<n).map { flags[2][$0] == 1 && segments[$0] == "B" })
        #expect(matches[2] == (0..<n).map { flags[0][$0] == 1 && flags[1][$0] == 1 && flags[2][$0] == 1 })
    }

    @Test func aTwoWeekHolidayDoesNotAlertButAMonthOfSilenceDoes() throws {
        let run = try AccountScorer(model: fixture.model()).score(history: fixture.history, asOf: ScoringFixture.asOf)
        let vacation = run.alerts(of: "VAC").map(\.type)
        #expect(!vacation.contains(.trend) && !vacation.contains(.cohort) && !vacation.contains(.abandonment), "\(vacation)")
        let gone = Set(run.alerts(of: "GONE", .fired).map(\.type))
        #expect(gone.isSuperset(of: [.trend, .cohort, .combined, .abandonment]), "\(gone)")
        for i in 1...12 { #expect(run.alerts(of: String(format: "S%02d", i)).isEmpty, "steady accounts never alert") }

        // The grace period is what keeps the holiday quiet: without it the same data alerts.
        var settings = AlertSettings()
        settings.graceDays = 0
        let impatient = try AccountScorer(model: fixture.model(), alerts: settings).score(history: fixture.history, asOf: ScoringFixture.asOf)
        #expect(impatient.alerts(of: "VAC", .fired).contains { $0.type == .trend })
    }

    @Test func anOpenSupportCaseHoldsUsageAlertsBackButTheScoreStillMoves() throws {
        let run = try AccountScorer(model: fixture.model()).score(history: fixture.history, asOf: ScoringFixture.asOf)
        let held = run.alerts(of: "CASE")
        #expect(!held.isEmpty && held.allSatisfy { $0.status == .suppressed && $0.suppressedBecause == "support case open" })
        let row = try #require(run.row("CASE"))
        #expect(row.alertTypes.isEmpty && row.band == .red && row.severity == .low, "red without an alert: informational")
        #expect(row.suppressed.contains("trend (support case open)"))
        // Same usage as GONE apart from the case: the same churn probability.
        #expect(abs(row.churnProbability - run.row("GONE")!.churnProbability) < 1e-12)
    }

    /// A red account with no alert fired (CASE: its usage alerts held back by
    /// an open case) had an empty playbook beside its severity. It now gets
    /// the playbook of its first reason that points to one, found here from
    /// the reason's text, not the scorer's item numbers.
    @Test func aRedAccountWithNoAlertFiredGetsThePlaybookOfItsFirstReason() throws {
        let model = try fixture.model()
        let run = try AccountScorer(model: model).score(history: fixture.history, asOf: ScoringFixture.asOf)
        let row = try #require(run.row("CASE"))
        #expect(row.alertTypes.isEmpty && row.band == .red && row.severity != .none)
        // Its first reason is its logins (0 in 30 days), which the default rules read as a cohort alert.
        #expect(row.reasons.texts.first?.hasPrefix("logins in the last 30 days 0") == true, "\(row.reasons.texts)")
        #expect(row.playbook == Playbook.forType(.cohort))

        let types = PlaybookTypes(rules: AlertRule.defaults,
                                  definitions: model.signals + SignalDefinition.defaults(metrics: fixture.history.usage.metrics))
        var checked = 0
        for r in run.rows where r.alertTypes.isEmpty {
            guard r.severity != .none else { #expect(r.playbook.isEmpty, "\(r.accountID): nothing to act on"); continue }
            let first = r.reasons.texts.lazy.filter { !$0.hasPrefix("not: ") }.compactMap { text -> AlertType? in
                let signal = model.signals.first { text == $0.label || text.hasPrefix($0.label + " ") || text.hasPrefix($0.label + ":") }
                return signal.flatMap { types.type(ofSignal: $0.name) }
            }.first
            #expect(r.playbook == first.map(Playbook.forType) ?? Playbook.reviewReasons, "\(r.accountID): \(r.reasons.texts)")
            checked += 1
        }
        #expect(checked >= 1)
    }

    @Test func aRedAccountsPlaybookPassesOverAReasonOfADismissedType() throws {
        // CASE's first reason (no logins in 30 days) points to the cohort playbook; with cohort
        // alerts dismissed for it, its next reason that points elsewhere gives the playbook.
        let model = try fixture.model()
        let scorer = AccountScorer(model: model)
        let plain = try #require(try scorer.score(history: fixture.history, asOf: ScoringFixture.asOf).row("CASE"))
        #expect(plain.playbook == Playbook.forType(.cohort))
        let run = try scorer.score(history: fixture.history, asOf: ScoringFixture.asOf,
                                   context: ScoringContext(dismissed: ["CASE": [.cohort: "seasonal"]]))
        let row = try #require(run.row("CASE"))
        #expect(row.alertTypes.isEmpty && row.band == .red)
        let types = PlaybookTypes(rules: AlertRule.defaults,
                                  definitions: model.signals + SignalDefinition.defaults(metrics: fixture.history.usage.metrics))
        let next = row.reasons.texts.lazy.filter { !$0.hasPrefix("not: ") }.compactMap { text -> AlertType? in
            let signal = model.signals.first { text == $0.label || text.hasPrefix($0.label + " ") || text.hasPrefix($0.label + ":") }
            return signal.flatMap { types.type(ofSignal: $0.name) }
        }.first { $0 != .cohort }
        #expect(row.playbook == next.map(Playbook.forType) ?? Playbook.reviewReasons, "\(row.reasons.texts)")
        #expect(row.playbook != Playbook.forType(.cohort))
    }

    @Test func dismissalsAndEngagementHoldAlertsBackWithTheirReason() throws {
        let scorer = try AccountScorer(model: fixture.model())
        let context = ScoringContext(dismissed: ["GONE": [.trend: "seasonal"]], engaged: ["SOLO"])
        let run = try scorer.score(history: fixture.history, asOf: ScoringFixture.asOf, context: context)
        let gone = run.alerts(of: "GONE")
        #expect(gone.filter { $0.type == .trend }.allSatisfy { $0.status == .suppressed && $0.suppressedBecause == "dismissed: seasonal" })
        #expect(gone.contains { $0.type == .abandonment && $0.status == .fired }, "only the dismissed type is held back")
        let solo = run.alerts(of: "SOLO")
        #expect(!solo.isEmpty && solo.allSatisfy { $0.suppressedBecause == "CSM engaged" })
        let plain = try scorer.score(history: fixture.history, asOf: ScoringFixture.asOf)
        #expect(plain.alerts(of: "SOLO", .fired).map(\.type) == [.singleUser])
    }

    @Test func severityRisesForALargeAccountRenewingSoon() throws {
        // GONE: large (top quartile), renewal in 30 days, several alert types: critical, with the near-renewal playbook.
        let run = try AccountScorer(model: fixture.model()).score(history: fixture.history, asOf: ScoringFixture.asOf)
        let gone = try #require(run.row("GONE"))
        #expect(gone.severity == .critical)
        #expect(gone.playbook == Playbook.criticalNearRenewal)
        #expect(gone.daysToRenewal == 30)
        // SOLO: a high rule (single user), mid-sized, renewal in 200 days (far): one step down.
        #expect(run.row("SOLO")?.severity == .medium)
        #expect(run.row("SOLO")?.playbook == Playbook.forType(.singleUser))
    }

    @Test func theSamePolicyMakesADropLowForSmallFarAccountsAndCriticalForLargeNearOnes() {
        let policy = SeverityPolicy()
        let drop = [Severity.medium]
        #expect(policy.severity(alerts: drop, band: "yellow", contractValue: 2_000, daysToRenewal: 300, large: 100_000, small: 5_000) == .low)
        #expect(policy.severity(alerts: drop, band: "yellow", contractValue: 500_000, daysToRenewal: 20, large: 100_000, small: 5_000) == .critical)
        #expect(policy.severity(alerts: drop, band: "yellow", contractValue: 50_000, daysToRenewal: 120, large: 100_000, small: 5_000) == .medium)
        #expect(policy.severity(alerts: [.low, .medium, .medium], band: nil, contractValue: 50_000, daysToRenewal: 120, large: 100_000, small: 5_000) == .high,
                "three alert types compound")
        #expect(policy.severity(alerts: drop, band: "red", contractValue: 50_000, daysToRenewal: 120, large: 100_000, small: 5_000) == .high,
                "the model's red band raises it")
        #expect(policy.severity(alerts: [], band: "red", contractValue: 1, daysToRenewal: nil, large: 2, small: 0) == .low)
        #expect(policy.severity(alerts: [], band: "green", contractValue: 1, daysToRenewal: nil, large: 2, small: 0) == Severity.none)
        #expect(policy.severity(alerts: [], band: "yellow", contractValue: 500_000, daysToRenewal: 20, large: 100_000, small: 5_000) == Severity.none,
                "no alert and not red: nothing to act on, whatever the contract")
        // Unknown contract value and renewal date: the base severity, whatever the cut points.
        for (large, small) in [(0.0, 0.0), (100_000, 5_000)] {
            #expect(policy.severity(alerts: drop, band: "yellow", contractValue: nil, daysToRenewal: nil, large: large, small: small) == .medium)
        }
    }

    /// Strategic weight and expansion potential (domain section 5) move the
    /// severity as contract value does; an empty cell (nil) moves nothing.
    @Test func aStrategicAccountAndExpansionPotentialMoveTheSeverity() {
        let policy = SeverityPolicy()
        func severity(_ strategic: Bool?, _ expansion: Double?, alerts: [Severity] = [.medium]) -> Severity {
            // Mid-sized, renewing in 120 days: the contract and the renewal move nothing.
            policy.severity(alerts: alerts, band: "yellow", contractValue: 50_000, daysToRenewal: 120, large: 100_000, small: 5_000,
                            strategic: strategic, expansion: expansion, largeExpansion: 20_000, smallExpansion: 0)
        }
        #expect(severity(nil, nil) == .medium)
        #expect(severity(true, nil) == .high)
        #expect(severity(false, nil) == .medium, "not strategic lowers nothing")
        #expect(severity(nil, 20_000) == .high && severity(nil, 5_000) == .medium && severity(nil, 0) == .low)
        #expect(severity(true, 80_000) == .critical, "both raise")
        #expect(severity(true, 0) == .medium, "one raises, the other lowers")
        #expect(severity(true, 80_000, alerts: []) == Severity.none, "no alert and not red: nothing to act on")
        // Without thresholds (no expansion column) a value moves nothing.
        #expect(policy.severity(alerts: [.medium], band: "yellow", contractValue: 50_000, daysToRenewal: 120, large: 100_000, small: 5_000,
                                expansion: 1e9) == .medium)
    }

    @Test func aRedAccountWithItsAlertsHeldBackStillRisesWithContractAndRenewal() {
        // Every alert held back (a support case open): the red band is the base (low),
        // and the contract and the renewal move it as they move an alert's.
        let policy = SeverityPolicy()
        #expect(policy.severity(alerts: [], band: "red", contractValue: 500_000, daysToRenewal: 58, large: 100_000, small: 5_000) == .high)
        #expect(policy.severity(alerts: [], band: "red", contractValue: 500_000, daysToRenewal: 300, large: 100_000, small: 5_000) == .low)
        #expect(policy.severity(alerts: [], band: "red", contractValue: 50_000, daysToRenewal: 30, large: 100_000, small: 5_000) == .medium)
        #expect(policy.severity(alerts: [], band: "red", contractValue: 2_000, daysToRenewal: 30, large: 100_000, small: 5_000) == .low)
        // With an alert the red band adds a step on top of the alert's own severity; without
        // one it is the base, and does not add itself again.
        #expect(policy.severity(alerts: [.low], band: "red", contractValue: 500_000, daysToRenewal: 58, large: 100_000, small: 5_000) == .critical)
        #expect(policy.severity(alerts: [], band: "red", contractValue: nil, daysToRenewal: nil, large: 100_000, small: 5_000) == .low)
    }

    @Test func aNewAccountIsRejectedWithTheReasonButItsMissedMilestoneStillAlerts() throws {
        let run = try AccountScorer(model: fixture.model()).score(history: fixture.history, asOf: ScoringFixture.asOf)
        #expect(run.row("NEW") == nil)
        let reject = try #require(run.rejects.first { $0.accountID == "NEW" })
        #expect(reject.reason.contains("only 20 days of usage"))
        #expect(reject.alertTypes == [.milestone])
        #expect(reject.playbook == Playbook.forType(.milestone))
        #expect(run.rows.count + run.rejects.count == fixture.history.accounts.count, "every account is scored or rejected")
    }

    @Test func bandChangeComesFromThePreviousRunAndBandDropFromItsBaseline() throws {
        let baseline = BandDropBaseline(day: ScoringFixture.asOf - 8, bands: ["GONE": .green, "S01": .red, "S02": .green],
                                        fromAnotherModel: false, isPreviousRun: false)
        let run = try AccountScorer(model: fixture.model()).score(history: fixture.history, asOf: ScoringFixture.asOf,
                                                                  context: ScoringContext(previousBands: ["GONE": .green, "S01": .red], bandDrop: baseline))
        let gone = try #require(run.row("GONE"))
        #expect(gone.band == .red && gone.previousBand == .green && gone.bandChange == -3)
        let drop = try #require(run.alerts(of: "GONE").first { $0.type == .bandDrop })
        #expect(drop.severity == .high && drop.detail == "band fell from green (\(ScoringFixture.asOf - 8)) to red")
        #expect(run.row("S01")?.bandChange == 3)
        #expect(!run.alerts(of: "S01").contains { $0.type == .bandDrop })
        // No previous run for S02, so no band change; its baseline still says it fell.
        #expect(run.row("S02")?.bandChange == nil && run.row("S02")?.previousBand == nil)
        #expect(run.alerts(of: "S02").contains { $0.type == .bandDrop } == (run.row("S02")!.band < .green))
        // Without a baseline, no band drop at all, whatever the previous run's bands.
        let none = try AccountScorer(model: fixture.model()).score(history: fixture.history, asOf: ScoringFixture.asOf,
                                                                   context: ScoringContext(previousBands: ["GONE": .green]))
        #expect(!none.alerts.contains { $0.type == .bandDrop } && none.row("GONE")?.bandChange == -3)
    }

    @Test func probabilitiesHealthAndBandsFollowTheModelExactly() throws {
        let model = try fixture.model(loginsCoefficient: -1.0, intercept: -1.5)
        let run = try AccountScorer(model: model).score(history: fixture.history, asOf: ScoringFixture.asOf)
        // Independent: 60 logins in 30 days for a steady account; 0 for GONE.
        for (id, logins) in [("S03", 60.0), ("GONE", 0.0)] {
            let p = 1 / (1 + exp(-(-1.5 - 1.0 * (log1p(logins) - log1p(40)))))
            let row = try #require(run.row(id))
            #expect(abs(row.churnProbability - p) < 1e-12)
            #expect(abs(row.healthScore - 100 * (1 - p)) < 1e-9)
            let h = 100 * (1 - p)
            #expect(row.band == (h < 60 ? .red : h < 70 ? .orange : h < 80 ? .yellow : .green))
        }
    }

    @Test func theChurnProbabilityTakesTheDaysToRenewalButTheHealthScoreAndBandDoNot() throws {
        var model = try fixture.model(loginsCoefficient: -1.0, intercept: -1.5)
        let plain = try AccountScorer(model: model).score(history: fixture.history, asOf: ScoringFixture.asOf)
        model.distanceCalibration = DistanceCalibration(anchors: [.init(days: 15, offset: -0.1, renewals: 1, churned: 0),
                                                                  .init(days: 60, offset: 0, renewals: 1, churned: 0),
                                                                  .init(days: 330, offset: 0.54, renewals: 1, churned: 0)])
        let run = try AccountScorer(model: model).score(history: fixture.history, asOf: ScoringFixture.asOf)
        // S03 renews in 200 days: offset 0.54 × (200 − 60) / (330 − 60) = 0.28; GONE in 30: −0.1 × 30 / 45.
        for (id, offset) in [("S03", 0.28), ("GONE", -0.1 * 30 / 45)] {
            let before = try #require(plain.row(id))
            let row = try #require(run.row(id))
            let p = before.churnProbability
            #expect(abs(row.churnProbability - 1 / (1 + exp(-(log(p / (1 - p)) + offset)))) < 1e-12, "\(id)")
            #expect(row.healthScore == before.healthScore && row.band == before.band && row.reasons.texts == before.reasons.texts, "\(id)")
        }
    }

    @Test func reasonsNameTheSignalWithTheAccountsValueAndTheSegmentMedian() throws {
        let run = try AccountScorer(model: fixture.model()).score(history: fixture.history, asOf: ScoringFixture.asOf)
        let gone = try #require(run.row("GONE"))
        // Scored Mid accounts: 13 steady-ish with 60 logins, VAC 32, GONE/CASE 0: the median is 60.
        #expect(gone.reasons == ["logins in the last 30 days 0, segment median 60"], "\(gone.reasons)")
        #expect(run.row("S01")?.reasons == [], "a typical account has no reason to worry")
    }

    @Test func aSegmentOfFewerThanTenScoredAccountsIsComparedWithAllOfThem() throws {
        // GONE alone in its segment would be its own typical account, with no reason
        // at all; 9 accounts are still too few, 10 are enough for a segment median.
        for (size, suffix) in [(1, "median of all accounts"), (9, "median of all accounts"), (10, "segment median")] {
            var history = fixture.history
            let moved = ["GONE"] + (1..<size).map { String(format: "S%02d", $0) }
            for id in moved { history.accounts.segment[Int(try #require(history.accounts.index[id]))] = "Small" }
            let run = try AccountScorer(model: fixture.model(segments: ["Mid", "Small"]))
                .score(history: history, asOf: ScoringFixture.asOf)
            // All 16 scored accounts (NEW is rejected), as in Mid before: 13 steady at
            // 60 logins, VAC 32, GONE and CASE 0. What stays in Mid follows the same rule.
            #expect(run.rows.filter { $0.segment == "Small" }.count == size)
            let midSuffix = 16 - size >= 10 ? "segment median" : "median of all accounts"
            #expect(run.row("GONE")?.reasons == ["logins in the last 30 days 0, \(suffix) 60"], "\(size)")
            #expect(run.row("CASE")?.reasons == ["logins in the last 30 days 0, \(midSuffix) 60"], "\(size)")
            #expect(run.row("S12")?.reasons == [], "\(size)")
        }
    }

    @Test func anUnknownSegmentUsesThePopulationBandsAndSaysSo() throws {
        let run = try AccountScorer(model: fixture.model(segments: ["Enterprise"])).score(history: fixture.history, asOf: ScoringFixture.asOf)
        #expect(run.warnings.contains { $0.contains("segment 'Mid' was not in the training data") })
        #expect(run.rows.count > 0)
    }

    /// A built-in signal whose metric the export lacks (no session minutes here) leaves its
    /// rule out with a warning; the other rules still run.
    @Test func aRuleReadingABuiltInSignalTheDataCannotComputeIsLeftOutWithAWarning() throws {
        var settings = AlertSettings()
        settings.rules.append(AlertRule(name: "short_sessions", type: .adoption, conditions: [Condition(parsing: "session_minutes_30d < 10")!],
                                        severity: .low, label: "short sessions"))
        let run = try AccountScorer(model: fixture.model(), alerts: settings).score(history: fixture.history, asOf: ScoringFixture.asOf)
        #expect(run.warnings.contains { $0.contains("alert rule 'short_sessions' left out: no signal 'session_minutes_30d'") }, "\(run.warnings)")
        #expect(!run.alerts.isEmpty)
    }

    /// A name no signal has anywhere is a typo: left out with a warning, the rule would
    /// never fire and a scheduled job's log is where nobody looks. It stops the run.
    @Test func aRuleReadingANameNoSignalHasIsAnErrorNamingTheClosestSignal() throws {
        var settings = AlertSettings()
        settings.rules.append(AlertRule(name: "big_and_quiet", type: .trend, conditions: [Condition(parsing: "contract_valu >= 100000")!,
                                        Condition(parsing: "logins_30d < 3")!], severity: .high, label: "big and quiet"))
        #expect(throws: ScoringError("alert rule 'big_and_quiet' reads 'contract_valu', which is no signal: not built in, not in signals.define, "
            + "not an account fact (did you mean 'contract_value'?)")) {
            try AccountScorer(model: fixture.model(), alerts: settings).score(history: fixture.history, asOf: ScoringFixture.asOf)
        }
        // A signal the config defines is known, whatever the model holds.
        settings.rules[settings.rules.count - 1].conditions[0] = Condition(parsing: "exports_90d >= 1")!
        let defined = SignalDefinition(name: "exports_90d", kind: .window(WindowSignal(metric: "exports", days: 90, aggregate: .sum)))
        let scorer = AccountScorer(model: try fixture.model(), alerts: settings, available: [defined])
        let run = try scorer.score(history: fixture.history, asOf: ScoringFixture.asOf)
        #expect(run.warnings.contains { $0.contains("alert rule 'big_and_quiet' left out: no signal 'exports_90d'") }, "no exports metric here: \(run.warnings)")
    }

    @Test func renewalDatesRollForwardToTheNextAnniversary() {
        func d(_ s: String) -> Day? { Day.parse(s) }
        #expect(RenewalCalendar.next(d("2026-05-01")!, onOrAfter: d("2026-03-01")!) == d("2026-05-01"))
        #expect(RenewalCalendar.next(d("2024-05-01")!, onOrAfter: d("2026-03-01")!) == d("2026-05-01"))
        #expect(RenewalCalendar.next(d("2025-01-10")!, onOrAfter: d("2026-03-01")!) == d("2027-01-10"))
        #expect(RenewalCalendar.next(d("2024-02-29")!, onOrAfter: d("2025-01-01")!) == d("2025-02-28"))
        #expect(RenewalCalendar.next(d("2026-03-01")!, onOrAfter: d("2026-03-01")!) == d("2026-03-01"))
    }
}
