import Foundation

/// Numerically stable pieces of the logistic model, shared by the trainer and
/// the scorer so both compute exactly the same probabilities.
public enum Logistic {
    /// σ(η) = 1 / (1 + e^-η), without overflow for large |η|.
    @inlinable
    public static func sigmoid(_ eta: Double) -> Double {
        if eta >= 0 { return 1 / (1 + exp(-eta)) }
        let e = exp(eta)
        return e / (1 + e)
    }

    /// log(1 + e^η), exact to rounding for all η (the logistic loss's core).
    @inlinable
    public static func log1pexp(_ eta: Double) -> Double {
        if eta > 35 { return eta }
        if eta < -35 { return exp(eta) }
        return eta > 0 ? eta + log1p(exp(-eta)) : log1p(exp(eta))
    }

    /// log(p / (1 - p)).
    @inlinable
    public static func logit(_ p: Double) -> Double { log(p / (1 - p)) }
}

/// A fitted linear predictor η = b₀ + Σ βⱼ xⱼ: all a logistic scorer needs.
///
/// Kept apart from training so scoring never links BLAS: applying a model is a
/// dot product and a sigmoid per account.
public struct LinearPredictor: Codable, Equatable, Sendable {
    public var names: [String]
    public var intercept: Double
    public var coefficients: [Double]

    public init(names: [String], intercept: Double, coefficients: [Double]) {
        precondition(names.count == coefficients.count, "one coefficient per name")
        self.names = names
        self.intercept = intercept
        self.coefficients = coefficients
    }

    public func linearPredictor(_ x: some Collection<Double>) -> Double {
        precondition(x.count == coefficients.count, "row has \(x.count) values, model has \(coefficients.count)")
        var eta = intercept
        for (b, v) in zip(coefficients, x) { eta += b * v }
        return eta
    }

    public func probability(_ x: some Collection<Double>) -> Double {
        Logistic.sigmoid(linearPredictor(x))
    }
}
