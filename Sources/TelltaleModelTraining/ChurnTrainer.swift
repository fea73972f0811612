import Foundation
import TelltaleData
import TelltaleModel
import TelltalePatterns
import TelltaleSignals
import TelltaleTraining

/// A training run that cannot go on, with what to change.
public struct TrainError: Error, CustomStringConvertible {
    public var message: String
    /// Set when an unpenalised fit (λ = 0) met separated renewals: what separates them.
    public var separation: String?
    public init(_ message: String, separation: String? = nil) { self.message = message; self.separation = separation }
    public var description: String { message }
}

/// The quarterly calibration: validated churn model, bands per segment,
/// signal cohorts, in one `ChurnModel`.
///
/// 1. Out-of-time split: the latest `holdoutShare` of renewals (by
///    observation date) are the holdout; the development rows are those whose
///    renewal was decided before the holdout's first observation date, so no
///    development outcome comes from the holdout's time. Rows observed on one
///    date (or undated) cannot be split in time: then (`model.validation`
///    auto or grouped) a `holdoutShare` of the accounts is held out, every
///    row of an account on one side.
/// 2. λ by time-ordered cross-validation on the development rows: they are cut
///    by observation date into `folds + 1` blocks; fold k validates on block k
///    and trains on rows renewed before block k starts, minus every account
///    that appears in block k (grouped: `folds` folds of accounts). Features
///    (fills, cuts, patterns, scaling) are learned inside each fold. The λ
///    with the lowest mean log loss wins.
/// 3. Holdout figures for the development model with and without pattern features.
/// 4. Bands from cross-fitted predictions (5 folds grouped by account: no row
///    is scored by a model that saw its account), so cut points reflect
///    out-of-sample scores, on the rows whose history the data's start does
///    not cut short; the holdout's band renewal rates are reported against
///    the development rows' in the same bands.
/// 5. The saved model: everything refitted on all rows with the chosen λ.
/// 6. The probability by days to renewal (`DistanceCalibration`): the same
///    renewals observed at other distances, the model's log-odds updated at each
///    (the intercept, and the slope where a likelihood-ratio test rejects slope 1);
///    checked out of time like step 3 (updates from the development model and
///    renewals, applied to the holdout's renewals at the same distance).
public struct ChurnTrainer {
    public var settings: TrainingSettings
    /// Fewer churned (or renewed) holdout renewals than this and the report's
    /// holdout figures come with a warning: with 15 renewals and 1 churner the
    /// AUC is one renewal's rank.
    public static let fewestHoldoutOutcomes = 20
    /// A holdout ROC AUC this high is far more often leakage (a signal computed
    /// from data after the observation date, or from the outcome) than usage
    /// that foretells churn nearly perfectly.
    public static let implausibleAUC = 0.95
    public var patternSearch: PatternSearchSettings
    public var patternFlags: [String]?
    public var cutSignals: [String]
    public var leadDays: Int

    public init(settings: TrainingSettings, patternSearch: PatternSearchSettings, patternFlags: [String]?, cutSignals: [String], leadDays: Int) {
        self.settings = settings
        self.patternSearch = patternSearch
        self.patternFlags = patternFlags
        self.cutSignals = cutSignals
        self.leadDays = leadDays
    }

    /// The training renewals observed `days` before each instead of the lead
    /// (`History.distanceObservations`), for step 6.
    public struct DistanceTable {
        public var days: Int
        public var table: SignalTable
        public init(days: Int, table: SignalTable) {
            self.days = days
            self.table = table
        }

        /// The training table of `training`'s observations and one table per
        /// distance of `days`, built as one (`SignalEngine.tables`).
        public static func build(training: [Observation], days: [Int], history: History,
                                 engine: SignalEngine) -> (training: SignalTable, distance: [DistanceTable]) {
            let tables = engine.tables(for: [training] + days.map { history.distanceObservations(daysBefore: $0) })
            return (tables[0], zip(days, tables.dropFirst()).map { DistanceTable(days: $0, table: $1) })
        }
    }

    /// Fewest churned and renewed renewals an anchor of the distance calibration
    /// needs: its offset is the log-odds of a churn rate, which 20 churns
    /// measure to about ±0.45.
    public static let fewestDistanceOutcomes = 20
    /// `scoring.min_history_days`' default: rows with less history are not scored either.
    static let distanceMinimumHistoryDays = 30

    static func bothOutcomes(_ churned: [Bool]) -> Bool {
        let events = churned.filter { $0 }.count
        return min(events, churned.count - events) >= fewestDistanceOutcomes
    }

