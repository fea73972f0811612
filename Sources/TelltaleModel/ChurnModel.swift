import Foundation
import TelltalePatterns
import TelltaleScoring
import TelltaleSignals

/// The saved churn model: everything the scorer needs to turn today's usage
/// into the same probabilities, health scores and bands training computed,
/// plus what the training found and how well it validated.
///
/// One versioned JSON file (`models/NAME.json`); see docs/model-file.md.
/// Pure Swift: applying it is a dot product and a sigmoid per account.
public struct ChurnModel: Codable, Equatable, Sendable {
    /// The format this version writes; it reads every format up to it.
    /// 1: the first. 2: a trend may compare the median week (`statistic:
    /// weekly_median`), which a format-1 reader would silently compute as a
    /// mean trend. 3: a trend may compare active weeks (`statistic:
    /// active_weeks`, `form: t`). 4: a trend may be a decline probability
    /// (`form: decline_probability`, with `to` and `prior`). 5: a flat-table
    /// model may one-hot encode a text column (signal kind `category`).
    /// Up to 5 each model was written in the oldest format that held it.
    /// 6: every key in snake_case and every kind as one key holding its
    /// settings (`"kind": {"window": {...}}`, `"missing": "median"`), where
    /// earlier formats wrote `{"_0": ...}` wrappers and a few camelCase keys;
    /// since the spelling changed for every model, every model is format 6.
    /// `read(path:)` converts the older spelling (`ModelFileMigration`).
    /// 7: a weekly trend may leave out the weeks the whole population went
    /// quiet (`"quiet_weeks": "skip"`), which a format-6 reader would ignore and
    /// compute the trend with them, without a word; a format-6 file has no such
    /// key and reads as it was meant (those weeks kept).
    /// 8: the churn probability may shift with the days to the renewal
    /// (`distance_calibration`), which a format-7 reader would ignore and score
    /// accounts far from their renewal low, without a word.
    /// 9: that shift may scale the log-odds as well (`slope` of each anchor),
    /// which a format-8 reader would ignore; a format-8 file's anchors read
    /// with slope 1, as it meant.
    public static let currentFormat = 9

    public var format: Int
    public var toolVersion: String
    /// The day the model was trained (YYYY-MM-DD; `--trained-at` fixes it for reproducible files).
    public var trainedAt: String
    public var provenance: Provenance
    public var leadDays: Int
    public var signals: [SignalDefinition]
    public var preparation: SignalPreparation
    public var cuts: [DataDrivenCut]
    public var features: [FeatureSpec]
    /// On the standardised features: η = intercept + Σ βⱼ (xⱼ − meanⱼ) / scaleⱼ.
    public var intercept: Double
    public var coefficients: [ModelCoefficient]
    public var l2: Double
    public var bands: BandTable
    public var validation: ValidationSummary
    public var patterns: [PatternSummary]
    public var cohorts: [SignalCohort]
    public var powerFeature: String?
    public var warnings: [String]
    /// Days one usage row covered in training: nil for daily rows (and flat
    /// tables), 7 for weekly ones. A model's windows mean something else on
    /// rows of another granularity (`days_active` counts weeks on weekly rows),
    /// so scoring refuses them. Written only for weekly models, so daily
    /// models' files are as before.
    public var usageRowDays: Int?
    /// The usage metrics the signals read that training took as levels
    /// (`data.level_metrics`: a day without a row is missing, not 0); nil for
    /// flat tables and files written before it was kept. Scoring refuses a
    /// config that reads one of the model's metrics the other way: a level
    /// read as a count makes every day without an answer a 0.
    public var levelMetrics: [String]?
    /// The log-odds offset by days to the renewal (`DistanceCalibration`); nil
    /// for flat tables, models trained with it off and files before format 8:
    /// the probability is the one at `leadDays` whatever the distance.
    public var distanceCalibration: DistanceCalibration?
    /// What the coefficients' standard errors are clustered on; nil for errors
    /// that take every row as independent (files before it was kept, and fits
    /// with no more accounts than parameters or that did not converge).
    public var standardErrors: ClusteredErrors?

    public struct Provenance: Codable, Equatable, Sendable {
        /// FNV-1a 64-bit hashes of the input files' bytes (hex), by role.
        public var fingerprints: [String: String]
        public var config: String?
        public var renewals: Int
        public var churned: Int
        public var firstObservation: String
        public var lastObservation: String
        public var usageEnd: String
        enum CodingKeys: String, CodingKey {
            case fingerprints, config, renewals, churned, firstObservation = "first_observation"
            case lastObservation = "last_observation", usageEnd = "usage_end"
        }
        public init(fingerprints: [String: String], config: String?, renewals: Int, churned: Int,
                    firstObservation: String, lastObservation: String, usageEnd: String) {
            self.fingerprints = fingerprints
            self.config = config
            self.renewals = renewals
            self.churned = churned
            self.firstObservation = firstObservation
            self.lastObservation = lastObservation
            self.usageEnd = usageEnd
        }
    }

