import Foundation
import TelltaleLinearAlgebra

/// Which rows belong together: an account's renewals share whatever makes that
/// account churn or stay, so they are not independent evidence. Two renewals of
/// one account with the same seat count are closer to one observation than to
/// two, and standard errors that count them as two are too small.
public struct Clusters: Equatable, Sendable {
    /// One id per row, dense: 0 ..< `count`, in the order of first appearance.
    public let ids: [Int]
    public let count: Int

    /// Rows with equal labels form one cluster.
    public init<Label: Hashable>(_ labels: [Label]) {
        var index: [Label: Int] = [:]
        index.reserveCapacity(labels.count)
        ids = labels.map { label in
            if let i = index[label] { return i }
            let i = index.count
            index[label] = i
            return i
        }
        count = index.count
    }
}

/// How a fit's standard errors were computed.
public enum StandardErrorKind: Equatable, Sendable {
    /// From the inverse (penalised) Hessian: rows taken as independent.
    case modelBased
    /// The sandwich clustered on `clusters` groups of rows.
    case clustered(clusters: Int)
}

/// The cluster-robust ("sandwich") covariance of a (penalised) logistic fit.
///
/// The estimate solves Σᵢ wᵢ (yᵢ − pᵢ) x̃ᵢ − P θ = 0 (x̃ with the intercept's 1, P the
/// penalty: λ on each coefficient, 0 on the intercept). Summing each cluster's share
/// of that equation, ψ_g = Σ_{i∈g} wᵢ (yᵢ − pᵢ) x̃ᵢ − (W_g / W) P θ, the covariance is
///
///     c · A⁻¹ (Σ_g ψ_g ψ_gᵀ) A⁻¹,   c = G/(G−1) · (N−1)/(N−K),
///
/// with A the penalised Hessian (A⁻¹ is the model-based covariance the fit already
/// has), G clusters, N rows and K parameters. Without a penalty this is statsmodels'
/// `cov_type="cluster"` with its default small-sample factor (Stata's as well); with
/// one, the bread is the penalised Hessian as in ridge-regression significance tests
/// (Cule, Vineis & De Iorio 2011), with the cluster sums as the meat.
enum ClusteredCovariance {
    /// - Parameters:
    ///   - modelBased: A⁻¹ on the user's scale, over (intercept, kept columns).
    ///   - theta: the estimate over the same parameters.
    ///   - x: the fit's row-major `n × columns` values; `kept` the columns in `theta`.
    static func sandwich(modelBased: Matrix, theta: [Double], hasIntercept: Bool, kept: [Int], x: [Double], columns: Int,
                         y: [Double], weights: [Double]?, l2: Double, clusters: Clusters) -> Matrix {
        let n = y.count, q = theta.count, offset = hasIntercept ? 1 : 0
        precondition(clusters.ids.count == n, "one cluster id per row")
        // η for every row by one dgemv over the user's columns (0 for dropped ones).
        var full = [Double](repeating: 0, count: columns)
        for (k, j) in kept.enumerated() { full[j] = theta[k + offset] }
        let eta = Matrix(rows: n, columns: columns, storage: x).multiplied(by: full)
        let intercept = hasIntercept ? theta[0] : 0
        // Each cluster's score, then its share of the penalty's gradient.
        var scores = Matrix(rows: clusters.count, columns: q)
        var clusterWeight = [Double](repeating: 0, count: clusters.count)
        scores.storage.withUnsafeMutableBufferPointer { s in
            x.withUnsafeBufferPointer { xp in
                for i in 0..<n {
                    let w = weights?[i] ?? 1
                    let r = w * (y[i] - 1 / (1 + exp(-(intercept + eta[i]))))
                    let g = clusters.ids[i], row = s.baseAddress! + g * q
                    clusterWeight[g] += w
                    if hasIntercept { row[0] += r }
                    for (k, j) in kept.enumerated() { row[k + offset] += r * xp[i * columns + j] }
                }
            }
        }
        let totalWeight = clusterWeight.reduce(0, +)
        if l2 > 0 && totalWeight > 0 {
            for g in 0..<clusters.count {
                let share = clusterWeight[g] / totalWeight
                for k in offset..<q { scores[g, k] -= share * l2 * theta[k] }
            }
        }
        let meat = scores.gram()
        let factor = Double(clusters.count) / Double(clusters.count - 1) * Double(n - 1) / Double(n - q)
        var covariance = modelBased.multiplied(by: meat).multiplied(by: modelBased)
        for k in covariance.storage.indices { covariance.storage[k] *= factor }
        return covariance
    }
}