    /// What training produced besides the model: for the report and tests.
    public struct Outcome {
        public var model: ChurnModel
        /// Holdout rows (indices into the training table) and their predicted churn probabilities.
        public var holdoutRows: [Int]
        public var holdoutPredictions: [Double]
        /// The same from the development model without pattern features.
        public var holdoutPredictionsWithoutPatterns: [Double]
        /// The holdout rows' outcomes (true = churned), in `holdoutRows` order.
        public var holdoutChurned: [Bool]
        public var holdoutBandStats: [BandStat]
        /// Whether each holdout row (in `holdoutRows` order) counts in
        /// `holdoutBandStats`: not when the data's start cuts its history short
        /// and such rows were left out of the development bands.
        public var holdoutInBandCheck: [Bool]
        /// The development rows' renewal rate per band, banded as the holdout's
        /// rows are (each by its segment's cut points, on its cross-fitted
        /// score): what `holdoutBandStats` is compared with.
        public var developmentBandStats: [BandStat]
        /// Renewals left out of the bands (fit and comparison) because the data's
        /// start cuts their history short (`SignalTable.historyCut`).
        public var bandRowsLeftOut: Int
        public var developmentBands: BandTable
        public var patternReport: PatternReport?
        public var fit: FittedLogisticRegression
    }

