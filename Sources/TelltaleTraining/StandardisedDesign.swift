import Foundation
import TelltaleLinearAlgebra

/// Everything the fit needs to know about the columns, from two passes over
/// the data: means by one `dgemv` (Xᵀ1 / n), then, over centred values (which
/// avoids the cancellation of Σx² − n·x̄²), spreads, ranges, the ranges within
/// each class (for the separation check) and the first non-finite cell.
struct ColumnStatistics {
    var mean: [Double]
    var standardDeviation: [Double]
    var minimum: [Double]
    var maximum: [Double]
    var rootMeanSquare: [Double]
    /// Ranges among rows labelled 1 and 0 (rows with weight 0 excluded).
    var minimumPositive: [Double], maximumPositive: [Double]
    var minimumNegative: [Double], maximumNegative: [Double]
    /// (row, column) of the first NaN or infinite value, if any.
    var firstNonFinite: (row: Int, column: Int)?

    init(x: [Double], y: [Double], weights: [Double]?, rows n: Int, columns p: Int) {
        let ones = [Double](repeating: 1 / Double(n), count: n)
        let mean = Matrix(rows: n, columns: p, storage: x).multiplied(by: ones, .transpose)
        var sumSq = [Double](repeating: 0, count: p)
        var lo = [Double](repeating: .infinity, count: p), hi = [Double](repeating: -.infinity, count: p)
        var lo1 = lo, hi1 = hi, lo0 = lo, hi0 = hi
        var bad: (Int, Int)?
        x.withUnsafeBufferPointer { xp in
        y.withUnsafeBufferPointer { yp in
        mean.withUnsafeBufferPointer { mp in
        sumSq.withUnsafeMutableBufferPointer { ss in
        lo1.withUnsafeMutableBufferPointer { lo1p in
        hi1.withUnsafeMutableBufferPointer { hi1p in
        lo0.withUnsafeMutableBufferPointer { lo0p in
        hi0.withUnsafeMutableBufferPointer { hi0p in
            for i in 0..<n {
                let row = xp.baseAddress! + i * p
                for j in 0..<p { let d = row[j] - mp[j]; ss[j] += d * d }
                // Ranges per class; rows with weight 0 do not count.
                if let w = weights, !(w[i] > 0) { continue }
                let (lop, hip) = yp[i] == 1 ? (lo1p, hi1p) : (lo0p, hi0p)
                for j in 0..<p {
                    let v = row[j]
                    lop[j] = Swift.min(lop[j], v)
                    hip[j] = Swift.max(hip[j], v)
                }
            }
        }}}}}}}}
        // Overall ranges from the class ranges (plus zero-weight rows, which
        // only matter for the constant-column test).
        for j in 0..<p { lo[j] = Swift.min(lo1[j], lo0[j]); hi[j] = Swift.max(hi1[j], hi0[j]) }
        if let w = weights {
            for i in 0..<n where !(w[i] > 0) {
                for j in 0..<p { lo[j] = Swift.min(lo[j], x[i * p + j]); hi[j] = Swift.max(hi[j], x[i * p + j]) }
            }
        }
        if !sumSq.allSatisfy(\.isFinite) {
            bad = x.firstIndex { !$0.isFinite }.map { ($0 / p, $0 % p) }
        }
        self.mean = mean
        standardDeviation = sumSq.map { ($0 / Double(n)).squareRoot() }
        rootMeanSquare = (0..<p).map { j in (sumSq[j] / Double(n) + mean[j] * mean[j]).squareRoot() }
        minimum = lo
        maximum = hi
        minimumPositive = lo1; maximumPositive = hi1; minimumNegative = lo0; maximumNegative = hi0
        firstNonFinite = bad
    }

    func isConstant(_ j: Int) -> Bool { minimum[j] == maximum[j] }
}

/// The design Newton iterates on: the user's columns centred and scaled,
/// zⱼ = (xⱼ − mⱼ) / sⱼ, with the intercept as column 0.
///
/// It is a view, never a copy: on machines where fresh memory is slow to
/// fault in (this one: about 2 ms per MB), a standardised copy of a 1M x 40
/// table cost more than the whole fit. Passes compute η on the user's scale
/// (β̃ mapped back first, exact algebra) and standardise rows on the fly
/// only in the small per-block buffers that feed `syrk`.
///
/// With an intercept mⱼ is the mean and sⱼ the standard deviation; without
/// one, columns are only scaled (by their root mean square) because centring
/// would change the model.
struct StandardisedDesign {
    let x: [Double]
    let rows: Int
    /// Columns of the user's matrix.
    let columns: Int
    /// Standardised columns: intercept (if any) then one per kept column.
    let width: Int
    let keep: [Int]
    let center: [Double]
    let scale: [Double]
    let intercept: Bool

    init(x: [Double], rows n: Int, columns p: Int, keep: [Int], stats: ColumnStatistics, intercept: Bool) {
        self.x = x
        self.rows = n
        self.columns = p
        self.keep = keep
        self.intercept = intercept
        width = keep.count + (intercept ? 1 : 0)
        center = keep.map { intercept ? stats.mean[$0] : 0 }
        scale = keep.map { j in
            let s = intercept ? stats.standardDeviation[j] : stats.rootMeanSquare[j]
            return s > 0 ? s : 1
        }
    }

    private init(x: [Double], rows: Int, like other: StandardisedDesign) {
        self.x = x
        self.rows = rows
        columns = other.columns
        width = other.width
        keep = other.keep
        center = other.center
        scale = other.scale
        intercept = other.intercept
    }

    /// Every `stride`-th row, with the same centring and scaling: the cheap
    /// problem whose solution starts the full Newton iterations close by.
    func subsample(stride: Int) -> (design: StandardisedDesign, rows: [Int]) {
        let picked = Array(Swift.stride(from: 0, to: rows, by: stride))
        var sub = [Double]()
        sub.reserveCapacity(picked.count * columns)
        for i in picked { sub += x[(i * columns)..<((i + 1) * columns)] }
        return (StandardisedDesign(x: sub, rows: picked.count, like: self), picked)
    }

    /// (β on the user's columns, all `columns` of them with 0 for dropped
    /// ones; intercept) for a standardised β̃: βⱼ = β̃ⱼ / sⱼ, b₀ = β̃₀ − Σ mⱼβⱼ.
    func userCoefficients(_ beta: [Double]) -> (coefficients: [Double], intercept: Double) {
        let offset = intercept ? 1 : 0
        var b = [Double](repeating: 0, count: columns)
        var b0 = intercept ? beta[0] : 0
        for (k, j) in keep.enumerated() {
            b[j] = beta[k + offset] / scale[k]
            b0 -= center[k] * b[j]
        }
        return (b, b0)
    }

    /// Maps a gradient on the user's scale (Σr for the intercept, Xᵀr for
    /// all columns) to the standardised one: g̃ = Mᵀ g with z = M-transformed x.
    func standardisedGradient(residualSum: Double, xtr: [Double]) -> [Double] {
        var g = intercept ? [residualSum] : []
        for (k, j) in keep.enumerated() { g.append((xtr[j] - center[k] * residualSum) / scale[k]) }
        return g
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
