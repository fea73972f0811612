import Foundation
import TelltaleAlerts
import TelltaleData
import TelltaleModel
import TelltaleScorer
import TelltaleSignals

/// A small history written as CSV and read back through the loader, with
/// accounts whose stories the alert rules must tell apart. Scored as of `asOf`.
///
/// - 12 steady accounts (`S01`...): 2 logins a day, 3 users, 4 features.
/// - `VAC`: steady, then a two-week holiday of zero use right before the as-of date.
/// - `GONE`: steady, then 35 days of zero use.
/// - `CASE`: like `GONE`, but a support case logged 3 days before the as-of date.
/// - `NEW`: signed up 20 days before the as-of date, never logged in.
/// - `SOLO`: steady usage by a single user in a 10-seat account.
struct ScoringFixture {
    static let asOf = Day.parse("2026-03-01")!
    static let metrics = ["logins", "active_users", "features_used", "core_actions", "support_cases"]

    let directory: String
    let history: History

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-score-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let asOf = Self.asOf
        var accounts = "account_id,segment,signup_date,contract_value,renewal_date,owner,seats\n"
        var usage = "account_id,date," + Self.metrics.joined(separator: ",") + "\n"
        func account(_ id: String, signup: Day, value: Int, seats: Int, renewal: Day?, owner: String = "Ana",
                     day: (Int) -> [Int]?) {
            accounts += "\(id),Mid,\(signup),\(value),\(renewal?.description ?? ""),\(owner),\(seats)\n"
            var d = max(signup, asOf - 300)
            while d < asOf {
                if let v = day(asOf - d) { usage += "\(id),\(d)," + v.map(String.init).joined(separator: ",") + "\n" }
                d = d + 1
            }
        }
        let old = asOf - 400
        let steady = [2, 3, 4, 5, 0]
        for i in 1...12 {
            account(String(format: "S%02d", i), signup: old, value: 10_000 * i, seats: 5, renewal: asOf + 200) { _ in steady }
        }
        account("VAC", signup: old, value: 50_000, seats: 5, renewal: asOf + 200) { back in back <= 14 ? nil : steady }
        account("GONE", signup: old, value: 200_000, seats: 5, renewal: asOf + 30) { back in back <= 35 ? nil : steady }
        account("CASE", signup: old, value: 50_000, seats: 5, renewal: asOf + 200) { back in
            back == 3 ? [0, 0, 0, 0, 1] : back <= 35 ? nil : steady
        }
        account("NEW", signup: asOf - 20, value: 5_000, seats: 5, renewal: nil) { _ in [0, 1, 0, 0, 0] }
        account("SOLO", signup: old, value: 60_000, seats: 10, renewal: asOf + 200) { _ in [2, 1, 4, 5, 0] }
        try accounts.write(toFile: directory + "/accounts.csv", atomically: true, encoding: .utf8)
        try usage.write(toFile: directory + "/usage.csv", atomically: true, encoding: .utf8)
        var options = LoadOptions(accountsPath: directory + "/accounts.csv", usagePath: directory + "/usage.csv", renewalsPath: nil)
        options.progress = false
        history = try HistoryLoader(options: options).load()
    }

    /// A model on the built-in signals: churn falls with logins in the last
    /// 30 days (one coefficient), bands cut at health 60/70/80 for every segment.
    func model(loginsCoefficient: Double = -1.0, intercept: Double = -1.5, segments: [String] = ["Mid"]) throws -> ChurnModel {
        try Self.model(history: history, loginsCoefficient: loginsCoefficient, intercept: intercept, segments: segments)
    }

    /// The same model, its signals prepared on another history of these metrics.
    static func model(history: History, loginsCoefficient: Double = -1.0, intercept: Double = -1.5,
                      segments: [String] = ["Mid"]) throws -> ChurnModel {
        let signals = SignalDefinition.defaults(metrics: Self.metrics)
        let engine = try SignalEngine(history: history, definitions: signals)
        let table = engine.table(for: history.scoringObservations(asOf: Self.asOf))
        let preparation = SignalPreparation.fit(table)
        let logins = FeatureSpec(name: "logins_30d", kind: .signal("logins_30d"), mean: log1p(40), scale: 1.0)
        let cuts = SegmentBands(cutPoints: [60, 70, 80], borrowed: false, stats: [])
        let metrics = ValidationSummary.Metrics(rocAUC: 0.5, prAUC: 0.2, topDecileLift: 1, brier: 0.2, logLoss: 0.5,
                                                expectedCalibrationError: 0, calibration: [])
        return ChurnModel(
            toolVersion: "test", trainedAt: "2026-01-01",
            provenance: .init(fingerprints: [:], config: nil, renewals: 0, churned: 0, firstObservation: "", lastObservation: "", usageEnd: ""),
            leadDays: 60, signals: signals, preparation: preparation, cuts: [], features: [logins], intercept: intercept,
            coefficients: [ModelCoefficient(name: "logins_30d", estimate: loginsCoefficient, stdError: nil, z: nil, pValue: nil, ciLow: nil, ciHigh: nil)],
            l2: 1, bands: BandTable(targets: [0.5, 0.6, 0.7, 0.8], population: cuts, segments: Dictionary(uniqueKeysWithValues: segments.map { ($0, cuts) })),
            validation: ValidationSummary(holdoutFrom: "", trainRows: 0, holdoutRows: 0, cvGrid: [], chosenL2: 1, withPatterns: metrics, withoutPatterns: metrics),
            patterns: [], cohorts: [], powerFeature: nil, warnings: [])
    }
}

extension ScoreRun {
    func row(_ id: String) -> ScoredAccount? { rows.first { $0.accountID == id } }
    func alerts(of id: String, _ status: AlertRecord.Status? = nil) -> [AlertRecord] {
        alerts.filter { $0.accountID == id && (status == nil || $0.status == status) }
    }
}
