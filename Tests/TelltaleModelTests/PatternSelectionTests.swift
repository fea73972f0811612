import Foundation
import Testing
@testable import TelltaleModelTraining
import TelltaleTraining

/// Which kept patterns become model features: the score test of each
/// candidate against the model on the signals (`PatternSelection`).
@Suite struct PatternSelectionTests {
    /// Five 0/1 risks, each adding 0.8 to the log-odds, and a joint effect of
    /// the first three on top: what the planted pattern of the simulator is.
    static func renewals(_ n: Int, seed: UInt64) -> (flags: [[Double]], y: [Double]) {
        var draws = Rand(s: seed) // SplitMix64, MetricsAndBandsTests.swift
        func flag(_ p: Double) -> Double { draws.uniform() < p ? 1 : 0 }
        var flags = [[Double]](repeating: [], count: 5), y: [Double] = []
        for _ in 0..<n {
            let f = (0..<5).map { _ in flag(0.3) }
            for j in 0..<5 { flags[j].append(f[j]) }
            let eta = -2.5 + 0.8 * f.reduce(0, +) + 1.5 * f[0] * f[1] * f[2]
            y.append(flag(1 / (1 + exp(-eta))))
        }
        return (flags, y)
    }

    /// Standardised row-major columns, as the design gives them.
    static func rowMajor(_ columns: [[Double]]) -> [Double] {
        let n = columns[0].count
        let standardised = columns.map { c -> [Double] in
            let mean = c.reduce(0, +) / Double(n)
            let sd = (c.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot()
            return c.map { ($0 - mean) / sd }
        }
        return (0..<n).flatMap { i in standardised.map { $0[i] } }
    }

    static func and(_ columns: [Double]...) -> [Double] {
        (0..<columns[0].count).map { i in columns.map { $0[i] }.reduce(1, *) }
    }

    /// Whether a 0/1 column matches each row, as the selection takes candidates.
    static func matches(_ columns: [[Double]]) -> [[Bool]] { columns.map { $0.map { $0 == 1 } } }

    @Test func aJointEffectIsFoundAndTwoRisksThatOnlyAddUpAreNot() throws {
        let (f, y) = Self.renewals(20_000, seed: 11)
        let candidates = [Self.and(f[3], f[4]), Self.and(f[0], f[1], f[2]), Self.and(f[0], f[3])]
        // The additive pair churns far above the base rate, as the search sees it ...
        let pair = zip(candidates[0], y).filter { $0.0 == 1 }.map(\.1)
        let rate = pair.reduce(0, +) / Double(pair.count), base = y.reduce(0, +) / Double(y.count)
        #expect(rate > 1.5 * base, "pair \(rate), base \(base)")
        // ... but the signals explain it; the triple's joint effect they do not.
        let selection = try PatternSelection(base: Self.rowMajor(f), columns: 5, y: y, candidates: Self.matches(candidates))
        #expect(selection.z[1] > 8, "\(selection.z)")
        #expect(abs(selection.z[0]) < 3 && abs(selection.z[2]) < 3, "\(selection.z)")
        #expect(selection.significant(alpha: 0.05) == [1])
    }

    /// With only an intercept to compare with, the score test of a 0/1 column
    /// is Pearson's chi-squared test of the 2×2 table (no continuity correction).
    @Test func againstTheInterceptAloneTheStatisticIsPearsonsChiSquared() throws {
        let (f, y) = Self.renewals(3_000, seed: 5)
        let candidates = [f[0], Self.and(f[0], f[1]), Self.and(f[2], f[3], f[4])]
        let selection = try PatternSelection(base: [], columns: 0, y: y, candidates: Self.matches(candidates))
        for (k, c) in candidates.enumerated() {
            let n = Double(y.count)
            let a = zip(c, y).filter { $0.0 == 1 && $0.1 == 1 }.count, b = zip(c, y).filter { $0.0 == 1 && $0.1 == 0 }.count
            let cc = zip(c, y).filter { $0.0 == 0 && $0.1 == 1 }.count, d = zip(c, y).filter { $0.0 == 0 && $0.1 == 0 }.count
            let (a1, b1, c1, d1) = (Double(a), Double(b), Double(cc), Double(d))
            let pearson = n * (a1 * d1 - b1 * c1) * (a1 * d1 - b1 * c1) / ((a1 + b1) * (c1 + d1) * (a1 + c1) * (b1 + d1))
            #expect(abs(selection.z[k] * selection.z[k] - pearson) < 1e-8 * pearson, "candidate \(k): \(selection.z[k] * selection.z[k]) against \(pearson)")
            #expect((selection.z[k] > 0) == (a1 / (a1 + b1) > c1 / (c1 + d1)))
        }
    }

    /// The variance by the Schur complement equals the inverse of the whole
    /// penalised information matrix with the candidate added, inverted here by
    /// Gauss-Jordan elimination (no LAPACK).
    @Test func theVarianceIsTheInverseOfTheAugmentedInformation() throws {
        let (f, y) = Self.renewals(2_000, seed: 3)
        let x = Self.rowMajor(f), p = 5, n = y.count
        let candidate = Self.and(f[0], f[1], f[2])
        let selection = try PatternSelection(base: x, columns: p, y: y, candidates: Self.matches([candidate]))
        let fit = try LogisticRegression(l2: PatternSelection.baseL2).fit(x: x, y: y, names: (0..<p).map { "x\($0)" })
        let beta = fit.coefficients.map { $0.estimate! }
        let q = p + 2
        var info = [[Double]](repeating: [Double](repeating: 0, count: q), count: q)
        var u = 0.0
        for i in 0..<n {
            let row = [1.0] + (0..<p).map { x[i * p + $0] } + [candidate[i]]
            let eta = zip(beta, row).map(*).reduce(0, +)
            let prob = 1 / (1 + exp(-eta))
            u += candidate[i] * (y[i] - prob)
            for r in 0..<q { for c in 0..<q { info[r][c] += prob * (1 - prob) * row[r] * row[c] } }
        }
        for j in 1...p { info[j][j] += PatternSelection.baseL2 }
        // Gauss-Jordan for the last column of the inverse.
        var a = info.enumerated().map { r, row in row + [r == q - 1 ? 1 : 0] }
        for col in 0..<q {
            let pivot = (col..<q).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            a.swapAt(col, pivot)
            let lead = a[col][col]
            a[col] = a[col].map { $0 / lead }
            for r in 0..<q where r != col {
                let factor = a[r][col]
                a[r] = zip(a[r], a[col]).map { $0 - factor * $1 }
            }
        }
        let inverseLast = a[q - 1][q]
        let expected = u * inverseLast.squareRoot()
        #expect(abs(selection.z[0] - expected) < 1e-7 * abs(expected), "\(selection.z[0]) against \(expected)")
    }

    /// A candidate the signals hold already (a pattern that matches a flag
    /// signal's rows exactly) adds nothing. Its statistic is not exactly 0:
    /// the base fit's small penalty leaves the signals' own score at λβ.
    @Test func aCandidateTheSignalsAlreadyHoldIsNotChosen() throws {
        let (f, y) = Self.renewals(2_000, seed: 8)
        let selection = try PatternSelection(base: Self.rowMajor(f), columns: 5, y: y, candidates: Self.matches([f[2], Self.and(f[0], f[1], f[2])]))
        #expect(abs(selection.z[0]) < 1, "\(selection.z)")
        #expect(!selection.significant(alpha: 0.05).contains(0))
    }
}
