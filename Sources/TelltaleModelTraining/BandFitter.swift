import Foundation
import TelltaleModel
import TelltaleScoring
import TelltaleTraining

/// Derives band cut points from health scores and what happened.
///
/// The renewal rate as a function of the health score is estimated by a
/// logistic curve in the score's log-odds (`LogisticCalibration`), and each cut
/// point is the lowest score at which that rate reaches the midpoint between two
/// adjacent targets (55%, 65%, 75% for 50/60/70/80). A non-empty band with fewer
/// than `minimumRows` renewals is merged with its smaller neighbour.
///
/// Two parameters, not a step function: the isotonic fit used before
/// (pool-adjacent-violators) followed each segment's noise, so a re-calibration
/// could leave a segment with no orange or yellow band at all and everything
/// under 74 red. On a weekly backtest of 10,000 simulated accounts retrained
/// quarterly, the orange band held 4-9 accounts for one quarter and 170-206 the
/// next; with the curve 53-151, `band_drop` raised 6,833 alerts at 14.4%
/// precision against 7,111 at 11.1%, and caught 596 churns against 524. When the
/// renewals do not rise with the score (slope ≤ 0), the isotonic fit is kept.
public struct BandFitter: Sendable {
    public var targets: [Double]
    public var minimumRows: Int
    public var minimumSegmentRows: Int

    public init(targets: [Double] = [0.5, 0.6, 0.7, 0.8], minimumRows: Int = 20, minimumSegmentRows: Int = 200) {
        precondition(targets.count == 4, "one target per band")
        self.targets = targets
        self.minimumRows = minimumRows
        self.minimumSegmentRows = minimumSegmentRows
    }

    public func fit(health: [Double], renewed: [Bool], segments: [String]) -> BandTable {
        fitExplained(health: health, renewed: renewed, segments: segments).bands
    }

    /// Why a segment borrows the population's cut points, for the warning that says so.
    public enum Borrowing: Equatable, Sendable {
        case fewRenewals(Int)
        /// Renewals enough, but not clearly rising with the score (`.unclear` or `.noFiniteCurve`).
        case notRising(Rise, renewals: Int)
    }

    /// As `fit`, with why each borrowing segment borrows.
    public func fitExplained(health: [Double], renewed: [Bool], segments: [String]) -> (bands: BandTable, borrowing: [String: Borrowing]) {
        let population = bands(health: health, renewed: renewed)
        var bySegment: [String: SegmentBands] = [:], borrowing: [String: Borrowing] = [:]
        for s in Set(segments).sorted() {
            let rows = segments.indices.filter { segments[$0] == s }
            let h = rows.map { health[$0] }, r = rows.map { renewed[$0] }
            let rise = rows.count >= minimumSegmentRows ? Self.rise(health: h, renewed: r) : nil
            if rise == .clear {
                bySegment[s] = bands(health: h, renewed: r)
            } else {
                bySegment[s] = SegmentBands(cutPoints: population.cutPoints, borrowed: true,
                                            stats: Self.stats(population.cutPoints, health: h, renewed: r))
                borrowing[s] = rise.map { .notRising($0, renewals: rows.count) } ?? .fewRenewals(rows.count)
            }
        }
        return (BandTable(targets: targets, population: population, segments: bySegment), borrowing)
    }

    /// How a segment's renewals rise with the health score. Cut points of its own
    /// need a clear rise (the band curve's slope 1.96 standard errors above 0); a
    /// segment without one borrows the population's, as a small one does: a nearly
    /// flat curve would put every account in the band of its mean.
    public enum Rise: Sendable {
        /// The band curve's slope is 1.96 standard errors above 0, or the scores
        /// put every renewed renewal above every churned one (as clear as it gets,
        /// though no finite curve fits).
        case clear
        /// A finite curve, but not clearly rising.
        case unclear
        /// No finite curve: one outcome, or scores that all but separate them.
        case noFiniteCurve
    }

    public static func rise(health: [Double], renewed: [Bool]) -> Rise {
        let churnedHighest = zip(health, renewed).filter { !$0.1 }.map(\.0).max(), renewedLowest = zip(health, renewed).filter(\.1).map(\.0).min()
        if let churnedHighest, let renewedLowest, churnedHighest < renewedLowest { return .clear }
        guard let c = logisticCalibration(health: health, renewed: renewed.map { $0 ? 1 : 0 }) else { return .noFiniteCurve }
        return c.slope > 1.96 * c.slopeStandardError ? .clear : .unclear
    }