    public func train(table: SignalTable, toolVersion: String, trainedAt: String, provenance: ChurnModel.Provenance,
                      distanceTables: [DistanceTable] = []) throws -> Outcome {
        let n = table.rowCount
        let y = table.observations.map { $0.churned ?? false }
        let churners = y.filter { $0 }.count
        guard n >= 100 else { throw TrainError("only \(n) renewals with signals: a churn model needs at least 100 (and more than 20 churns)") }
        guard churners >= 20, n - churners >= 20 else {
            throw TrainError("\(churners) churns and \(n - churners) renewals: a churn model needs at least 20 of each")
        }
        let asOf = table.observations.map(\.asOf), renewal = table.observations.map { $0.renewal ?? $0.asOf }
        let segments = table.rowSegments
        var warnings: [String] = []

        // 1. Out-of-time split, or held-out accounts when the rows have no time to split.
        let timeless = table.undated || Set(asOf).count < 2
        let noTime = table.undated ? "the table has no as_of column" : "every row was observed on \(asOf[0])"
        let grouped: Bool
        switch settings.validation {
        case .grouped: grouped = true
        case .auto: grouped = timeless
        case .outOfTime:
            guard !timeless else {
                throw TrainError(noTime + ": an out-of-time holdout needs rows observed on several dates; "
                    + "model.validation: grouped (or auto) holds out a share of the accounts instead")
            }
            grouped = false
        }
        if grouped && settings.validation == .auto {
            warnings.append(noTime + ": validated on a held-out \(formatNumber(settings.holdoutShare * 100))% of the accounts, not out of time; the figures say how the model ranks "
                + "accounts like these, not how it holds up as customers and the product change (rows observed on several dates validate out of time)")
        }
        let cutoff = asOf.sorted()[min(n - 1, Int(Double(n) * (1 - settings.holdoutShare)))]
        let heldOut = grouped ? table.observations.map { Self.accountShare($0.account, salt: 1) < settings.holdoutShare } : []
        let holdout = grouped ? (0..<n).filter { heldOut[$0] } : (0..<n).filter { asOf[$0] >= cutoff }
        let development = grouped ? (0..<n).filter { !heldOut[$0] } : (0..<n).filter { renewal[$0] < cutoff }
        guard development.count >= 60, Set(development.map { y[$0] }).count == 2, Set(holdout.map { y[$0] }).count == 2 else {
            throw TrainError((grouped ? "holding out \(formatNumber(settings.holdoutShare * 100))% of the accounts" : "the out-of-time split")
                + " (model.holdout_share \(formatNumber(settings.holdoutShare))) leaves \(development.count) development and \(holdout.count) holdout renewals, "
                + "one of them without both outcomes (or under 60 development renewals); more "
                + (grouped ? "rows" : "history") + ", or another model.holdout_share, is needed")
        }
        // A holdout this small measures nothing the report could show honestly: say so where it is read.
        let holdoutChurned = holdout.filter { y[$0] }.count
        if min(holdoutChurned, holdout.count - holdoutChurned) < Self.fewestHoldoutOutcomes {
            warnings.append("the holdout holds \(holdout.count) renewals, \(holdoutChurned) churned: under \(Self.fewestHoldoutOutcomes) of either outcome, its figures measure little "
                + "(model.holdout_share \(formatNumber(settings.holdoutShare)); more history or a larger share measures more)")
        }
        let options = { (withPatterns: Bool) in
            ModelDesign.Options(patternSearch: patternSearch, patternFlags: patternFlags, cutSignals: cutSignals,
                                withPatterns: withPatterns && settings.patternFeatures)
        }

        // 2. λ by time-ordered cross-validation.
        var grid: [ValidationSummary.CVPoint] = []
        var chosen = settings.l2Grid[0]
        if settings.l2Grid.count > 1 {
            // Time-ordered folds: fold k validates on the k-th block by observation date and trains on what
            // was decided before it. Grouped: fold k validates on a k-th of the accounts, trains on the rest.
            let byTime = development.sorted { (asOf[$0], $0) < (asOf[$1], $1) }
            let blocks = settings.folds + 1
            let foldOf = development.map { Int(Self.accountShare(table.observations[$0].account, salt: 2) * Double(settings.folds)) }
            var losses = [[Double]](repeating: [], count: settings.l2Grid.count)
            var unfitted: [Int: TrainError] = [:] // λ indices without a fit on some fold, and why
            var validated = 0
            for k in (grouped ? 0..<settings.folds : 1..<blocks) {
                let validation: [Int], train: [Int]
                if grouped {
                    validation = development.indices.filter { foldOf[$0] == k }.map { development[$0] }
                    train = development.indices.filter { foldOf[$0] != k }.map { development[$0] }
                } else {
                    validation = Array(byTime[(byTime.count * k / blocks)..<(byTime.count * (k + 1) / blocks)])
                    guard let start = validation.map({ asOf[$0] }).min() else { continue }
                    let accounts = Set(validation.map { table.observations[$0].account })
                    train = byTime.filter { renewal[$0] < start && !accounts.contains(table.observations[$0].account) }
                }
                guard !validation.isEmpty, train.count >= 50, Set(train.map { y[$0] }).count == 2 else { continue }
                let design = try ModelDesign(table: table.subset(train), options: options(true))
                let valTable = table.subset(validation)
                validated += validation.count
                for (g, l2) in settings.l2Grid.enumerated() where unfitted[g] == nil {
                    let fitted: FittedDesign
                    do {
                        fitted = try FittedDesign(design: design, l2: l2, balanceClasses: settings.balanceClasses)
                    } catch let error as TrainError where error.separation != nil {
                        // No unpenalised fit on this fold: λ = 0 leaves the search.
                        unfitted[g] = error; continue
                    }
                    let p = fitted.probabilities(valTable)
                    losses[g].append(ClassificationMetrics(p: p, y: validation.map { y[$0] }).logLoss * Double(validation.count))
                }
            }
            let searched = settings.l2Grid.indices.filter { unfitted[$0] == nil }
            if let (_, error) = unfitted.min(by: { $0.key < $1.key }) {
                guard !searched.isEmpty else { throw error }
                warnings.append("cross-validation left λ = 0 (no penalty) out of the search: no unpenalised fit exists on its folds, \(error.separation!)")
            }
            let counted = searched.first.map { losses[$0].count } ?? 0
            if counted == 0 {
                // Nothing to choose by: so few renewals that the most cautious fit is the one to
                // trust (the weakest penalty fitted 31 features to 120 renewals as if they were many).
                chosen = settings.l2Grid.max()!
                warnings.append("cross-validation had no usable fold (too little history before each block); "
                    + "the strongest penalty of model.l2, λ = \(formatNumber(chosen)), was used")
            } else {
                // Per validated renewal, pooled over the folds.
                grid = searched.map { g in ValidationSummary.CVPoint(l2: settings.l2Grid[g], logLoss: losses[g].reduce(0, +) / Double(validated)) }
                chosen = grid.min { $0.logLoss < $1.logLoss }!.l2
            }
        }

        // 3. Holdout figures, with and without pattern features.
        let devTable = table.subset(development), holdTable = table.subset(holdout)
        let holdY = holdout.map { y[$0] }
        let devWith = try FittedDesign(design: try ModelDesign(table: devTable, options: options(true)), l2: chosen, balanceClasses: settings.balanceClasses)
        let devWithout = try FittedDesign(design: try ModelDesign(table: devTable, options: options(false)), l2: chosen, balanceClasses: settings.balanceClasses)
        let pWith = devWith.probabilities(holdTable), pWithout = devWithout.probabilities(holdTable)
        let metricsWith = ClassificationMetrics(p: pWith, y: holdY), metricsWithout = ClassificationMetrics(p: pWithout, y: holdY)
        if !grouped { warnings += Self.unlearnedBeforeTheHoldout(devWith, developmentTable: devTable, holdout: holdTable, churned: holdY) }
        if metricsWith.rocAUC >= Self.implausibleAUC {
            warnings.append("the holdout ROC AUC is \(String(format: "%.3f", metricsWith.rocAUC)): usage rarely foretells churn this well "
                + "(0.65-0.85 is usual), so check that no signal is computed from data dated on or after the observation date, "
                + "or from the outcome itself")
        }

        // 4. Development bands, checked on the holdout.
        let fitter = BandFitter(targets: settings.bandTargets, minimumRows: settings.minimumBandRows, minimumSegmentRows: settings.minimumSegmentRows)
        let devCross = try crossFitted(devTable, options: options(true), l2: chosen)
        // Rows whose history the data's start cuts short are scored without windows
        // that today's accounts have: left in, they dilute the green band (2-3 points
        // lower renewal than the holdout's, measured on simulated histories). Unless
        // that would leave too few rows for a band fit: then all rows are used.
        let cut = table.historyCut
        func bandRows(_ rows: [Int]) -> [Int] {
            let kept = rows.filter { !cut[$0] }
            return kept.count >= settings.minimumSegmentRows ? kept : rows
        }
        /// Health scores by row (NaN off `rows`) from probabilities in `rows` order.
        func health(_ rows: [Int], _ p: [Double]) -> [Double] {
            var h = [Double](repeating: .nan, count: n)
            for (i, r) in rows.enumerated() { h[r] = ChurnModel.healthScore(churnProbability: p[i]) }
            return h
        }
        let devHealth = health(development, devCross)
        let devRows = bandRows(development)
        let devBands = fitter.fit(health: devRows.map { devHealth[$0] }, renewed: devRows.map { !y[$0] }, segments: devRows.map { segments[$0] })
        // The holdout is compared on the development rows' terms: without cut rows when they were left out.
        let holdRows = devRows.count < development.count ? holdout.filter { !cut[$0] } : holdout
        func bandStats(_ rows: [Int], _ health: [Double]) -> [BandStat] {
            devBands.stats(health: rows.map { health[$0] }, renewed: rows.map { !y[$0] }, segments: rows.map { segments[$0] })
        }
        let holdoutBandStats = bandStats(holdRows, health(holdout, pWith))
        let developmentBandStats = bandStats(devRows, devHealth)

        // 5. The saved model, on all rows.
        let finalDesign = try ModelDesign(table: table, options: options(true))
        let final = try FittedDesign(design: finalDesign, l2: chosen, balanceClasses: settings.balanceClasses,
                                     clusters: Clusters(table.observations.map(\.account)))
        if !final.fit.converged { warnings.append("the final fit did not converge in \(final.fit.iterations) iterations") }
        // Renewals and churns per segment: a segment of one outcome gets its own warning (below),
        // which the separation of its indicator then leaves to it.
        var outcomes: [String: (renewals: Int, churned: Int)] = [:]
        for r in 0..<n {
            let o = outcomes[segments[r], default: (0, 0)]
            outcomes[segments[r]] = (o.renewals + 1, o.churned + (y[r] ? 1 : 0))
        }
        let oneOutcome = outcomes.filter { $0.value.renewals >= 20 && ($0.value.churned == 0 || $0.value.churned == $0.value.renewals) }
        for note in final.fit.notes {
            if case let .separatedUnderPenalty(report) = note {
                warnings += Self.separationWarning(report, design: finalDesign, warnedSegments: Set(oneOutcome.keys)); continue
            }
            // The fit sees standardised columns, where every constant reads 0: say the
            // signal's own value (not filled or transformed), or that it has none.
            guard case let .constantColumn(name, _) = note, let spec = finalDesign.specs.first(where: { $0.name == name }) else {
                warnings.append("fit: \(note)"); continue
            }
            var value = spec.mean
            if case let .signal(signal) = spec.kind, let raw = table.column(signal) {
                guard let known = raw.first(where: { !$0.isNaN }) else {
                    warnings.append("fit: '\(name)' has no values and was dropped"); continue
                }
                value = known
            }
            warnings.append("fit: \(FitNote.constantColumn(name, value: value))")
        }
        let cross = try crossFitted(table, options: options(true), l2: chosen)
        let kept = bandRows(Array(0..<n))
        if kept.count < n {
            warnings.append("\(n - kept.count) renewals whose usage history the data's start cuts short (accounts older than the export) are left out of the band fit")
        } else if cut.contains(true) {
            warnings.append("the data's start cuts the usage history of most renewals short: the bands are fitted on all of them")
        }
        let (bands, borrowing) = fitter.fitExplained(health: kept.map { ChurnModel.healthScore(churnProbability: cross[$0]) }, renewed: kept.map { !y[$0] },
                                                     segments: kept.map { segments[$0] })
        for (s, why) in borrowing.sorted(by: { $0.key < $1.key }) {
            switch why {
            case .fewRenewals:
                warnings.append("segment '\(s)' has fewer than \(settings.minimumSegmentRows) renewals: it uses the population's band cut points")
            case let .notRising(.noFiniteCurve, renewals):
                warnings.append("segment '\(s)': no finite band curve fits its \(renewals) renewals (one outcome, or health scores that all but separate them): "
                    + "it uses the population's band cut points")
            case let .notRising(_, renewals):
                warnings.append("segment '\(s)': its \(renewals) renewals do not rise clearly with the health score (the band curve's slope is under 1.96 standard errors): "
                    + "it uses the population's band cut points")
            }
        }
        // One outcome in a whole segment: its indicator is held back only by the penalty, and
        // nothing in the data says which of its accounts are at risk.
        for (s, o) in oneOutcome.sorted(by: { $0.key < $1.key }) {
            warnings.append("segment '\(s)': all \(o.renewals) renewals \(o.churned == 0 ? "renewed" : "churned"): the model cannot tell its accounts apart by risk; "
                + "check the renewals export for this segment")
        }

        let coefficientStats = final.fit.coefficients.dropFirst(final.fit.hasIntercept ? 1 : 0)
        let coefficients = zip(finalDesign.specs, coefficientStats).map { spec, c in
            ModelCoefficient(name: spec.name, estimate: c.estimate ?? 0, stdError: c.standardError, z: c.z, pValue: c.pValue,
                             ciLow: c.lower95, ciHigh: c.upper95)
        }
        // The kept patterns, then the pattern features the search did not keep (a joint effect
        // beyond the signals, under the search's own bar): the scorer names and alerts on both.
        let isFeature = { (d: PatternDefinition) in finalDesign.specs.contains { $0.kind == .pattern(d) } }
        let results = finalDesign.patternReport?.results ?? []
        let patterns = (results.filter { $0.status == .kept } + results.filter { $0.status != .kept && isFeature($0.definition) }).map { r in
            PatternSummary(definition: r.definition, sentence: r.sentence, accounts: r.accounts, churnRate: r.churnRate, lift: r.lift,
                           qValue: r.qValue, isFeature: isFeature(r.definition))
        }
        let cohorts = SignalCohorts.compute(table: table, renewed: y.map { !$0 }, segments: segments)
        // 6. The probability by days to renewal (out-of-time validation only: rows of one date have no distance to speak of).
        let distance = grouped ? nil
            : distanceCalibration(distanceTables, development: devWith, final: final, cutoff: cutoff, lead: (n, churners), warnings: &warnings)
        var validation = ValidationSummary(
            holdoutFrom: grouped ? "" : cutoff.description, trainRows: development.count, holdoutRows: holdout.count, cvGrid: grid, chosenL2: chosen,
            withPatterns: Self.saved(metricsWith), withoutPatterns: Self.saved(metricsWithout))
        validation.method = grouped ? "grouped" : nil
        validation.distance = distance?.checks
        var model = ChurnModel(
            toolVersion: toolVersion, trainedAt: trainedAt, provenance: provenance, leadDays: leadDays, signals: table.definitions,
            preparation: finalDesign.preparation, cuts: finalDesign.cuts, features: finalDesign.specs, intercept: final.intercept,
            coefficients: coefficients, l2: chosen, bands: bands, validation: validation, patterns: patterns, cohorts: cohorts,
            powerFeature: SignalCohorts.powerFeature(cohorts, definitions: table.definitions), warnings: warnings)
        model.distanceCalibration = distance?.calibration
        model.standardErrors = Self.clusteredErrors(final.fit, rows: n)
        let compared = Set(holdRows)
        return Outcome(model: model, holdoutRows: holdout, holdoutPredictions: pWith, holdoutPredictionsWithoutPatterns: pWithout,
                       holdoutChurned: holdY, holdoutBandStats: holdoutBandStats, holdoutInBandCheck: holdout.map { compared.contains($0) },
                       developmentBandStats: developmentBandStats, bandRowsLeftOut: n - kept.count, developmentBands: devBands, patternReport: finalDesign.patternReport, fit: final.fit)
    }

