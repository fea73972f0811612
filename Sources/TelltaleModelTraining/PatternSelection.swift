import Foundation
import TelltaleLinearAlgebra
import TelltaleScoring
import TelltaleTraining

/// Which combined patterns become model features: those whose renewals churn
/// more than the signals alone predict, whether the search kept them or not.
///
/// The search keeps a combination when it churns more than each of its parts,
/// which two risks that merely add up on the log-odds scale also do ("second
/// feature missed AND core actions down"): the model has both signals
/// already, and such a feature takes a slot and a share of the penalty for
/// little. What the model lacks are joint effects. Rao's score test of each
/// candidate's column, added to the logistic regression on the signals and
/// segments, measures that without fitting one model per candidate:
/// U = xᵀ(y − p̂) and Var U = xᵀWx − xᵀWX (XᵀWX + λI)⁻¹ XᵀWx.
///
/// Measured on simulated histories (docs/oracle-gap.md): in the search's own
/// order (the lower end of the churn-rate interval), the saved models of
/// twenty histories of 40,000 accounts × 730 days took pairs of additive risks
/// first and left the planted three-signal pattern out on 12; ranked by this
/// test it is the first feature on all twenty, and the holdout ROC AUC rose
/// by 0.0017 on average. The search's own bar (each part beaten, a false
/// discovery rate over every test) also misses joint effects on small
/// histories: taking every tested combination as a candidate added 0.0063
/// at 4,000 accounts.
struct PatternSelection {
    /// The base fit's penalty: small against thousands of renewals on
    /// standardised columns, it only keeps the fit finite when a signal
    /// separates the outcome on its own.
    static let baseL2 = 1.0
    /// Candidates whose columns are multiplied at once (memory: rows × this).
    static let block = 64

    /// One-sided z statistic per candidate, U / √Var U: positive when its
    /// renewals churn more than the base model predicts. 0 when the column
    /// is (nearly) a combination of the base columns.
    let z: [Double]

    /// - Parameters:
    ///   - base: row-major standardised columns of the model without patterns.
    ///   - candidates: per candidate, whether it matches each row (as its
    ///     feature column is 1 or 0).
    init(base x: [Double], columns p: Int, y: [Double], candidates: [[Bool]]) throws {
        let n = y.count
        guard !candidates.isEmpty else { z = []; return }
        let base = try LogisticRegression(l2: Self.baseL2).fit(x: x, y: y, names: (0..<p).map { "x\($0)" }).predictor
        let q = p + 1
        // [1 X] scaled by √w row by row, so that its Gram matrix is [1 X]ᵀW[1 X].
        var scaled = Matrix(rows: n, columns: q)
        var root = [Double](repeating: 0, count: n), residual = [Double](repeating: 0, count: n)
        let eta = Matrix(rows: n, columns: p, storage: x).multiplied(by: base.coefficients) // a dropped column's is 0
        for i in 0..<n {
            let prob = Logistic.sigmoid(base.intercept + eta[i])
            residual[i] = y[i] - prob
            root[i] = (prob * (1 - prob)).squareRoot()
            scaled.storage[i * q] = root[i]
            for j in 0..<p { scaled.storage[i * q + j + 1] = root[i] * x[i * p + j] }
        }
        var information = scaled.gram()
        for j in 1..<q { information[j, j] += Self.baseL2 }
        let factor = try CholeskyFactor(information)

        // Candidates a block at a time, into one buffer: √W C, zero where a candidate does not match.
        var z = [Double](repeating: 0, count: candidates.count)
        let width = min(Self.block, candidates.count)
        var c = Matrix(rows: n, columns: width)
        for start in stride(from: 0, to: candidates.count, by: width) {
            let ks = start..<min(candidates.count, start + width)
            var u = [Double](repeating: 0, count: width), own = [Double](repeating: 0, count: width)
            c.storage.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            for (b, k) in ks.enumerated() {
                for i in 0..<n where candidates[k][i] {
                    c.storage[i * width + b] = root[i]
                    u[b] += residual[i]            // xᵀ(y − p̂)
                    own[b] += root[i] * root[i]    // xᵀWx
                }
            }
            let cross = scaled.multiplied(by: c, .transpose) // [1 X]ᵀW C
            let solved = factor.solve(cross)
            for (b, k) in ks.enumerated() {
                var explained = 0.0
                for j in 0..<q { explained += cross[j, b] * solved[j, b] }
                let variance = own[b] - explained
                z[k] = variance > 1e-9 * max(own[b], 1) ? u[b] / variance.squareRoot() : 0
            }
        }
        self.z = z
    }

    /// The candidates (indices) whose joint effect is significant at `alpha`
    /// one-sided, Holm-adjusted over all candidates, strongest first.
    func significant(alpha: Double) -> [Int] {
        let p = z.map { Optional(0.5 * erfc($0 / 2.0.squareRoot())) }
        let adjusted = ProportionTest.holm(p)
        return z.indices.filter { adjusted[$0]! < alpha }.sorted { (z[$0], -$0) > (z[$1], -$1) }
    }
}
