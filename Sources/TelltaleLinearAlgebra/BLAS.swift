import CLAPACK

/// Thin, typed entry points to the CBLAS routines Telltale uses.
///
/// All matrices are row-major. The pointer-taking forms exist for hot loops that
/// work on blocks of a larger buffer without copying; `Matrix` methods wrap them
/// for everything else. Raw C types stay inside this module.
public enum BLAS {
    public enum Transpose: Sendable { case none, transpose
        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// y = alpha * op(A) * x + beta * y, A is `rows` x `columns` with leading dimension `lda`.
    public static func gemv(
        _ trans: Transpose, rows: Int, columns: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, x: UnsafePointer<Double>, beta: Double,
        y: UnsafeMutablePointer<Double>
    ) {
        cblas_dgemv(CblasRowMajor, trans.cblas, blasint(rows), blasint(columns), alpha, a, blasint(lda),
                    x, 1, beta, y, 1)
    }

    /// C(upper) = alpha * Aᵀ A + beta * C for A with `k` rows and `n` columns:
    /// the Gram matrix of a block of observations, the kernel of the Newton step.
    public static func syrkTransposed(
        n: Int, k: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, blasint(n), blasint(k), alpha, a, blasint(lda),
                    beta, c, blasint(ldc))
    }

    /// Single-precision twin of `syrkTransposed`, twice the flops per cycle
    /// and half the memory traffic.
    public static func syrkTransposed(
        n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, blasint(n), blasint(k), alpha, a, blasint(lda),
                    beta, c, blasint(ldc))
    }

    /// C = alpha * op(A) * op(B) + beta * C.
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Double,
        a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(CblasRowMajor, transA.cblas, transB.cblas, blasint(m), blasint(n), blasint(k), alpha,
                    a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// Dot product of two contiguous vectors.
    public static func dot(_ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> Double {
        cblas_ddot(blasint(n), x, 1, y, 1)
    }
}

extension Matrix {
    /// A x (or Aᵀ x with `.transpose`).
    public func multiplied(by x: [Double], _ trans: BLAS.Transpose = .none) -> [Double] {
        let (inLen, outLen) = trans == .none ? (columns, rows) : (rows, columns)
        precondition(x.count == inLen, "vector has \(x.count) entries, expected \(inLen)")
        var y = [Double](repeating: 0, count: outLen)
        if rows == 0 || columns == 0 { return y }
        storage.withUnsafeBufferPointer { a in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    BLAS.gemv(trans, rows: rows, columns: columns, alpha: 1, a: a.baseAddress!, lda: columns,
                              x: xp.baseAddress!, beta: 0, y: yp.baseAddress!)
                }
            }
        }
        return y
    }

    /// op(self) * op(other).
    public func multiplied(by other: Matrix, _ transSelf: BLAS.Transpose = .none,
                           _ transOther: BLAS.Transpose = .none) -> Matrix {
        let m = transSelf == .none ? rows : columns
        let k = transSelf == .none ? columns : rows
        let k2 = transOther == .none ? other.rows : other.columns
        let n = transOther == .none ? other.columns : other.rows
        precondition(k == k2, "inner dimensions differ: \(k) vs \(k2)")
        var c = Matrix(rows: m, columns: n)
        if m == 0 || n == 0 || k == 0 { return c }
        storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    BLAS.gemm(transSelf, transOther, m: m, n: n, k: k, alpha: 1, a: a.baseAddress!, lda: columns,
                              b: b.baseAddress!, ldb: other.columns, beta: 0, c: cp.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    /// Aᵀ A, full (both triangles), by `dsyrk`.
    public func gram() -> Matrix {
        var c = Matrix(rows: columns, columns: columns)
        if rows == 0 || columns == 0 { return c }
        storage.withUnsafeBufferPointer { a in
            c.storage.withUnsafeMutableBufferPointer { cp in
                BLAS.syrkTransposed(n: columns, k: rows, alpha: 1, a: a.baseAddress!, lda: columns,
                                    beta: 0, c: cp.baseAddress!, ldc: columns)
            }
        }
        c.symmetrizeFromUpper()
        return c
    }
}