    /// The saved fit's separation, in the renewals' words and the signals' own
    /// units (the fit saw them filled, transformed and standardised).
    ///
    /// Two cases read differently. A feature that splits churned from renewed
    /// outright is most often the outcome leaking in. A 0/1 feature that is set
    /// on a few renewals of one outcome (a rare flag that always churned) is
    /// quasi-complete separation too, and harmless under the penalty, but its
    /// coefficient rests on those renewals and on λ rather than on a measured
    /// rate. A segment whose renewals all had one outcome (`warnedSegments`)
    /// is left to its own warning, which says what to check.
    static func separationWarning(_ report: SeparationReport, design: ModelDesign, warnedSegments: Set<String>) -> [String] {
        func finiteOnlyByPenalty(_ whose: String) -> String {
            ": only the penalty keeps the model finite, so \(whose) size is set by λ, not by the data. "
                + "A signal that foretells churn perfectly is most often the outcome itself, recorded after the observation date: check how it is computed"
        }
        guard !report.separating.isEmpty else {
            return ["the fitted scores put every churned renewal above every renewed one, though no single feature does" + finiteOnlyByPenalty("the coefficients'")]
        }
        var outright: [String] = [], oneSided: [(sentence: String, renewals: Int)] = []
        for column in report.separating {
            guard let j = design.specs.firstIndex(where: { $0.name == column.name }) else { continue }
            if case let .segment(s) = design.specs[j].kind, warnedSegments.contains(s) { continue }
            let side = design.oneOutcomeSide(column, at: j), sentence = design.describe(column, at: j, side: side)
            if let side { oneSided.append((sentence, side.renewals)) } else { outright.append(sentence + finiteOnlyByPenalty("its coefficient's")) }
        }
        // Rare flags of one outcome are common in a short history (a milestone met by one new
        // account): one line for all of them.
        if let only = oneSided.first, oneSided.count == 1 {
            outright.append(only.sentence + ": its coefficient rests on \(only.renewals == 1 ? "that renewal" : "them") and on the penalty, not on a measured churn rate")
        } else if oneSided.count > 1 {
            let suffix = " (quasi-complete separation)"
            outright.append("0/1 features set only on renewals of one outcome (quasi-complete separation), whose coefficients rest on those renewals "
                + "and on the penalty, not on measured churn rates: "
                + oneSided.map { $0.sentence.hasSuffix(suffix) ? String($0.sentence.dropLast(suffix.count)) : $0.sentence }.joined(separator: "; "))
        }
        return outright
    }

