import Foundation

/// The statistics a pattern is judged by, as small pure functions so each
/// can be checked against a closed form or a brute-force computation.
public enum PatternStatistics {
    /// Wilson score interval for `successes` out of `n` at 95% (z = 1.959964):
    /// (p̂ + z²/2n ± z√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n). Unlike the Wald
    /// interval it stays inside [0, 1] and behaves for small counts and rates
    /// near 0 or 1, which is where small patterns live.
    public static func wilson(successes: Int, n: Int, z: Double = 1.959963984540054) -> (low: Double, high: Double) {
        guard n > 0 else { return (0, 1) }
        let nn = Double(n), p = Double(successes) / nn
        let z2 = z * z
        let centre = p + z2 / (2 * nn)
        let half = z * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        let denominator = 1 + z2 / nn
        return (max(0, (centre - half) / denominator), min(1, (centre + half) / denominator))
    }

    /// log C(n, k) through lgamma.
    @inline(__always) static func logChoose(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }

    /// One-sided Fisher exact test: the probability, with both groups' totals
    /// fixed, that group 1 has `c1` or more successes out of `n1` when group 2
    /// has `c2` out of `n2` (H₁: group 1's rate is higher).
    ///
    /// X ~ Hypergeometric(N = n1+n2, K = c1+c2, draws n1); p = P(X ≥ c1). The
    /// tail is summed from its end nearer the mode by the ratio of successive
    /// terms, stopping when terms no longer change the sum, so large tables
    /// cost O(√variance) terms rather than O(n).
    public static func fisherGreater(c1: Int, n1: Int, c2: Int, n2: Int) -> Double {
        let N = n1 + n2, K = c1 + c2
        let lo = max(0, n1 - (N - K)), hi = min(n1, K)
        guard c1 > lo else { return 1 }
        if c1 > hi { return 0 }
        let logDenominator = logChoose(N, n1)
        func logPmf(_ x: Int) -> Double { logChoose(K, x) + logChoose(N - K, n1 - x) - logDenominator }
        // P(X = x+1) / P(X = x) = (K−x)(n1−x) / ((x+1)(N−K−n1+x+1)).
        func up(_ x: Int) -> Double { Double(K - x) * Double(n1 - x) / (Double(x + 1) * Double(N - K - n1 + x + 1)) }
        let mean = Double(n1) * Double(K) / Double(N)
        if Double(c1) >= mean {
            // Upper tail, summed upwards: terms shrink from c1 on.
            var term = exp(logPmf(c1)), sum = term, x = c1
            while x < hi {
                term *= up(x); x += 1
                sum += term
                if term < sum * 1e-17 { break }
            }
            return min(1, sum)
        }
        // Below the mean: 1 − P(X ≤ c1−1), summed downwards from c1−1.
        var term = exp(logPmf(c1 - 1)), sum = term, x = c1 - 1
        while x > lo {
            term /= up(x - 1); x -= 1
            sum += term
            if term < sum * 1e-17 { break }
        }
        return max(0, min(1, 1 - sum))
    }

    /// Benjamini-Hochberg adjusted p-values (q-values), in the input's order:
    /// q₍ᵢ₎ = min over j ≥ i of m·p₍ⱼ₎/j, capped at 1. Rejecting q < α controls the
    /// false discovery rate at α over the m tests.
    public static func benjaminiHochberg(_ p: [Double]) -> [Double] {
        let m = p.count
        guard m > 0 else { return [] }
        let order = p.indices.sorted { p[$0] < p[$1] }
        var q = [Double](repeating: 1, count: m)
        var running = 1.0
        for rank in stride(from: m, through: 1, by: -1) {
            let i = order[rank - 1]
            running = min(running, p[i] * Double(m) / Double(rank))
            q[i] = min(1, running)
        }
        return q
    }
}
