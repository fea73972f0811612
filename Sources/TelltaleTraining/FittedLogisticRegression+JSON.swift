import Foundation

/// The machine-readable twin of `summary`: the same numbers, for notebooks and scripts.
public struct FitReport: Codable, Equatable, Sendable {
    public var data: String
    public var label: String
    public var observations: Int
    public var positives: Double
    public var rowsLeftOut: Int
    public var l2: Double
    public var converged: Bool
    public var iterations: Int
    public var logLikelihood: Double
    public var nullLogLikelihood: Double
    public var deviance: Double
    public var nullDeviance: Double
    public var aic: Double
    public var bic: Double
    public var pseudoRSquared: Double
    public var coefficients: [CoefficientEstimate]
    /// How the standard errors were computed: "model-based", or "clustered: COL (N)".
    public var standardErrors: String
    public var notes: [String]
    /// Present with `--timing` only, so default output is deterministic.
    public var timing: Timing?

    public struct Timing: Codable, Equatable, Sendable {
        public var readSeconds: Double
        public var fitSeconds: Double
        public var blasKernels: String
        public var threads: Int
        public init(readSeconds: Double, fitSeconds: Double, blasKernels: String, threads: Int) {
            self.readSeconds = readSeconds
            self.fitSeconds = fitSeconds
            self.blasKernels = blasKernels
            self.threads = threads
        }
        enum CodingKeys: String, CodingKey {
            case readSeconds = "read_seconds", fitSeconds = "fit_seconds", blasKernels = "blas_kernels", threads
        }
    }

    enum CodingKeys: String, CodingKey {
        case data, label, observations, positives, rowsLeftOut = "rows_left_out", l2, converged, iterations
        case logLikelihood = "log_likelihood", nullLogLikelihood = "null_log_likelihood", deviance
        case nullDeviance = "null_deviance", aic, bic, pseudoRSquared = "pseudo_r_squared", coefficients
        case standardErrors = "std_errors", notes, timing
    }
}

extension FittedLogisticRegression {
    public func report(_ context: SummaryContext) -> FitReport {
        FitReport(data: context.dataFile, label: context.label, observations: observations, positives: positives,
                  rowsLeftOut: context.droppedRows, l2: settings.l2, converged: converged, iterations: iterations,
                  logLikelihood: logLikelihood, nullLogLikelihood: nullLogLikelihood, deviance: deviance,
                  nullDeviance: nullDeviance, aic: aic, bic: bic, pseudoRSquared: pseudoRSquared,
                  coefficients: coefficients, standardErrors: errorsDescription(context), notes: notes.map(\.description), timing: nil)
    }
}
