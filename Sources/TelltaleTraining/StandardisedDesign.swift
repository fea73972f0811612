import Foundation
import TelltaleLinearAlgebra

/// Column means, standard deviations and ranges of a row-major matrix.
struct ColumnStatistics {
    var mean: [Double]
    var standardDeviation: [Double]
    var minimum: [Double]
    var maximum: [Double]
    var rootMeanSquare: [Double]

    /// Means by one `dgemv` (Xᵀ1 / n); spreads and ranges in a second pass
    /// over centred values, which is accurate where Σx² − n·x̄² would cancel.
    init(x: [Double], rows n: Int, columns p: Int) {
        let ones = [Double](repeating: 1 / Double(n), count: n)
        let mean = Matrix(rows: n, columns: p, storage: x).multiplied(by: ones, .transpose)
        var sumSq = [Double](repeating: 0, count: p)
        var lo = [Double](repeating: .infinity, count: p)
        var hi = [Double](repeating: -.infinity, count: p)
        x.withUnsafeBufferPointer { xp in
            for i in 0..<n {
                let row = xp.baseAddress! + i * p
                for j in 0..<p {
                    let v = row[j]
                    let d = v - mean[j]
                    sumSq[j] += d * d
                    lo[j] = Swift.min(lo[j], v)
                    hi[j] = Swift.max(hi[j], v)
                }
            }
        }
        self.mean = mean
        standardDeviation = sumSq.map { ($0 / Double(n)).squareRoot() }
        rootMeanSquare = (0..<p).map { j in (sumSq[j] / Double(n) + mean[j] * mean[j]).squareRoot() }
        minimum = lo
        maximum = hi
    }

    func isConstant(_ j: Int) -> Bool { minimum[j] == maximum[j] }
}

/// The centred and scaled copy of the design that Newton iterates on, with
/// the intercept as column 0 (a column of ones).
///
/// zⱼ = (xⱼ − mⱼ) / sⱼ. With an intercept mⱼ is the mean and sⱼ the standard
/// deviation; without one, columns are only scaled (by their root mean square)
/// because centring would change the model.
struct StandardisedDesign {
    let rows: Int
    /// Columns of `z`: intercept (if any) then one per kept column.
    let width: Int
    let keep: [Int]
    let center: [Double]
    let scale: [Double]
    let intercept: Bool
    var z: [Double]

    init(x: [Double], rows n: Int, columns p: Int, keep: [Int], stats: ColumnStatistics, intercept: Bool) {
        self.rows = n
        self.keep = keep
        self.intercept = intercept
        let offset = intercept ? 1 : 0
        let q = keep.count + offset
        width = q
        center = keep.map { intercept ? stats.mean[$0] : 0 }
        scale = keep.map { j in
            let s = intercept ? stats.standardDeviation[j] : stats.rootMeanSquare[j]
            return s > 0 ? s : 1
        }
        var z = [Double](repeating: 0, count: n * q)
        let keep = self.keep, center = self.center, scale = self.scale
        let inverse = scale.map { 1 / $0 }
        z.withUnsafeMutableBufferPointer { zp in
            x.withUnsafeBufferPointer { xp in
                for i in 0..<n {
                    let out = zp.baseAddress! + i * q
                    let row = xp.baseAddress! + i * p
                    if intercept { out[0] = 1 }
                    for (k, j) in keep.enumerated() { out[k + offset] = (row[j] - center[k]) * inverse[k] }
                }
            }
        }
        self.z = z
    }

    /// Penalty per standardised coefficient so that the penalty on the user's
    /// scale is (λ/2) Σ βⱼ²: βⱼ = β̃ⱼ / sⱼ, hence λ / sⱼ² on β̃ⱼ. The intercept
    /// is never penalised.
    func penaltyDiagonal(l2: Double) -> [Double] {
        (intercept ? [0] : []) + scale.map { l2 / ($0 * $0) }
    }

    /// The matrix A with θ (user scale) = A θ̃ (standardised scale).
    func backTransform() -> Matrix {
        var a = Matrix(rows: width, columns: width)
        let offset = intercept ? 1 : 0
        if intercept { a[0, 0] = 1 }
        for k in 0..<keep.count {
            a[k + offset, k + offset] = 1 / scale[k]
            if intercept { a[0, k + offset] = -center[k] / scale[k] }
        }
        return a
    }
}