    /// Features one value on every development renewal and another on some of
    /// the holdout's: the development model gives them no weight, so the
    /// holdout figures cannot show what they add to the saved model (fitted on
    /// all renewals, where they vary). What it catches: a milestone of accounts
    /// that signed up inside the history, whose first renewals all fall in the
    /// holdout's time (on every 500-day simulated history the missed onboarding,
    /// planted at +1.7 log-odds, is in the holdout alone).
    static func unlearnedBeforeTheHoldout(_ development: FittedDesign, developmentTable: SignalTable, holdout: SignalTable, churned: [Bool]) -> [String] {
        let constant = development.fit.notes.compactMap { note -> String? in
            if case let .constantColumn(name, _) = note { return name } else { return nil }
        }
        guard !constant.isEmpty, !churned.isEmpty else { return [] }
        // Standardised with the development rows' mean: 0 exactly wherever the value is theirs.
        let columns = development.design.columns(for: holdout)
        func pct(_ k: Int, of n: Int) -> String { String(format: "%.1f%%", 100 * Double(k) / Double(n)) }
        let found = constant.compactMap { name -> String? in
            guard let j = development.design.specs.firstIndex(where: { $0.name == name }) else { return nil }
            let other = columns[j].indices.filter { columns[j][$0] != 0 }
            guard !other.isEmpty else { return nil }
            var value = "0 on every development renewal" // a pattern or segment column nobody in development had
            if case let .signal(signal) = development.design.specs[j].kind, let raw = developmentTable.column(signal) {
                value = raw.first(where: { !$0.isNaN }).map { "\(formatNumber($0)) on every development renewal" } ?? "unknown for every development renewal"
            }
            return "\(name) (\(value); \(other.count) holdout renewals differ, \(pct(other.filter { churned[$0] }.count, of: other.count)) of them churned)"
        }
        guard !found.isEmpty else { return [] }
        return ["features that vary in the holdout but not among the development renewals: " + found.joined(separator: ", ")
            + "; the holdout churned \(pct(churned.filter { $0 }.count, of: churned.count)). The development model cannot weigh "
            + (found.count == 1 ? "it" : "them") + ", so the holdout figures leave out what " + (found.count == 1 ? "it adds" : "they add")
            + " to the saved model, fitted on all renewals"]
    }