    enum CodingKeys: String, CodingKey {
        case format, toolVersion = "tool_version", trainedAt = "trained_at", provenance, leadDays = "lead_days"
        case signals, preparation, cuts, features, intercept, coefficients, l2, bands, validation, patterns, cohorts
        case powerFeature = "power_feature", warnings, usageRowDays = "usage_row_days", levelMetrics = "level_metrics"
        case distanceCalibration = "distance_calibration", standardErrors = "std_errors"
    }

    /// `format`: by default `currentFormat`.
    public init(format: Int? = nil, toolVersion: String, trainedAt: String, provenance: Provenance,
                leadDays: Int, signals: [SignalDefinition], preparation: SignalPreparation, cuts: [DataDrivenCut],
                features: [FeatureSpec], intercept: Double, coefficients: [ModelCoefficient], l2: Double, bands: BandTable,
                validation: ValidationSummary, patterns: [PatternSummary], cohorts: [SignalCohort], powerFeature: String?,
                warnings: [String]) {
        self.format = format ?? Self.currentFormat
        self.toolVersion = toolVersion
        self.trainedAt = trainedAt
        self.provenance = provenance
        self.leadDays = leadDays
        self.signals = signals
        self.preparation = preparation
        self.cuts = cuts
        self.features = features
        self.intercept = intercept
        self.coefficients = coefficients
        self.l2 = l2
        self.bands = bands
        self.validation = validation
        self.patterns = patterns
        self.cohorts = cohorts
        self.powerFeature = powerFeature
        self.warnings = warnings
    }
}

/// One model input: a prepared signal, a pattern (0/1), or a segment indicator.
public struct FeatureSpec: Codable, Equatable, Sendable {
    /// In the file, one key naming it: `{"signal": "logins_30d"}`,
    /// `{"pattern": {"flags": [...], "segment": ...}}`, `{"segment": "SMB Annual"}`.
    public enum Kind: Codable, Equatable, Sendable {
        case signal(String)
        case pattern(PatternDefinition)
        case segment(String)

        enum CodingKeys: String, CodingKey, CaseIterable { case signal, pattern, segment }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let key = try c.onlyKey(naming: "a feature kind")
            switch key {
            case .signal: self = .signal(try c.decode(String.self, forKey: key))
            case .pattern: self = .pattern(try c.decode(PatternDefinition.self, forKey: key))
            case .segment: self = .segment(try c.decode(String.self, forKey: key))
            }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case let .signal(name): try c.encode(name, forKey: .signal)
            case let .pattern(p): try c.encode(p, forKey: .pattern)
            case let .segment(name): try c.encode(name, forKey: .segment)
            }
        }
    }
    public var name: String
    public var kind: Kind
    /// Standardisation fitted on the training rows.
    public var mean: Double
    public var scale: Double

    public init(name: String, kind: Kind, mean: Double = 0, scale: Double = 1) {
        self.name = name
        self.kind = kind
        self.mean = mean
        self.scale = scale
    }
}

public struct ModelCoefficient: Codable, Equatable, Sendable {
    public var name: String
    /// Per standard deviation of the feature (the scale the penalty treats alike).
    public var estimate: Double
    public var stdError: Double?
    public var z: Double?
    public var pValue: Double?
    public var ciLow: Double?
    public var ciHigh: Double?
    /// exp(estimate): the odds ratio per standard deviation.
    public var oddsRatio: Double

    /// The fit dropped the column (constant, or no values): saved at 0 with no statistics.
    public var wasDropped: Bool { stdError == nil && estimate == 0 }

    enum CodingKeys: String, CodingKey {
        case name, estimate, stdError = "std_error", z, pValue = "p_value", ciLow = "ci_low", ciHigh = "ci_high", oddsRatio = "odds_ratio"
    }

    public init(name: String, estimate: Double, stdError: Double?, z: Double?, pValue: Double?, ciLow: Double?, ciHigh: Double?) {
        self.name = name
        self.estimate = estimate
        self.stdError = stdError
        self.z = z
        self.pValue = pValue
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        oddsRatio = exp(estimate)
    }
}

/// A kept pattern as the report and the scorer need it.
public struct PatternSummary: Codable, Equatable, Sendable {
    public var definition: PatternDefinition
    public var sentence: String
    public var accounts: Int
    public var churnRate: Double
    public var lift: Double
    public var qValue: Double
    /// Whether it is a model feature (order 2 and more).
    public var isFeature: Bool