    /// Cut points and figures for one set of renewals.
    public func bands(health: [Double], renewed: [Bool]) -> SegmentBands {
        let order = health.indices.sorted { health[$0] < health[$1] }
        let h = order.map { health[$0] }
        let y = order.map { renewed[$0] ? 1.0 : 0.0 }
        // The renewal rate by health score: a logistic curve in the score's log-odds, or the
        // isotonic fit when the renewals do not rise with the score at all.
        let fitted: [Double]
        if let c = Self.logisticCalibration(health: h, renewed: y), c.slope > 0 {
            fitted = h.map { c.renewalRate(health: $0) }
        } else {
            fitted = Self.isotonic(y, ties: h)
        }
        let n = h.count
        let boundaries = BandTable.boundaries(targets)
        // Band k holds the sorted rows bounds[k]..<bounds[k + 1].
        var bounds = [0] + boundaries.map { b in fitted.firstIndex { $0 >= b } ?? n } + [n]
        for k in 1..<4 { bounds[k] = max(bounds[k], bounds[k - 1]) }
        func size(_ k: Int) -> Int { bounds[k + 1] - bounds[k] }
        // Merge a band too small to trust with its smaller non-empty neighbour (the lower
        // on a tie), so two small bands pool with each other rather than both into red; the
        // pooled rows take the label of the two whose target is nearer their mean fitted
        // renewal rate (the lower on a tie). Each merge empties a band, so this ends.
        while let k = (0..<4).first(where: { size($0) > 0 && size($0) < minimumRows }) {
            let below = (0..<k).last { size($0) > 0 }, above = ((k + 1)..<4).first { size($0) > 0 }
            guard let j = [below, above].compactMap({ $0 }).min(by: { (size($0), $0) < (size($1), $1) }) else {
                break // the only non-empty band
            }
            let (lo, hi) = (min(j, k), max(j, k))
            let rows = bounds[lo]..<bounds[hi + 1]
            let rate = rows.reduce(0.0) { $0 + fitted[$1] } / Double(rows.count)
            if abs(rate - targets[hi]) < abs(rate - targets[lo]) {
                for b in (lo + 1)...hi { bounds[b] = rows.lowerBound }  // the upper band takes them
            } else {
                for b in (lo + 1)...hi { bounds[b] = rows.upperBound }  // the lower band does
            }
        }
        let idx = Array(bounds[1...3])
        let cuts = idx.map { $0 < n ? h[$0] : 100.000001 }
        return SegmentBands(cutPoints: cuts, borrowed: false, stats: Self.stats(cuts, health: health, renewed: renewed))
    }

    /// Renewal rate = σ(a + b · logit(health / 100)): the model's own log-odds,
    /// recalibrated on the renewals (Cox's calibration intercept and slope).
    public struct LogisticCalibration: Equatable, Sendable {
        public var intercept: Double
        public var slope: Double
        /// From the inverse of the information matrix at the fit.
        public var slopeStandardError: Double

        public func renewalRate(health: Double) -> Double { Logistic.sigmoid(intercept + slope * Self.logOdds(health)) }

        /// logit(health / 100), finite at 0 and 100.
        static func logOdds(_ health: Double) -> Double { Logistic.logit(min(max(health / 100, 1e-6), 1 - 1e-6)) }
    }

    /// The intercept and slope of renewal on the health score's log-odds by maximum
    /// likelihood (the trainer's logistic regression); nil when no finite fit
    /// exists (one outcome, one score, or outcomes the score separates).
    public static func logisticCalibration(health: [Double], renewed y: [Double]) -> LogisticCalibration? {
        guard let fit = try? LogisticRegression().fit(x: health.map(LogisticCalibration.logOdds), y: y, names: ["health log-odds"]),
              fit.converged, let slope = fit.coefficients[1].estimate, let se = fit.coefficients[1].standardError,
              slope.isFinite, abs(slope) < 1e3 else { return nil }
        return LogisticCalibration(intercept: fit.intercept, slope: slope, slopeStandardError: se)
    }

    static func stats(_ cuts: [Double], health: [Double], renewed: [Bool]) -> [BandStat] {
        let s = SegmentBands(cutPoints: cuts, borrowed: false, stats: [])
        return BandStat.perBand(health.map { s.band(health: $0) }, renewed: renewed)
    }

    /// Pool-adjacent-violators: the non-decreasing sequence closest (least
    /// squares) to `y`, with equal `ties` values kept in one block.
    /// - Complexity: O(n).
    public static func isotonic(_ y: [Double], ties: [Double]) -> [Double] {
        var means: [Double] = [], weights: [Double] = [], ends: [Int] = []
        var i = 0
        while i < y.count {
            var j = i + 1, total = y[i]
            while j < y.count && ties[j] == ties[i] { total += y[j]; j += 1 }
            means.append(total / Double(j - i)); weights.append(Double(j - i)); ends.append(j)
            while means.count > 1 && means[means.count - 2] > means[means.count - 1] {
                let w = weights[weights.count - 2] + weights[weights.count - 1]
                let m = (means[means.count - 2] * weights[weights.count - 2] + means[means.count - 1] * weights[weights.count - 1]) / w
                means.removeLast(2); weights.removeLast(2)
                let end = ends.removeLast(); ends.removeLast()
                means.append(m); weights.append(w); ends.append(end)
            }
            i = j
        }
        var out = [Double](repeating: 0, count: y.count)
        var start = 0
        for (b, end) in ends.enumerated() { for k in start..<end { out[k] = means[b] }; start = end }
        return out
    }
}