    /// Step 6: per distance, the update of the saved model on all renewals seen
    /// there, and its check: the development model's update from the development
    /// renewals, on the holdout's. Rows the data's start cuts short are left out
    /// (today's accounts have their whole history) unless too few are left; then
    /// rows with the `distanceMinimumHistoryDays` a scored account has at least,
    /// because far from the renewal an early row may date from before the usage
    /// data, where every window reads 0 (a first-year backtest model). An anchor
    /// with under `fewestDistanceOutcomes` of either outcome is skipped with a
    /// warning; nil when no anchor is left.
    func distanceCalibration(_ tables: [DistanceTable], development: FittedDesign, final: FittedDesign, cutoff: Day,
                             lead: (renewals: Int, churned: Int), warnings: inout [String])
        -> (calibration: DistanceCalibration, checks: [DistanceCalibration.Check])? {
        var anchors = [DistanceCalibration.Anchor(days: leadDays, offset: 0, renewals: lead.renewals, churned: lead.churned)]
        var checks: [DistanceCalibration.Check] = []
        for t in tables where t.days != leadDays {
            let observations = t.table.observations
            let all = 0..<t.table.rowCount
            let uncut = all.filter { !t.table.historyCut[$0] }
            let rows = Self.bothOutcomes(uncut.map { observations[$0].churned ?? false }) ? uncut
                : all.filter { t.table.historyDays[$0] >= Double(Self.distanceMinimumHistoryDays) }
            let y = rows.map { observations[$0].churned ?? false }
            let churned = y.filter { $0 }.count
            guard Self.bothOutcomes(y), let fitted = DistanceCalibration.fitUpdate(probabilities: final.probabilities(t.table.subset(rows)), churned: y) else {
                let why = y.isEmpty ? "no renewal was observed that early with usage to read (the history is too short)"
                    : "\(y.count) renewals, \(churned) churned, under \(Self.fewestDistanceOutcomes) of either outcome"
                warnings.append("\(t.days) days before the renewal: \(why); no probability recalibration there (model.distance_calibration)")
                continue
            }
            anchors.append(.init(days: t.days, offset: fitted.offset, slope: fitted.slope, renewals: y.count, churned: churned))
            // The check: renewals decided before the holdout starts, and those the holdout observes at the lead.
            let renewal = { (r: Int) in observations[r].renewal ?? observations[r].asOf }
            let dev = rows.filter { renewal($0) < cutoff }, hold = rows.filter { renewal($0) - leadDays >= cutoff }
            let devY = dev.map { observations[$0].churned ?? false }, holdY = hold.map { observations[$0].churned ?? false }
            guard !hold.isEmpty, Self.bothOutcomes(devY), let devFit = DistanceCalibration.fitUpdate(probabilities: development.probabilities(t.table.subset(dev)), churned: devY)
            else { continue }
            let p = development.probabilities(t.table.subset(hold))
            let adjusted = DistanceCalibration(anchors: [.init(days: t.days, offset: devFit.offset, slope: devFit.slope, renewals: dev.count, churned: 0)])
            let q = p.map { adjusted.adjust($0, daysToRenewal: t.days) }
            let mean = { (v: [Double]) in v.reduce(0, +) / Double(v.count) }
            checks.append(.init(days: t.days, update: devFit.update, offset: devFit.offset, slope: devFit.slope, holdoutRenewals: hold.count,
                                holdoutChurnRate: Double(holdY.filter { $0 }.count) / Double(hold.count),
                                meanPredicted: mean(p), meanAdjusted: mean(q),
                                logLoss: ClassificationMetrics(p: p, y: holdY).logLoss, adjustedLogLoss: ClassificationMetrics(p: q, y: holdY).logLoss))
        }
        return anchors.count > 1 ? (DistanceCalibration(anchors: anchors), checks) : nil
    }

