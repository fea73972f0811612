import Foundation
import TelltaleScoring

/// How the churn probability shifts with the days left to the renewal.
///
/// The model learns from accounts `lead_days` before their renewal, but `score`
/// applies it to every account, whatever its renewal date. Far from the renewal a
/// decline has not started yet, so today's usage looks healthier than it will:
/// the raw probability runs low (on the backtest of a simulated history, 16.4%
/// predicted against 19.2% churned beyond 270 days). And what the model reads
/// there foretells that renewal less well: 150 days out its log-odds spread
/// about twice as far as the outcomes do (a logistic of the outcome on them has
/// slope 0.45-0.49 out of time on five simulated histories). Training therefore
/// observes the same renewals again at a few other distances and updates the
/// model's log-odds η there to `offset + slope · η`: the intercept refitted,
/// and the slope too where a likelihood-ratio test rejects slope 1 (logistic
/// recalibration, Cox 1958). The ranking of accounts at one distance never
/// moves; the scorer interpolates both linearly between the anchors by each
/// account's days to renewal.
public struct DistanceCalibration: Codable, Equatable, Sendable {
    /// Which update a distance's renewals asked for.
    public enum Update: String, Codable, Sendable {
        /// Recalibration in the large: the offset alone, slope 1.
        case intercept
        /// Logistic recalibration: offset and slope.
        case interceptAndSlope = "intercept_and_slope"
    }

    /// One distance the model was recalibrated at.
    public struct Anchor: Codable, Equatable, Sendable {
        /// Days before the renewal the renewals were observed.
        public var days: Int
        /// The log-odds at this distance are `offset + slope · η` (0 and 1 at the model's own lead).
        public var offset: Double
        public var slope: Double
        /// Renewals observed at this distance, and how many churned.
        public var renewals: Int
        public var churned: Int

        public init(days: Int, offset: Double, slope: Double = 1, renewals: Int, churned: Int) {
            self.days = days
            self.offset = offset
            self.slope = slope
            self.renewals = renewals
            self.churned = churned
        }

        enum CodingKeys: String, CodingKey { case days, offset, slope, renewals, churned }

