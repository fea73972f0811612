import CLAPACK
import Foundation

/// The Cholesky factorisation A = Uᵀ U of a symmetric positive definite matrix.
///
/// Newton steps for the logistic likelihood solve H δ = g with H positive
/// definite at any interior point, so Cholesky (`dpotrf`) is both the fastest
/// and the most telling solver: its failure means the Hessian lost rank, which
/// the caller reports as collinearity or separation rather than as a crash.
public struct CholeskyFactor: Sendable {
    /// Upper-triangular factor U in row-major storage (lower triangle is garbage).
    public let factor: Matrix

    /// Factors `a` (only its upper triangle is read).
    /// - Throws: `LAPACKError(routine: "dpotrf", info: k)` when the leading minor
    ///   of order k is not positive definite.
    /// - Complexity: O(n³/3).
    public init(_ a: Matrix) throws {
        precondition(a.rows == a.columns, "Cholesky needs a square matrix")
        var u = a
        let n = Int32(a.rows)
        if n > 0 {
            let info = u.storage.withUnsafeMutableBufferPointer { p in
                LAPACKE_dpotrf(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), n, p.baseAddress, n)
            }
            try check("dpotrf", info)
        }
        factor = u
    }

    public var dimension: Int { factor.rows }

    /// Solves A x = b.
    public func solve(_ b: [Double]) -> [Double] {
        precondition(b.count == dimension, "right-hand side has \(b.count) entries, expected \(dimension)")
        var x = b
        let n = Int32(dimension)
        if n == 0 { return x }
        let info = factor.storage.withUnsafeBufferPointer { u in
            x.withUnsafeMutableBufferPointer { xp in
                LAPACKE_dpotrs(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), n, 1, u.baseAddress, n, xp.baseAddress, 1)
            }
        }
        // dpotrs only fails on illegal arguments, which the preconditions above exclude.
        precondition(info == 0, "dpotrs rejected argument \(-info)")
        return x
    }

    /// Solves A X = B for every column of `b` in one `dpotrs` call.
    public func solve(_ b: Matrix) -> Matrix {
        precondition(b.rows == dimension, "right-hand side has \(b.rows) rows, expected \(dimension)")
        var x = b
        let n = Int32(dimension), columns = Int32(b.columns)
        if n == 0 || columns == 0 { return x }
        let info = factor.storage.withUnsafeBufferPointer { u in
            x.storage.withUnsafeMutableBufferPointer { xp in
                LAPACKE_dpotrs(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), n, columns, u.baseAddress, n, xp.baseAddress, columns)
            }
        }
        precondition(info == 0, "dpotrs rejected argument \(-info)")
        return x
    }

    /// A⁻¹ (full, both triangles), by `dpotri`.
    public func inverse() throws -> Matrix {
        var inv = factor
        let n = Int32(dimension)
        if n == 0 { return inv }
        let info = inv.storage.withUnsafeMutableBufferPointer { p in
            LAPACKE_dpotri(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), n, p.baseAddress, n)
        }
        try check("dpotri", info)
        inv.symmetrizeFromUpper()
        return inv
    }

    /// log det A = 2 Σ log Uᵢᵢ.
    public var logDeterminant: Double {
        factor.diagonal.reduce(0) { $0 + 2 * Foundation.log($1) }
    }
}

/// Rank and pivot order of a symmetric positive semi-definite matrix, by
/// LAPACK's pivoted Cholesky (`dpstrf`).
///
/// Used to find exactly collinear columns before a fit: with a Gram matrix of
/// standardised columns, the columns pivoted past the numerical rank are the
/// ones that are linear combinations of those before them.
public struct PivotedCholesky: Sendable {
    /// The rank found at tolerance `tolerance`.
    public let rank: Int
    /// `pivots[k]` is the (0-based) original column placed at position k.
    public let pivots: [Int]

    /// - Parameter tolerance: LAPACK's `tol`; a pivot below it counts as zero.
    public init(_ a: Matrix, tolerance: Double) throws {
        precondition(a.rows == a.columns, "pivoted Cholesky needs a square matrix")
        let n = Int32(a.rows)
        var work = a
        var piv = [clapack_int](repeating: 0, count: a.rows)
        var r: clapack_int = 0
        if n == 0 { rank = 0; pivots = []; return }
        let info = work.storage.withUnsafeMutableBufferPointer { p in
            LAPACKE_dpstrf(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "U")), n, p.baseAddress, n, &piv, &r, tolerance)
        }
        // info > 0 only says "rank deficient", which is the answer we want.
        if info < 0 { throw LAPACKError(routine: "dpstrf", info: Int(info)) }
        rank = Int(r)
        pivots = piv.map { Int($0) - 1 }
    }
}

