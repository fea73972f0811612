import Foundation
import GRDB
import TelltaleData
import TelltaleScorer

/// What `prune` removed (or would remove) and what it kept.
public struct PruneResult: Equatable, Sendable {
    /// The as-of dates of the runs removed, oldest first.
    public var removedRuns: [String]
    public var removedScores: Int
    public var removedAlerts: Int
    public var removedRejects: Int
    /// The oldest run kept, and whether it is older than asked because the
    /// next run's band drops compare with it.
    public var keptFrom: String?
    public var keptForBandDrops: Bool
    public var keptRuns: Int
}

extension ScoreHistory {
    /// Deletes the runs dated more than `keepingDays` before the latest run,
    /// with their scores, rejects and alerts. A scheduled daily job on 10,000 accounts adds about 1.7 MB a
    /// run (600 MB a year), and nothing else ever removes a run.
    ///
    /// What a later run reads is kept whatever `keepingDays` says: the latest run
    /// (bands, "new since the previous run") and every run from the band-drop
    /// baseline of the day after it on (`BandDropBaseline.latest`: no later run
    /// compares with an older one). Dismissals and engagements are kept; they
    /// expire by their own dates. `dryRun` counts without deleting.
    public func prune(keepingDays: Int, bandDropDays: Int, dryRun: Bool = false) throws -> PruneResult {
        let result = try write { db -> PruneResult in
            let days = try String.fetchAll(db, sql: "SELECT as_of FROM runs ORDER BY as_of").compactMap(Day.parse)
            guard let latest = days.last else {
                return PruneResult(removedRuns: [], removedScores: 0, removedAlerts: 0, removedRejects: 0, keptFrom: nil,
                                   keptForBandDrops: false, keptRuns: 0)
            }
            var cut = latest - max(0, keepingDays)
            var forBandDrops = false
            if let baseline = BandDropBaseline.latest(runDays: days, before: latest + 1, days: bandDropDays), days[baseline] < cut {
                cut = days[baseline]
                forBandDrops = true
            }
            let removed = days.filter { $0 < cut }
            let cutText = cut.description
            func count(_ table: String) throws -> Int {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) t JOIN runs r ON r.id = t.run_id WHERE r.as_of < ?",
                                 arguments: [cutText]) ?? 0
            }
            let result = PruneResult(removedRuns: removed.map(\.description), removedScores: try count("scores"),
                                     removedAlerts: try count("alerts"), removedRejects: try count("rejects"),
                                     keptFrom: days.first { $0 >= cut }?.description, keptForBandDrops: forBandDrops,
                                     keptRuns: days.count - removed.count)
            // Scores, rejects and alerts go with their run (ON DELETE CASCADE).
            if !dryRun && !removed.isEmpty { try db.execute(sql: "DELETE FROM runs WHERE as_of < ?", arguments: [cutText]) }
            return result
        }
        // Deleted rows leave free pages in the file; VACUUM gives them back to the disk. Also
        // when nothing is deleted now: a VACUUM that another job's lock stopped after the
        // deletes were committed is done by running prune again.
        if !dryRun, try read({ db in try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0 }) > 0 {
            do { try queue.vacuum() } catch let e as DatabaseError { throw Self.explain(e, path: path) }
        }
        return result
    }
}
