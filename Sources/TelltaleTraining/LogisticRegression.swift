import Foundation
import TelltaleLinearAlgebra
import TelltaleScoring

/// Settings of a (penalised) logistic regression, fitted by Newton's method.
///
/// Minimises
///
///     Σᵢ wᵢ [log(1 + e^ηᵢ) − yᵢ ηᵢ] + (λ/2) ‖β‖²,   η = b₀ + Xβ,
///
/// with the intercept b₀ unpenalised and the penalty on the coefficients as
/// the user's columns are scaled: `l2: λ` is scikit-learn's
/// `LogisticRegression(C: 1/λ)`, and `l2: 0` is the plain maximum-likelihood
/// fit of statsmodels' `Logit`.
///
/// Columns are centred and scaled internally (Newton on standardised columns
/// is far better conditioned) and results are mapped back, so coefficients,
/// standard errors and intervals are on the user's scale.
///
/// A value type: `fit` returns a `FittedLogisticRegression` and leaves the
/// settings untouched, so there is no "not fitted yet" state.
public struct LogisticRegression: Sendable {
    /// λ of the L2 penalty (0 = none).
    public var l2: Double
    public var fitIntercept: Bool
    public var maxIterations: Int
    /// Convergence: the largest Newton step on the standardised scale falls
    /// below this. Newton converges quadratically, so the step bounds the
    /// remaining error by about its square.
    public var tolerance: Double
    /// Threads that share the rows of each pass (OpenBLAS itself runs one
    /// thread per call then: on 2 cores that was 1.5x faster than letting it
    /// thread small per-block calls, `../shared/platform-notes.md`).
    public var threads: Int
    /// Accumulate Hessians in single precision while far from the optimum.
    /// The Hessian only steers the step; the gradient stays in double, and
    /// the final Hessian (for standard errors) is always double.
    public var singlePrecisionEarlyHessians: Bool
    /// Rows of the stride subsample that screens for collinearity and gives
    /// the warm start on large data (used when the data has 4x as many rows).
    /// Its solution only sets where Newton starts: results do not depend on it.
    public var subsampleRows: Int

    public init(l2: Double = 0, fitIntercept: Bool = true, maxIterations: Int = 100,
                tolerance: Double = 1e-8, threads: Int = min(ProcessInfo.processInfo.activeProcessorCount, 8),
                singlePrecisionEarlyHessians: Bool = true, subsampleRows: Int = 100_000) {
        self.l2 = l2
        self.fitIntercept = fitIntercept
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.threads = max(1, threads)
        self.singlePrecisionEarlyHessians = singlePrecisionEarlyHessians
        self.subsampleRows = max(1, subsampleRows)
    }

    /// Checks the settings, naming the bad one.
    public func validate() throws {
        guard l2.isFinite, l2 >= 0 else { throw FitError.invalidSetting("l2 must be a finite number >= 0, got \(l2)") }
        guard maxIterations >= 1 else { throw FitError.invalidSetting("maxIterations must be at least 1, got \(maxIterations)") }
        guard tolerance > 0, tolerance.isFinite else { throw FitError.invalidSetting("tolerance must be > 0, got \(tolerance)") }
    }

    /// Fits the model.
    /// - Parameters:
    ///   - x: row-major `y.count x names.count` values.
    ///   - y: labels, each 0 or 1.
    ///   - weights: optional non-negative sample weights (frequency weights:
    ///     weight 2 is the same as the row twice).
    ///   - clusters: rows that belong together (an account's renewals): the
    ///     standard errors are then the sandwich clustered on them
    ///     (`ClusteredCovariance`); with no more clusters than parameters
    ///     (their scores cannot span them) or no convergence, they stay
    ///     model-based (`errors` says which).
    /// - Throws: `FitError` for unusable data, `LAPACKError` only for internal failures.
    /// - Complexity: O(iterations · n · p²) flops, dominated by `syrk`.
    public func fit(x: [Double], y: [Double], names: [String], weights: [Double]? = nil,
                    clusters: Clusters? = nil) throws -> FittedLogisticRegression {
        try validate()
        let n = y.count, p = names.count
        guard n > 0 else { throw FitError.noRows }
        precondition(x.count == n * p, "x has \(x.count) values, expected \(n) x \(p)")
        precondition(clusters.map { $0.ids.count == n } ?? true, "one cluster id per row")
        if let bad = y.firstIndex(where: { $0 != 0 && $0 != 1 }) {
            throw FitError.invalidLabel(row: bad, value: y[bad])
        }
        var totalWeight = Double(n), positives = 0.0
        if let w = weights {
            precondition(w.count == n, "one weight per row")
            if let bad = w.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) { throw FitError.invalidWeight(row: bad, value: w[bad]) }
            totalWeight = w.reduce(0, +)
            for i in 0..<n where y[i] == 1 { positives += w[i] }
        } else {
            positives = y.reduce(0, +)
        }
        if positives == 0 || positives == totalWeight {
            throw FitError.singleClass(value: positives == 0 ? 0 : 1)
        }

