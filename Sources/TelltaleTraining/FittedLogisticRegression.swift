import Foundation
import TelltaleLinearAlgebra
import TelltaleScoring

/// One row of the coefficient table.
public struct CoefficientEstimate: Equatable, Codable, Sendable {
    public var name: String
    /// nil when the column was dropped (constant, or collinear without a penalty).
    public var estimate: Double?
    public var standardError: Double?
    public var z: Double?
    public var pValue: Double?
    public var lower95: Double?
    public var upper95: Double?
    public var oddsRatio: Double?
    public var dropped: String?

    enum CodingKeys: String, CodingKey {
        case name, estimate, standardError = "std_error", z, pValue = "p_value"
        case lower95 = "ci_low", upper95 = "ci_high", oddsRatio = "odds_ratio", dropped
    }
}

/// A fitted logistic regression with the inference a statistician expects.
///
/// Standard errors are from the inverse of the observed information at the
/// estimate (for penalised fits, of the penalised Hessian: a large-sample
/// approximation that shrinks with the estimates), or, when the fit was given
/// clusters, the sandwich clustered on them (`ClusteredCovariance`). Wald z,
/// two-sided normal p-values and 95% intervals, as statsmodels' `Logit` reports them.
public struct FittedLogisticRegression: Sendable {
    public let settings: LogisticRegression
    /// Every input column, dropped ones included.
    public let names: [String]
    public let hasIntercept: Bool
    /// Intercept first (if any), then one entry per input column.
    public let coefficients: [CoefficientEstimate]
    /// Covariance of (intercept, kept coefficients) on the user's scale: the one
    /// the standard errors come from.
    public let covariance: Matrix
    /// Which covariance that is.
    public let errors: StandardErrorKind
    /// The inverse (penalised) Hessian, whichever `errors` are: beside a clustered
    /// covariance it says how much the clustering changed.
    public let modelBasedCovariance: Matrix
    public let keptColumns: [Int]
    public let logLikelihood: Double
    public let nullLogLikelihood: Double
    public let observations: Int
    public let totalWeight: Double
    public let positives: Double
    public let iterations: Int
    public let converged: Bool
    /// Largest absolute gradient entry of the penalised objective (standardised scale) at the estimate.
    public let gradientNorm: Double
    public let notes: [FitNote]

    init(settings: LogisticRegression, names: [String], keptColumns: [Int], theta: [Double], covariance: Matrix,
         errors: StandardErrorKind = .modelBased, modelBasedCovariance: Matrix? = nil, hasIntercept: Bool, logLikelihood: Double, nullLogLikelihood: Double, observations: Int,
         totalWeight: Double, positives: Double, iterations: Int, converged: Bool, gradientNorm: Double,
         notes: [FitNote]) {
        self.settings = settings
        self.names = names
        self.keptColumns = keptColumns
        self.covariance = covariance
        self.errors = errors
        self.modelBasedCovariance = modelBasedCovariance ?? covariance
        self.hasIntercept = hasIntercept
        self.logLikelihood = logLikelihood
        self.nullLogLikelihood = nullLogLikelihood
        self.observations = observations
        self.totalWeight = totalWeight
        self.positives = positives
        self.iterations = iterations
        self.converged = converged
        self.gradientNorm = gradientNorm
        self.notes = notes

        func row(_ name: String, _ k: Int) -> CoefficientEstimate {
            let b = theta[k]
            let variance = covariance[k, k]
            let se = variance >= 0 && variance.isFinite ? variance.squareRoot() : Double.nan
            let z = b / se
            return CoefficientEstimate(
                name: name, estimate: b, standardError: se.isFinite ? se : nil, z: z.isFinite ? z : nil,
                pValue: z.isFinite ? NormalDistribution.twoSidedPValue(z) : nil,
                lower95: se.isFinite ? b - NormalDistribution.z975 * se : nil,
                upper95: se.isFinite ? b + NormalDistribution.z975 * se : nil,
                oddsRatio: exp(b), dropped: nil)
        }
        var rows: [CoefficientEstimate] = []
        let offset = hasIntercept ? 1 : 0
        if hasIntercept { rows.append(row("Intercept", 0)) }
        let position = Dictionary(uniqueKeysWithValues: keptColumns.enumerated().map { ($1, $0) })
        for (j, name) in names.enumerated() {
            if let k = position[j] { rows.append(row(name, k + offset)) } else {
                let reason = notes.first { note in
                    switch note {
                    case .constantColumn(let c, _), .collinearColumn(let c, _): return c == name
                    default: return false
                    }
                }
                var r = CoefficientEstimate(name: name)
                if case .constantColumn? = reason { r.dropped = "constant" } else { r.dropped = "collinear" }
                rows.append(r)
            }
        }
        coefficients = rows
    }

    public var intercept: Double { hasIntercept ? coefficients[0].estimate! : 0 }

    /// Estimated parameters (intercept included).
    public var parameterCount: Int { keptColumns.count + (hasIntercept ? 1 : 0) }
    public var deviance: Double { -2 * logLikelihood }
    public var nullDeviance: Double { -2 * nullLogLikelihood }
    public var aic: Double { 2 * Double(parameterCount) - 2 * logLikelihood }
    public var bic: Double { Double(parameterCount) * log(totalWeight) - 2 * logLikelihood }
    /// McFadden's pseudo R²: 1 − ℓ / ℓ₀.
    public var pseudoRSquared: Double { 1 - logLikelihood / nullLogLikelihood }

    /// The scoring half: what a scorer needs to apply the model (dropped columns get 0).
    public var predictor: LinearPredictor {
        let offset = hasIntercept ? 1 : 0
        return LinearPredictor(names: names, intercept: intercept,
                               coefficients: coefficients[offset...].map { $0.estimate ?? 0 })
    }

    /// Probabilities for rows of a row-major matrix with the training columns.
    public func predictProbabilities(x: [Double]) -> [Double] {
        let p = names.count
        let predictor = self.predictor
        return (0..<(x.count / max(p, 1))).map { predictor.probability(x[($0 * p)..<(($0 + 1) * p)]) }
    }
}

extension CoefficientEstimate {
    init(name: String) { self.name = name }
}
