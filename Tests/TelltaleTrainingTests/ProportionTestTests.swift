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

    /// Against statsmodels' `multipletests(p, method="holm")`, computed separately:
    /// [0.043, 0.116, 0.234, 0.950] -> [0.172, 0.348, 0.468, 0.95];
    /// [0.01, 0.04, 0.03, 0.005, 0.5] -> [0.04, 0.09, 0.09, 0.025, 0.5] (ties kept monotone).
    @Test func holmsAdjustmentMatchesStatsmodelsAndLeavesUntestedBandsOut() {
        func close(_ a: [Double?], _ b: [Double?]) -> Bool {
            a.count == b.count && zip(a, b).allSatisfy { x, y in x == nil ? y == nil : y != nil && abs(x! - y!) < 1e-12 }
        }
        #expect(close(ProportionTest.holm([0.043, 0.116, 0.234, 0.950]), [0.172, 0.348, 0.468, 0.95]))
        #expect(close(ProportionTest.holm([0.01, 0.04, 0.03, 0.005, 0.5]), [0.04, 0.09, 0.09, 0.025, 0.5]))
        // An empty band (no test) neither counts among the m tests nor gets a value.
        #expect(close(ProportionTest.holm([0.043, nil, 0.234, 0.950]), [0.129, nil, 0.468, 0.95]))
        #expect(close(ProportionTest.holm([0.6, 0.7]), [1, 1]))
    }
}
