import Foundation
import GRDB
import Testing
import TelltaleAlerts
import TelltaleData
import TelltaleModel
@testable import TelltaleScoreHistory
import TelltaleScorer

@Suite struct ScoreHistoryTests {
    let fixture: ScoringFixture
    let path: String
    init() throws {
        fixture = try ScoringFixture()
        path = fixture.directory + "/history.sqlite"
    }

    func score(_ day: Day, _ history: ScoreHistory, model: ChurnModel? = nil) throws -> ScoreRun {
        let scorer = AccountScorer(model: try model ?? fixture.model())
        let run = try scorer.score(history: fixture.history, asOf: day, context: try history.context(asOf: day, settings: AlertSettings()))
        try history.record(run, model: "test.json")
        return run
    }

    @Test func reScoringTheSameDateReplacesThatRun() throws {
        let history = try ScoreHistory(path: path)
        let first = try score(ScoringFixture.asOf, history)
        _ = try score(ScoringFixture.asOf, history)
        let runs = try history.runs()
        #expect(runs.count == 1)
        #expect(runs[0].scored == first.rows.count && runs[0].rejected == first.rejects.count)
        let stored = try history.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM scores")! }
        #expect(stored == first.rows.count, "no duplicated scores")
        let alerts = try history.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alerts")! }
        #expect(alerts == first.alerts.count)
    }

    @Test func theNextRunReadsBandsFromTheLatestEarlierRun() throws {
        let history = try ScoreHistory(path: path)
        // A pessimistic model first: everyone red. Then the usual one a week later.
        _ = try score(ScoringFixture.asOf - 14, history, model: fixture.model(intercept: 3))
        let middle = try score(ScoringFixture.asOf - 7, history)
        let later = try score(ScoringFixture.asOf, history)
        for row in later.rows {
            let before = middle.row(row.accountID)
            #expect(row.previousBand == before?.band, "compared with the run a week before, not the first")
        }
        #expect(try history.scores(account: "S01").map(\.asOf) == [ScoringFixture.asOf - 14, ScoringFixture.asOf - 7, ScoringFixture.asOf].map(\.description))
        // Re-scoring the middle date sees the first run as its previous one.
        let redo = try score(ScoringFixture.asOf - 7, history)
        #expect(redo.row("S01")?.previousBand == .red)
    }

    /// A re-calibrated model's first run: its band moves against the last
    /// model's bands are shown but raise no band-drop alert. Runs recorded
    /// without a fingerprint (before it was kept) count as the same model.
    @Test func bandDropsAcrossAModelChangeAreHeldBack() throws {
        let history = try ScoreHistory(path: path)
        let settings = AlertSettings()
        let day = ScoringFixture.asOf
        // A hopeful model first (everyone green), then the usual one: some bands fall.
        let hopeful = try AccountScorer(model: fixture.model(intercept: -3)).score(history: fixture.history, asOf: day - 7,
                                                                                   context: history.context(asOf: day - 7, settings: settings))
        try history.record(hopeful, model: "churn.json", modelFingerprint: "aaaa")
        let scorer = AccountScorer(model: try fixture.model())
        func run(_ fingerprint: String?) throws -> ScoreRun {
            try scorer.score(history: fixture.history, asOf: day, context: history.context(asOf: day, settings: settings, modelFingerprint: fingerprint))
        }
        let same = try run("aaaa"), other = try run("bbbb")
        let drops = same.alerts.filter { $0.type == .bandDrop }
        #expect(!drops.isEmpty && drops.allSatisfy { $0.status == .fired } && !same.bandsComparedAcrossModels)
        let held = other.alerts.filter { $0.type == .bandDrop }
        #expect(held.count == drops.count && held.allSatisfy { $0.status == .suppressed && $0.suppressedBecause == "model changed since the previous run" })
        #expect(other.bandsComparedAcrossModels && other.rows.map(\.bandChange) == same.rows.map(\.bandChange))
        #expect(ScoreSummary.text(other).contains("; since the previous run (another model's bands) "))
        // No fingerprint on the previous run: as before fingerprints were kept.
        try history.record(hopeful, model: "churn.json")
        #expect(try !history.context(asOf: day, settings: settings, modelFingerprint: "bbbb").previousBandsFromAnotherModel)
    }