/// A column found to be an exact linear combination of others.
struct CollinearColumn {
    /// Index into the caller's columns.
    var index: Int
    var column: String
    /// "2·x1 − x2 + 3": the combination it equals, on the user's scale.
    var combination: String
}

enum CollinearityCheck {
    /// Finds columns that are linear combinations of earlier ones, from a
    /// Gram-like matrix `g` of the standardised design (any positive row
    /// weighting: the first Newton Hessian at a constant start qualifies).
    ///
    /// Columns are taken in their own order, as R's `lm`/`glm` do, so that the
    /// later of two duplicated columns is the one reported. A column counts as
    /// dependent when the part of it that earlier columns do not explain has a
    /// relative size (Schur complement over the diagonal) below 1e-9.
    /// - Complexity: O(q³) on the q x q matrix, no pass over the data.
    static func find(gram g: Matrix, design: StandardisedDesign, names: [String]) throws -> [CollinearColumn] {
        let q = g.rows
        let offset = design.intercept ? 1 : 0
        var independent: [Int] = []
        var dependent: [Int] = []
        // Left-looking Cholesky that skips dependent columns.
        var l = Matrix(rows: q, columns: q) // row k holds column independent[k]'s factor row
        for j in 0..<q {
            var r = [Double](repeating: 0, count: independent.count)
            var schur = g[j, j]
            for (k, i) in independent.enumerated() {
                var s = g[i, j]
                for m in 0..<k { s -= l[m, k] * r[m] }
                r[k] = s / l[k, k]
                schur -= r[k] * r[k]
            }
            if g[j, j] <= 0 || schur <= 1e-9 * g[j, j] {
                dependent.append(j)
            } else {
                let k = independent.count
                for m in 0..<k { l[m, k] = r[m] }
                l[k, k] = schur.squareRoot()
                independent.append(j)
            }
        }
        if dependent.isEmpty { return [] }
        // Explain each dependent column by the independent ones.
        let sub = Matrix(rows: independent.count, columns: independent.count,
                         storage: independent.flatMap { a in independent.map { b in g[a, b] } })
        let chol = try CholeskyFactor(sub)
        return dependent.compactMap { d in
            guard d >= offset else { return nil } // the intercept itself cannot be dependent
            let c = chol.solve(independent.map { g[$0, d] })
            let kd = d - offset
            let userIndex = design.keep[kd]
            var terms: [(String, Double)] = []
            var constant = design.center[kd]
            for (m, i) in independent.enumerated() where i >= offset {
                let ki = i - offset
                let coefficient = design.scale[kd] * c[m] / design.scale[ki]
                constant -= coefficient * design.center[ki]
                if abs(coefficient) > 1e-8 { terms.append((names[design.keep[ki]], coefficient)) }
            }
            if design.intercept, let m0 = independent.firstIndex(of: 0) { constant += design.scale[kd] * c[m0] }
            return CollinearColumn(index: userIndex, column: names[userIndex],
                                   combination: Self.render(terms: terms, constant: design.intercept ? constant : 0))
        }
    }

    static func render(terms: [(String, Double)], constant: Double) -> String {
        var parts: [String] = []
        for (name, c) in terms {
            let mag = abs(c)
            let body = abs(mag - 1) < 1e-9 ? name : "\(format(mag))·\(name)"
            parts.append(parts.isEmpty ? (c < 0 ? "−" + body : body) : (c < 0 ? "− " + body : "+ " + body))
        }
        if abs(constant) > 1e-8 {
            parts.append(parts.isEmpty ? format(constant) : (constant < 0 ? "− \(format(-constant))" : "+ \(format(constant))"))
        }
        return parts.isEmpty ? "0" : parts.joined(separator: " ")
    }

    static func format(_ v: Double) -> String {
        let r = (v * 1e6).rounded() / 1e6
        return r == r.rounded() ? String(Int(r)) : String(format: "%.6g", r)
    }
}