    /// What the saved errors are clustered on, and the coefficient whose error the
    /// clustering changed most (by ratio); nil when the fit's errors stayed model-based.
    static func clusteredErrors(_ fit: FittedLogisticRegression, rows: Int) -> ClusteredErrors? {
        guard case .clustered(let clusters) = fit.errors else { return nil }
        let offset = fit.hasIntercept ? 1 : 0
        let ratios = fit.keptColumns.enumerated().map { k, j in
            (name: fit.names[j], ratio: (fit.covariance[k + offset, k + offset] / fit.modelBasedCovariance[k + offset, k + offset]).squareRoot())
        }.filter { $0.ratio.isFinite }
        guard let largest = ratios.max(by: { $0.ratio < $1.ratio }) else { return nil }
        return ClusteredErrors(clusteredBy: "account", clusters: clusters, rows: rows, largestRatio: largest.ratio, largestRatioFeature: largest.name)
    }

    /// Where an account falls in [0, 1): the same for all its rows, independent
    /// of its neighbours (SplitMix64 of its index), and another draw per `salt`
    /// so the holdout and the cross-validation folds do not line up.
    static func accountShare(_ account: Int32, salt: UInt64) -> Double {
        var z = UInt64(UInt32(bitPattern: account)) &+ salt &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }

