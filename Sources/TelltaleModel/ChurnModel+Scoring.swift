import Foundation
import TelltaleData
import TelltalePatterns
import TelltaleScoring
import TelltaleSignals

/// The model inputs of a signal table, before standardisation: prepared
/// signals, 0/1 pattern matches and segment indicators, one column per spec.
public enum FeatureBuilder {
    /// `flags` and `segments`: the table's flag matrix and row segments when
    /// the caller has them already (the scorer matches the model's patterns
    /// on the same table).
    public static func columns(_ specs: [FeatureSpec], table: SignalTable, preparation: SignalPreparation,
                               cuts: [DataDrivenCut], flags given: FlagMatrix? = nil,
                               segments knownSegments: RowSegments? = nil) -> [[Double]] {
        let prepared = preparation.apply(table)
        // Flags only when some feature is a pattern (most fits of the trainer have none).
        let needsFlags = specs.contains { if case .pattern = $0.kind { return true } else { return false } }
        let flags = given ?? (needsFlags ? FlagMatrix(table: table, cuts: cuts) : FlagMatrix(rows: table.rowCount))
        let segments = knownSegments ?? RowSegments(table)
        func column(_ spec: FeatureSpec) -> [Double] {
            switch spec.kind {
            case let .signal(name):
                return prepared[preparation.names.firstIndex(of: name)!]
            case let .pattern(p):
                return flags.rows(matching: p, segments: segments).map { $0 ? 1 : 0 }
            case let .segment(s):
                let code = segments.code(of: s) ?? -1
                return segments.of.map { $0 == code ? 1 : 0 }
            }
        }
        // Pattern and segment columns are built, not shared: one per core at a time.
        return Parallel.map(specs.count, rows: table.rowCount, serialBelow: 50_000) { column(specs[$0]) }
    }

    /// The columns standardised with each spec's training mean and scale.
    public static func standardised(_ specs: [FeatureSpec], table: SignalTable, preparation: SignalPreparation,
                                    cuts: [DataDrivenCut]) -> [[Double]] {
        let raw = columns(specs, table: table, preparation: preparation, cuts: cuts)
        return zip(specs, raw).map { spec, column in column.map(spec.standardise) }
    }

    /// σ(intercept + Σ βⱼ xⱼ) per row of standardised columns.
    public static func probabilities(_ x: [[Double]], rows: Int, intercept: Double, coefficients: [Double]) -> [Double] {
        let identity = coefficients.map { _ in FeatureSpec(name: "", kind: .segment(""), mean: 0, scale: 1) }
        return probabilities(identity, columns: x, rows: rows, intercept: intercept, coefficients: coefficients)
    }

    /// σ(intercept + Σ βⱼ (xⱼ − meanⱼ) / scaleⱼ) per row of unstandardised
    /// columns (a missing x adds nothing, as `FeatureSpec.standardise` says),
    /// in chunks of rows on every core: a scoring job has millions. The one
    /// place a churn probability is computed, for training, validation and
    /// the saved model alike.
    public static func probabilities(_ specs: [FeatureSpec], columns: [[Double]], rows: Int, intercept: Double,
                                     coefficients: [Double]) -> [Double] {
        let chunkCount = Parallel.blockCount(rows: rows, serialBelow: 50_000, perCore: 4)
        let weights = zip(specs, coefficients).map { $1 / $0.scale }
        return [Double](unsafeUninitializedCapacity: rows) { out, initialized in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunkCount) { c in
                let range = Parallel.block(c, of: chunkCount, rows: rows)
                var eta = [Double](repeating: intercept, count: range.count)
                for j in specs.indices {
                    let w = weights[j], mean = specs[j].mean
                    columns[j].withUnsafeBufferPointer { x in
                        for (k, r) in range.enumerated() where x[r].isFinite { eta[k] += w * (x[r] - mean) }
                    }
                }
                for (k, r) in range.enumerated() { (base + r).initialize(to: Logistic.sigmoid(eta[k])) }
            }
            initialized = rows
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
        FeatureBuilder.probabilities(features, columns: FeatureBuilder.columns(features, table: table, preparation: preparation, cuts: cuts),
                                     rows: table.rowCount, intercept: intercept, coefficients: coefficients.map(\.estimate))
    }

    /// 0-100, higher is healthier: the model's renewal probability in percent.
    public static func healthScore(churnProbability p: Double) -> Double { 100 * (1 - p) }
}

extension FeatureSpec {
    /// (x − mean) / scale. A value still missing (a `missing: keep` signal)
    /// sits at the training mean: it adds nothing to the prediction.
    @inlinable public func standardise(_ x: Double) -> Double { x.isFinite ? (x - mean) / scale : 0 }
}
