import Dispatch
import Foundation
import TelltaleLinearAlgebra
import TelltaleScoring

/// Which Hessian a pass over the data should accumulate.
enum HessianPrecision { case none, single, double }

/// The result of one pass over the data at a given β (standardised scale).
struct PassResult {
    /// Penalised objective: Σ w [log(1+e^η) − yη] + ½ Σ λⱼ β̃ⱼ².
    var objective: Double
    var logLikelihood: Double
    var gradient: [Double]
    /// Full symmetric Hessian including the penalty (nil when not requested).
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
    /// The penalised double-precision Hessian `covariance` inverts (nil when no
    /// covariance was wanted, or after a divergence): a clustered covariance
    /// needs it again, and another pass over the data would only recompute it.
    var hessian: Matrix? = nil
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
    let p: Int
    let blockRows: Int
    let xtr: UnsafeMutablePointer<Double>
    let hessian: UnsafeMutablePointer<Double>
    let hessianSingle: UnsafeMutablePointer<Float>
    let eta: UnsafeMutablePointer<Double>
    let residual: UnsafeMutablePointer<Double>
    let scaled: UnsafeMutablePointer<Double>
    let scaledSingle: UnsafeMutablePointer<Float>
    var loss = 0.0
    var residualSum = 0.0
    var atBoundary = 0
    var boundaryCorrect = 0
    /// The highest η of a label-0 row and the lowest of a label-1 row (weight > 0),
    /// tracked in double-precision passes only: the final iterate always gets
    /// one, and the cheaper passes stay as cheap. Until the first, they read
    /// as overlapping.
    var highestNegative = Double.infinity
    var lowestPositive = -Double.infinity
    var rows = 0

    init(q: Int, p: Int, blockRows: Int) {
        self.q = q
        self.p = p
        self.blockRows = blockRows
        xtr = .allocate(capacity: max(p, 1))
        hessian = .allocate(capacity: q * q)
        hessianSingle = .allocate(capacity: q * q)
        eta = .allocate(capacity: blockRows)
        residual = .allocate(capacity: blockRows)
        scaled = .allocate(capacity: blockRows * q)
        scaledSingle = .allocate(capacity: blockRows * q)
    }

    deinit {
        xtr.deallocate(); hessian.deallocate(); hessianSingle.deallocate()
        eta.deallocate(); residual.deallocate(); scaled.deallocate(); scaledSingle.deallocate()
    }

    func reset(_ precision: HessianPrecision) {
        loss = 0; residualSum = 0; atBoundary = 0; boundaryCorrect = 0; rows = 0
        xtr.update(repeating: 0, count: max(p, 1))
        if precision == .double {
            hessian.update(repeating: 0, count: q * q)
            highestNegative = -.infinity; lowestPositive = .infinity
        }
        if precision == .single { hessianSingle.update(repeating: 0, count: q * q) }
    }
}

