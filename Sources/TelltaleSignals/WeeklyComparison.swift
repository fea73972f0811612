import Foundation
import TelltaleScoring

/// How two periods of weekly values compare, for trends that judge a change
/// by the weeks it spans rather than by one total per period.
enum WeeklyComparison {
    /// The mean of the weeks, NaN when there are none.
    static func mean(_ weeks: [Double]) -> Double {
        weeks.isEmpty ? .nan : weeks.reduce(0, +) / Double(weeks.count)
    }

    /// Welch's t of the recent weeks against the baseline weeks:
    /// (recent mean − baseline mean) / √(s²ᵣ/nᵣ + s²ᵦ/nᵦ), with sample variances.
    ///
    /// A ratio says a small account that went from 3 core actions a week to 1
    /// fell as far as a large one that went from 300 to 100; the standard error
    /// tells the first (what Poisson noise and a quiet month also do) from the
    /// second. With `varianceAtLeastMean` (counts) each period's variance is at
    /// least its mean, the variance of a Poisson count: without the floor an
    /// account with a few identical weeks would look certain of any change, and
    /// a period of one week has no variance of its own. Levels (CSAT) get no
    /// floor and need two weeks in each period.
    ///
    /// NaN when a period has too few weeks, or when neither period varies and
    /// the means differ (no spread to judge the difference by); 0 when neither
    /// varies and the means are equal.
    static func welchT(recent: [Double], baseline: [Double], varianceAtLeastMean: Bool) -> Double {
        let fewest = varianceAtLeastMean ? 1 : 2
        guard recent.count >= fewest, baseline.count >= fewest else { return .nan }
        func variance(_ weeks: [Double], mean: Double) -> Double {
            let sample = weeks.count < 2 ? 0 : weeks.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(weeks.count - 1)
            return varianceAtLeastMean ? Swift.max(sample, mean) : sample
        }
        let mr = mean(recent), mb = mean(baseline)
        let se2 = variance(recent, mean: mr) / Double(recent.count) + variance(baseline, mean: mb) / Double(baseline.count)
        guard se2 > 0 else { return mr == mb ? 0 : .nan }
        return (mr - mb) / se2.squareRoot()
    }

    /// The evidence for a steady decline against a level account, as a log
    /// quasi-likelihood ratio, from the active weekly counts (the caller leaves
    /// out weeks without any, a vacation or a holiday week, as `active_weeks`
    /// does): the recent ones with their place among the `recentWeeks` (0 the
    /// latest), and the baseline's.
    ///
    /// Under "level", every active week has the account's own mean μ; under
    /// "decline", the mean falls linearly through the recent weeks, from μ where
    /// the baseline ends to `to` × μ at the as-of date, so recent week w (0 the
    /// latest, r recent weeks) has mean gᵥ μ with gᵥ = to + (1 − to)(w + ½)/r
    /// (the ramp's value mid-week), and a baseline week gᵥ = 1. For Poisson
    /// counts, with μ fitted under each hypothesis, the log-likelihood ratio has
    /// a closed form: Σ xᵥ log gᵥ − S log(Σ gᵥ / n) over the n active weeks, S
    /// their total. Weekly usage varies more than a Poisson count (weekdays,
    /// holidays, people), so the ratio is divided by the dispersion φ, Pearson's
    /// χ² of the decline fit over its n − 1 degrees of freedom, at least 1
    /// (quasi-likelihood, McCullagh & Nelder): without it a large account's
    /// ordinary ups and downs would read as near-certain evidence either way.
    ///
    /// Why a named alternative rather than the t: a test against the shape of
    /// the decline the analyst looks for (Neyman-Pearson) weighs the latest
    /// weeks most, where that decline is deepest, and gives evidence on the log
    /// odds scale, which Bayes' rule turns into a probability.
    ///
    /// NaN when a period has no active week (no level to compare against).
    static func declineEvidence(recent: [(weeksBefore: Int, count: Double)], recentWeeks: Int, baseline: [Double],
                                to share: Double) -> Double {
        guard !recent.isEmpty, !baseline.isEmpty else { return .nan }
        let weeks = recent.map { (count: $0.count, shape: share + (1 - share) * (Double($0.weeksBefore) + 0.5) / Double(recentWeeks)) }
            + baseline.map { (count: $0, shape: 1.0) }
        let n = Double(weeks.count)
        let total = weeks.reduce(0) { $0 + $1.count }, sumShape = weeks.reduce(0) { $0 + $1.shape }
        let logRatio = weeks.reduce(0) { $0 + $1.count * Foundation.log($1.shape) } - total * Foundation.log(sumShape / n)
        let level = total / sumShape  // μ fitted under the decline
        let pearson = weeks.reduce(0) { chi2, week in
            let expected = level * week.shape
            return chi2 + (week.count - expected) * (week.count - expected) / expected
        }
        return logRatio / Swift.max(1, pearson / (n - 1))
    }

    /// The posterior probability of the decline (see `declineEvidence`) by
    /// Bayes' rule: prior log odds plus the evidence. NaN when the evidence is.
    static func declineProbability(recent: [(weeksBefore: Int, count: Double)], recentWeeks: Int, baseline: [Double],
                                   to share: Double, prior: Double) -> Double {
        let evidence = declineEvidence(recent: recent, recentWeeks: recentWeeks, baseline: baseline, to: share)
        guard !evidence.isNaN else { return .nan }
        return Logistic.sigmoid(evidence + Logistic.logit(prior))
    }
}
