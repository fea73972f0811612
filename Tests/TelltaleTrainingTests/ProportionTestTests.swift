import Testing
import TelltaleTraining

/// The band check's two-proportion test against statsmodels'
/// `proportions_ztest(count, nobs)` (pooled, two-sided), computed
/// separately: 85/100 vs 75/100 gives z = 1.76777, p = 0.0770999;
/// 3/40 vs 30/60 gives z = -4.42792, p = 9.51443e-06.
@Suite struct ProportionTestTests {
    @Test func pValuesMatchStatsmodelsProportionsZTest() {
        let a = ProportionTest.twoSided(successes: 85, of: 100, against: 75, of: 100)!
        #expect(abs(a - 0.07709987174354183) < 1e-12)
        let b = ProportionTest.twoSided(successes: 3, of: 40, against: 30, of: 60)!
        #expect(abs(b - 9.514431554204702e-06) / 9.514431554204702e-06 < 1e-9)
    }

    @Test func theTestIsSymmetricAndEqualRatesGiveOne() {
        #expect(ProportionTest.twoSided(successes: 30, of: 60, against: 3, of: 40) == ProportionTest.twoSided(successes: 3, of: 40, against: 30, of: 60))
        #expect(ProportionTest.twoSided(successes: 20, of: 40, against: 50, of: 100) == 1)
        #expect(ProportionTest.twoSided(successes: 40, of: 40, against: 100, of: 100) == 1) // no variance: nothing to tell apart
        #expect(ProportionTest.twoSided(successes: 0, of: 0, against: 5, of: 10) == nil)
    }
}
