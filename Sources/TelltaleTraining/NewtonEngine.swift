import Dispatch
import Foundation
import TelltaleLinearAlgebra
import TelltaleScoring

/// Which Hessian a pass over the data should accumulate.
enum HessianPrecision { case none, single, double }

/// The result of one pass over the data at a given β (standardised scale).
struct PassResult {
    /// Penalised objective: Σ w [log(1+e^η) − yη] + ½ Σ λⱼ βⱼ².
    var objective: Double
    var logLikelihood: Double
    var gradient: [Double]
    /// Full symmetric Hessian including the penalty (empty when not requested).
    var hessian: Matrix?
    var precision: HessianPrecision
}

/// Separation detected during the iterations.
struct DivergenceReport {
    var columns: [Int]
    var complete: Bool
    var rowsAtBoundary: Int
}

struct NewtonOutcome {
    var beta: [Double]
    var covariance: Matrix
    var logLikelihood: Double
    var iterations: Int
    var converged: Bool
    var lastStep: Double
    var gradientNorm: Double
    var separation: DivergenceReport?
}

/// Per-thread accumulators and scratch space. Raw buffers, owned by a class,
/// so each thread of `concurrentPerform` writes its own without copy-on-write
/// or exclusivity checks in the inner loops.
private final class Workspace {
    let q: Int
    let blockRows: Int
    let gradient: UnsafeMutablePointer<Double>
    let hessian: UnsafeMutablePointer<Double>
    let hessianSingle: UnsafeMutablePointer<Float>
    let eta: UnsafeMutablePointer<Double>
    let residual: UnsafeMutablePointer<Double>
    let scaled: UnsafeMutablePointer<Double>
    let scaledSingle: UnsafeMutablePointer<Float>
    var loss = 0.0
    var atBoundary = 0
    var boundaryCorrect = 0
    var rows = 0

    init(q: Int, blockRows: Int) {
        self.q = q
        self.blockRows = blockRows
        gradient = .allocate(capacity: q)
        hessian = .allocate(capacity: q * q)
        hessianSingle = .allocate(capacity: q * q)
        eta = .allocate(capacity: blockRows)
        residual = .allocate(capacity: blockRows)
        scaled = .allocate(capacity: blockRows * q)
        scaledSingle = .allocate(capacity: blockRows * q)
    }

    deinit {
        gradient.deallocate(); hessian.deallocate(); hessianSingle.deallocate()
        eta.deallocate(); residual.deallocate(); scaled.deallocate(); scaledSingle.deallocate()
    }

    func reset(_ precision: HessianPrecision) {
        loss = 0; atBoundary = 0; boundaryCorrect = 0; rows = 0
        gradient.update(repeating: 0, count: q)
        if precision == .double { hessian.update(repeating: 0, count: q * q) }
        if precision == .single { hessianSingle.update(repeating: 0, count: q * q) }
    }
}

/// Newton's method for the penalised logistic likelihood on a standardised
/// design, with the rows split across threads and processed in cache-sized
/// blocks: for each block one `dgemv` for η, one `dgemv` for the gradient and
/// one `syrk` of the √h-scaled rows for the Hessian, so each pass reads the
/// data once.
struct NewtonEngine {
    let design: StandardisedDesign
    let y: [Double]
    let weights: [Double]?
    let penalty: [Double]
    let threads: Int
    private let workspaces: [Workspace]
    private let ranges: [Range<Int>]

    init(design: StandardisedDesign, y: [Double], weights: [Double]?, penalty: [Double], threads: Int) {
        self.design = design
        self.y = y
        self.weights = weights
        self.penalty = penalty
        let n = design.rows, q = design.width
        // Blocks of about 256 KiB of doubles: they stay in L2 between the
        // three BLAS calls that read them.
        let blockRows = max(64, min(4096, (1 << 15) / max(q, 1)))
        let t = max(1, min(threads, n / 1024 + 1))
        self.threads = t
        workspaces = (0..<t).map { _ in Workspace(q: q, blockRows: blockRows) }
        ranges = (0..<t).map { k in (n * k / t)..<(n * (k + 1) / t) }
    }

