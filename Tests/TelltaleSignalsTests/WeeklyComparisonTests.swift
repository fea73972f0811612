import Testing
@testable import TelltaleSignals

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
}