    /// Each row's churn probability from a model fitted without its account (5 folds grouped by account).
    func crossFitted(_ table: SignalTable, options: ModelDesign.Options, l2: Double) throws -> [Double] {
        let folds = 5
        let fold = table.observations.map { Int((UInt64(UInt32(bitPattern: $0.account)) &* 2_654_435_761) % UInt64(folds)) }
        var out = [Double](repeating: .nan, count: table.rowCount)
        for k in 0..<folds {
            let test = (0..<table.rowCount).filter { fold[$0] == k }
            let train = (0..<table.rowCount).filter { fold[$0] != k }
            guard !test.isEmpty else { continue }
            let fitted = try FittedDesign(design: try ModelDesign(table: table.subset(train), options: options), l2: l2,
                                          balanceClasses: settings.balanceClasses)
            for (i, p) in zip(test, fitted.probabilities(table.subset(test))) { out[i] = p }
        }
        if let bad = out.firstIndex(where: { !$0.isFinite }) {
            throw TrainError("internal: no finite churn probability for renewal \(bad) in cross-fitting (fold \(fold[bad]))")
        }
        return out
    }

    static func saved(_ m: ClassificationMetrics) -> ValidationSummary.Metrics {
        ValidationSummary.Metrics(rocAUC: m.rocAUC, prAUC: m.prAUC, topDecileLift: m.topDecileLift, brier: m.brier, logLoss: m.logLoss,
                                  expectedCalibrationError: m.expectedCalibrationError,
                                  calibration: m.calibration.map { [Double($0.rows), $0.meanPredicted, $0.observed] })
    }
}

/// Renewal rate by signal level per segment (quintiles of the known values).
enum SignalCohorts {
    /// Each signal's known values are sorted once, and each segment's rows taken
    /// from that order: a level holds whole runs of equal values, so which of
    /// two equal values comes first changes nothing.
    static func compute(table: SignalTable, renewed: [Bool], segments: [String]) -> [SignalCohort] {
        var out: [SignalCohort] = []
        let names = Set(segments).sorted()
        let codeOf = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let code = segments.map { codeOf[$0]! }
        for (s, def) in table.definitions.enumerated() {
            switch def.kind { case .flag, .milestone: continue; default: break }
            let values = table.raw[s]
            let known = values.indices.filter { !values[$0].isNaN }
            guard known.count >= 50 else { continue }
            let order = values.withUnsafeBufferPointer { v in known.sorted { v[$0] < v[$1] } }
            for (k, segment) in (["all"] + names).enumerated() {
                let sorted = k == 0 ? order : order.filter { code[$0] == k - 1 }
                guard sorted.count >= 50 else { continue }
                var levels: [SignalCohort.Level] = []
                var start = 0
                for q in 1...5 {
                    var end = sorted.count * q / 5
                    // Keep equal values in one level.
                    while end < sorted.count && end > 0 && values[sorted[end]] == values[sorted[end - 1]] { end += 1 }
                    guard end > start else { continue }
                    let slice = sorted[start..<end]
                    levels.append(SignalCohort.Level(from: values[slice.first!], to: values[slice.last!], rows: slice.count,
                                                     renewalRate: Double(slice.filter { renewed[$0] }.count) / Double(slice.count)))
                    start = end
                }
                guard levels.count >= 2 else { continue }
                out.append(SignalCohort(signal: def.name, segment: segment, levels: levels,
                                        spread: levels.last!.renewalRate - levels.first!.renewalRate))
            }
        }
        return out
    }

    /// The in-product signal whose higher levels renew most over its lowest, in one
    /// segment or (`"all"`) within the segments: a window over a metric other than
    /// logins, which are the base signal, not a feature, and support and CSAT,
    /// which are not product use.
    ///
    /// Over all segments the spread is each segment's, weighted by its renewals:
    /// pooled quintiles of core actions sort Enterprise (thousands a month) from
    /// SMB (tens) before they sort use, so the pooled spread says as much about
    /// segment as about the feature. Without segment cohorts, the pooled one.
    static func powerFeature(_ cohorts: [SignalCohort], definitions: [SignalDefinition], segment: String = "all") -> String? {
        let inProduct = Set(definitions.filter { def in
            if case let .window(w) = def.kind { return w.metric != "logins" && w.aggregate != .daysSinceActive && !["support_cases", "csat"].contains(w.metric) }
            return false
        }.map(\.name))
        let candidates = cohorts.filter { inProduct.contains($0.signal) }
        if segment != "all" { return candidates.filter { $0.segment == segment }.max { $0.spread < $1.spread }?.signal }
        var within: [String: (spread: Double, rows: Int)] = [:]
        for c in candidates where c.segment != "all" {
            let rows = c.levels.reduce(0) { $0 + $1.rows }
            within[c.signal, default: (0, 0)].spread += c.spread * Double(rows)
            within[c.signal, default: (0, 0)].rows += rows
        }
        if within.isEmpty { return candidates.filter { $0.segment == "all" }.max { $0.spread < $1.spread }?.signal }
        return within.map { ($0.key, $0.value.spread / Double($0.value.rows)) }.max { ($0.1, $1.0) < ($1.1, $0.0) }?.0
    }
}