    enum CodingKeys: String, CodingKey {
        case definition, sentence, accounts, churnRate = "churn_rate", lift, qValue = "q_value", isFeature = "is_feature"
    }

    /// The pattern in words, without its training counts ("... AND CSAT under 5 [SMB Annual]").
    public var words: String { PatternResult.words(ofSentence: sentence, accounts: accounts) }

    public init(definition: PatternDefinition, sentence: String, accounts: Int, churnRate: Double, lift: Double, qValue: Double, isFeature: Bool) {
        self.definition = definition
        self.sentence = sentence
        self.accounts = accounts
        self.churnRate = churnRate
        self.lift = lift
        self.qValue = qValue
        self.isFeature = isFeature
    }
}

/// Renewal rate by level of one signal in one segment ("1-5 uses a month renew at 50%").
public struct SignalCohort: Codable, Equatable, Sendable {
    public var signal: String
    public var segment: String
    public var levels: [Level]
    /// Renewal rate of the top level minus the bottom level: how strongly it sorts accounts.
    public var spread: Double

    public struct Level: Codable, Equatable, Sendable {
        public var from: Double
        public var to: Double
        public var rows: Int
        public var renewalRate: Double
        enum CodingKeys: String, CodingKey { case from, to, rows, renewalRate = "renewal_rate" }
        public init(from: Double, to: Double, rows: Int, renewalRate: Double) {
            self.from = from
            self.to = to
            self.rows = rows
            self.renewalRate = renewalRate
        }
    }

    public init(signal: String, segment: String, levels: [Level], spread: Double) {
        self.signal = signal
        self.segment = segment
        self.levels = levels
        self.spread = spread
    }
}

/// Validation figures, with and without the pattern features: out of time,
/// or (`method` "grouped") on held-out accounts.
public struct ValidationSummary: Codable, Equatable, Sendable {
    /// The holdout's first observation date; empty when validated grouped by account.
    public var holdoutFrom: String
    /// nil: out of time (every file before grouped validation existed);
    /// "grouped": a share of the accounts held out, rows observed on one date or undated.
    public var method: String?
    public var trainRows: Int
    public var holdoutRows: Int
    /// λ → validation log loss per renewal, pooled over the time-ordered folds.
    public var cvGrid: [CVPoint]
    public var chosenL2: Double
    public var withPatterns: Metrics
    public var withoutPatterns: Metrics
    /// The days-to-renewal offsets checked out of time, one per anchor other
    /// than the lead; nil when the model has no `distance_calibration`.
    public var distance: [DistanceCalibration.Check]?

    public struct CVPoint: Codable, Equatable, Sendable {
        public var l2: Double
        public var logLoss: Double
        enum CodingKeys: String, CodingKey { case l2, logLoss = "log_loss" }
        public init(l2: Double, logLoss: Double) { self.l2 = l2; self.logLoss = logLoss }
    }

    /// The figures of `ClassificationMetrics`, as saved.
    public struct Metrics: Codable, Equatable, Sendable {
        public var rocAUC: Double
        public var prAUC: Double
        public var topDecileLift: Double
        public var brier: Double
        public var logLoss: Double
        public var expectedCalibrationError: Double
        public var calibration: [[Double]]
        enum CodingKeys: String, CodingKey {
            case rocAUC = "roc_auc", prAUC = "pr_auc", topDecileLift = "top_decile_lift", brier, logLoss = "log_loss"
            case expectedCalibrationError = "ece", calibration
        }
        public init(rocAUC: Double, prAUC: Double, topDecileLift: Double, brier: Double, logLoss: Double,
                    expectedCalibrationError: Double, calibration: [[Double]]) {
            self.rocAUC = rocAUC
            self.prAUC = prAUC
            self.topDecileLift = topDecileLift
            self.brier = brier
            self.logLoss = logLoss
            self.expectedCalibrationError = expectedCalibrationError
            self.calibration = calibration
        }
    }

    enum CodingKeys: String, CodingKey {
        case holdoutFrom = "holdout_from", trainRows = "train_rows", holdoutRows = "holdout_rows", cvGrid = "cv_grid"
        case chosenL2 = "chosen_l2", withPatterns = "with_patterns", withoutPatterns = "without_patterns", method
        case distance
    }

    /// Validated on held-out accounts, not out of time.
    public var isGrouped: Bool { method == "grouped" }

    public init(holdoutFrom: String, trainRows: Int, holdoutRows: Int, cvGrid: [CVPoint], chosenL2: Double,
                withPatterns: Metrics, withoutPatterns: Metrics) {
        self.holdoutFrom = holdoutFrom
        self.trainRows = trainRows
        self.holdoutRows = holdoutRows
        self.cvGrid = cvGrid
        self.chosenL2 = chosenL2
        self.withPatterns = withPatterns
        self.withoutPatterns = withoutPatterns
    }
}