    /// One pass: objective, gradient and (optionally) Hessian at `beta`.
    func pass(_ beta: [Double], hessian precision: HessianPrecision) -> PassResult {
        let q = design.width
        let previousThreads = BLASRuntime.threadCount
        if threads > 1 { BLASRuntime.setThreadCount(1) }
        defer { if threads > 1 { BLASRuntime.setThreadCount(previousThreads) } }

        let work = { (t: Int) in
            let ws = workspaces[t]
            ws.reset(precision)
            var r0 = ranges[t].lowerBound
            let end = ranges[t].upperBound
            ws.rows = end - r0
            design.z.withUnsafeBufferPointer { zp in
            y.withUnsafeBufferPointer { yp in
            beta.withUnsafeBufferPointer { bp in
                while r0 < end {
                    let b = min(ws.blockRows, end - r0)
                    let block = zp.baseAddress! + r0 * q
                    BLAS.gemv(.none, rows: b, columns: q, alpha: 1, a: block, lda: q, x: bp.baseAddress!, beta: 0, y: ws.eta)
                    var loss = 0.0
                    for i in 0..<b {
                        let e = ws.eta[i]
                        let yi = yp[r0 + i]
                        let wi = weights?[r0 + i] ?? 1
                        let prob = Logistic.sigmoid(e)
                        loss += wi * (Logistic.log1pexp(e) - yi * e)
                        ws.residual[i] = wi * (prob - yi)
                        if abs(e) > 25 {
                            ws.atBoundary += 1
                            if (e > 0) == (yi == 1) { ws.boundaryCorrect += 1 }
                        }
                        if precision == .none { continue }
                        let h = (wi * prob * (1 - prob)).squareRoot()
                        let row = block + i * q
                        if precision == .double {
                            let out = ws.scaled + i * q
                            for k in 0..<q { out[k] = h * row[k] }
                        } else {
                            let out = ws.scaledSingle + i * q
                            for k in 0..<q { out[k] = Float(h * row[k]) }
                        }
                    }
                    ws.loss += loss
                    BLAS.gemv(.transpose, rows: b, columns: q, alpha: 1, a: block, lda: q, x: ws.residual, beta: 1, y: ws.gradient)
                    switch precision {
                    case .double:
                        BLAS.syrkTransposed(n: q, k: b, alpha: 1, a: ws.scaled, lda: q, beta: 1, c: ws.hessian, ldc: q)
                    case .single:
                        BLAS.syrkTransposed(n: q, k: b, alpha: 1, a: ws.scaledSingle, lda: q, beta: 1, c: ws.hessianSingle, ldc: q)
                    case .none: break
                    }
                    r0 += b
                }
            }}}
        }
        if workspaces.count == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workspaces.count, execute: work) }

        // Reduce across threads, then add the penalty.
        var gradient = [Double](repeating: 0, count: q)
        var loss = 0.0
        for ws in workspaces {
            loss += ws.loss
            for k in 0..<q { gradient[k] += ws.gradient[k] }
        }
        var penaltyValue = 0.0
        for k in 0..<q {
            gradient[k] += penalty[k] * beta[k]
            penaltyValue += 0.5 * penalty[k] * beta[k] * beta[k]
        }
        var hessian: Matrix?
        if precision != .none {
            var h = Matrix(rows: q, columns: q)
            for ws in workspaces where ws.rows > 0 {
                if precision == .double { for k in 0..<(q * q) { h.storage[k] += ws.hessian[k] } }
                else { for k in 0..<(q * q) { h.storage[k] += Double(ws.hessianSingle[k]) } }
            }
            for k in 0..<q { h[k, k] += penalty[k] }
            h.symmetrizeFromUpper()
            hessian = h
        }
        return PassResult(objective: loss + penaltyValue, logLikelihood: -loss, gradient: gradient,
                          hessian: hessian, precision: precision)
    }

    /// Rows whose fitted probability is numerically 0 or 1, and how many of
    /// them are on the side of their label (from the last pass).
    var boundaryCounts: (total: Int, correct: Int) {
        workspaces.reduce((0, 0)) { ($0.0 + $1.atBoundary, $0.1 + $1.boundaryCorrect) }
    }

    /// Iterates Newton steps from `start` (or a pass already made there).
    ///
    /// Each step solves H δ = g by Cholesky; when the objective does not
    /// decrease, the step is halved (rare for the logistic loss, but it makes
    /// the method safe from any start). Hessians are accumulated in single
    /// precision while steps are large, and in double from the step at which
    /// the largest coordinate moves by less than 1e-4, so that the covariance
    /// is always from a double-precision Hessian.
    func run(start: [Double], firstPass: PassResult?, maxIterations: Int, tolerance: Double,
             singlePrecisionEarly: Bool, detectSeparation: Bool) throws -> NewtonOutcome {
        let q = design.width
        var beta = start
        var current = firstPass ?? pass(beta, hessian: singlePrecisionEarly ? .single : .double)
        var iterations = 0
        var lastStep = Double.infinity
        while iterations < maxIterations {
            iterations += 1
            let factor: CholeskyFactor
            do { factor = try CholeskyFactor(current.hessian!) } catch let error as LAPACKError where !error.isArgumentError {
                if detectSeparation { return divergence(beta: beta, current: current, iterations: iterations) }
                throw error
            }
            var step = factor.solve(current.gradient)
            lastStep = step.map(abs).max() ?? 0
            if lastStep < tolerance && current.precision == .double {
                // Converged. The covariance is the inverse Hessian at the last
                // iterate; the final step is below `tolerance`, so moving to
                // β − δ changes it by O(tolerance) relative.
                let covariance = try factor.inverse()
                for k in 0..<q { beta[k] -= step[k] }
                let final = pass(beta, hessian: .none)
                return NewtonOutcome(beta: beta, covariance: covariance, logLikelihood: final.logLikelihood,
                                     iterations: iterations, converged: true, lastStep: lastStep,
                                     gradientNorm: final.gradient.map(abs).max() ?? 0, separation: nil)
            }
            let nextPrecision: HessianPrecision = singlePrecisionEarly && lastStep > 1e-4 ? .single : .double
            var candidate = zip(beta, step).map { $0 - $1 }
            var next = pass(candidate, hessian: nextPrecision)
            var halvings = 0
            while !(next.objective <= current.objective + 1e-12 * abs(current.objective)) && halvings < 40 {
                halvings += 1
                for k in 0..<q { step[k] *= 0.5 }
                candidate = zip(beta, step).map { $0 - $1 }
                next = pass(candidate, hessian: nextPrecision)
            }
            beta = candidate
            current = next
            if detectSeparation {
                let largest = beta.enumerated().filter { !design.intercept || $0.offset > 0 }.map { abs($0.element) }.max() ?? 0
                if largest > 30 { return divergence(beta: beta, current: current, iterations: iterations) }
            }
        }
        // Not converged: still report the covariance at the last iterate if it exists.
        if current.precision != .double { current = pass(beta, hessian: .double) }
        let covariance = (try? CholeskyFactor(current.hessian!).inverse()) ?? Matrix(rows: q, columns: q, repeating: .nan)
        if detectSeparation, boundaryCounts.correct > 0, boundaryCounts.correct == boundaryCounts.total {
            return divergence(beta: beta, current: current, iterations: iterations)
        }
        return NewtonOutcome(beta: beta, covariance: covariance, logLikelihood: current.logLikelihood,
                             iterations: iterations, converged: false, lastStep: lastStep,
                             gradientNorm: current.gradient.map(abs).max() ?? 0, separation: nil)
    }

    private func divergence(beta: [Double], current: PassResult, iterations: Int) -> NewtonOutcome {
        let offset = design.intercept ? 1 : 0
        let magnitudes = beta.enumerated().filter { $0.offset >= offset }.map { ($0.offset - offset, abs($0.element)) }
        let top = magnitudes.map(\.1).max() ?? 0
        let columns = magnitudes.filter { $0.1 > max(5, 0.2 * top) }.sorted { $0.1 > $1.1 }.map(\.0)
        let counts = boundaryCounts
        let report = DivergenceReport(columns: columns, complete: counts.correct == design.rows, rowsAtBoundary: counts.correct)
        return NewtonOutcome(beta: beta, covariance: Matrix(rows: design.width, columns: design.width, repeating: .nan),
                             logLikelihood: current.logLikelihood, iterations: iterations, converged: false,
                             lastStep: .infinity, gradientNorm: .nan, separation: report)
    }
}