    /// Daily runs: a hopeful model for three days, then the usual one for
    /// seven. Each run's band drops must be the accounts below their band of
    /// the run a week before on every run since, counted here from the
    /// recorded bands directly.
    @Test func aBandDropComparesWithTheRunAWeekBeforeAndEveryRunSince() throws {
        let history = try ScoreHistory(path: path)
        let day = ScoringFixture.asOf
        let usual = try fixture.model(), hopeful = try fixture.model(intercept: -3)
        var bands: [Day: [String: Band]] = [:], drops: [Day: [AlertRecord]] = [:]
        for back in stride(from: 10, through: 1, by: -1) {
            let d = day - back
            let run = try score(d, history, model: back >= 8 ? hopeful : usual)
            bands[d] = run.rows.reduce(into: [:]) { $0[$1.accountID] = $1.band }
            drops[d] = run.alerts.filter { $0.type == .bandDrop }
        }
        var alerted = 0
        for back in stride(from: 10, through: 1, by: -1) {
            let d = day - back
            guard let baseline = bands[d - 7] else {
                #expect(drops[d]!.isEmpty, "\(d): no run a week before")
                continue
            }
            let expected = baseline.filter { account, band in
                (1...7).allSatisfy { bands[d - 7 + $0]?[account].map { $0 < band } ?? true }
            }
            #expect(Set(drops[d]!.map(\.accountID)) == Set(expected.keys), "\(d)")
            #expect(drops[d]!.allSatisfy { $0.status == .fired && $0.detail.hasPrefix("band fell from \(expected[$0.accountID]!) (\(d - 7)) to ") })
            alerted += expected.count
        }
        #expect(alerted > 0, "the hopeful model's bands are above the usual one's somewhere")
        // With 0 days the baseline is the previous run, every account of it (no run since).
        var everyRun = AlertSettings()
        everyRun.bandDropDays = 0
        let previous = try #require(try history.context(asOf: day - 1, settings: everyRun).bandDrop)
        #expect(previous.day == day - 2 && previous.isPreviousRun && previous.bands == bands[day - 2]!)
    }

