import Foundation

/// Whether two observed rates differ by more than chance: the pooled
/// two-proportion z-test. The training report uses it to say whether a
/// band's holdout renewal rate is consistent with its development rate,
/// which "the holdout rate lies inside the development interval" cannot
/// say: that check ignores the holdout's own sampling error, and with equal
/// true rates and similar sizes it fails about one band in six.
public enum ProportionTest {
    /// Two-sided p-value of H0: both groups share one rate. z = (p₁ − p₂) /
    /// √(p̂(1 − p̂)(1/n₁ + 1/n₂)) with the pooled rate p̂; nil when a group is
    /// empty. Two groups that are all successes (or all failures) give 1.
    public static func twoSided(successes x1: Int, of n1: Int, against x2: Int, of n2: Int) -> Double? {
        guard n1 > 0, n2 > 0 else { return nil }
        let p1 = Double(x1) / Double(n1), p2 = Double(x2) / Double(n2)
        let pooled = Double(x1 + x2) / Double(n1 + n2)
        let variance = pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))
        guard variance > 0 else { return 1 }
        return NormalDistribution.twoSidedPValue((p1 - p2) / variance.squareRoot())
    }
}

extension ProportionTest {
    /// Holm's step-down adjustment of p-values tested together (nil stays nil, untested):
    /// the k-th smallest of m times (m − k + 1), kept monotone and at most 1. Four bands
    /// each tested at 0.05 flag at least one of four that hold with chance 1 − 0.95⁴ ≈ 19%;
    /// adjusted, at most 5%.
    public static func holm(_ p: [Double?]) -> [Double?] {
        let tested = p.indices.filter { p[$0] != nil }.sorted { p[$0]! < p[$1]! }
        var adjusted = p, running = 0.0
        for (k, i) in tested.enumerated() {
            running = max(running, min(1, Double(tested.count - k) * p[i]!))
            adjusted[i] = running
        }
        return adjusted
    }
}
