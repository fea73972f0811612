import Foundation
import TelltaleAlerts
import TelltaleData
import TelltaleModel
import TelltaleModelTraining
import TelltaleScorer
import TelltaleSignals

/// One account at one replayed as-of date: what was known then (its score
/// and the alerts that fired) and what happened after (its next decided renewal).
public struct BacktestObservation: Equatable, Sendable {
    public var account: Int32
    public var date: Day
    public var churnProbability: Double
    public var band: Band
    public var severity: Severity
    public var segment: String
    public var owner: String
    /// Rules that fired (not held back): rule names, `band_drop`, `pattern: ...`.
    public var rules: [String]
    public var types: [AlertType]
    /// The model's combined patterns the account matched at the date.
    public var patterns: [String]
    /// The first renewal decided after `date` within the horizon, and whether it churned.
    public var renewal: Day?
    public var churned: Bool
    /// The first renewal decided after `date` however far (nil while the data has not
    /// decided it), and whether it churned: how alerts that come long before the renewal,
    /// such as a missed onboarding milestone, are judged.
    public var nextRenewal: Day? = nil
    public var nextChurned = false
}

/// Everything a walk forward produced.
public struct BacktestRun: Sendable {
    public var dates: [Day]
    public var horizonDays: Int
    public var everyDays: Int
    /// The dates a model was (re)trained, with its training renewals count and,
    /// at a re-training, how that date's accounts moved between the bands of the
    /// model before and the new one (nil at the first training, or when the two
    /// read different signals).
    public var trainings: [(date: Day, renewals: Int, migration: BandMigration?)]
    public var observations: [BacktestObservation]
    /// The rules that could be evaluated, by name: type and condition count.
    public var rules: [AlertRule]
    /// Per date, the signal tables the sweep re-evaluates (as-of date and grace dates); kept only when asked.
    public var snapshots: [AccountScorer.Snapshot]
    public var warnings: [String]
}

/// Replays past as-of dates with only what was known at each.
///
/// At each date the accounts active then are scored from usage dated before
/// it, with a model trained on renewals decided before it (retrained every
/// `retrainDays`) or one fixed model, and the configured rules fire with their
/// grace periods and support-case suppression (CSM engagement and dismissals
/// are not replayed: there is no record of them in the history). Outcomes come
/// afterwards, from renewals decided within the horizon after each date.
public struct Backtester {
    public var history: History
    public var definitions: [SignalDefinition]
    public var alerts: AlertSettings
    public var scoring: ScoringSettings
    public var settings: BacktestSettings
    /// Trains a model on the renewals decided before a date; nil with a fixed model.
    public var train: ((Day) throws -> (ChurnModel, Int))?
    public var fixedModel: ChurnModel?

    public init(history: History, definitions: [SignalDefinition], alerts: AlertSettings, scoring: ScoringSettings,
                settings: BacktestSettings, fixedModel: ChurnModel? = nil, train: ((Day) throws -> (ChurnModel, Int))? = nil) {
        self.history = history
        self.definitions = definitions
        self.alerts = alerts
        self.scoring = scoring
        self.settings = settings
        self.fixedModel = fixedModel
        self.train = train
    }

    /// Trains on the renewals decided before the date (their rows observed
    /// `leadDays` before each renewal, so on usage before the date too): what
    /// an analyst re-calibrating on that day could have done.
    ///
    /// The training table and the distance tables are computed once (as one,
    /// `SignalEngine.tables`), at the first training, for every renewal, and
    /// each date takes the rows of the renewals decided before it: a row's
    /// signals depend on its account and date alone (a cohort's population is
    /// every account active that day), so the rows are those a table of the
    /// earlier renewals alone would hold.
    public static func retraining(history: History, definitions: [SignalDefinition], trainer: ChurnTrainer,
                                  leadDays: Int, toolVersion: String) throws -> (Day) throws -> (ChurnModel, Int) {
        let engine = try SignalEngine(history: history, definitions: definitions)
        var tables: (training: SignalTable, distance: [ChurnTrainer.DistanceTable])?
        return { date in
            let all = tables ?? ChurnTrainer.DistanceTable.build(training: history.trainingObservations(leadDays: leadDays).observations,
                                                                 days: trainer.settings.distanceDays, history: history, engine: engine)
            tables = all
            func decided(_ t: SignalTable) -> SignalTable { t.subset(t.observations.indices.filter { t.observations[$0].renewal! < date }) }
            let table = decided(all.training)
            let known = table.observations
            let distanceTables = all.distance.map { ChurnTrainer.DistanceTable(days: $0.days, table: decided($0.table)) }
            let provenance = ChurnModel.Provenance(fingerprints: [:], config: nil, renewals: known.count,
                                                   churned: known.filter { $0.churned == true }.count,
                                                   firstObservation: known.map(\.asOf).min()?.description ?? "",
                                                   lastObservation: known.map(\.asOf).max()?.description ?? "", usageEnd: (date - 1).description)
            do {
                return (try trainer.train(table: table, toolVersion: toolVersion, trainedAt: date.description, provenance: provenance,
                                       distanceTables: distanceTables).model, known.count)
            } catch let e as TrainError {
                throw ScoringError("training on the \(known.count) renewals decided before \(date) failed: \(e.message). "
                    + "Start the backtest later (--from) or hold a model fixed (--model).")
            }
        }
    }