    /// A daily feed should raise a CSM's task for what is new, not for the
    /// same alert every day: `new_alert_types` is what fired now and not at
    /// the previous run (held back then counts as not sent).
    @Test func newAlertTypesAreThoseThatDidNotFireAtThePreviousRun() throws {
        let history = try ScoreHistory(path: path)
        let day = ScoringFixture.asOf
        // The first run of a history: every fired alert is new, and there is nothing to compare with.
        let first = try score(day - 7, history, model: fixture.model(intercept: -3))
        #expect(first.rows.allSatisfy { $0.newAlertTypes == $0.alertTypes } && first.previousRun == nil)
        #expect(!ScoreSummary.text(first).contains("new since the previous run"))
        // A dismissal holds GONE's trend back in the second run: not fired, so not new either.
        try history.dismiss(account: "GONE", type: .trend, reasonCode: "seasonal", note: nil, on: day - 1, settings: AlertSettings())
        let second = try score(day, history)
        var firedBefore: [String: Set<AlertType>] = [:]
        for a in first.alerts where a.status == .fired { firedBefore[a.accountID, default: []].insert(a.type) }
        var newCount = 0
        for row in second.rows {
            let expected = row.alertTypes.filter { !(firedBefore[row.accountID] ?? []).contains($0) }
            #expect(row.newAlertTypes == expected, "\(row.accountID)")
            newCount += expected.count
        }
        #expect(second.row("GONE").map { !$0.alertTypes.contains(.trend) && !$0.newAlertTypes!.contains(.trend) } == true)
        #expect(newCount > 0 && second.rows.contains { !$0.alertTypes.isEmpty && $0.newAlertTypes!.count < $0.alertTypes.count },
                "some alerts are new and some carried over: the test tells them apart")
        #expect(second.previousRun == day - 7)
        // `alerts list --new` lists the same alerts, from the database alone.
        let listed = try history.alerts(onlyNew: true)
        let scored = Set(second.rows.map(\.accountID))
        #expect(listed.allSatisfy { $0.status == "fired" && $0.isNew } && !listed.isEmpty)
        #expect(Set(listed.filter { scored.contains($0.accountID) }.map { "\($0.accountID) \($0.type)" })
                == Set(second.rows.flatMap { row in row.newAlertTypes!.map { "\(row.accountID) \($0.rawValue)" } }))
        #expect(try history.alerts().filter(\.isNew).count == listed.count)
        let summary = ScoreSummary.text(second)
        #expect(summary.contains("new since the previous run (\(day - 7)): \(newCount) alert type"))
        // Written out: the last column, ;-separated; without a history (no context), empty.
        let csv = String(decoding: ScoreOutput.render(second.rows, format: .csv), as: UTF8.self).split(separator: "\n")
        #expect(csv[0].hasSuffix(",suppressed_alerts,new_alert_types,ended_alert_types"))
        let noHistory = try AccountScorer(model: fixture.model()).score(history: fixture.history, asOf: day)
        #expect(noHistory.rows.allSatisfy { $0.newAlertTypes == nil && $0.endedAlertTypes == nil }
                && !ScoreSummary.text(noHistory).contains("new since") && !ScoreSummary.text(noHistory).contains("no longer firing"))
        let json = String(decoding: ScoreOutput.render(noHistory.rows, format: .jsonl), as: UTF8.self)
        #expect(json.split(separator: "\n").allSatisfy { $0.hasSuffix(",\"new_alert_types\":null,\"ended_alert_types\":null}") })
    }

    @Test func dismissalsHoldTheirTypeBackForTheConfiguredDays() throws {
        let history = try ScoreHistory(path: path)
        _ = try score(ScoringFixture.asOf - 1, history)
        var settings = AlertSettings()
        settings.dismissedDays = 10
        try history.dismiss(account: "GONE", type: .trend, reasonCode: "seasonal", note: "trade fair", on: ScoringFixture.asOf - 1, settings: settings)
        #expect(try history.context(asOf: ScoringFixture.asOf, settings: settings).dismissed["GONE"]?[.trend] == "seasonal")
        // Held back on the day of the dismissal and the 9 days after it.
        #expect(try history.context(asOf: ScoringFixture.asOf + 8, settings: settings).dismissed["GONE"] != nil)
        #expect(try history.context(asOf: ScoringFixture.asOf + 9, settings: settings).dismissed["GONE"] == nil, "expired after 10 days")
        #expect(try history.context(asOf: ScoringFixture.asOf - 2, settings: settings).dismissed["GONE"] == nil, "not before it was made")
        #expect(throws: ScoreHistoryError.self) {
            try history.dismiss(account: "GONE", type: .trend, reasonCode: "because", note: nil, on: ScoringFixture.asOf, settings: settings)
        }
        try history.engage(account: "SOLO", note: "call booked", on: ScoringFixture.asOf - 1)
        #expect(try history.context(asOf: ScoringFixture.asOf, settings: settings).engaged == ["SOLO"])
        #expect(try history.dismissals().map(\.note) == ["trade fair"])

        let run = try score(ScoringFixture.asOf, history)
        #expect(run.alerts(of: "GONE").filter { $0.type == .trend }.allSatisfy { $0.suppressedBecause == "dismissed: seasonal" })
        #expect(try history.alerts(account: "GONE", status: "suppressed").contains { $0.type == "trend" })
        #expect(try history.knows(account: "GONE") && !(try history.knows(account: "NOPE")))
    }

    /// Ended: fired at the previous run, not now. An optimistic model, the usual
    /// one, then the optimistic one again: the second run's band drops end at the
    /// third. A type held back now ends too (it was sent, and is not now), so a
    /// feed's openings (`new_alert_types`) and closings alternate for every
    /// account and type, over runs that raise, hold back and drop alerts.
    @Test func endedAlertTypesFiredAtThePreviousRunAndNotNow() throws {
        let history = try ScoreHistory(path: path)
        let day = ScoringFixture.asOf
        let first = try score(day - 14, history, model: fixture.model(intercept: -3))
        #expect(first.rows.allSatisfy { $0.endedAlertTypes == [] }, "nothing fired before a history's first run")
        let second = try score(day - 7, history)
        // A dismissal holds GONE's trend back at the third run: it ends, and says why.
        try history.dismiss(account: "GONE", type: .trend, reasonCode: "seasonal", note: nil, on: day - 1, settings: AlertSettings())
        let third = try score(day, history, model: fixture.model(intercept: -3))
        let fourth = try score(day + 1, history)
        var firedBefore: [String: Set<AlertType>] = [:]
        for a in second.alerts where a.status == .fired { firedBefore[a.accountID, default: []].insert(a.type) }
        #expect(firedBefore["GONE"]?.contains(.trend) == true)
        var ended: [AlertType: Int] = [:]
        for row in third.rows {
            let expected = AlertType.allCases.filter { (firedBefore[row.accountID] ?? []).contains($0) && !row.alertTypes.contains($0) }
            #expect(row.endedAlertTypes == expected, "\(row.accountID)")
            for t in expected { ended[t, default: 0] += 1 }
        }
        #expect(third.row("GONE").map { $0.endedAlertTypes!.contains(.trend) && $0.suppressed.contains("trend (dismissed: seasonal)") } == true)
        #expect((ended[.bandDrop] ?? 0) > 0, "the band drops are over: \(ended)")
        let total = ended.values.reduce(0, +)
        #expect(ScoreSummary.text(third).contains("no longer firing since then: \(total) alert type"))
        // Openings and closings alternate, starting with an opening, account by account and type by type.
        var open: Set<String> = [], checked = 0
        for run in [first, second, third, fourth] {
            for row in run.rows {
                for t in row.endedAlertTypes! {
                    #expect(open.remove("\(row.accountID) \(t)") != nil, "\(run.asOf): \(row.accountID) \(t) closed while not open")
                    checked += 1
                }
                for t in row.newAlertTypes! {
                    #expect(open.insert("\(row.accountID) \(t)").inserted, "\(run.asOf): \(row.accountID) \(t) opened twice")
                    checked += 1
                }
            }
        }
        #expect(checked >= 10, "\(checked) openings and closings")
        // The database alone gives the same (`alerts list --status ended`).
        let stored = try history.endedAlerts(asOf: day.description)
        #expect(Set(stored.map { "\($0.accountID) \($0.type)" })
                == Set(third.rows.flatMap { row in row.endedAlertTypes!.map { "\(row.accountID) \($0.rawValue)" } }))
        #expect(stored.allSatisfy { $0.status == "ended" && $0.asOf == day.description && $0.detail.contains("(\(day - 7))") })
        #expect(try history.endedAlerts(asOf: (day - 14).description).isEmpty, "a history's first run has nothing before it")
        let csv = String(decoding: ScoreOutput.render(third.rows, format: .csv), as: UTF8.self)
        #expect(csv.split(separator: "\n").dropFirst().filter { $0.hasSuffix("band_drop") || $0.contains(";band_drop") }.count == ended[.bandDrop])
    }

    /// Pruning keeps what any later run reads: on daily, weekly and paused
    /// schedules, every date of the next weeks gets the same context (previous
    /// run, its bands and fired alerts, the band-drop baseline and its bands)
    /// from a history pruned as far as it goes as from the whole one.
    @Test(arguments: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [0, 7, 14, 21, 28], [0, 7, 14, 15, 26, 27]])
    func aPrunedHistoryGivesLaterRunsTheSameContext(offsets: [Int]) throws {
        let whole = try ScoreHistory(path: path)
        let start = ScoringFixture.asOf - 40
        for o in offsets { _ = try score(start + o, whole) }
        let prunedPath = fixture.directory + "/pruned.sqlite"
        try FileManager.default.copyItem(atPath: path, toPath: prunedPath)
        let pruned = try ScoreHistory(path: prunedPath)
        let latest = start + offsets.last!
        let result = try pruned.prune(keepingDays: 0, bandDropDays: 7)
        let kept = try pruned.runs().map(\.asOf)
        #expect(kept.count < offsets.count && result.removedRuns.count == offsets.count - kept.count, "\(kept)")
        #expect(result.keptForBandDrops && kept.last == latest.description)
        for ahead in 1...21 {
            let day = latest + ahead
            let a = try whole.context(asOf: day, settings: AlertSettings()), b = try pruned.context(asOf: day, settings: AlertSettings())
            #expect(a.previousRun == b.previousRun && a.previousBands == b.previousBands && a.previousAlerts == b.previousAlerts)
            #expect(a.bandDrop?.day == b.bandDrop?.day && a.bandDrop?.bands == b.bandDrop?.bands
                    && a.bandDrop?.isPreviousRun == b.bandDrop?.isPreviousRun, "\(day): \(String(describing: a.bandDrop?.day))")
        }
        // A dry run counts the same and deletes nothing.
        let again = try ScoreHistory(path: path)
        let dry = try again.prune(keepingDays: 0, bandDropDays: 7, dryRun: true)
        let runsAfterDryRun = try again.runs().count
        #expect(dry == result && runsAfterDryRun == offsets.count)
    }

    /// Free pages left by deletes whose VACUUM did not run (another job held the
    /// file) go back to the disk at the next prune, though it deletes nothing.
    @Test func aPruneWithNothingToDeleteStillCompactsTheFile() throws {
        let history = try ScoreHistory(path: path)
        for back in stride(from: 12, through: 1, by: -1) { _ = try score(ScoringFixture.asOf - back, history) }
        try history.write { db in try db.execute(sql: "DELETE FROM runs WHERE as_of < ?", arguments: [(ScoringFixture.asOf - 8).description]) }
        let freePages = { try history.read { db in try Int.fetchOne(db, sql: "PRAGMA freelist_count")! } }
        let size = { try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int }
        let before = try size()
        #expect(try freePages() > 0)
        #expect(try history.prune(keepingDays: 7, bandDropDays: 7).removedRuns.isEmpty, "the latest run is a day before the fixture's date")
        #expect(try freePages() == 0 && size() < before)
    }

    @Test func aSecondWriterFailsWithAClearMessageInsteadOfInterleaving() throws {
        let holder = try ScoreHistory(path: path)
        let waiter = try ScoreHistory(path: path, busyTimeout: 0.2)
        let run = try AccountScorer(model: fixture.model()).score(history: fixture.history, asOf: ScoringFixture.asOf)
        let entered = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        let thread = Thread {
            try? holder.write { db in
                try db.execute(sql: "INSERT INTO engagements (account_id, engaged_on, recorded_at) VALUES ('X', '2026-01-01', 'now')")
                entered.signal()
                release.wait()
            }
            done.signal()
        }
        thread.start()
        entered.wait()
        var message = ""
        do { try waiter.record(run, model: "m.json") } catch let e as ScoreHistoryError { message = e.message }
        release.signal()
        #expect(message.contains("is busy: another scoring job is writing to it"), "\(message)")
        // Once the first job is done, the second goes through. (Waiting for it, not
        // sleeping a tenth of a second: on a busy machine the first had not committed yet.)
        done.wait()
        try waiter.record(run, model: "m.json")
        #expect(try waiter.runs().count == 1)
    }

    @Test func aFileThatIsNotADatabaseIsRefusedByName() throws {
        try "hello".write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try ScoreHistory(path: path) } throws: { ($0 as? ScoreHistoryError)?.message.contains("not a Telltale history database") == true }
    }
}
