import Foundation
import Testing
import TelltaleAlerts
import TelltaleBacktest
@testable import TelltaleData
import TelltaleModel
import TelltaleModelTraining
import TelltalePatterns
import TelltaleScorer
import TelltaleSignals
import TelltaleSimulation

/// A simulated history loaded through the loader, cached per size for the suite.
func simulatedHistory(accounts: Int, days: Int, seed: UInt64) throws -> History {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-bt-\(accounts)-\(days)-\(seed)-\(UUID().uuidString)").path
    try Simulator(settings: SimulationSettings(accounts: accounts, days: days, seed: seed)).run().write(to: dir, gzipUsage: false)
    var options = LoadOptions(accountsPath: dir + "/accounts.csv", usagePath: dir + "/usage.csv", renewalsPath: dir + "/renewals.csv")
    options.progress = false
    return try HistoryLoader(options: options).load()
}

func backtester(_ history: History, settings: BacktestSettings = BacktestSettings(), fixed: ChurnModel? = nil) throws -> Backtester {
    let definitions = SignalDefinition.defaults(metrics: history.usage.metrics)
    let trainer = ChurnTrainer(settings: TrainingSettings(), patternSearch: PatternSearchSettings(), patternFlags: nil, cutSignals: [], leadDays: 60)
    let train = try Backtester.retraining(history: history, definitions: definitions, trainer: trainer, leadDays: 60, toolVersion: "test")
    return Backtester(history: history, definitions: definitions, alerts: AlertSettings(), scoring: ScoringSettings(),
                      settings: settings, fixedModel: fixed, train: fixed == nil ? train : nil)
}