/// Newton's method for the penalised logistic likelihood on a standardised
/// design, with the rows split across threads and processed in cache-sized
/// blocks. Per block: one `dgemv` for η, one `dgemv` for Xᵀr and, when a
/// Hessian is wanted, one `syrk` of the √h-scaled standardised rows; each
/// pass reads the data once.
///
/// Hessians are not recomputed every iteration. Far from the optimum each
/// step gets a fresh (single-precision) Hessian; once steps are small and
/// shrinking fast, the last factorisation is reused (the chord method: each
/// iteration then costs one read of the data instead of a `syrk`). The
/// answer is always confirmed with a double-precision Hessian at the final
/// iterate, which also gives the covariance.
///
/// The caller runs passes with OpenBLAS at one thread per call (see
/// `LogisticRegression.fit`): the engine splits rows across its own threads.
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
        // About 1 MiB of scaled rows per block: large enough for efficient
        // `syrk` calls, small enough to stay in cache.
        let blockRows = max(64, min(8192, (1 << 17) / max(q, 1)))
        let t = max(1, min(threads, n / 2048 + 1))
        self.threads = t
        workspaces = (0..<t).map { _ in Workspace(q: q, p: design.columns, blockRows: blockRows) }
        ranges = (0..<t).map { k in (n * k / t)..<(n * (k + 1) / t) }
    }

    /// One pass: objective, gradient and (optionally) Hessian at `beta`.
    func pass(_ beta: [Double], hessian precision: HessianPrecision) -> PassResult {
        let q = design.width, p = design.columns
        let offset = design.intercept ? 1 : 0
        let (userBeta, userIntercept) = design.userCoefficients(beta)
        let inverseScale = design.scale.map { 1 / $0 }

        let work = { (t: Int) in
            let ws = workspaces[t]
            ws.reset(precision)
            var r0 = ranges[t].lowerBound
            let end = ranges[t].upperBound
            ws.rows = end - r0
            design.x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
            userBeta.withUnsafeBufferPointer { bp in
            design.keep.withUnsafeBufferPointer { kp in
            design.center.withUnsafeBufferPointer { cp in
            inverseScale.withUnsafeBufferPointer { ip in
                let kept = kp.count
                while r0 < end {
                    let b = min(ws.blockRows, end - r0)
                    let block = xp.baseAddress! + r0 * p
                    if p > 0 {
                        BLAS.gemv(.none, rows: b, columns: p, alpha: 1, a: block, lda: p, x: bp.baseAddress!, beta: 0, y: ws.eta)
                    } else {
                        ws.eta.update(repeating: 0, count: b)
                    }
                    var loss = 0.0, rsum = 0.0
                    for i in 0..<b {
                        let e = ws.eta[i] + userIntercept
                        let yi = yp[r0 + i]
                        let wi = weights?[r0 + i] ?? 1
                        let prob = Logistic.sigmoid(e)
                        loss += wi * (Logistic.log1pexp(e) - yi * e)
                        let r = wi * (prob - yi)
                        ws.residual[i] = r
                        rsum += r
                        if abs(e) > 25 {
                            ws.atBoundary += 1
                            if (e > 0) == (yi == 1) { ws.boundaryCorrect += 1 }
                        }
                        if precision == .none { continue }
                        let h = (wi * prob * (1 - prob)).squareRoot()
                        let row = block + i * p
                        if precision == .double {
                            if wi > 0 {
                                if yi == 1 { ws.lowestPositive = min(ws.lowestPositive, e) } else { ws.highestNegative = max(ws.highestNegative, e) }
                            }
                            let out = ws.scaled + i * q
                            if offset == 1 { out[0] = h }
                            for k in 0..<kept { out[k + offset] = h * (row[kp[k]] - cp[k]) * ip[k] }
                        } else {
                            let out = ws.scaledSingle + i * q
                            if offset == 1 { out[0] = Float(h) }
                            for k in 0..<kept { out[k + offset] = Float(h * (row[kp[k]] - cp[k]) * ip[k]) }
                        }
                    }
                    ws.loss += loss
                    ws.residualSum += rsum
                    if p > 0 {
                        BLAS.gemv(.transpose, rows: b, columns: p, alpha: 1, a: block, lda: p, x: ws.residual, beta: 1, y: ws.xtr)
                    }
                    switch precision {
                    case .double:
                        BLAS.syrkTransposed(n: q, k: b, alpha: 1, a: ws.scaled, lda: q, beta: 1, c: ws.hessian, ldc: q)
                    case .single:
                        BLAS.syrkTransposed(n: q, k: b, alpha: 1, a: ws.scaledSingle, lda: q, beta: 1, c: ws.hessianSingle, ldc: q)
                    case .none: break
                    }
                    r0 += b
                }
            }}}}}}
        }
        if workspaces.count == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workspaces.count, execute: work) }

        // Reduce across threads (in a fixed order, so results do not depend
        // on scheduling), map the gradient to the standardised scale, add the penalty.
        var xtr = [Double](repeating: 0, count: p)
        var loss = 0.0, rsum = 0.0
        for ws in workspaces {
            loss += ws.loss
            rsum += ws.residualSum
            for j in 0..<p { xtr[j] += ws.xtr[j] }
        }
        var gradient = design.standardisedGradient(residualSum: rsum, xtr: xtr)
        var penaltyValue = 0.0
        for k in 0..<q {
            gradient[k] += penalty[k] * beta[k]
            penaltyValue += 0.5 * penalty[k] * beta[k] * beta[k]
        }
        var hessian: Matrix?
        if precision != .none {
            var h = Matrix(rows: q, columns: q)
            h.storage.withUnsafeMutableBufferPointer { hp in
                for ws in workspaces where ws.rows > 0 {
                    if precision == .double { for k in 0..<(q * q) { hp[k] += ws.hessian[k] } }
                    else { for k in 0..<(q * q) { hp[k] += Double(ws.hessianSingle[k]) } }
                }
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

    /// Whether the last double-precision pass's linear predictor (the final
    /// iterate's, when the run wanted a covariance) put every label-1 row above
    /// every label-0 row. The fit itself is then a witness that the data are
    /// linearly separable: without a penalty the estimates would diverge along
    /// it, so under one their size is the penalty's, not the data's.
    var scoresSeparate: Bool {
        let highestNegative = workspaces.map(\.highestNegative).max() ?? -.infinity
        let lowestPositive = workspaces.map(\.lowestPositive).min() ?? .infinity
        return highestNegative < lowestPositive
    }

    /// Iterates from `start` until the Newton step is below `tolerance` on
    /// the standardised scale, confirmed with a fresh double-precision Hessian.
    ///
    /// A step that does not decrease the objective is halved (rare for the
    /// logistic loss from a sensible start, but it makes the method safe),
    /// and the next step then gets a fresh Hessian.
    func run(start: [Double], firstPass: PassResult? = nil, maxIterations: Int, tolerance: Double,
             singlePrecisionEarly: Bool, detectSeparation: Bool, wantCovariance: Bool = true) throws -> NewtonOutcome {
        let q = design.width
        let early: HessianPrecision = singlePrecisionEarly ? .single : .double
        var beta = start
        var current = firstPass ?? pass(beta, hessian: early)
        var factor: CholeskyFactor
        // The Hessian behind `factor` was computed at the current β in double precision.
        var exactHessianHere = current.precision == .double
        func factorise(_ h: Matrix) throws -> CholeskyFactor? {
            do { return try CholeskyFactor(h) } catch let error as LAPACKError where !error.isArgumentError {
                if detectSeparation { return nil }
                throw error
            }
        }
        guard let first = try factorise(current.hessian!) else {
            return divergence(beta: beta, current: current, iterations: 0)
        }
        factor = first
        var iterations = 0
        var lastStep = Double.infinity
        var previousStep = Double.infinity
        while iterations < maxIterations {
            iterations += 1
            var step = factor.solve(current.gradient)
            lastStep = step.map(abs).max() ?? 0
            if lastStep < tolerance {
                if exactHessianHere || !wantCovariance {
                    for k in 0..<q { beta[k] -= step[k] }
                    let covariance = wantCovariance ? try factor.inverse() : Matrix(rows: q, columns: q)
                    return NewtonOutcome(beta: beta, covariance: covariance, hessian: wantCovariance ? current.hessian : nil,
                                         logLikelihood: current.logLikelihood, iterations: iterations, converged: true, lastStep: lastStep,
                                         gradientNorm: current.gradient.map(abs).max() ?? 0, separation: nil)
                }
                // Confirm with the exact Hessian here: its step is the final one.
                current = pass(beta, hessian: .double)
                guard let f = try factorise(current.hessian!) else { return divergence(beta: beta, current: current, iterations: iterations) }
                factor = f
                exactHessianHere = true
                continue
            }
            // Fresh Hessian while far away or converging slowly; otherwise reuse.
            let refresh = lastStep > 1e-3 || lastStep > 0.05 * previousStep
            let precision: HessianPrecision = refresh ? (lastStep > 1e-4 ? early : .double) : .none
            var candidate = zip(beta, step).map { $0 - $1 }
            var next = pass(candidate, hessian: precision)
            var halvings = 0
            while !(next.objective <= current.objective + 1e-12 * abs(current.objective)) && halvings < 40 {
                halvings += 1
                for k in 0..<q { step[k] *= 0.5 }
                candidate = zip(beta, step).map { $0 - $1 }
                next = pass(candidate, hessian: precision == .none ? early : precision)
            }
            beta = candidate
            current = next
            previousStep = halvings > 0 ? .infinity : lastStep
            if let h = current.hessian {
                guard let f = try factorise(h) else { return divergence(beta: beta, current: current, iterations: iterations) }
                factor = f
                exactHessianHere = current.precision == .double
            } else {
                exactHessianHere = false
            }
            if detectSeparation {
                let slopes = design.intercept ? Array(beta.dropFirst()) : beta
                if (slopes.map(abs).max() ?? 0) > 30 { return divergence(beta: beta, current: current, iterations: iterations) }
            }
        }
        // Not converged: report the covariance at the last iterate if it exists.
        if detectSeparation, boundaryCounts.correct > 0, boundaryCounts.correct == boundaryCounts.total {
            return divergence(beta: beta, current: current, iterations: iterations)
        }
        if !exactHessianHere { current = pass(beta, hessian: .double) }
        let covariance = wantCovariance
            ? ((try? CholeskyFactor(current.hessian!).inverse()) ?? Matrix(rows: q, columns: q, repeating: .nan))
            : Matrix(rows: q, columns: q)
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
