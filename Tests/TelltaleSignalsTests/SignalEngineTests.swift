import Foundation
import Testing
import TelltaleData
@testable import TelltaleSignals

/// One definition of every kind and aggregate, on the random histories' metrics.
let everyKind: [SignalDefinition] = {
    func w(_ name: String, _ metric: String, _ days: Int, _ agg: WindowAggregate) -> SignalDefinition {
        SignalDefinition(name: name, kind: .window(WindowSignal(metric: metric, days: days, aggregate: agg)))
    }
    var defs: [SignalDefinition] = []
    for agg in WindowAggregate.allCases {
        defs.append(w("logins_\(agg.rawValue)_30", "logins", 30, agg))
        defs.append(w("csat_\(agg.rawValue)_45", "csat", 45, agg))
    }
    defs += [
        w("core_sum_14", "core_actions", 14, .sum),
        w("users_max_30", "active_users", 30, .max),
        SignalDefinition(name: "logins_trend", kind: .trend(TrendSignal(metric: "logins", recent: 30, baseline: 90))),
        SignalDefinition(name: "logins_drop", kind: .trend(TrendSignal(metric: "logins", recent: 14, baseline: 28, form: .drop))),
        SignalDefinition(name: "csat_trend", kind: .trend(TrendSignal(metric: "csat", recent: 60, baseline: 60))),
        SignalDefinition(name: "core_weekly_trend", kind: .trend(TrendSignal(metric: "core_actions", recent: 56, baseline: 84, statistic: .weeklyMedian))),
        SignalDefinition(name: "csat_weekly_drop", kind: .trend(TrendSignal(metric: "csat", recent: 21, baseline: 35, form: .drop, statistic: .weeklyMedian))),
        SignalDefinition(name: "core_active_weeks_t", kind: .trend(TrendSignal(metric: "core_actions", recent: 56, baseline: 84, form: .t, statistic: .activeWeeks))),
        SignalDefinition(name: "logins_active_weeks_ratio", kind: .trend(TrendSignal(metric: "logins", recent: 14, baseline: 35, statistic: .activeWeeks))),
        SignalDefinition(name: "csat_active_weeks_t", kind: .trend(TrendSignal(metric: "csat", recent: 28, baseline: 42, form: .t, statistic: .activeWeeks))),
        SignalDefinition(name: "core_decline_probability", kind: .trend(TrendSignal(metric: "core_actions", recent: 56, baseline: 84, form: .declineProbability,
                                                                                  statistic: .activeWeeks))),
        SignalDefinition(name: "logins_decline_probability", kind: .trend(TrendSignal(metric: "logins", recent: 21, baseline: 35, form: .declineProbability,
                                                                                    statistic: .activeWeeks, declineTo: 0.5, prior: 0.3))),
        SignalDefinition(name: "logins_vs_segment", kind: .cohort(CohortSignal(signal: "logins_sum_30", minimumAccounts: 5))),
        SignalDefinition(name: "core_vs_segment", kind: .cohort(CohortSignal(signal: "core_sum_14", minimumAccounts: 40))),
        SignalDefinition(name: "onboarded", kind: .milestone(MilestoneSignal(metric: "logins", within: 14, atLeast: 20))),
        SignalDefinition(name: "second_feature", kind: .milestone(MilestoneSignal(metric: "features_used", within: 7, atLeast: 5, aggregate: .max))),
        SignalDefinition(name: "users_per_seat", kind: .ratio(RatioSignal(numerator: "users_max_30", denominator: "seats"))),
        SignalDefinition(name: "logins_per_core", kind: .ratio(RatioSignal(numerator: "logins_sum_30", denominator: "core_sum_14"))),
        SignalDefinition(name: "no_login_14d", kind: .flag([Condition(parsing: "logins_days_since_active_30 >= 14")!])),
        SignalDefinition(name: "low_and_declining", kind: .flag([Condition(parsing: "logins_vs_segment < 0.6")!, Condition(parsing: "logins_trend <= 0.67")!])),
        SignalDefinition(name: "single_user_team", kind: .flag([Condition(parsing: "users_max_30 <= 1")!, Condition(parsing: "seats >= 5")!])),
    ]
    return defs
}()

func sameValue(_ x: Double, _ y: Double) -> Bool {
    if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
    return abs(x - y) <= 1e-9 * max(1, abs(y))
}

