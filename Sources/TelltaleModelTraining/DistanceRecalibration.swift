import Foundation
import TelltaleModel
import TelltaleScoring
import TelltaleTraining

extension DistanceCalibration {
    /// The update of the model's log-odds one distance's renewals ask for: the
    /// intercept always (the renewals' churn rate there is what the offset is
    /// for), and the slope as well when a likelihood-ratio test of slope 1
    /// rejects it at 5% (1 degree of freedom). The test keeps a few hundred
    /// renewals from buying a slope their noise made up: on the 1,000-account
    /// sample, 330 days out, a free slope of 1.48 raised the holdout's log loss
    /// by 0.025. (Closed testing, Vergouwe et al. 2017, would first test any
    /// update against none; far from the renewal that left some anchors of a
    /// simulated history without the offset their churn rate asks for and the
    /// others with it, so the probability fell 2-4 points beyond 270 days.)
    ///
    /// A fitted slope under 0 would reverse the model's ranking at that
    /// distance; it becomes 0 there, with the intercept refitted (every account
    /// at the renewals' churn rate). nil without both outcomes.
    public static func fitUpdate(probabilities p: [Double], churned: [Bool]) -> (update: Update, offset: Double, slope: Double)? {
        guard let intercept = fitOffset(probabilities: p, churned: churned) else { return nil }
        let eta = p.map { Logistic.logit(min(max($0, 1e-15), 1 - 1e-15)) }
        guard let fit = try? LogisticRegression().fit(x: eta, y: churned.map { $0 ? 1 : 0 }, names: ["log-odds"]),
              fit.converged, var slope = fit.coefficients[1].estimate, slope.isFinite else {
            return (.intercept, intercept, 1) // no slope to test (one value of the log-odds)
        }
        var offset = fit.intercept
        if slope < 0 {
            let rate = Double(churned.filter { $0 }.count) / Double(churned.count)
            (offset, slope) = (Logistic.logit(rate), 0)
        }
        let both = logLikelihood(eta, churned, offset: offset, slope: slope)
        let alone = logLikelihood(eta, churned, offset: intercept, slope: 1)
        return 2 * (both - alone) > chiSquared1 ? (.interceptAndSlope, offset, slope) : (.intercept, intercept, 1)
    }

    /// The 95% point of χ² with 1 degree of freedom.
    static let chiSquared1 = 3.841458820694124

    /// Σ log-likelihood of the outcomes under σ(offset + slope · η), each term
    /// as −log(1 + e^∓z) so that no probability rounds to 0 or 1 first.
    static func logLikelihood(_ eta: [Double], _ churned: [Bool], offset: Double, slope: Double) -> Double {
        zip(eta, churned).reduce(0) { sum, pair in
            let z = offset + slope * pair.0, s = pair.1 ? -z : z
            return sum - (s > 0 ? s + log1p(exp(-s)) : log1p(exp(s)))
        }
    }
}
