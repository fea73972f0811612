import TelltalePatterns
import TelltaleScoring
import TelltaleSignals

/// The model inputs of a signal table, before standardisation: prepared
/// signals, 0/1 pattern matches and segment indicators, one column per spec.
public enum FeatureBuilder {
    public static func columns(_ specs: [FeatureSpec], table: SignalTable, preparation: SignalPreparation,
                               cuts: [DataDrivenCut]) -> [[Double]] {
        let prepared = preparation.apply(table)
        let flags = FlagMatrix(table: table, cuts: cuts)
        let segments = table.observations.map { table.segments[Int($0.account)] }
        return specs.map { spec -> [Double] in
            switch spec.kind {
            case let .signal(name):
                return prepared[preparation.names.firstIndex(of: name)!]
            case let .pattern(p):
                let bits = p.flags.map { name in flags.names.firstIndex(of: name).map { flags.bits[$0] } }
                return (0..<table.rowCount).map { r in
                    if let s = p.segment, segments[r] != s { return 0 }
                    return bits.allSatisfy { b in b.map { $0[r >> 6] & (1 << UInt64(r & 63)) != 0 } ?? false } ? 1 : 0
                }
            case let .segment(s):
                return segments.map { $0 == s ? 1 : 0 }
            }
        }
    }
}

extension ChurnModel {
    /// Standardised design columns for a signal table (training's means and scales).
    public func design(_ table: SignalTable) -> [[Double]] {
        let raw = FeatureBuilder.columns(features, table: table, preparation: preparation, cuts: cuts)
        // A value still missing (a `missing: keep` signal) sits at the training mean.
        return zip(features, raw).map { spec, column in column.map { $0.isFinite ? ($0 - spec.mean) / spec.scale : 0 } }
    }

    /// Churn probability per row of the table.
    public func churnProbabilities(_ table: SignalTable) -> [Double] {
        let x = design(table)
        return (0..<table.rowCount).map { r in
            var eta = intercept
            for (j, c) in coefficients.enumerated() { eta += c.estimate * x[j][r] }
            return Logistic.sigmoid(eta)
        }
    }

    /// 0-100, higher is healthier: the model's renewal probability in percent.
    public static func healthScore(churnProbability p: Double) -> Double { 100 * (1 - p) }
}
