import Foundation
import Testing
@testable import TelltaleSignals

/// The active weeks as the engine passes them (weeks without any count left
/// out, the recent ones keeping their place; lists latest week first), so the
/// cases below read as weekly series.
private func activeRecent(_ weeks: [Double]) -> [(weeksBefore: Int, count: Double)] {
    weeks.enumerated().filter { $0.element > 0 }.map { (weeksBefore: $0.offset, count: $0.element) }
}
private func evidence(recent: [Double], baseline: [Double], to share: Double) -> Double {
    WeeklyComparison.declineEvidence(recent: activeRecent(recent), recentWeeks: recent.count, baseline: baseline.filter { $0 > 0 }, to: share)
}
private func probability(recent: [Double], baseline: [Double], to share: Double, prior: Double) -> Double {
    WeeklyComparison.declineProbability(recent: activeRecent(recent), recentWeeks: recent.count, baseline: baseline.filter { $0 > 0 },
                                        to: share, prior: prior)
}

@Suite struct WeeklyComparisonTests {
    /// Reference values: scipy 1.17.1, `stats.ttest_ind(recent, baseline, equal_var=False).statistic`.
    @Test func welchTMatchesScipyWhenTheWeeksVaryMoreThanACount() {
        let levels = WeeklyComparison.welchT(recent: [6, 7, 5.5], baseline: [8, 9, 7.5, 8.5], varianceAtLeastMean: false)
        #expect(abs(levels - -3.8124642583151163) < 1e-12)
        // Both periods' variances (80.7 and 60.8) exceed their means: the floor does not act.
        let counts = WeeklyComparison.welchT(recent: [12, 30, 7, 22, 15], baseline: [20, 41, 18, 25, 33, 29, 17], varianceAtLeastMean: true)
        #expect(abs(counts - -1.7144616165889075) < 1e-12)
    }

    @Test func aCountsVarianceIsAtLeastItsMeanSoTheSameShareWeighsMoreInABigAccount() {
        // Steady weeks: no sample variance, so the Poisson floor alone: se = √(1/8 + 3/12).
        let small = WeeklyComparison.welchT(recent: Array(repeating: 1, count: 8), baseline: Array(repeating: 3, count: 12), varianceAtLeastMean: true)
        #expect(abs(small - -2 / (1.0 / 8 + 3.0 / 12).squareRoot()) < 1e-12)
        let big = WeeklyComparison.welchT(recent: Array(repeating: 100, count: 8), baseline: Array(repeating: 300, count: 12), varianceAtLeastMean: true)
        #expect(abs(big - 10 * small) < 1e-9)
        // One week in a period is enough for a count (the floor is its variance).
        let one = WeeklyComparison.welchT(recent: [2], baseline: [4, 4], varianceAtLeastMean: true)
        #expect(abs(one - -2 / (2.0 + 4.0 / 2).squareRoot()) < 1e-12)
    }

    @Test func tooFewWeeksOrNoSpreadGiveMissingNotAnInfiniteT() {
        #expect(WeeklyComparison.welchT(recent: [], baseline: [3, 4], varianceAtLeastMean: true).isNaN)
        #expect(WeeklyComparison.welchT(recent: [5], baseline: [6, 7], varianceAtLeastMean: false).isNaN)
        #expect(WeeklyComparison.welchT(recent: [8, 8], baseline: [9, 9], varianceAtLeastMean: false).isNaN)
        #expect(WeeklyComparison.welchT(recent: [8, 8], baseline: [8, 8, 8], varianceAtLeastMean: false) == 0)
        #expect(WeeklyComparison.mean([]).isNaN)
    }

