// Times Telltale's logistic fit on a raw binary data set written by
// benchmarks/logistic/bench.py, and the lower bound for one Newton iteration.
//
// usage: TelltaleBenchLogistic DATA.bin ROWS COLUMNS REPEATS
// DATA.bin: ROWS*COLUMNS float64 (row-major X) then ROWS float64 labels.
// Prints one JSON object on stdout.
import Foundation
import TelltaleLinearAlgebra
import TelltaleTraining

// Starts as `telltale` does: huge pages, then the OpenBLAS kernel choice.
HugePages.prepare()
KernelSelection.prepare()
let args = CommandLine.arguments
guard args.count == 5, let n = Int(args[2]), let p = Int(args[3]), let repeats = Int(args[4]) else {
    FileHandle.standardError.write(Data("usage: TelltaleBenchLogistic DATA.bin ROWS COLUMNS REPEATS\n".utf8))
    exit(2)
}
let data = try Data(contentsOf: URL(fileURLWithPath: args[1]), options: .alwaysMapped)
precondition(data.count == (n * p + n) * 8, "file size does not match \(n) x \(p)")
var x = [Double](repeating: 0, count: n * p)
var y = [Double](repeating: 0, count: n)
data.withUnsafeBytes { raw in
    let d = raw.bindMemory(to: Double.self)
    x.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: d.baseAddress!, count: n * p) }
    y.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: d.baseAddress! + n * p, count: n) }
}
let names = (0..<p).map { "x\($0)" }
let clock = ContinuousClock()
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

var times: [Double] = []
var fit: FittedLogisticRegression?
for _ in 0..<repeats {
    let t0 = clock.now
    fit = try LogisticRegression().fit(x: x, y: y, names: names)
    times.append(seconds(clock.now - t0))
}
let f = fit!

// Lower bound for one iteration: one dsyrk of an n x (p+1) matrix in double
// precision (OpenBLAS at 2 threads) plus one read of the data (one dgemv).
let q = p + 1
let block = 1 << 16
var scratch = [Double](repeating: 0.5, count: block * q)
var h = [Double](repeating: 0, count: q * q)
BLASRuntime.setThreadCount(ProcessInfo.processInfo.activeProcessorCount)
let t1 = clock.now
var done = 0
while done < n {
    let b = min(block, n - done)
    scratch.withUnsafeBufferPointer { s in h.withUnsafeMutableBufferPointer { hp in
        BLAS.syrkTransposed(n: q, k: b, alpha: 1, a: s.baseAddress!, lda: q, beta: 1, c: hp.baseAddress!, ldc: q)
    } }
    done += b
}
let syrkSeconds = seconds(clock.now - t1)
var v = [Double](repeating: 0, count: n)
let beta = [Double](repeating: 0.01, count: p)
let t2 = clock.now
x.withUnsafeBufferPointer { xp in beta.withUnsafeBufferPointer { bp in v.withUnsafeMutableBufferPointer { vp in
    BLAS.gemv(.none, rows: n, columns: p, alpha: 1, a: xp.baseAddress!, lda: p, x: bp.baseAddress!, beta: 0, y: vp.baseAddress!)
} } }
let passSeconds = seconds(clock.now - t2)

let result: [String: Any] = [
    "times": times,
    "median": times.sorted()[times.count / 2],
    "iterations": f.iterations,
    "converged": f.converged,
    "coefficients": f.coefficients.map { $0.estimate ?? .nan },
    "log_likelihood": f.logLikelihood,
    "syrk_seconds": syrkSeconds,
    "pass_seconds": passSeconds,
    "kernels": KernelSelection.note,
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
FileHandle.standardOutput.write(json)
FileHandle.standardOutput.write(Data("\n".utf8))
