import Foundation

/// The standard normal distribution, for Wald tests and intervals.
enum NormalDistribution {
    /// Two-sided p-value of a z statistic: P(|Z| >= |z|) = erfc(|z| / √2).
    /// `erfc` keeps full relative accuracy far into the tail (p ~ 1e-300),
    /// where 1 - Φ(|z|) would round to zero.
    static func twoSidedPValue(_ z: Double) -> Double {
        guard z.isFinite else { return z.isNaN ? .nan : 0 }
        return erfc(abs(z) / 2.0.squareRoot())
    }

    /// Φ⁻¹(0.975), the multiplier of a 95% interval.
    static let z975 = 1.959963984540054
}
