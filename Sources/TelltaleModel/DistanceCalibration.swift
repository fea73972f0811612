import Foundation
import TelltaleScoring

/// How the churn probability shifts with the days left to the renewal.
///
/// The model learns from accounts `lead_days` before their renewal, but `score`
/// applies it to every account, whatever its renewal date. Far from the renewal a
/// decline has not started yet, so today's usage looks healthier than it will:
/// the raw probability runs low (on the backtest of a simulated history, 16.4%
/// predicted against 19.2% churned beyond 270 days). Training therefore observes the same
/// renewals again at a few other distances and refits the intercept alone there,
/// the model's slopes unchanged (the ranking of accounts at one distance does not
/// move); the scorer adds the offset, interpolated linearly between the anchors,
/// to each account's log-odds by its days to renewal.
public struct DistanceCalibration: Codable, Equatable, Sendable {
    /// One distance the intercept was refitted at.
    public struct Anchor: Codable, Equatable, Sendable {
        /// Days before the renewal the renewals were observed.
        public var days: Int
        /// Added to the log-odds at this distance (0 at the model's own lead).
        public var offset: Double
        /// Renewals observed at this distance, and how many churned.
        public var renewals: Int
        public var churned: Int

        public init(days: Int, offset: Double, renewals: Int, churned: Int) {
            self.days = days
            self.offset = offset
            self.renewals = renewals
            self.churned = churned
        }
    }

    /// The out-of-time check of one anchor: its offset fitted with the
    /// development model on the development renewals, applied to the holdout's
    /// renewals observed at the same distance.
    public struct Check: Codable, Equatable, Sendable {
        public var days: Int
        /// Fitted on the development renewals.
        public var offset: Double
        public var holdoutRenewals: Int
        public var holdoutChurnRate: Double
        /// The holdout's mean churn probability without and with the offset.
        public var meanPredicted: Double
        public var meanAdjusted: Double
        /// The holdout's log loss without and with the offset.
        public var logLoss: Double
        public var adjustedLogLoss: Double

        enum CodingKeys: String, CodingKey {
            case days, offset, holdoutRenewals = "holdout_renewals", holdoutChurnRate = "holdout_churn_rate"
            case meanPredicted = "mean_predicted", meanAdjusted = "mean_adjusted", logLoss = "log_loss", adjustedLogLoss = "adjusted_log_loss"
        }

        public init(days: Int, offset: Double, holdoutRenewals: Int, holdoutChurnRate: Double, meanPredicted: Double,
                    meanAdjusted: Double, logLoss: Double, adjustedLogLoss: Double) {
            self.days = days
            self.offset = offset
            self.holdoutRenewals = holdoutRenewals
            self.holdoutChurnRate = holdoutChurnRate
            self.meanPredicted = meanPredicted
            self.meanAdjusted = meanAdjusted
            self.logLoss = logLoss
            self.adjustedLogLoss = adjustedLogLoss
        }
    }

    /// Sorted by `days`; the model's lead is one of them, with offset 0.
    public var anchors: [Anchor]

    public init(anchors: [Anchor]) {
        self.anchors = anchors.sorted { $0.days < $1.days }
    }

    /// "15 days -0.092, 60 days +0.000, ...": for `inspect` and a model's changes.
    public var description: String {
        anchors.map { "\($0.days) days " + String(format: "%+.3f", $0.offset) }.joined(separator: ", ")
    }

    /// The log-odds offset for an account this many days from its renewal:
    /// linear between the two anchors around it, the nearest anchor's beyond them,
    /// so a score does not jump from one day to the next.
    public func offset(daysToRenewal d: Int) -> Double {
        guard let first = anchors.first, let last = anchors.last else { return 0 }
        if d <= first.days { return first.offset }
        if d >= last.days { return last.offset }
        let k = anchors.firstIndex { $0.days >= d }!
        let a = anchors[k - 1], b = anchors[k]
        let t = Double(d - a.days) / Double(b.days - a.days)
        return a.offset + t * (b.offset - a.offset)
    }

    /// The churn probability with the offset for this distance; unchanged when
    /// the distance is unknown (no renewal date).
    public func adjust(_ p: Double, daysToRenewal d: Int?) -> Double {
        guard let d else { return p }
        let delta = offset(daysToRenewal: d)
        guard delta != 0 else { return p }
        return Logistic.sigmoid(Logistic.logit(p) + delta)
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