@Suite struct SignalEngineTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func everySignalKindAgreesWithABruteForceWalkOverTheRawRows(seed: UInt64) throws {
        let history = HistoryBuilder.random(seed: seed).build()
        let engine = try SignalEngine(history: history, definitions: everyKind)
        let brute = BruteForceSignals(history: history, definitions: everyKind)
        // Training rows plus scoring rows at several dates, so every window
        // meets short histories, the data's start and accounts that churned.
        var obs = history.trainingObservations(leadDays: 60).observations
        for offset in [10, 95, 200, 399] { obs += history.scoringObservations(asOf: Day(year: 2025, month: 1, day: 1)! + offset) }
        let table = engine.table(for: obs)
        var checked = 0, known = 0
        for (r, o) in obs.enumerated() {
            let expected = brute.values(Int(o.account), o.asOf)
            for s in everyKind.indices {
                let got = table.raw[s][r]
                #expect(sameValue(got, expected[s]), "seed \(seed): \(everyKind[s].name) for \(history.accounts.ids[Int(o.account)]) as of \(o.asOf): engine \(got), brute force \(expected[s])")
                checked += 1
                if !got.isNaN { known += 1 }
            }
        }
        // The comparison must be about numbers, not mostly about agreeing NaNs.
        #expect(checked > 2000 && Double(known) / Double(checked) > 0.6, "seed \(seed): \(known) of \(checked) known")
    }

    @Test func everyKindProducesBothStatesSomewhereSoTheBruteForceComparisonBites() throws {
        let history = HistoryBuilder.random(seed: 7, accounts: 60).build()
        let engine = try SignalEngine(history: history, definitions: everyKind)
        var obs: [Observation] = []
        for offset in stride(from: 20, to: 400, by: 40) { obs += history.scoringObservations(asOf: Day(year: 2025, month: 1, day: 1)! + offset) }
        let table = engine.table(for: obs)
        for name in ["no_login_14d", "low_and_declining", "single_user_team", "onboarded", "second_feature"] {
            let col = table.column(name)!
            #expect(col.contains(1) && col.contains(0), "\(name) is never 0 or never 1")
        }
        let milestone = table.column("onboarded")!
        #expect(milestone.contains { $0.isNaN }, "no 'not yet due or unknown' milestone")
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func changingOrDeletingUsageOnOrAfterTheObservationDateChangesNothing(seed: UInt64) throws {
        var builder = HistoryBuilder.random(seed: seed)
        let original = builder.build()
        let cut = Day(year: 2025, month: 1, day: 1)! + 230
        let obs = original.trainingObservations(leadDays: 60).observations.filter { $0.asOf <= cut }
            + original.scoringObservations(asOf: cut)
        #expect(obs.count > 30)
        let before = try SignalEngine(history: original, definitions: everyKind).table(for: obs)

        // Rewrite the future: every row on or after the cut gets new values, half are deleted,
        // and new rows appear on days that had none.
        var rng = SeededRandom(seed: seed + 100)
        let last = builder.rows.map(\.day).max()!
        builder.rows = builder.rows.compactMap { row in
            guard row.day >= cut, row.day != last else { return row }
            if rng.bernoulli(0.5) { return nil }
            var r = row
            r.values = r.values.map { _ in Double(rng.int(0...50)) }
            return r
        }
        for a in 0..<builder.ids.count { builder.rows.append(.init(account: a, day: cut + rng.int(0...100), values: [99, 1, 30, 9, 9, 99])) }
        var seen = Set<String>()
        builder.rows = builder.rows.filter { seen.insert("\($0.account)-\($0.day.number)").inserted }
        let changed = builder.build()
        let after = try SignalEngine(history: changed, definitions: everyKind).table(for: obs)
        for s in everyKind.indices {
            for r in obs.indices {
                #expect(sameValue(before.raw[s][r], after.raw[s][r]), "seed \(seed): \(everyKind[s].name) row \(r) changed with future usage")
            }
        }
    }

    @Test func aWindowReachingBeforeTheHistoryIsMissingNotComputedOverFewerDays() throws {
        var b = HistoryBuilder(metrics: ["logins"], isLevel: [false])
        let signup = Day(year: 2025, month: 3, day: 1)!
        b.ids = ["A"]; b.segments = ["S"]; b.signups = [signup]; b.seats = [3]
        for k in 0..<60 { b.rows.append(.init(account: 0, day: signup + k, values: [2])) }
        let def = SignalDefinition(name: "logins_30d", kind: .window(WindowSignal(metric: "logins", days: 30, aggregate: .sum)))
        let engine = try SignalEngine(history: b.build(), definitions: [def])
        let t = engine.table(for: [Observation(account: 0, asOf: signup + 20), Observation(account: 0, asOf: signup + 30),
                                   Observation(account: 0, asOf: signup + 61)])
        #expect(t.raw[0][0].isNaN)            // 20 days of history for a 30-day window
        #expect(t.raw[0][1] == 60)            // exactly 30 days
        #expect(t.raw[0][2].isNaN)            // reaches past the data's last day
        #expect(t.historyDays == [20, 30, 60])
        #expect(t.complete == [false, true, true]) // 60 days of history; the last window is missing for the data's end
    }

    /// Short history is marked as cut by the data only for accounts older than
    /// the data: a new account's first weeks are what it really looks like.
    @Test func historyIsCutByTheDataOnlyForAccountsThatPredateIt() throws {
        var b = HistoryBuilder(metrics: ["logins"], isLevel: [false])
        let start = Day(year: 2025, month: 3, day: 1)!
        b.ids = ["old", "new"]; b.segments = ["S", "S"]; b.seats = [3, 3]
        b.signups = [start - 400, start + 10]
        for k in 0..<200 { b.rows.append(.init(account: 0, day: start + k, values: [2])) }
        for k in 10..<200 { b.rows.append(.init(account: 1, day: start + k, values: [2])) }
        let def = SignalDefinition(name: "logins_30d", kind: .window(WindowSignal(metric: "logins", days: 30, aggregate: .sum)))
        let t = try SignalEngine(history: b.build(), definitions: [def]).table(for: [
            Observation(account: 0, asOf: start + 20), Observation(account: 0, asOf: start + 40),
            Observation(account: 1, asOf: start + 20), Observation(account: 1, asOf: start + 50)])
        #expect(t.complete == [false, true, false, true])
        #expect(t.historyCut == [true, false, false, false])
        #expect(t.subset([3, 0]).historyCut == [false, true])
    }

    /// The reason for the weekly-median trend: a two-week vacation halves the
    /// 30-day mean trend as a real decline does, but leaves the median week alone.
    @Test func aVacationMovesTheWeeklyMedianTrendLittleWhereASteadyDeclineHalvesIt() throws {
        var b = HistoryBuilder(metrics: ["core_actions"], isLevel: [false])
        let start = Day(year: 2025, month: 1, day: 1)!
        let asOf = start + 140                      // 20 whole weeks of history
        b.ids = ["vacation", "decline"]; b.segments = ["S", "S"]; b.seats = [5, 5]; b.signups = [start - 30, start - 30]
        for k in 0..<140 {
            let day = start + k
            let onVacation = (asOf - 20...asOf - 7).contains(day)   // two weeks off, inside the last 30 days
            if !onVacation { b.rows.append(.init(account: 0, day: day, values: [10])) }
            // 10 a day until 8 weeks before, then 5 a day.
            b.rows.append(.init(account: 1, day: day, values: [day < asOf - 56 ? 10 : 5]))
        }
        let defs = [SignalDefinition(name: "mean_trend", kind: .trend(TrendSignal(metric: "core_actions"))),
                    SignalDefinition(name: "weekly_trend", kind: .trend(TrendSignal(metric: "core_actions", recent: 56, baseline: 84,
                                                                                    statistic: .weeklyMedian))),
                    SignalDefinition(name: "weekly_drop", kind: .trend(TrendSignal(metric: "core_actions", recent: 56, baseline: 84,
                                                                                  form: .drop, statistic: .weeklyMedian)))]
        let t = try SignalEngine(history: b.build(), definitions: defs)
            .table(for: [Observation(account: 0, asOf: asOf), Observation(account: 1, asOf: asOf)])
        // Vacation: 16 of the last 30 days at 10 against 10 a day before: 160/300.
        #expect(abs(t.raw[0][0] - 160.0 / 300) < 1e-12)
        // The last 8 weeks are 60, 0, 10 and five of 70: the median week is 70, as before.
        #expect(t.raw[1][0] == 1 && t.raw[2][0] == 0)
        // Decline: the 30-day trend says about the same (5 a day against 90 days of which 26 at 5),
        // and every recent week is 35 against 70.
        #expect(abs(t.raw[0][1] - 450.0 / 770) < 1e-12)
        #expect(t.raw[1][1] == 0.5 && t.raw[2][1] == 50)
        // 20 weeks are needed: one day less of history is missing, not a shorter baseline.
        let short = try SignalEngine(history: b.build(), definitions: defs).table(for: [Observation(account: 0, asOf: asOf - 1)])
        #expect(short.raw[1][0].isNaN)
    }

    /// The reason for the active-weeks t: the same fall by a third is noise in
    /// an account with 3 core actions a week and certain in one with 300, and a
    /// vacation's empty weeks are no fall at all.
    @Test func theActiveWeeksTWeighsAFallByItsCountsAndLeavesVacationWeeksOut() throws {
        var b = HistoryBuilder(metrics: ["core_actions"], isLevel: [false])
        let start = Day(year: 2025, month: 1, day: 1)!
        let asOf = start + 140                      // 20 whole weeks of history
        b.ids = ["small", "big", "vacation"]; b.segments = ["S", "S", "S"]; b.seats = [5, 5, 5]; b.signups = [start - 30, start - 30, start - 30]
        for k in 0..<140 {
            let day = start + k
            let recent = day >= asOf - 56
            // One row a week (the week's first day); weeks end 7w days before the as-of date.
            if (asOf - day) % 7 == 0 {
                b.rows.append(.init(account: 0, day: day, values: [recent ? 1 : 3]))
                b.rows.append(.init(account: 1, day: day, values: [recent ? 100 : 300]))
            }
            let onVacation = (asOf - 21..<asOf - 7).contains(day)  // two whole weeks off
            if !onVacation { b.rows.append(.init(account: 2, day: day, values: [10])) }
        }
        let defs = [SignalDefinition(name: "t", kind: .trend(TrendSignal(metric: "core_actions", recent: 56, baseline: 84, form: .t, statistic: .activeWeeks))),
                    SignalDefinition(name: "ratio", kind: .trend(TrendSignal(metric: "core_actions", recent: 56, baseline: 84, statistic: .activeWeeks))),
                    SignalDefinition(name: "mean_ratio", kind: .trend(TrendSignal(metric: "core_actions", recent: 56, baseline: 84)))]
        let t = try SignalEngine(history: b.build(), definitions: defs).table(for: (0..<3).map { Observation(account: Int32($0), asOf: asOf) })
        // Both fell to a third of their weekly level ...
        #expect(t.raw[1][0] == 1.0 / 3 && t.raw[1][1] == 1.0 / 3)
        // ... but the evidence grows with the counts: -2/√(1/8 + 3/12) against ten times that.
        let small = -2 / (1.0 / 8 + 3.0 / 12).squareRoot()
        #expect(abs(t.raw[0][0] - small) < 1e-12 && abs(t.raw[0][1] - 10 * small) < 1e-9)
        // The vacation: 6 active weeks of 70 against 12 of 70: no change, where the mean says -25%.
        #expect(t.raw[0][2] == 0 && t.raw[1][2] == 1)
        #expect(t.raw[2][2] == 0.75)
        // Missing values are filled with "no change" of their form.
        #expect(defs[0].missing == .value(0) && defs[1].missing == .value(1))
    }

    /// The decline probability's reasons to exist: a steady fall is likely a
    /// decline, a level account and one back from a vacation are not, and the
    /// same fall in a small account is weaker evidence than in a big one.
    @Test func theDeclineProbabilityRisesWithASteadyFallByItsCountsAndNotForAVacation() throws {
        var b = HistoryBuilder(metrics: ["core_actions"], isLevel: [false])
        let start = Day(year: 2025, month: 1, day: 1)!
        let asOf = start + 183                      // 26 whole weeks of history, and a day
        b.ids = ["falling", "small_falling", "level", "vacation"]; b.segments = ["S", "S", "S", "S"]
        b.seats = [5, 5, 5, 5]; b.signups = Array(repeating: start - 30, count: 4)
        for k in 0..<183 {
            let day = start + k
            // One row a week, on its last day, so the data cover the 26 weeks to the as-of date.
            guard (asOf - 1 - day) % 7 == 0 else { continue }
            let weeksBefore = Double(asOf - 1 - day) / 7    // 0: the latest week
            let share = weeksBefore >= 13 ? 1 : 1.0 / 3 + (2.0 / 3) * (weeksBefore + 0.5) / 13
            b.rows.append(.init(account: 0, day: day, values: [(60 * share).rounded()]))
            b.rows.append(.init(account: 1, day: day, values: [(6 * share).rounded()]))
            b.rows.append(.init(account: 2, day: day, values: [60]))
            if !(2...3).contains(weeksBefore) { b.rows.append(.init(account: 3, day: day, values: [60])) }
        }
        let def = SignalDefinition(name: "p", kind: .trend(TrendSignal(metric: "core_actions", recent: 91, baseline: 91,
                                                                       form: .declineProbability, statistic: .activeWeeks)))
        let t = try SignalEngine(history: b.build(), definitions: [def]).table(for: (0..<4).map { Observation(account: Int32($0), asOf: asOf) })
        let p = t.raw[0]
        #expect(p[0] > 0.999)                       // 60 a week falling to 20
        #expect(p[1] > 0.1 && p[1] < p[0])          // 6 a week falling to 2: some evidence, less
        #expect(p[2] < 0.001 && p[3] < 0.001)       // level, with or without two empty weeks
        // The vacation's empty weeks are left out, the other recent weeks keep their place.
        let activeRecent = (0..<13).filter { !(2...3).contains($0) }.map { (weeksBefore: $0, count: 60.0) }
        let expected = WeeklyComparison.declineProbability(recent: activeRecent, recentWeeks: 13, baseline: Array(repeating: 60, count: 13),
                                                           to: 1.0 / 3, prior: 0.1)
        #expect(abs(p[3] - expected) <= 1e-15 * Swift.max(1e-300, expected), "engine \(p[3]), active weeks alone \(expected)")
        #expect(def.missing == .value(0.1))         // unknown: the prior
        #expect(t.requiredHistory == 91)            // only the recent weeks must be in the history
        #expect(def.label == "chance of a steady decline in core_actions per active week (to 33.3% over the last 13 weeks from the 13 before; prior 10%)")
    }

    @Test func aMilestoneKeepsNotYetDueApartFromMissed() throws {
        var b = HistoryBuilder(metrics: ["logins"], isLevel: [false])
        let start = Day(year: 2025, month: 1, day: 1)!
        b.ids = ["early", "slow", "fast"]; b.segments = ["S", "S", "S"]; b.seats = [nil, nil, nil]
        b.signups = [start - 10, start + 5, start + 5]
        b.rows.append(.init(account: 0, day: start, values: [1]))
        for k in 0..<14 { b.rows.append(.init(account: 1, day: start + 5 + k, values: [1])) }   // 14 logins in 14 days
        for k in 0..<3 { b.rows.append(.init(account: 2, day: start + 5 + k, values: [2])) }    // 6 logins in 3 days
        b.rows.append(.init(account: 0, day: start + 100, values: [1]))
        let def = SignalDefinition(name: "onboarded", kind: .milestone(MilestoneSignal(metric: "logins", within: 14, atLeast: 5)))
        let engine = try SignalEngine(history: b.build(), definitions: [def])
        let t = engine.table(for: [
            Observation(account: 0, asOf: start + 50),  // signed up before the data: unknown
            Observation(account: 1, asOf: start + 8),   // 3 logins so far, 11 days left: not yet due
            Observation(account: 1, asOf: start + 40),  // 14 logins in 14 days: reached
            Observation(account: 2, asOf: start + 8),   // 6 logins in 3 days: reached early
        ])
        #expect(t.raw[0][0].isNaN && t.raw[0][1].isNaN)
        #expect(t.raw[0][2] == 0 && t.raw[0][3] == 0)

        var missed = b
        missed.rows = missed.rows.filter { $0.account != 1 } + [.init(account: 1, day: start + 6, values: [4])]
        let m = try SignalEngine(history: missed.build(), definitions: [def]).table(for: [Observation(account: 1, asOf: start + 19),
                                                                                           Observation(account: 1, asOf: start + 18)])
        #expect(m.raw[0] [0] == 1)              // the 14 days ended with 4 logins: missed
        #expect(m.raw[0][1].isNaN)              // one day earlier it was not yet due
    }

    @Test func cohortComparesWithTheSegmentMedianAtTheSameDateAndSmallSegmentsBorrowThePopulation() throws {
        var b = HistoryBuilder(metrics: ["logins"], isLevel: [false])
        let start = Day(year: 2025, month: 1, day: 1)!
        // Segment A: 3 accounts logging in 1, 2, 3 times a day; segment B: one account at 10 a day.
        b.ids = ["a1", "a2", "a3", "b1"]; b.segments = ["A", "A", "A", "B"]; b.seats = [nil, nil, nil, nil]
        b.signups = Array(repeating: start - 1, count: 4)
        for (a, rate) in [1.0, 2, 3, 10].enumerated() { for k in 0..<40 { b.rows.append(.init(account: a, day: start + k, values: [rate])) } }
        let defs = [SignalDefinition(name: "logins_30d", kind: .window(WindowSignal(metric: "logins", days: 30, aggregate: .sum))),
                    SignalDefinition(name: "vs_segment", kind: .cohort(CohortSignal(signal: "logins_30d", minimumAccounts: 2)))]
        let t = try SignalEngine(history: b.build(), definitions: defs).table(for: (0..<4).map { Observation(account: Int32($0), asOf: start + 35) })
        // A's median is 60 (2 a day); B has one account, so it borrows the population median (2.5 a day = 75).
        #expect(t.raw[1] == [0.5, 1, 1.5, 300.0 / 75])
    }

    @Test func definitionsAreValidatedWithTheSignalNamed() {
        /// The validation error's text, or a recorded issue when there is none.
        func message(_ defs: [SignalDefinition], metrics: [String] = ["logins"], levels: Set<String> = []) -> String {
            do { try SignalDefinition.validate(defs, metrics: metrics, levels: levels); Issue.record("no error"); return "" } catch let e as SignalError {
                return e.description
            } catch { Issue.record("\(error)"); return "" }
        }
        let w = SignalDefinition(name: "x", kind: .window(WindowSignal(metric: "nope", days: 30, aggregate: .sum)))
        #expect(throws: SignalError.self) { try SignalDefinition.validate([w], metrics: ["logins"]) }
        let forward = [SignalDefinition(name: "f", kind: .flag([Condition(parsing: "later > 1")!])),
                       SignalDefinition(name: "later", kind: .window(WindowSignal(metric: "logins", days: 30, aggregate: .sum)))]
        #expect(message(forward).contains("defined after it"))
        let zero = SignalDefinition(name: "z", kind: .window(WindowSignal(metric: "logins", days: 0, aggregate: .sum)))
        #expect(throws: SignalError.self) { try SignalDefinition.validate([zero], metrics: ["logins"]) }
        let reserved = SignalDefinition(name: "seats", kind: .window(WindowSignal(metric: "logins", days: 3, aggregate: .sum)))
        #expect(throws: SignalError.self) { try SignalDefinition.validate([reserved], metrics: ["logins"]) }
        let partWeek = SignalDefinition(name: "w", kind: .trend(TrendSignal(metric: "logins", recent: 30, baseline: 84, statistic: .weeklyMedian)))
        #expect(message([partWeek]).contains("multiples of 7 days, found 30 and 84"))
        let partActiveWeek = SignalDefinition(name: "a", kind: .trend(TrendSignal(metric: "logins", recent: 56, baseline: 90, statistic: .activeWeeks)))
        #expect(message([partActiveWeek]).contains("statistic active_weeks compares whole weeks: recent and baseline must be multiples of 7 days, found 56 and 90"))
        let tOfDays = SignalDefinition(name: "t", kind: .trend(TrendSignal(metric: "logins", recent: 56, baseline: 84, form: .t)))
        #expect(message([tOfDays]).contains("form t compares the two periods' weeks: it needs statistic active_weeks, found mean"))
        func decline(_ metric: String = "logins", statistic: TrendSignal.Statistic = .activeWeeks, to: Double = 0.5, prior: Double = 0.1) -> SignalDefinition {
            SignalDefinition(name: "d", kind: .trend(TrendSignal(metric: metric, recent: 91, baseline: 91, form: .declineProbability,
                                                                 statistic: statistic, declineTo: to, prior: prior)))
        }
        #expect(message([decline(statistic: .weeklyMedian)]).contains("form decline_probability compares the two periods' weeks: it needs statistic active_weeks, found weekly_median"))
        #expect(message([decline(to: 1)]).contains("signal 'd': to is the share of the baseline the decline reaches, between 0 and 1 (exclusive), found 1"))
        #expect(message([decline(prior: 0)]).contains("prior is a probability between 0 and 1 (exclusive), found 0"))
        #expect(message([decline("csat")], metrics: ["csat"], levels: ["csat"])
            .contains("form decline_probability models counts, and 'csat' is a level metric; use form t for a level"))
    }

    /// Model files written before trends had a statistic must still read, as
    /// mean trends; and a mean trend is still written without the key, so
    /// those files' bytes do not change on retraining.
    @Test func trendDefinitionsWithoutAStatisticReadAsMeanTrendsAndAreWrittenSo() throws {
        let old = #"{"metric":"logins","recent":30,"baseline":90,"form":"drop"}"#
        let decoded = try JSONDecoder().decode(TrendSignal.self, from: Data(old.utf8))
        #expect(decoded == TrendSignal(metric: "logins", form: .drop))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(decoded), as: UTF8.self) == #"{"baseline":90,"form":"drop","metric":"logins","recent":30}"#)
        let weekly = TrendSignal(metric: "core_actions", recent: 56, baseline: 84, statistic: .weeklyMedian)
        let text = String(decoding: try encoder.encode(weekly), as: UTF8.self)
        #expect(text.contains(#""statistic":"weekly_median""#))
        #expect(try JSONDecoder().decode(TrendSignal.self, from: Data(text.utf8)) == weekly)
    }

    @Test func conditionsParseTheirOperatorAndRejectOtherText() {
        #expect(Condition(parsing: "days_since_login >= 14") == Condition(signal: "days_since_login", op: .ge, value: 14))
        #expect(Condition(parsing: "x<0.6") == Condition(signal: "x", op: .lt, value: 0.6))
        #expect(Condition(parsing: "x != 0")?.op == .ne)
        #expect(Condition(parsing: "x is low") == nil)
        #expect(Condition(parsing: "x > ten") == nil)
        #expect(Condition(parsing: "a b > 1") == nil)
    }

    @Test func theDefaultSetKeepsOnlySignalsWhoseMetricsExist() throws {
        let onlyLogins = SignalDefinition.defaults(metrics: ["logins"])
        #expect(onlyLogins.map(\.name).contains("logins_30d"))
        #expect(!onlyLogins.contains { $0.name == "csat_under_5" || $0.name == "single_user_team" })
        try SignalDefinition.validate(onlyLogins, metrics: ["logins"])
        let all = SignalDefinition.defaults(metrics: ["logins", "active_users", "features_used", "core_actions", "session_minutes", "support_cases", "csat"])
        try SignalDefinition.validate(all, metrics: ["logins", "active_users", "features_used", "core_actions", "session_minutes", "support_cases", "csat"])
        #expect(all.filter(\.isFlag).count >= 8)
    }

    @Test func preparationFillsWithTrainingMediansThenTransforms() throws {
        let history = HistoryBuilder.random(seed: 21).build()
        let defs = [SignalDefinition(name: "logins_30d", kind: .window(WindowSignal(metric: "logins", days: 30, aggregate: .sum)), transform: .log1p),
                    SignalDefinition(name: "csat_min", kind: .window(WindowSignal(metric: "csat", days: 30, aggregate: .min)), missing: .value(7))]
        let table = try SignalEngine(history: history, definitions: defs).table(for: history.trainingObservations(leadDays: 60).observations)
        let prep = SignalPreparation.fit(table)
        let med = median(table.raw[0])
        #expect(prep.fill[0] == med && prep.fill[1] == 7)
        let inputs = prep.apply(table)
        for r in 0..<table.rowCount {
            let x = table.raw[0][r]
            #expect(inputs[0][r] == Foundation.log1p(x.isNaN ? med : x))
            #expect(inputs[1][r] == (table.raw[1][r].isNaN ? 7 : table.raw[1][r]))
        }
    }

    @Test func cohortMediansTakenADayBlockAtATimeAreThoseOfOneBlock() throws {
        let history = HistoryBuilder.random(seed: 32, accounts: 80).build()
        let whole = try SignalEngine(history: history, definitions: everyKind)
        var blocks = whole
        blocks.populationBlock = 60 // a day or two of the 80 accounts per block
        let obs = history.trainingObservations(leadDays: 45).observations
        let a = whole.table(for: obs), b = blocks.table(for: obs)
        let cohorts = everyKind.indices.filter { if case .cohort = everyKind[$0].kind { return true } else { return false } }
        #expect(cohorts.count == 2 && Set(obs.map(\.asOf)).count > 20, "\(Set(obs.map(\.asOf)).count) days")
        for s in everyKind.indices {
            #expect(a.raw[s].indices.allSatisfy { a.raw[s][$0].bitPattern == b.raw[s][$0].bitPattern }, "\(everyKind[s].name)")
        }
        #expect(cohorts.allSatisfy { s in a.raw[s].filter { !$0.isNaN }.count > obs.count / 3 })
    }

    @Test func renewalsObservedBeforeSignupOrAfterTheUsageDataAreLeftOutWithTheReason() throws {
        var b = HistoryBuilder.random(seed: 34, accounts: 6)
        let usageEnd = Day(year: 2025, month: 1, day: 1)! + 399
        b.renewals = [(account: 0, date: b.signups[0] + 30, churned: true),      // observed before signup
                      (account: 1, date: usageEnd + 61, churned: false),         // observed the day after the data: kept
                      (account: 2, date: usageEnd + 62, churned: true)]          // observed two days after: nothing to see
        let history = b.build()
        #expect(history.usage.dateRange?.upperBound == usageEnd)
        let plan = history.trainingObservations(leadDays: 60)
        #expect(plan.observations.map(\.account) == [1])
        #expect(plan.leftOut.map(\.account) == [0, 2])
        #expect(plan.leftOut.first?.reason.contains("is not after signup") == true)
        #expect(plan.leftOut.last?.reason == "the observation date \(usageEnd + 2) (renewal − 60 days) is after the usage data ends (\(usageEnd))")
    }

    @Test func windowsSweptAccountByAccountEqualWindowsFoundByBinarySearch() throws {
        // The cohort population's path: observations account by account, days increasing.
        let history = HistoryBuilder.random(seed: 33, accounts: 50).build()
        let engine = try SignalEngine(history: history, definitions: everyKind)
        var obs: [Observation] = [], runs: [Range<Int>] = []
        let days = stride(from: 0, to: 420, by: 3).map { Day(year: 2025, month: 1, day: 1)! - 10 + $0 }
        for a in 0..<history.accounts.count {
            let run = obs.count
            for d in days where d > history.accounts.signup[a] { obs.append(Observation(account: Int32(a), asOf: d)) }
            if obs.count > run { runs.append(run..<obs.count) }
        }
        let windows = everyKind.indices.filter {
            if case let .window(w) = everyKind[$0].kind { return w.aggregate != .daysSinceActive } else { return false }
        }
        #expect(Set(windows.compactMap { i -> WindowAggregate? in
            if case let .window(w) = everyKind[i].kind { return w.aggregate } else { return nil }
        }).count == WindowAggregate.allCases.count - 1, "every aggregate the sweep takes")
        let searched = engine.compute(windows, obs), swept = engine.compute(windows, obs, runs: runs)
        for (k, i) in windows.enumerated() {
            #expect(searched[k].indices.allSatisfy { searched[k][$0].bitPattern == swept[k][$0].bitPattern }, "\(everyKind[i].name)")
            #expect(searched[k].filter { !$0.isNaN }.count > obs.count / 2, "\(everyKind[i].name): mostly known")
        }
    }

    @Test func runningTotalsAreFloatsOnlyWhereEveryTotalIsExactAndSumAsDoublesWould() throws {
        // Counts (Floats), tenths (inexact), and counts whose totals pass 2^24.
        var b = HistoryBuilder(metrics: ["count", "tenths", "huge"], isLevel: [false, false, false])
        var rng = SeededRandom(seed: 9)
        for a in 0..<3 {
            b.ids.append("A\(a)"); b.segments.append("S"); b.signups.append(Day(year: 2025, month: 1, day: 1)!); b.seats.append(nil)
            for d in 0..<200 where rng.bernoulli(0.7) {
                b.rows.append(.init(account: a, day: Day(year: 2025, month: 1, day: 1)! + d,
                                    values: [Double(rng.int(0...50)), Double(rng.int(0...9)) / 10, Double(rng.int(100_000...400_000))]))
            }
        }
        let usage = b.build().usage
        let indexes = (0..<3).map { MetricIndex(usage: usage, metric: $0, needsActive: true) }
        #expect(indexes.map(\.sumsAreFloats) == [true, false, false])
        for (m, index) in indexes.enumerated() {
            for a in 0..<3 {
                let rows = usage.rows(of: a)
                for _ in 0..<50 {
                    let lo = rng.int(rows.lowerBound...rows.upperBound), hi = rng.int(lo...rows.upperBound)
                    var direct = 0.0 // the running totals' own order: from the account's first row
                    var before = 0.0
                    for r in rows.lowerBound..<hi { direct += usage.values[m][r]; if r < lo { before = direct } }
                    #expect(index.sum(lo, hi, first: rows.lowerBound) == (hi <= lo ? 0 : direct - before), "metric \(m) rows \(lo)..<\(hi)")
                }
            }
        }
    }

    /// The backtest computes each training table once and takes the renewals
    /// decided before each date from it: a row's values must not depend on the
    /// other rows (a cohort's population is every account active that day).
    @Test func aTablesRowsAreThoseOfATableOfThoseObservationsAlone() throws {
        let history = HistoryBuilder.random(seed: 37).build()
        let engine = try SignalEngine(history: history, definitions: everyKind)
        let obs = history.distanceObservations(daysBefore: 90)
        let date = obs.map { $0.renewal! }.sorted()[obs.count / 2]
        let rows = obs.indices.filter { obs[$0].renewal! < date }
        let whole = engine.table(for: obs).subset(rows), alone = engine.table(for: rows.map { obs[$0] })
        #expect(rows.count > 10 && rows.count < obs.count)
        #expect(whole.observations == alone.observations && whole.historyCut == alone.historyCut && whole.historyDays == alone.historyDays)
        for s in everyKind.indices {
            #expect(zip(whole.raw[s], alone.raw[s]).allSatisfy { sameValue($0, $1) }, "\(everyKind[s].name)")
        }
    }

    @Test func rowOrderOfObservationsDoesNotChangeAnyValue() throws {
        let history = HistoryBuilder.random(seed: 31).build()
        let engine = try SignalEngine(history: history, definitions: everyKind)
        let obs = history.trainingObservations(leadDays: 45).observations
        let a = engine.table(for: obs), b = engine.table(for: obs.reversed())
        for s in everyKind.indices {
            #expect(zip(a.raw[s], b.raw[s].reversed()).allSatisfy { sameValue($0, $1) }, "\(everyKind[s].name)")
        }
    }
}
