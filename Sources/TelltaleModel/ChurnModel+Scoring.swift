import TelltalePatterns
import TelltaleScoring
import TelltaleSignals

/// The model inputs of a signal table, before standardisation: prepared
/// signals, 0/1 pattern matches and segment indicators, one column per spec.
public enum FeatureBuilder {
    public static func columns(_ specs: [FeatureSpec], table: SignalTable, preparation: SignalPreparation,
                               cuts: [DataDrivenCut]) -> [[Double]] {
        let prepared = preparation.apply(table)
        // Flags only when some feature is a pattern (most fits of the trainer have none).
        let needsFlags = specs.contains { if case .pattern = $0.kind { return true } else { return false } }
        let flags = needsFlags ? FlagMatrix(table: table, cuts: cuts) : FlagMatrix(rows: table.rowCount)
        let segments = table.observations.map { table.segments[Int($0.account)] }
        return specs.map { spec -> [Double] in
            switch spec.kind {
            case let .signal(name):
                return prepared[preparation.names.firstIndex(of: name)!]
            case let .pattern(p):
                return flags.rows(matching: p, segments: segments).map { $0 ? 1 : 0 }
            case let .segment(s):
                return segments.map { $0 == s ? 1 : 0 }
            }
        }
    }

    /// The columns standardised with each spec's training mean and scale.
    public static func standardised(_ specs: [FeatureSpec], table: SignalTable, preparation: SignalPreparation,
                                    cuts: [DataDrivenCut]) -> [[Double]] {
        let raw = columns(specs, table: table, preparation: preparation, cuts: cuts)
        return zip(specs, raw).map { spec, column in column.map(spec.standardise) }
    }

    /// σ(intercept + Σ βⱼ xⱼ) per row of standardised columns: the one place a
    /// churn probability is computed, for training, validation and the saved model alike.
    public static func probabilities(_ x: [[Double]], rows: Int, intercept: Double, coefficients: [Double]) -> [Double] {
        (0..<rows).map { r in
            var eta = intercept
            for j in coefficients.indices { eta += coefficients[j] * x[j][r] }
            return Logistic.sigmoid(eta)
        }
    }
}

extension ChurnModel {
    /// Standardised design columns for a signal table (training's means and scales).
    public func design(_ table: SignalTable) -> [[Double]] {
        FeatureBuilder.standardised(features, table: table, preparation: preparation, cuts: cuts)
    }

    /// Churn probability per row of the table.
    public func churnProbabilities(_ table: SignalTable) -> [Double] {
        FeatureBuilder.probabilities(design(table), rows: table.rowCount, intercept: intercept, coefficients: coefficients.map(\.estimate))
    }

    /// 0-100, higher is healthier: the model's renewal probability in percent.
    public static func healthScore(churnProbability p: Double) -> Double { 100 * (1 - p) }
}

extension FeatureSpec {
    /// (x − mean) / scale. A value still missing (a `missing: keep` signal)
    /// sits at the training mean: it adds nothing to the prediction.
    @inlinable public func standardise(_ x: Double) -> Double { x.isFinite ? (x - mean) / scale : 0 }
}