        // Our threads split the rows; OpenBLAS runs one thread per call meanwhile
        // (idle OpenBLAS workers otherwise spin and compete for the two cores).
        let blasThreads = BLASRuntime.threadCount
        BLASRuntime.setThreadCount(1)
        defer { BLASRuntime.setThreadCount(blasThreads) }

        var notes: [FitNote] = []
        let stats = ColumnStatistics(x: x, y: y, weights: weights, rows: n, columns: p)
        if let bad = stats.firstNonFinite { throw FitError.nonFiniteValue(row: bad.row, column: names[bad.column]) }

        // Constant columns carry no information beyond the intercept.
        var kept: [Int] = []
        for j in 0..<p {
            if stats.isConstant(j) { notes.append(.constantColumn(names[j], value: stats.minimum[j])) } else { kept.append(j) }
        }
        let separating = SeparationCheck.univariate(stats, candidates: kept, names: names)
        let columnsSeparate = separating.isEmpty ? nil : SeparationReport(columns: separating.map(\.name), complete: separating.contains { $0.complete },
                                                                           detail: separating.map { $0.describe() }, separating: separating)
        if l2 == 0, let columnsSeparate { throw FitError.separation(columnsSeparate) }

        var design = StandardisedDesign(x: x, rows: n, columns: p, keep: kept, stats: stats, intercept: fitIntercept)
        let collinear = try collinearColumns(design, y: y, weights: weights, names: names)
        for c in collinear { notes.append(.collinearColumn(c.column, combination: c.combination)) }
        if l2 == 0, !collinear.isEmpty {
            // Not identified without a penalty: drop them, as R's glm does.
            let drop = Set(collinear.map(\.index))
            kept = kept.filter { !drop.contains($0) }
            design = StandardisedDesign(x: x, rows: n, columns: p, keep: kept, stats: stats, intercept: fitIntercept)
        }

        let engine = NewtonEngine(design: design, y: y, weights: weights, penalty: design.penaltyDiagonal(l2: l2), threads: threads)
        let interceptOnly = (fitIntercept ? [Logistic.logit(positives / totalWeight)] : []) + Array(repeating: 0, count: kept.count)
        let start = warmStart(design, y: y, weights: weights, from: interceptOnly) ?? interceptOnly
        let outcome = try engine.run(start: start, maxIterations: maxIterations, tolerance: tolerance,
                                     singlePrecisionEarly: singlePrecisionEarlyHessians, detectSeparation: l2 == 0)
        if let sep = outcome.separation {
            throw FitError.separation(SeparationReport(
                columns: sep.columns.map { names[kept[$0]] }, complete: sep.complete,
                detail: ["the fitted probabilities of \(sep.rowsAtBoundary) rows reached 0 or 1 while coefficients kept growing"]))
        }
        if !outcome.converged { notes.append(.notConverged(iterations: outcome.iterations, lastStep: outcome.lastStep)) }
        // Under a penalty the estimates stay finite, but the user should still hear: a column
        // that foretells the outcome perfectly is most often the outcome itself, leaked in.
        if let columnsSeparate {
            notes.append(.separatedUnderPenalty(columnsSeparate))
        } else if l2 > 0, engine.scoresSeparate {
            // The last double-precision pass was at β before the final step (under `tolerance`): its scores are the fit's.
            notes.append(.separatedUnderPenalty(SeparationReport(columns: [], complete: true, detail: [
                "the fitted scores put every row with label 1 above every row with label 0 (no single column does)"])))
        }