        /// A format-8 file refitted the intercept alone: slope 1.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(days: try c.decode(Int.self, forKey: .days), offset: try c.decode(Double.self, forKey: .offset),
                      slope: try c.decodeIfPresent(Double.self, forKey: .slope) ?? 1,
                      renewals: try c.decode(Int.self, forKey: .renewals), churned: try c.decode(Int.self, forKey: .churned))
        }
    }

    /// The out-of-time check of one anchor: its update fitted with the
    /// development model on the development renewals, applied to the holdout's
    /// renewals observed at the same distance.
    public struct Check: Codable, Equatable, Sendable {
        public var days: Int
        /// Fitted on the development renewals: the update the likelihood-ratio test chose, and its offset and slope.
        public var update: Update
        public var offset: Double
        public var slope: Double
        public var holdoutRenewals: Int
        public var holdoutChurnRate: Double
        /// The holdout's mean churn probability as the model gives it and updated.
        public var meanPredicted: Double
        public var meanAdjusted: Double
        /// The holdout's log loss as the model gives it and updated.
        public var logLoss: Double
        public var adjustedLogLoss: Double

        enum CodingKeys: String, CodingKey {
            case days, update, offset, slope, holdoutRenewals = "holdout_renewals", holdoutChurnRate = "holdout_churn_rate"
            case meanPredicted = "mean_predicted", meanAdjusted = "mean_adjusted", logLoss = "log_loss", adjustedLogLoss = "adjusted_log_loss"
        }

        public init(days: Int, update: Update = .intercept, offset: Double, slope: Double = 1, holdoutRenewals: Int, holdoutChurnRate: Double,
                    meanPredicted: Double, meanAdjusted: Double, logLoss: Double, adjustedLogLoss: Double) {
            self.days = days
            self.update = update
            self.offset = offset
            self.slope = slope
            self.holdoutRenewals = holdoutRenewals
            self.holdoutChurnRate = holdoutChurnRate
            self.meanPredicted = meanPredicted
            self.meanAdjusted = meanAdjusted
            self.logLoss = logLoss
            self.adjustedLogLoss = adjustedLogLoss
        }

        /// A format-8 file's checks refitted the intercept alone.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(days: try c.decode(Int.self, forKey: .days), update: try c.decodeIfPresent(Update.self, forKey: .update) ?? .intercept,
                      offset: try c.decode(Double.self, forKey: .offset), slope: try c.decodeIfPresent(Double.self, forKey: .slope) ?? 1,
                      holdoutRenewals: try c.decode(Int.self, forKey: .holdoutRenewals), holdoutChurnRate: try c.decode(Double.self, forKey: .holdoutChurnRate),
                      meanPredicted: try c.decode(Double.self, forKey: .meanPredicted), meanAdjusted: try c.decode(Double.self, forKey: .meanAdjusted),
                      logLoss: try c.decode(Double.self, forKey: .logLoss), adjustedLogLoss: try c.decode(Double.self, forKey: .adjustedLogLoss))
        }
    }

    /// Sorted by `days`; the model's lead is one of them, with offset 0 and slope 1.
    public var anchors: [Anchor]

    public init(anchors: [Anchor]) {
        self.anchors = anchors.sorted { $0.days < $1.days }
    }

    /// "15 days -0.092, 60 days +0.000, 150 days -0.726 + 0.479 η, ...": for `inspect` and a model's changes.
    public var description: String {
        anchors.map { "\($0.days) days " + Self.formatted(offset: $0.offset, slope: $0.slope) }.joined(separator: ", ")
    }

    /// "-0.092" (added to the log-odds η), or "-0.726 + 0.479 η" with a slope other than 1.
    public static func formatted(offset: Double, slope: Double) -> String {
        String(format: "%+.3f", offset) + (slope == 1 ? "" : String(format: " + %.3f η", slope))
    }

    /// The offset and slope for an account this many days from its renewal:
    /// each linear between the two anchors around it, the nearest anchor's
    /// beyond them, so a score does not jump from one day to the next.
    public func recalibration(daysToRenewal d: Int) -> (offset: Double, slope: Double) {
        guard let first = anchors.first, let last = anchors.last else { return (0, 1) }
        if d <= first.days { return (first.offset, first.slope) }
        if d >= last.days { return (last.offset, last.slope) }
        let k = anchors.firstIndex { $0.days >= d }!
        let a = anchors[k - 1], b = anchors[k]
        let t = Double(d - a.days) / Double(b.days - a.days)
        return (a.offset + t * (b.offset - a.offset), a.slope + t * (b.slope - a.slope))
    }

    /// The churn probability recalibrated for this distance; unchanged when
    /// the distance is unknown (no renewal date).
    public func adjust(_ p: Double, daysToRenewal d: Int?) -> Double {
        guard let d else { return p }
        let (offset, slope) = recalibration(daysToRenewal: d)
        guard offset != 0 || slope != 1 else { return p }
        return Logistic.sigmoid(offset + slope * Logistic.logit(p))
    }

    /// The δ that maximises Σ log-likelihood of `churned` under σ(logit(pᵢ) + δ):
    /// the intercept refit with every slope held, whose score equation says the
    /// mean adjusted probability equals the churn rate. Newton's method on a
    /// concave function of one variable; nil without both outcomes.
    public static func fitOffset(probabilities p: [Double], churned: [Bool]) -> Double? {
        precondition(p.count == churned.count, "one outcome per probability")
        let events = churned.filter { $0 }.count
        guard events > 0, events < churned.count else { return nil }
        // Probabilities of exactly 0 or 1 have no log-odds to shift; clamp to what a double holds.
        let eta = p.map { Logistic.logit(min(max($0, 1e-15), 1 - 1e-15)) }
        var delta = 0.0
        for _ in 0..<100 {
            var gradient = Double(events), curvature = 0.0
            for e in eta {
                let q = Logistic.sigmoid(e + delta)
                gradient -= q
                curvature += q * (1 - q)
            }
            let step = gradient / curvature
            // A step of at most 2 log-odds cannot overshoot far when the probabilities sit near 0 or 1.
            delta += max(-2, min(2, step))
            if abs(step) < 1e-12 { break }
        }
        return delta
    }
}