@Suite struct BacktestTests {
    @Test func alertsFiredAtADateDoNotChangeWhenWhatHappenedAfterItChanges() throws {
        let history = try simulatedHistory(accounts: 500, days: 540, seed: 11)
        let end = history.usage.dateRange!.upperBound
        let dates = [end - 120, end - 113]
        var settings = BacktestSettings()
        settings.retrainDays = 1 // retrain at both dates
        let before = try backtester(history, settings: settings).run(dates: dates)
        // Rewrite the future: every renewal after the last date flips its outcome, and usage after it vanishes.
        var changed = history
        for r in 0..<changed.renewals.count where changed.renewals.date[r] > dates[1] { changed.renewals.churned[r].toggle() }
        for m in changed.usage.values.indices {
            for r in 0..<changed.usage.count where changed.usage.day[r] >= dates[1].number { changed.usage.values[m][r] = 0 }
        }
        let after = try backtester(changed, settings: settings).run(dates: dates)
        #expect(before.trainings.map(\.renewals) == after.trainings.map(\.renewals))
        #expect(before.observations.count == after.observations.count && !before.observations.isEmpty)
        var outcomesDiffer = false
        for (a, b) in zip(before.observations, after.observations) {
            #expect(a.account == b.account && a.date == b.date)
            #expect(a.churnProbability == b.churnProbability && a.band == b.band && a.rules == b.rules && a.severity == b.severity)
            if a.churned != b.churned { outcomesDiffer = true }
        }
        #expect(outcomesDiffer, "the outcomes did change: the test would otherwise prove nothing")
        // Retrained at the second date: its band moves come from the new model's bands, and no band drop is alerted.
        let first = Dictionary(before.observations.filter { $0.date == dates[0] }.map { ($0.account, $0.band) }, uniquingKeysWith: { a, _ in a })
        let fell = before.observations.filter { o in o.date == dates[1] && first[o.account].map { o.band.index < $0.index } == true }
        #expect(!fell.isEmpty, "some bands fell, so band drops were there to hold back")
        #expect(!before.observations.contains { $0.date == dates[1] && $0.rules.contains("band_drop") })
        // The re-calibration at the second date, as the report's Models section gives it: that
        // date's accounts under the first model (replayed alone, held fixed) against the second's.
        #expect(before.trainings[0].migration == nil)
        let migration = try #require(before.trainings[1].migration)
        let definitions = SignalDefinition.defaults(metrics: history.usage.metrics)
        let trainer = ChurnTrainer(settings: TrainingSettings(), patternSearch: PatternSearchSettings(), patternFlags: nil, cutSignals: [], leadDays: 60)
        let firstModel = try Backtester.retraining(history: history, definitions: definitions, trainer: trainer, leadDays: 60, toolVersion: "test")(dates[0]).0
        let underFirst = try backtester(history, fixed: firstModel).run(dates: [dates[1]]).observations
        let underSecond = Dictionary(uniqueKeysWithValues: before.observations.filter { $0.date == dates[1] }.map { ($0.account, $0.band) })
        var counts = Array(repeating: Array(repeating: 0, count: 4), count: 4)
        for o in underFirst { counts[o.band.index][underSecond[o.account]!.index] += 1 }
        #expect(underFirst.count == underSecond.count && migration.counts == counts && migration.asOf == dates[1], "\(migration.counts) against \(counts)")
        #expect(migration.worse + migration.better > 0, "the second model moved some accounts: the test would otherwise prove little")
        #expect(BacktestReport.markdown(BacktestSummary(run: before, alerts: AlertSettings(), settings: settings))
            .contains("- \(dates[1]): trained on \(before.trainings[1].renewals) renewals decided before it; that date's accounts by band, the model before -> this one: \(migration.bandCounts) (\(migration.moves))"))
        // The headline counts the trainings in words ("retraining 1 times" before).
        #expect(BacktestReport.headline(BacktestSummary(run: before, alerts: AlertSettings(), settings: settings))[0]
            .contains("retraining 2 times on the renewals decided before each date."))
        var once = settings
        once.retrainDays = 1000
        let single = try backtester(history, settings: once).run(dates: dates)
        #expect(single.trainings.count == 1 && BacktestReport.headline(BacktestSummary(run: single, alerts: AlertSettings(), settings: once))[0]
            .contains("with one model trained on the renewals decided before the first date."))
    }

    /// Replayed every day, a band drop is what `score` would raise on daily
    /// runs: below the band of the date a week before on every date since,
    /// counted here from the replay's own bands.
    @Test func aDailyReplaysBandDropsHoldAWeekAsScoringsDo() throws {
        let fixture = try ScoringFixture()
        let asOf = ScoringFixture.asOf
        let dates = Backtester.dates(from: asOf - 24, to: asOf, every: 1)
        // A model whose bands move: cut points near the accounts' health scores.
        var model = try fixture.model(intercept: -0.5)
        let cuts = SegmentBands(cutPoints: [40, 60, 80], borrowed: false, stats: [])
        model.bands = BandTable(targets: model.bands.targets, population: cuts, segments: ["Mid": cuts])
        var daily = BacktestSettings()
        daily.everyDays = 1
        let run = try backtester(fixture.history, settings: daily, fixed: model).run(dates: dates)
        var bands: [Day: [Int32: Band]] = [:]
        for o in run.observations { bands[o.date, default: [:]][o.account] = o.band }
        var drops = 0, falls = 0
        for o in run.observations {
            let previous = bands[o.date - 1]?[o.account]
            if let previous, o.band < previous { falls += 1 }
            guard let baseline = bands[o.date - 7]?[o.account] else {
                #expect(!o.rules.contains("band_drop"))
                continue
            }
            let held = (1...7).allSatisfy { bands[o.date - 7 + $0]?[o.account].map { $0 < baseline } ?? true }
            #expect(o.rules.contains("band_drop") == held, "\(o.account) on \(o.date)")
            if held { drops += 1 }
        }
        #expect(drops > 0 && falls > drops, "bands fell \(falls) times from one day to the next, \(drops) of them held a week")
        // The headline speaks of days, not the weekly replay's weeks.
        let headline = BacktestReport.headline(BacktestSummary(run: run, alerts: AlertSettings(), settings: daily))
        #expect(headline[0].contains("every day from") && headline[1].contains("of alerted account-dates churned"), "\(headline)")
    }

    @Test func alertMetricsMatchABruteForceRecount() throws {
        let fixture = try ScoringFixture()
        var settings = BacktestSettings()
        settings.horizonDays = 60
        // Renewals for the fixture: GONE and CASE churn, VAC renews, S01 churns far later (outside every horizon),
        // SOLO, alerted as a single user on every date, churns 100 days after the fixture's as-of date: outside every horizon too.
        var history = fixture.history
        let asOf = ScoringFixture.asOf
        for (id, offset, churned) in [("GONE", 20, true), ("CASE", 50, true), ("VAC", 30, false), ("S01", 200, true), ("SOLO", 100, true)] {
            history.renewals.account.append(history.accounts.index[id]!)
            history.renewals.date.append(asOf + offset)
            history.renewals.churned.append(churned)
            history.renewals.contractValue.append(nil)
            history.renewals.lines.append(0)
        }
        let dates = Backtester.dates(from: asOf - 21, to: asOf + 14, every: 7)
        let run = try Backtester(history: history, definitions: [], alerts: AlertSettings(), scoring: ScoringSettings(),
                                 settings: settings, fixedModel: fixture.model()).run(dates: dates)
        let names = run.rules.map(\.name)
        let stats = BacktestMetrics.stats(run, names: names) { Set($0.rules) }
        // Recount from the definitions, directly on the observations and the renewals.
        for s in stats {
            var alerts = 0, tp = 0, episodes = 0
            var caught: [String: Int] = [:] // "account renewal" -> first alert date number
            var churnEvents = Set<String>()
            for o in run.observations {
                let next = (0..<history.renewals.count).filter { history.renewals.account[$0] == o.account && history.renewals.date[$0] > o.date
                    && history.renewals.date[$0] - o.date <= 60 }.min { history.renewals.date[$0] < history.renewals.date[$1] }
                let churn = next.map { history.renewals.churned[$0] } ?? false
                if churn { churnEvents.insert("\(o.account) \(history.renewals.date[next!])") }
                guard o.rules.contains(s.name) else { continue }
                alerts += 1
                let previous = run.observations.first { $0.account == o.account && $0.date == o.date - 7 }
                if previous.map({ !$0.rules.contains(s.name) }) ?? true { episodes += 1 }
                if churn {
                    tp += 1
                    let key = "\(o.account) \(history.renewals.date[next!])"
                    caught[key] = min(caught[key] ?? Int.max, Int(o.date.number))
                }
            }
            #expect(s.alerts == alerts && s.truePositives == tp && s.episodes == episodes, "\(s.name)")
            #expect(s.churns == churnEvents.count && s.churnsCaught == caught.count, "\(s.name)")
            let leads = caught.map { key, first in Int(Day.parse(String(key.split(separator: " ")[1]))!.number) - first }.sorted()
            #expect(s.leadDays == leads, "\(s.name)")
        }
        let gone = try #require(stats.first { $0.name == "logins_drop_33pct" })
        #expect(gone.churnsCaught >= 1, "GONE's decline fired before its churn")

        // Judged by the next renewal however far: recount terms (account, first renewal after the date) directly.
        let terms = BacktestMetrics.termStats(run, names: names) { Set($0.rules) }
        func nextRenewal(_ o: BacktestObservation) -> Int? {
            (0..<history.renewals.count).filter { history.renewals.account[$0] == o.account && history.renewals.date[$0] > o.date }
                .min { history.renewals.date[$0] < history.renewals.date[$1] }
        }
        var allTerms = Set<String>(), allChurned = Set<String>()
        for o in run.observations {
            guard let r = nextRenewal(o) else { continue }
            allTerms.insert("\(o.account) \(history.renewals.date[r])")
            if history.renewals.churned[r] { allChurned.insert("\(o.account) \(history.renewals.date[r])") }
        }
        #expect(allChurned.contains("\(history.accounts.index["S01"]!) \(asOf + 200)"), "a churn outside every horizon is a term's churn")
        for t in terms {
            var first: [String: Int] = [:], undecided = Set<Int32>()
            for o in run.observations where o.rules.contains(t.name) {
                guard let r = nextRenewal(o) else { undecided.insert(o.account); continue }
                let key = "\(o.account) \(history.renewals.date[r])"
                first[key] = min(first[key] ?? Int.max, Int(o.date.number))
            }
            let churned = first.filter { allChurned.contains($0.key) }
            let renewalDay = { (key: String) in Int(Day.parse(String(key.split(separator: " ")[1]))!.number) }
            #expect(t.allTerms == allTerms.count && t.allChurned == allChurned.count, "\(t.name)")
            #expect(t.terms == first.count && t.churned == churned.count && t.undecided == undecided.count, "\(t.name)")
            #expect(t.beyondHorizon == first.filter { renewalDay($0.key) - $0.value > 60 }.count, "\(t.name)")
            #expect(t.leadDays == churned.map { renewalDay($0.key) - $0.value }.sorted(), "\(t.name)")
        }
        // Calibration by days to the next renewal, recounted from the renewals table.
        var cells: [Int: (n: Int, p: Double, churned: Int)] = [:]
        for o in run.observations {
            guard let r = nextRenewal(o) else { continue }
            let days = Int(history.renewals.date[r].number - o.date.number)
            let k = days <= 90 ? 0 : days <= 180 ? 1 : days <= 270 ? 2 : 3
            var c = cells[k] ?? (0, 0, 0)
            c.n += 1; c.p += o.churnProbability; if history.renewals.churned[r] { c.churned += 1 }
            cells[k] = c
        }
        let byDistance = BacktestMetrics.calibrationByDistance(run)
        #expect(byDistance.map(\.upTo) == cells.keys.sorted().map { [90, 180, 270, nil][$0] } && byDistance.count >= 2, "\(byDistance)")
        #expect(byDistance.map(\.from) == cells.keys.sorted().map { [1, 91, 181, 271][$0] }, "each cell's own lower bound, whatever is empty")
        // An empty cell between two others does not shift their bounds (it labelled 181-270 as 91-270).
        var gap = run
        gap.observations = run.observations.filter { o in o.nextRenewal.map { $0 - o.date <= 90 || $0 - o.date > 180 } ?? false }
        let gapCells = BacktestMetrics.calibrationByDistance(gap)
        #expect(gapCells.map(\.from) == [1, 181] && gapCells.map(\.upTo) == [90, 270], "\(gapCells)")
        #expect(BacktestReport.markdown(BacktestSummary(run: gap, alerts: AlertSettings(), settings: settings)).contains("\n| 181-270 | "))
        for (got, k) in zip(byDistance, cells.keys.sorted()) {
            let c = cells[k]!
            #expect(got.decided == c.n && abs(got.predicted - c.p / Double(c.n)) < 1e-12 && got.observed == Double(c.churned) / Double(c.n), "\(k)")
        }
        let solo = try #require(terms.first { $0.name == "single_user_team" })
        #expect(solo.terms == 1 && solo.churned == 1 && solo.beyondHorizon == 1 && solo.leadDays == [121], "\(solo)")
        let soloSoon = try #require(stats.first { $0.name == "single_user_team" })
        #expect(soloSoon.churnsCaught == 0, "the horizon does not credit it")

        // The sweep at the configured setting replays exactly the walk forward's alerts.
        let kept = try Backtester(history: history, definitions: [], alerts: AlertSettings(), scoring: ScoringSettings(),
                                  settings: settings, fixedModel: fixture.model()).run(dates: dates, keepSnapshots: true)
        let sweep = ThresholdSweep.run(kept, alerts: AlertSettings(), settings: settings).points
        for p in sweep where p.isCurrent {
            let walked = try #require(stats.first { $0.name == p.rule })
            #expect(p.stats.alerts == walked.alerts && p.stats.truePositives == walked.truePositives && p.stats.churnsCaught == walked.churnsCaught, "\(p.rule)")
        }
        #expect(sweep.contains { $0.isCurrent })
        // Recommendations: the most churn caught among the settings within the budget (or at the precision target).
        for (budget, target) in [(0.5, 0.1), (2.0, 0.3), (100.0, 0.0)] {
            let withinBudget = ThresholdSweep.recommend(sweep, budget: budget)
            for (rule, chosen) in withinBudget {
                let allowed = sweep.filter { $0.rule == rule && $0.stats.perCSMWeek <= budget }
                #expect(chosen.stats.perCSMWeek <= budget && allowed.allSatisfy { $0.stats.churnsCaught <= chosen.stats.churnsCaught })
            }
            // A rule none of whose settings within the budget catches a churn gets no recommendation.
            for rule in Set(sweep.map(\.rule)) {
                let catches = sweep.contains { $0.rule == rule && $0.stats.perCSMWeek <= budget && $0.stats.churnsCaught > 0 }
                #expect((withinBudget[rule] != nil) == catches, "\(rule) at budget \(budget)")
            }
            for (rule, chosen) in ThresholdSweep.recommend(sweep, precision: target) {
                let allowed = sweep.filter { $0.rule == rule && ($0.stats.precision ?? 0) >= target }
                #expect((chosen.stats.precision ?? 0) >= target && allowed.allSatisfy { $0.stats.churnsCaught <= chosen.stats.churnsCaught })
            }
        }
    }

    /// A missed onboarding milestone fires in a contract's first weeks, ten months before the
    /// renewal the simulator ties it to: within the horizon it is never right, and the report
    /// says what its accounts did at their next renewal instead.
    @Test func aPastDateScoresEachAccountAgainstTheRenewalItWasHeadingForThen() throws {
        // The accounts table holds the next renewal as of the export, a year or more after a
        // replayed or re-scored date; the renewal due then is the history's first one on or after the date.
        let history = try simulatedHistory(accounts: 300, days: 540, seed: 5)
        let date = history.usage.dateRange!.upperBound - 200
        var settings = BacktestSettings()
        settings.sweep = [:]
        let model = try backtester(history).train!(date).0
        let run = try backtester(history, settings: settings, fixed: model).run(dates: [date], keepSnapshots: true)
        let snapshot = try #require(run.snapshots.first)
        var fromHistory = 0
        for (a, facts) in zip(snapshot.accounts, snapshot.facts) {
            let due = (0..<history.renewals.count).filter { history.renewals.account[$0] == a && history.renewals.date[$0] >= date }
                .map { history.renewals.date[$0] }.min()
            #expect(facts.renewalDate == (due ?? history.accounts.renewalDate[Int(a)] ?? history.accounts.signup[Int(a)]), "\(history.accounts.ids[Int(a)])")
            if let due {
                fromHistory += 1
                #expect(facts.daysToRenewal(asOf: date)! == due - date && due - date <= 366)
            }
        }
        #expect(fromHistory > snapshot.accounts.count / 2, "\(fromHistory) of \(snapshot.accounts.count)")
        // `telltale score --as-of` a past date (a re-scoring) counts to the same renewal, in its output columns.
        let rescored = try AccountScorer(model: model).score(history: history, asOf: date)
        #expect(rescored.rows.count + rescored.rejects.count == snapshot.accounts.count && rescored.rows.count > 200)
        for row in rescored.rows {
            let i = try #require(snapshot.facts.firstIndex { $0.id == row.accountID })
            #expect(row.renewalDate == snapshot.facts[i].renewalDate && row.daysToRenewal == row.renewalDate.map { $0 - date }, "\(row.accountID)")
        }
    }

    @Test func milestoneAlertsAreJudgedByTheNextRenewalTheyComeMonthsBefore() throws {
        let history = try simulatedHistory(accounts: 1500, days: 730, seed: 3)
        let start = history.usage.dateRange!.lowerBound
        let model = try backtester(history).train!(start + 200).0
        var settings = BacktestSettings()
        settings.everyDays = 28
        settings.sweep = [:]
        let run = try backtester(history, settings: settings, fixed: model).run(dates: Backtester.dates(from: start + 200, to: start + 400, every: 28))
        let summary = BacktestSummary(run: run, alerts: AlertSettings(), settings: settings)
        let milestones = ["missed_onboarding_14d", "missed_first_value_30d", "missed_second_feature_60d"]
        let base = try #require(summary.byRuleToRenewal.first?.baseRate)
        var pooled = (terms: 0, churned: 0)
        for name in milestones {
            let soon = try #require(summary.byRule.first { $0.name == name })
            let term = try #require(summary.byRuleToRenewal.first { $0.name == name })
            #expect(soon.episodes > 0 && soon.truePositives == 0, "\(name) never right within the horizon: \(soon)")
            #expect(term.beyondHorizon == term.terms, "\(name) always fires months ahead: \(term)")
            pooled.terms += term.terms
            pooled.churned += term.churned
        }
        // The planted missed onboarding (log-odds +1.7) shows at the next renewal: a one-sided
        // binomial test of the pooled rate against every term's.
        #expect(abs(binomialUpperTail(successes: 2, trials: 3, rate: 0.5) - 0.5) < 1e-12, "the helper: 3/8 + 1/8")
        let p = binomialUpperTail(successes: pooled.churned, trials: pooled.terms, rate: base)
        #expect(pooled.terms >= 30 && p < 0.001, "\(pooled.churned) of \(pooled.terms) churned against \(base): p = \(p)")
        let line = try #require(BacktestReport.headline(summary).first { $0.contains("churned at their next renewal") })
        for name in milestones { #expect(line.contains("`\(name)`"), "\(line)") }
        #expect(!line.contains("`logins_drop_33pct`"), "a rule the horizon credits is not named: \(line)")
        #expect(BacktestReport.markdown(summary).contains("## Judged by the next renewal, however far"))
    }

    @Test func onTheSimulatorsHistoryCombinedPatternsCatchMoreChurnPerAlertThanAnySingleSignalRule() throws {
        let history = try simulatedHistory(accounts: 4000, days: 730, seed: 3)
        let end = history.usage.dateRange!.upperBound
        let start = end - 270
        // One model, trained on the renewals decided before the first date (a fixed model keeps the test quick).
        let model = try backtester(history).train!(start).0
        var settings = BacktestSettings()
        settings.everyDays = 21
        settings.sweep = [:]
        let run = try backtester(history, settings: settings, fixed: model).run(dates: Backtester.dates(from: start, to: end - 90, every: 21))
        let summary = BacktestSummary(run: run, alerts: AlertSettings(), settings: settings)
        let pattern = summary.bestPrecision(kind: "combined pattern", minimumAlerts: 10)
        let single = summary.bestPrecision(kind: "single-signal rule", minimumAlerts: 10)
        let found = pattern.map { "\($0.name): \($0.precision ?? 0) over \($0.alerts)" } ?? "none"
        #expect(pattern != nil && single != nil, "patterns matched: \(found)")
        if let pattern, let single {
            #expect((pattern.precision ?? 0) > (single.precision ?? 0), "best pattern \(found), best rule \(single.name) \(single.precision ?? 0)")
        }
        let markdown = BacktestReport.markdown(summary), html = BacktestReport.html(summary)
        #expect(markdown.contains("Combined patterns beat every single-signal rule on churn caught per alert"))
        for heading in ["## Alerts by rule", "## Threshold sweep", "## Lead time", "## Band renewal rates over time", "## Calibration over time"] {
            #expect(markdown.contains(heading))
        }
        // The ranking table: rows of 10+ alert-days by precision, then the rest (too few to rank),
        // with a pattern right on all of its 3 alert-days added (the sample's had led the table).
        var withRare = summary
        var rare = summary.comparison[0].stats
        rare.name = "pattern: rare"; rare.alerts = 3; rare.truePositives = 3
        withRare.comparison.append(("combined pattern", rare))
        let section = try #require(BacktestReport.markdown(withRare).components(separatedBy: "## Single-signal rules, model bands and combined patterns").last?
            .components(separatedBy: "\n## ").first)
        let ranked = section.split(separator: "\n").filter { $0.hasPrefix("| single") || $0.hasPrefix("| model") || $0.hasPrefix("| combined") }
            .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
            .map { (days: Int($0[2])!, precision: Double($0[3].dropLast()) ?? -1) }
        let firstFew = ranked.firstIndex { $0.days < 10 } ?? ranked.count
        #expect(ranked.count == withRare.comparison.count && ranked[firstFew...].allSatisfy { $0.days < 10 }, "\(ranked)")
        #expect(ranked[firstFew...].contains { $0.days == 3 && $0.precision == 100 }, "the rare pattern is among the unranked: \(ranked)")
        #expect(zip(ranked[..<firstFew], ranked[..<firstFew].dropFirst()).allSatisfy { $0.precision >= $1.precision }, "\(ranked)")
        #expect(html.components(separatedBy: "<svg").count - 1 == 4, "four inline charts")
        #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"), "self-contained, offline")
    }
}

/// P(X >= k) for X ~ Binomial(n, p), summed in log space (n up to a few thousand).
func binomialUpperTail(successes k: Int, trials n: Int, rate p: Double) -> Double {
    guard k > 0 else { return 1 }
    var total = 0.0
    for j in k...n {
        let choose: Double = lgamma(Double(n + 1)) - lgamma(Double(j + 1)) - lgamma(Double(n - j + 1))
        let logTerm: Double = choose + Double(j) * log(p) + Double(n - j) * log(1 - p)
        total += exp(logTerm)
    }
    return min(1, total)
}