    /// Reference values: scipy 1.17.1, each hypothesis's Poisson log-likelihood
    /// (`stats.poisson.logpmf`) maximised over the account's level numerically
    /// (`optimize.minimize_scalar`), the dispersion from the numerically fitted
    /// level, then the ratio and Bayes' rule, rather than the closed forms the code uses.
    @Test func theDeclineEvidenceMatchesTwoPoissonFitsMaximisedNumerically() {
        // Latest week first; the zero weeks (a vacation) are left out. Weeks as spread as
        // Poisson counts (dispersion under 1, so 1): the evidence is the log-likelihood ratio.
        let recent: [Double] = [2, 3, 0, 5, 4, 6, 7, 6], baseline: [Double] = [8, 9, 7, 0, 0, 10, 8, 9, 7, 8, 9, 11]
        let ratio = evidence(recent: recent, baseline: baseline, to: 1.0 / 3)
        #expect(abs(ratio - 5.935495994479531) < 1e-9)
        let p = probability(recent: recent, baseline: baseline, to: 1.0 / 3, prior: 0.1)
        #expect(abs(p - 0.9767578519750003) < 1e-9)
        // A level account: evidence against the decline, so below the prior.
        let level = probability(recent: [9, 10, 8, 11], baseline: [10, 9, 11, 10, 9, 10], to: 0.5, prior: 0.2)
        #expect(abs(level - 0.07852382852160542) < 1e-9)
        // Weeks far more spread than a count's (dispersion 9.34): the log-likelihood ratio of
        // 59.75 counts as 6.40. (To 1e-6: the dispersion uses the fitted level itself, and a
        // numerical optimum is only good to about the square root of the machine epsilon.)
        let spread = evidence(recent: [20, 45, 15, 60, 30, 70, 25, 80],
                              baseline: [90, 40, 120, 60, 100, 50, 110, 70, 95, 45, 105, 65], to: 1.0 / 3)
        #expect(abs(spread - 6.396130413642063) < 1e-6)
    }

    @Test func onTheDeclinesOwnShapeTenTimesTheCountsIsTenTimesTheEvidence() {
        // Weeks exactly on the decline's path (no spread about it, so no dispersion to divide by).
        let shape: [Double] = (0..<6).map { (w: Int) -> Double in 1.0 / 3 + (2.0 / 3) * (Double(w) + 0.5) / 6 }
        let small = evidence(recent: shape.map { 3 * $0 }, baseline: Array(repeating: 3, count: 6), to: 1.0 / 3)
        let big = evidence(recent: shape.map { 30 * $0 }, baseline: Array(repeating: 30, count: 6), to: 1.0 / 3)
        #expect(small > 0 && abs(big - 10 * small) < 1e-9 * big)
        // On the probability scale the small account stays uncertain and the big one is certain.
        let pSmall = probability(recent: shape.map { 3 * $0 }, baseline: Array(repeating: 3, count: 6), to: 1.0 / 3, prior: 0.1)
        let pBig = probability(recent: shape.map { 30 * $0 }, baseline: Array(repeating: 30, count: 6), to: 1.0 / 3, prior: 0.1)
        #expect(pSmall > 0.1 && pSmall < 0.9 && pBig > 0.999)
    }

    @Test func aDeclineNeedsAnActiveWeekInEachPeriodToBeJudged() {
        #expect(probability(recent: [0, 0, 0], baseline: [4, 5, 6], to: 1.0 / 3, prior: 0.1).isNaN)
        #expect(probability(recent: [4, 5, 6], baseline: [0, 0], to: 1.0 / 3, prior: 0.1).isNaN)
        // Recent weeks keep their place when the empty weeks between them are left out (the engine
        // leaves them out: SignalEngineTests' vacation account), and empty baseline weeks count for nothing.
        let vacation = evidence(recent: [2, 0, 0, 5], baseline: [6, 0, 7], to: 0.4)
        let without = evidence(recent: [2, 0, 0, 5], baseline: [6, 7], to: 0.4)
        let shapes = [0.4 + 0.6 * 0.5 / 4, 0.4 + 0.6 * 3.5 / 4]
        let closed = 2 * Foundation.log(shapes[0]) + 5 * Foundation.log(shapes[1]) - 20 * Foundation.log((shapes[0] + shapes[1] + 2) / 4)
        #expect(vacation == without && abs(vacation - closed) < 1e-12, "dispersion under 1 here: \(vacation) against \(closed)")
    }
}