    /// The as-of dates from `from` to `to` every `everyDays`.
    public static func dates(from: Day, to: Day, every: Int) -> [Day] {
        stride(from: Int(from.number), through: Int(to.number), by: max(1, every)).map { Day(number: Int32($0)) }
    }

    public func run(dates: [Day], keepSnapshots: Bool = false) throws -> BacktestRun {
        var observations: [BacktestObservation] = [], trainings: [(date: Day, renewals: Int, migration: BandMigration?)] = []
        var snapshots: [AccountScorer.Snapshot] = []
        var warnings: [String] = []
        var model: ChurnModel? = fixedModel, trainedAt: Day?, replaced: ChurnModel?
        var prepared: AccountScorer.Prepared?, preparedFor: [SignalDefinition]?
        var previousBands: [String: Band] = [:]
        // The earlier dates' bands a band drop may still compare with, and which model gave them.
        var earlier: [(day: Day, bands: [String: Band], model: Int)] = []
        var rules: [AlertRule] = []
        let outcome = NextRenewal(history: history, horizon: settings.horizonDays)
        // The sweep's grace variants need the tables at every offset it tries.
        let step = max(1, alerts.graceStepDays)
        let offsets = Array(Set(alerts.graceOffsets
            + (keepSnapshots ? settings.sweepGraceDays.flatMap { g in stride(from: 0, through: g, by: step).map { $0 } + [g] } : []))).sorted()
        for date in dates {
            if fixedModel == nil, trainedAt == nil || date - trainedAt! >= settings.retrainDays {
                guard let train else { throw ScoringError("a backtest needs a model or a way to train one") }
                let (m, n) = try train(date)
                replaced = model
                model = m
                trainedAt = date
                trainings.append((date, n, nil))
            }
            let scorer = AccountScorer(model: model!, alerts: alerts, settings: scoring, available: definitions)
            if prepared == nil || preparedFor != model!.signals {
                prepared = try scorer.prepare(history: history)
                preparedFor = model!.signals
                rules = prepared!.rules
                for w in prepared!.warnings where !warnings.contains(w) { warnings.append(w) }
            }
            // Each account's renewal is the one it was heading for on the date (the snapshot takes it from the history).
            let snapshot = prepared!.snapshot(asOf: date, offsets: offsets)
            // As `score` does: band drops against a baseline date (BandDropBaseline), held back while
            // that date's bands came from another model than this date's (a re-calibration).
            let days = earlier.map(\.day)
            if let oldest = BandDropBaseline.latest(runDays: days, before: date, days: alerts.bandDropDays), oldest > 0 {
                earlier.removeFirst(oldest) // no later date's baseline is older
            }
            let modelIndex = trainings.count
            let bandDrop = BandDropBaseline.of(runDays: earlier.map(\.day), asOf: date, days: alerts.bandDropDays,
                                               bands: { earlier[$0].bands }, anotherModel: { earlier[$0].model != modelIndex })
            let retrained = trainings.last?.0 == date && trainings.count > 1
            let run = scorer.score(snapshot, context: ScoringContext(previousBands: previousBands, previousBandsFromAnotherModel: retrained,
                                                                     bandDrop: bandDrop))
            // What the re-calibration did to this date's accounts: the same snapshot under the model it replaced.
            if retrained, let replaced, replaced.signals == model!.signals {
                let before = AccountScorer.bandsOnly(model: replaced, settings: scoring).score(snapshot)
                trainings[trainings.count - 1].migration = BandMigration(previous: before, new: run)
            }
            var fired: [String: [String]] = [:]
            for a in run.alerts where a.status == .fired { fired[a.accountID, default: []].append(a.rule) }
            let index = history.accounts.index
            for row in run.rows {
                let a = index[row.accountID]!
                let next = outcome.after(account: a, date: date)
                let term = outcome.next(account: a, date: date)
                observations.append(BacktestObservation(
                    account: a, date: date, churnProbability: row.churnProbability, band: row.band, severity: row.severity,
                    segment: row.segment, owner: row.owner ?? "(no owner)", rules: fired[row.accountID] ?? [],
                    types: row.alertTypes, patterns: row.patterns, renewal: next?.date, churned: next?.churned ?? false,
                    nextRenewal: term?.date, nextChurned: term?.churned ?? false))
                previousBands[row.accountID] = row.band
            }
            earlier.append((date, run.rows.reduce(into: [:]) { $0[$1.accountID] = $1.band }, modelIndex))
            if keepSnapshots { snapshots.append(snapshot) }
        }
        return BacktestRun(dates: dates, horizonDays: settings.horizonDays, everyDays: settings.everyDays, trainings: trainings,
                           observations: observations, rules: rules, snapshots: snapshots, warnings: warnings)
    }
}

/// What happened after a date: the account's next renewal decision, within the horizon or however far.
struct NextRenewal {
    let decisions: RenewalsByAccount
    let horizon: Int

    init(history: History, horizon: Int) {
        self.horizon = horizon
        decisions = RenewalsByAccount(history.renewals, accounts: history.accounts.count)
    }

    /// The first renewal decided after `date` and no later than `date + horizon`.
    func after(account: Int32, date: Day) -> (date: Day, churned: Bool)? {
        next(account: account, date: date).flatMap { $0.date - date <= horizon ? $0 : nil }
    }

    /// The first renewal decided after `date`, however far.
    func next(account: Int32, date: Day) -> (date: Day, churned: Bool)? {
        decisions.first(account: account, after: date)
    }
}
