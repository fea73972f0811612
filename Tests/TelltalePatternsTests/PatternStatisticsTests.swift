import Foundation
import Testing
@testable import TelltalePatterns

/// Exact hypergeometric tail with binomial coefficients in Double, for small tables only.
func bruteFisherGreater(c1: Int, n1: Int, c2: Int, n2: Int) -> Double {
    func choose(_ n: Int, _ k: Int) -> Double {
        guard k >= 0 && k <= n else { return 0 }
        var r = 1.0
        for i in 0..<k { r = r * Double(n - i) / Double(i + 1) }
        return r
    }
    let N = n1 + n2, K = c1 + c2
    var tail = 0.0
    for x in c1...min(n1, K) { tail += choose(K, x) * choose(N - K, n1 - x) }
    return tail / choose(N, n1)
}

@Suite struct PatternStatisticsTests {
    @Test func wilsonMatchesTheClosedFormAtKnownPoints() {
        // Reference values: statsmodels 0.14 proportion_confint(method="wilson"), computed once.
        let (lo, hi) = PatternStatistics.wilson(successes: 48, n: 100)
        #expect(abs(lo - 0.384645517580519) < 1e-12 && abs(hi - 0.5768342223477604) < 1e-12)
        // 0 of 10 keeps the lower bound at 0 and the upper at z²/(n+z²) = 0.2775.
        let (l0, h0) = PatternStatistics.wilson(successes: 0, n: 10)
        #expect(l0 == 0 && abs(h0 - 0.27753279986288926) < 1e-12)
        let (l1, h1) = PatternStatistics.wilson(successes: 10, n: 10)
        #expect(abs(l1 - 0.7224672001371106) < 1e-12 && abs(h1 - 1) < 1e-12)
    }

    /// Coverage summed exactly over every count of successes, weighted by its binomial
    /// probability (it was 4,000 unseeded draws, whose 0.3-point noise failed the bounds
    /// about one run in a hundred). 0.962796066 is the same sum computed separately in Python.
    @Test func wilsonCoversTheTrueRateAboutNinetyFivePercentOfTheTime() {
        let p = 0.3, n = 80
        var coverage = 0.0, logChoose = 0.0 // log C(n, s), built up s by s
        for s in 0...n {
            if s > 0 { logChoose += log(Double(n - s + 1)) - log(Double(s)) }
            let (lo, hi) = PatternStatistics.wilson(successes: s, n: n)
            if lo <= p && p <= hi { coverage += exp(logChoose + Double(s) * log(p) + Double(n - s) * log(1 - p)) }
        }
        #expect(coverage > 0.93 && coverage < 0.97 && abs(coverage - 0.962796066262856) < 1e-9, "coverage \(coverage)")
    }

    @Test(arguments: [(3, 10, 1, 12), (8, 20, 5, 40), (0, 5, 3, 9), (12, 15, 2, 30), (5, 30, 20, 30), (1, 1, 0, 1), (7, 60, 7, 60)])
    func fisherMatchesTheExactHypergeometricTail(c1: Int, n1: Int, c2: Int, n2: Int) {
        let got = PatternStatistics.fisherGreater(c1: c1, n1: n1, c2: c2, n2: n2)
        let want = bruteFisherGreater(c1: c1, n1: n1, c2: c2, n2: n2)
        #expect(abs(got - want) <= 1e-12 + 1e-9 * want, "\(got) vs \(want)")
    }

    @Test func fisherOnLargeTablesAgreesWithScipy() {
        // Reference values: scipy 1.17.1 fisher_exact(table, alternative="greater").pvalue, computed once.
        let p = PatternStatistics.fisherGreater(c1: 130, n1: 1000, c2: 1800, n2: 19000)
        #expect(abs(p - 0.00024553715640567833) < 1e-9 * 0.00024553715640567833)
        #expect(abs(p - bruteFisherLog(c1: 130, n1: 1000, c2: 1800, n2: 19000)) < 1e-12)
        // Below the mean the tail is computed as 1 − the lower tail.
        let even = PatternStatistics.fisherGreater(c1: 100, n1: 1000, c2: 1000, n2: 10000)
        #expect(abs(even - 0.5172376420342706) < 1e-9)
    }

    @Test func benjaminiHochbergMatchesAHandComputedExample() {
        // p sorted: 0.01, 0.02, 0.03, 0.04, 0.5 (m = 5): m·p/rank = 0.05, 0.05, 0.05, 0.05, 0.5.
        let q = PatternStatistics.benjaminiHochberg([0.04, 0.5, 0.01, 0.03, 0.02])
        for (a, b) in zip(q, [0.05, 0.5, 0.05, 0.05, 0.05]) { #expect(abs(a - b) < 1e-12) }
        // Monotone step-up: 0.001, 0.04, 0.045 (m = 3) -> 0.003, 0.045, 0.045.
        let q2 = PatternStatistics.benjaminiHochberg([0.045, 0.001, 0.04])
        for (a, b) in zip(q2, [0.045, 0.003, 0.045]) { #expect(abs(a - b) < 1e-12) }
    }
}

/// The same tail by summing every term in log space (independent of the
/// recurrence), for tables too large for `bruteFisherGreater`.
func bruteFisherLog(c1: Int, n1: Int, c2: Int, n2: Int) -> Double {
    func lc(_ n: Int, _ k: Int) -> Double { lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1)) }
    let N = n1 + n2, K = c1 + c2
    var tail = 0.0
    for x in c1...min(n1, K) { tail += exp(lc(K, x) + lc(N - K, n1 - x) - lc(N, n1)) }
    return tail
}