        // Back to the user's scale: θ = A θs, Cov(θ) = A Cov(θs) Aᵀ.
        let transform = design.backTransform()
        let theta = transform.multiplied(by: outcome.beta)
        let covariance = transform.multiplied(by: outcome.covariance).multiplied(by: transform, .none, .transpose)
        var errors = StandardErrorKind.modelBased
        var reported = covariance
        if let clusters, clusters.count > design.width, outcome.converged, let hessian = outcome.hessian,
           let clustered = ClusteredCovariance.standardised(design: design, beta: outcome.beta, hessian: hessian, modelBased: outcome.covariance,
                                                            penalty: engine.penalty, y: y, weights: weights, clusters: clusters) {
            reported = transform.multiplied(by: clustered).multiplied(by: transform, .none, .transpose)
            errors = .clustered(clusters: clusters.count)
        }

        let nullLogLikelihood = fitIntercept
            ? NullModel.logLikelihood(positives: positives, total: totalWeight)
            : -totalWeight * log(2)
        return FittedLogisticRegression(
            settings: self, names: names, keptColumns: kept, theta: theta, covariance: reported, errors: errors,
            modelBasedCovariance: covariance,
            hasIntercept: fitIntercept, logLikelihood: outcome.logLikelihood,
            nullLogLikelihood: nullLogLikelihood, observations: n, totalWeight: totalWeight,
            positives: positives, iterations: outcome.iterations, converged: outcome.converged,
            gradientNorm: outcome.gradientNorm, notes: notes)
    }
}

extension LogisticRegression {

    /// The Gram matrix of the standardised design, from the Hessian of a pass
    /// at β̃ = 0 (all fitted probabilities equal, so H ∝ Z̃ᵀWZ̃). On large data
    /// a subsample is screened first; only when it flags a column (which a rare
    /// category level missing from the subsample could cause) is the full
    /// data checked, so the common case costs no full `dsyrk`.
    func collinearColumns(_ design: StandardisedDesign, y: [Double], weights: [Double]?,
                          names: [String]) throws -> [CollinearColumn] {
        func check(_ d: StandardisedDesign, _ y: [Double], _ w: [Double]?) throws -> [CollinearColumn] {
            let engine = NewtonEngine(design: d, y: y, weights: w, penalty: Array(repeating: 0, count: d.width), threads: threads)
            let gram = engine.pass(Array(repeating: 0, count: d.width), hessian: .double).hessian!
            return try CollinearityCheck.find(gram: gram, design: d, names: names)
        }
        let stride = design.rows / subsampleRows
        if stride >= 2 {
            let (sub, rows) = design.subsample(stride: stride)
            if try check(sub, rows.map { y[$0] }, weights.map { w in rows.map { w[$0] } }).isEmpty { return [] }
        }
        return try check(design, y, weights)
    }

    /// On large data, the solution of a stride-subsample of about 100k rows:
    /// the full iterations then start within sampling error of the optimum and
    /// need two or three passes instead of six or seven. A weak ridge keeps
    /// the subsample problem finite even where a rare level separates it;
    /// nil (start from the intercept-only model) when there is no subsample
    /// or its fit fails.
    func warmStart(_ design: StandardisedDesign, y: [Double], weights: [Double]?, from start: [Double]) -> [Double]? {
        let stride = design.rows / subsampleRows
        guard stride >= 4 else { return nil }
        let (sub, rows) = design.subsample(stride: stride)
        let penalty = design.penaltyDiagonal(l2: l2).enumerated().map { k, v in
            v / Double(stride) + (design.intercept && k == 0 ? 0 : 1)
        }
        let engine = NewtonEngine(design: sub, y: rows.map { y[$0] }, weights: weights.map { w in rows.map { w[$0] } },
                                  penalty: penalty, threads: threads)
        guard let outcome = try? engine.run(start: start, maxIterations: 30, tolerance: 1e-3, singlePrecisionEarly: true,
                                            detectSeparation: false, wantCovariance: false),
              outcome.beta.allSatisfy(\.isFinite) else { return nil }
        return outcome.beta
    }
}

enum NullModel {
    /// Log-likelihood of the intercept-only model: Σ w [y log ȳ + (1−y) log(1−ȳ)].
    static func logLikelihood(positives: Double, total: Double) -> Double {
        let rate = positives / total
        return positives * log(rate) + (total - positives) * log(1 - rate)
    }
}
