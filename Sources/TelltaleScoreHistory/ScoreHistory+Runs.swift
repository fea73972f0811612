import Foundation
import GRDB
import TelltaleAlerts
import TelltaleData
import TelltaleModel
import TelltaleScorer

extension ScoreHistory {
    /// What a run as of `asOf` needs from earlier ones: each account's band
    /// at the latest run before that date (and whether that run used another
    /// model than `modelFingerprint`; runs recorded before fingerprints were
    /// kept count as the same model), what band drops compare with
    /// (`BandDropBaseline`), and the dismissals and engagements still in force on it.
    public func context(asOf: Day, settings: AlertSettings, modelFingerprint: String? = nil) throws -> ScoringContext {
        try read { db in
            var context = ScoringContext()
            let day = asOf.description
            var runDays: [Day] = [], fingerprints: [String?] = []
            let runs = try Row.fetchCursor(db, sql: "SELECT as_of, model_fingerprint FROM runs WHERE as_of < ? ORDER BY as_of", arguments: [day])
            while let row = try runs.next() {
                guard let d = Day.parse(row[0] as String) else { continue }
                runDays.append(d)
                fingerprints.append(row[1])
            }
            func anotherModel(_ run: Int) -> Bool {
                guard let modelFingerprint, let before = fingerprints[run] else { return false }
                return before != modelFingerprint
            }
            var loaded: [Int: [String: Band]] = [:]
            func bands(_ run: Int) throws -> [String: Band] {
                if let known = loaded[run] { return known }
                var out: [String: Band] = [:]
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT s.account_id, s.band FROM scores s JOIN runs r ON r.id = s.run_id WHERE r.as_of = ?
                    """, arguments: [runDays[run].description])
                while let row = try rows.next() {
                    if let band = Band(rawValue: row[1]) { out[row[0]] = band }
                }
                loaded[run] = out
                return out
            }
            context.previousAlerts = [:]
            if let previous = runDays.last {
                context.previousRun = previous
                context.previousAlerts = try Self.firedTypes(db, asOf: previous.description)
                context.previousBands = try bands(runDays.count - 1)
                context.previousBandsFromAnotherModel = anotherModel(runDays.count - 1)
                context.bandDrop = try BandDropBaseline.of(runDays: runDays, asOf: asOf, days: settings.bandDropDays, bands: bands, anotherModel: anotherModel)
            }
            let dismissedSince = (asOf - settings.dismissedDays).description
            let dismissals = try Row.fetchCursor(db, sql: """
                SELECT account_id, type, reason_code FROM dismissals WHERE dismissed_on <= ? AND dismissed_on > ? ORDER BY id
                """, arguments: [day, dismissedSince])
            while let row = try dismissals.next() {
                if let type = AlertType(rawValue: row[1]) { context.dismissed[row[0], default: [:]][type] = row[2] }
            }
            let engagedSince = (asOf - settings.engagedDays).description
            context.engaged = Set(try String.fetchAll(db, sql: """
                SELECT account_id FROM engagements WHERE engaged_on <= ? AND engaged_on > ?
                """, arguments: [day, engagedSince]))
            return context
        }
    }

    /// Stores a run, replacing an earlier run with the same as-of date.
    public func record(_ run: ScoreRun, model: String, modelFingerprint: String? = nil, scoredAt: Date = Date()) throws {
        try write { db in
            let day = run.asOf.description
            try db.execute(sql: "DELETE FROM runs WHERE as_of = ?", arguments: [day])
            let flagged = run.rows.filter { $0.severity >= .high }.count
            try db.execute(sql: """
                INSERT INTO runs (as_of, model, scored_at, scored, rejected, flagged, model_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [day, model, ISO8601DateFormatter().string(from: scoredAt), run.rows.count, run.rejects.count, flagged, modelFingerprint])
            let id = db.lastInsertedRowID
            let score = try db.makeStatement(sql: """
                INSERT INTO scores (run_id, account_id, segment, churn_probability, health_score, band, severity, alert_types)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in run.rows {
                try score.execute(arguments: [id, r.accountID, r.segment, r.churnProbability, r.healthScore, r.band.rawValue,
                                              r.severity.description, r.alertTypes.map(\.rawValue).joined(separator: ";")])
            }
            let reject = try db.makeStatement(sql: "INSERT INTO rejects (run_id, account_id, reason) VALUES (?, ?, ?)")
            for r in run.rejects { try reject.execute(arguments: [id, r.accountID, r.reason]) }
            let alert = try db.makeStatement(sql: """
                INSERT INTO alerts (run_id, account_id, rule, type, severity, status, suppressed_because, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for a in run.alerts {
                try alert.execute(arguments: [id, a.accountID, a.rule, a.type.rawValue, a.severity.description, a.status.rawValue,
                                              a.suppressedBecause, a.detail])
            }
        }
    }

    /// When the run as of `day` was scored (ISO 8601), or nil when there is none.
    public func scoredAt(asOf day: Day) throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT scored_at FROM runs WHERE as_of = ?", arguments: [day.description]) }
    }

    public func runs() throws -> [StoredRun] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT as_of, model, scored, rejected, flagged FROM runs ORDER BY as_of").map {
                StoredRun(asOf: $0[0], model: $0[1], scored: $0[2], rejected: $0[3], flagged: $0[4])
            }
        }
    }

    /// An account's scores over time: (as-of, health score, band).
    public func scores(account: String) throws -> [(asOf: String, health: Double, band: String)] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.as_of, s.health_score, s.band FROM scores s JOIN runs r ON r.id = s.run_id
                WHERE s.account_id = ? ORDER BY r.as_of
                """, arguments: [account]).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// Account id → the alert types that fired for it in the run as of `asOf`:
    /// what a later run's alerts are new against.
    static func firedTypes(_ db: Database, asOf: String) throws -> [String: Set<AlertType>] {
        var out: [String: Set<AlertType>] = [:]
        let rows = try Row.fetchCursor(db, sql: """
            SELECT a.account_id, a.type FROM alerts a JOIN runs r ON r.id = a.run_id WHERE r.as_of = ? AND a.status = 'fired'
            """, arguments: [asOf])
        while let row = try rows.next() {
            if let type = AlertType(rawValue: row[1]) { out[row[0], default: []].insert(type) }
        }
        return out
    }

    /// A run's as-of date (the latest run when `asOf` is nil) and the run before it;
    /// nil when the history holds no run.
    static func runAndPrevious(_ db: Database, asOf: String?) throws -> (day: String, previous: String?)? {
        guard let day = try asOf ?? String.fetchOne(db, sql: "SELECT MAX(as_of) FROM runs") else { return nil }
        return (day, try String.fetchOne(db, sql: "SELECT MAX(as_of) FROM runs WHERE as_of < ?", arguments: [day]))
    }

    /// Alerts of one run (the latest when `asOf` is nil), optionally filtered;
    /// `onlyNew`: the fired ones whose type did not fire for the account at the
    /// previous run (what `score`'s `new_alert_types` lists).
    public func alerts(asOf: String? = nil, account: String? = nil, status: String? = nil, type: String? = nil,
                       onlyNew: Bool = false) throws -> [StoredAlert] {
        try read { db in
            guard let (day, before) = try Self.runAndPrevious(db, asOf: asOf) else { return [] }
            let firedBefore = try before.map { try Self.firedTypes(db, asOf: $0) } ?? [:]
            var sql = """
                SELECT r.as_of, a.account_id, a.rule, a.type, a.severity, a.status, a.suppressed_because, a.detail
                FROM alerts a JOIN runs r ON r.id = a.run_id WHERE r.as_of = ?
                """
            var args: [(any DatabaseValueConvertible)?] = [day]
            if let account { sql += " AND a.account_id = ?"; args.append(account) }
            if let status { sql += " AND a.status = ?"; args.append(status) }
            if let type { sql += " AND a.type = ?"; args.append(type) }
            sql += " ORDER BY a.account_id, a.id"
            let alerts = try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { row -> StoredAlert in
                let (account, type, status): (String, String, String) = (row[1], row[3], row[5])
                let isNew = status == "fired" && firedBefore[account]?.contains { $0.rawValue == type } != true
                return StoredAlert(asOf: row[0], accountID: account, rule: row[2], type: type, severity: row[4], status: status,
                                   suppressedBecause: row[6], detail: row[7], isNew: isNew)
            }
            return onlyNew ? alerts.filter(\.isNew) : alerts
        }
    }

    /// The alert types of one run (the latest when `asOf` is nil) that fired for
    /// an account at the previous run and do not fire at this one, for the
    /// accounts this run scored: what `score`'s `ended_alert_types` lists, as
    /// `alerts list --status ended` rows.
    public func endedAlerts(asOf: String? = nil, account: String? = nil, type: String? = nil) throws -> [StoredAlert] {
        try read { db in
            guard let (day, previous) = try Self.runAndPrevious(db, asOf: asOf), let before = previous else { return [] }
            let firedBefore = try Self.firedTypes(db, asOf: before)
            let scored = Set(try String.fetchAll(db, sql: "SELECT s.account_id FROM scores s JOIN runs r ON r.id = s.run_id WHERE r.as_of = ?",
                                                 arguments: [day]))
            let now = try Self.firedTypes(db, asOf: day)
            return firedBefore.keys.sorted().filter { scored.contains($0) && (account == nil || $0 == account) }.flatMap { id in
                AlertType.ended(firedBefore: firedBefore[id]!, firingNow: { now[id]?.contains($0) == true }).filter { type == nil || $0.rawValue == type }.map { t in
                    StoredAlert(asOf: day, accountID: id, rule: "", type: t.rawValue, severity: "", status: "ended", suppressedBecause: nil,
                                detail: "fired at the previous run (\(before)), not now", isNew: false)
                }
            }
        }
    }

    /// Records a CSM's dismissal of an alert type for an account.
    public func dismiss(account: String, type: AlertType, reasonCode: String, note: String?, on day: Day,
                        settings: AlertSettings, recordedAt: Date = Date()) throws {
        guard settings.reasonCodes.contains(reasonCode) else {
            throw ScoreHistoryError("reason code '\(reasonCode)' is not one of \(settings.reasonCodes.joined(separator: ", ")) (alerts.reason_codes in the config)")
        }
        try write { db in
            try db.execute(sql: """
                INSERT INTO dismissals (account_id, type, reason_code, note, dismissed_on, recorded_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [account, type.rawValue, reasonCode, note, day.description, ISO8601DateFormatter().string(from: recordedAt)])
        }
    }

    /// Records that a CSM engaged with an account: its alerts are held back for `alerts.engaged_days`.
    public func engage(account: String, note: String?, on day: Day, recordedAt: Date = Date()) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO engagements (account_id, note, engaged_on, recorded_at) VALUES (?, ?, ?, ?)",
                           arguments: [account, note, day.description, ISO8601DateFormatter().string(from: recordedAt)])
        }
    }

    public func dismissals() throws -> [Dismissal] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT account_id, type, reason_code, note, dismissed_on FROM dismissals ORDER BY id").compactMap { row in
                guard let type = AlertType(rawValue: row[1]) else { return nil }
                return Dismissal(accountID: row[0], type: type, reasonCode: row[2], note: row[3], dismissedOn: row[4])
            }
        }
    }

    /// What `AlertOutcomes` reads: every run with the accounts it scored, the
    /// alerts that fired (not those held back), and the CSMs' engagements.
    public func alertRecord() throws -> (runs: [(asOf: Day, scored: Set<String>)], fired: [AlertOutcomes.Fired], engagements: [(account: String, day: Day)]) {
        try read { db in
            var scored: [Int64: Set<String>] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT run_id, account_id FROM scores") { scored[row[0], default: []].insert(row[1]) }
            let runs = try Row.fetchAll(db, sql: "SELECT id, as_of FROM runs ORDER BY as_of").compactMap { row -> (asOf: Day, scored: Set<String>)? in
                Day.parse(row[1] as String).map { ($0, scored[row[0]] ?? []) }
            }
            let fired = try Row.fetchAll(db, sql: """
                SELECT DISTINCT r.as_of, a.account_id, a.type FROM alerts a JOIN runs r ON r.id = a.run_id WHERE a.status = 'fired'
                """).compactMap { row in Day.parse(row[0] as String).map { AlertOutcomes.Fired(asOf: $0, account: row[1], type: row[2]) } }
            let engagements = try Row.fetchAll(db, sql: "SELECT account_id, engaged_on FROM engagements").compactMap { row -> (account: String, day: Day)? in
                Day.parse(row[1] as String).map { (row[0], $0) }
            }
            return (runs, fired, engagements)
        }
    }

    /// Whether any run scored the account (dismissing an unknown id is most likely a typo).
    public func knows(account: String) throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM scores WHERE account_id = ?) OR EXISTS (SELECT 1 FROM rejects WHERE account_id = ?)
                """, arguments: [account, account]) ?? false
        }
    }
}
