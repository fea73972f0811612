import CLAPACK
import Foundation

/// What OpenBLAS is running with, and the means to make it run well.
///
/// Debian's OpenBLAS 0.3.21 picks its kernels when the library loads and does
/// not recognise some recent CPUs: it then falls back to generic `Prescott`
/// kernels, about 5x slower for `dgemm` than the AVX-512 ones the CPU could run
/// (`../shared/platform-notes.md`). Because the choice is made at load time,
/// the only fix is to set `OPENBLAS_CORETYPE` and start the process again; the
/// executable does that through `KernelSelection` before any work.
public enum BLASRuntime {
    /// The kernel family OpenBLAS selected, e.g. "SkylakeX", "Haswell", "Prescott".
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets OpenBLAS's own thread count for subsequent calls.
    public static func setThreadCount(_ n: Int) { openblas_set_num_threads(Int32(max(1, n))) }

    /// Multiplies two small pseudo-random matrices with `dgemm` and `sgemm`-free
    /// plain loops and compares: a guard against kernels that load but compute
    /// wrong results on this CPU. Returns the largest relative difference.
    public static func selfCheckError() -> Double {
        let m = 67, k = 45, n = 53 // odd sizes exercise the kernels' edge paths
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        let a = Matrix(rows: m, columns: k, storage: (0..<(m * k)).map { _ in next() })
        let b = Matrix(rows: k, columns: n, storage: (0..<(k * n)).map { _ in next() })
        let c = a.multiplied(by: b)
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                var scale = 0.0
                for l in 0..<k { s += a[i, l] * b[l, j]; scale += abs(a[i, l] * b[l, j]) }
                worst = max(worst, abs(c[i, j] - s) / max(scale, 1e-300))
            }
        }
        // syrk too: the Newton step's kernel.
        let g = a.gram()
        for i in 0..<k {
            for j in 0..<k {
                var s = 0.0, scale = 0.0
                for l in 0..<m { s += a[l, i] * a[l, j]; scale += abs(a[l, i] * a[l, j]) }
                worst = max(worst, abs(g[i, j] - s) / max(scale, 1e-300))
            }
        }
        return worst
    }

    /// True when the active kernels reproduce plain-loop products to rounding error.
    public static func selfCheckPasses() -> Bool { selfCheckError() < 1e-12 }
}
