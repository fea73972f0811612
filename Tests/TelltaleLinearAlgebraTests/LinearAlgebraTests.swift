import Testing
@testable import TelltaleLinearAlgebra

private func randomMatrix(_ r: Int, _ c: Int, seed: UInt64) -> Matrix {
    var s = seed | 1
    return Matrix(rows: r, columns: c, storage: (0..<(r * c)).map { _ in
        s ^= s << 13; s ^= s >> 7; s ^= s << 17
        return Double(s >> 11) / Double(1 << 53) - 0.5
    })
}

private func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
    var c = Matrix(rows: a.rows, columns: b.columns)
    for i in 0..<a.rows { for j in 0..<b.columns { for k in 0..<a.columns { c[i, j] += a[i, k] * b[k, j] } } }
    return c
}

private func maxDifference(_ a: Matrix, _ b: Matrix) -> Double {
    zip(a.storage, b.storage).map { abs($0 - $1) }.max() ?? 0
}

@Suite struct LinearAlgebraTests {
    @Test(arguments: [(1, 1, 1), (7, 5, 3), (33, 17, 29)])
    func gemmMatchesPlainLoops(m: Int, k: Int, n: Int) {
        let a = randomMatrix(m, k, seed: 3), b = randomMatrix(k, n, seed: 5)
        #expect(maxDifference(a.multiplied(by: b), naiveProduct(a, b)) < 1e-13)
        #expect(maxDifference(a.transposed.multiplied(by: b, .transpose), naiveProduct(a, b)) < 1e-13)
        #expect(maxDifference(a.multiplied(by: b.transposed, .none, .transpose), naiveProduct(a, b)) < 1e-13)
    }

    @Test func gemvMatchesPlainLoops() {
        let a = randomMatrix(9, 4, seed: 7)
        let x = [1.0, -2, 0.5, 3]
        let y = a.multiplied(by: x)
        for i in 0..<9 { #expect(abs(y[i] - (0..<4).reduce(0) { $0 + a[i, $1] * x[$1] }) < 1e-14) }
        let t = a.multiplied(by: Array(repeating: 1, count: 9), .transpose)
        for j in 0..<4 { #expect(abs(t[j] - (0..<9).reduce(0) { $0 + a[$1, j] }) < 1e-14) }
    }

    @Test func gramIsAtransposeA() {
        let a = randomMatrix(40, 6, seed: 9)
        #expect(maxDifference(a.gram(), naiveProduct(a.transposed, a)) < 1e-13)
    }

    @Test func choleskySolvesAndInverts() throws {
        let b = randomMatrix(30, 5, seed: 11)
        var a = b.gram()
        for i in 0..<5 { a[i, i] += 0.1 }
        let chol = try CholeskyFactor(a)
        let rhs = [1.0, 2, 3, 4, 5]
        let x = chol.solve(rhs)
        let back = a.multiplied(by: x)
        for i in 0..<5 { #expect(abs(back[i] - rhs[i]) < 1e-10) }
        let product = a.multiplied(by: try chol.inverse())
        #expect(maxDifference(product, .identity(5)) < 1e-10)
        // Several right-hand sides in one call: A X = B, and each column as solved alone.
        let many = randomMatrix(5, 3, seed: 13)
        let solved = chol.solve(many)
        #expect(maxDifference(a.multiplied(by: solved), many) < 1e-10)
        for j in 0..<3 {
            let alone = chol.solve((0..<5).map { many[$0, j] })
            for i in 0..<5 { #expect(abs(alone[i] - solved[i, j]) < 1e-12) }
        }
        // log det from the factor against the product of eigenvalues of a diagonal case
        let d = try CholeskyFactor(Matrix([[4, 0], [0, 9]]))
        #expect(abs(d.logDeterminant - log(36)) < 1e-14)
    }

    @Test func choleskyOfAnIndefiniteMatrixThrowsTheRoutineAndMinor() {
        let a = Matrix([[1, 2, 0], [2, 1, 0], [0, 0, 1]])
        #expect(throws: LAPACKError(routine: "dpotrf", info: 2)) { try CholeskyFactor(a) }
        #expect(LAPACKError(routine: "dpotrf", info: 2).description.contains("order 2"))
    }

    @Test func pivotedCholeskyFindsTheRank() throws {
        let b = randomMatrix(20, 3, seed: 13)
        // Add a fourth column = first + second.
        var c = Matrix(rows: 20, columns: 4)
        for i in 0..<20 { for j in 0..<3 { c[i, j] = b[i, j] }; c[i, 3] = b[i, 0] + b[i, 1] }
        let p = try PivotedCholesky(c.gram(), tolerance: 1e-10)
        #expect(p.rank == 3)
        #expect(Set(p.pivots) == [0, 1, 2, 3])
    }

    @Test func activeKernelsPassTheSelfCheck() {
        #expect(BLASRuntime.selfCheckError() < 1e-12, "kernels: \(BLASRuntime.coreName)")
    }

    @Test func kernelFamilyFollowsTheCPUFlags() {
        #expect(KernelSelection.bestSupportedFamily(cpuFlags: ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"]) == "SkylakeX")
        #expect(KernelSelection.bestSupportedFamily(cpuFlags: ["avx512f", "avx2", "fma"]) == "Haswell")
        #expect(KernelSelection.bestSupportedFamily(cpuFlags: ["sse2", "avx"]) == nil)
    }
}

import Foundation
