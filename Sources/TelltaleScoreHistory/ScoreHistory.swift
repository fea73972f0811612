import Foundation
import GRDB
import TelltaleAlerts

/// A problem with the history database, worded for the person running the job.
public struct ScoreHistoryError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The scoring history: every run, each account's score and band over time,
/// alerts fired and held back, and the CSMs' dismissals and engagements.
///
/// One SQLite file (docs/scoring.md has the schema). Band changes and
/// suppression are read from it before a run; the run is written in one
/// immediate transaction, so a second job writing at the same time waits
/// (up to `busyTimeout`) and then fails with a clear message instead of
/// interleaving. Re-scoring an as-of date replaces that date's run.
public final class ScoreHistory {
    public let path: String
    let queue: DatabaseQueue

    public init(path: String, busyTimeout: TimeInterval = 30) throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try Self.migrator.migrate(queue)
        } catch let error as DatabaseError {
            throw Self.explain(error, path: path)
        }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id INTEGER PRIMARY KEY,
                    as_of TEXT NOT NULL UNIQUE,
                    model TEXT NOT NULL,
                    scored_at TEXT NOT NULL,
                    scored INTEGER NOT NULL,
                    rejected INTEGER NOT NULL,
                    flagged INTEGER NOT NULL
                );
                CREATE TABLE scores (
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    account_id TEXT NOT NULL,
                    segment TEXT NOT NULL,
                    churn_probability REAL NOT NULL,
                    health_score REAL NOT NULL,
                    band TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    alert_types TEXT NOT NULL,
                    PRIMARY KEY (run_id, account_id)
                );
                CREATE INDEX scores_by_account ON scores(account_id, run_id);
                CREATE TABLE rejects (
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    account_id TEXT NOT NULL,
                    reason TEXT NOT NULL
                );
                CREATE TABLE alerts (
                    id INTEGER PRIMARY KEY,
                    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    account_id TEXT NOT NULL,
                    rule TEXT NOT NULL,
                    type TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('fired', 'suppressed')),
                    suppressed_because TEXT,
                    detail TEXT NOT NULL
                );
                CREATE INDEX alerts_by_run ON alerts(run_id, account_id);
                CREATE TABLE dismissals (
                    id INTEGER PRIMARY KEY,
                    account_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    reason_code TEXT NOT NULL,
                    note TEXT,
                    dismissed_on TEXT NOT NULL,
                    recorded_at TEXT NOT NULL
                );
                CREATE TABLE engagements (
                    id INTEGER PRIMARY KEY,
                    account_id TEXT NOT NULL,
                    note TEXT,
                    engaged_on TEXT NOT NULL,
                    recorded_at TEXT NOT NULL
                );
                """)
        }
        // The model each run was scored with, by fingerprint (its name may stay while its file
        // changes): a band move across a re-calibration is not the account's doing.
        m.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN model_fingerprint TEXT")
        }
        return m
    }

    static func explain(_ error: DatabaseError, path: String) -> ScoreHistoryError {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return ScoreHistoryError("the history database \(path) is busy: another scoring job is writing to it. Wait for it to finish and run again.")
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return ScoreHistoryError("\(path) is not a Telltale history database (or is damaged): pass another --db file.")
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM:
            return ScoreHistoryError("cannot open the history database \(path) for writing: check the folder exists and is writable.")
        default:
            return ScoreHistoryError("history database \(path): \(error.message ?? "\(error)")")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.read(body) } catch let e as DatabaseError { throw Self.explain(e, path: path) }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.write(body) } catch let e as DatabaseError { throw Self.explain(e, path: path) }
    }
}

/// A stored run, for listings.
public struct StoredRun: Equatable, Sendable {
    public var asOf: String
    public var model: String
    public var scored: Int
    public var rejected: Int
    public var flagged: Int
}

/// An alert as `telltale alerts list` shows it.
public struct StoredAlert: Equatable, Sendable {
    public var asOf: String
    public var accountID: String
    public var rule: String
    public var type: String
    public var severity: String
    public var status: String
    public var suppressedBecause: String?
    public var detail: String
    /// Fired, and its type did not fire for the account at the previous run.
    public var isNew: Bool
}

/// A dismissal as recorded.
public struct Dismissal: Equatable, Sendable {
    public var accountID: String
    public var type: AlertType
    public var reasonCode: String
    public var note: String?
    public var dismissedOn: String
}
