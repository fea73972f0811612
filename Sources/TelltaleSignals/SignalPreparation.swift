import Foundation
import TelltaleData

/// How signals become model inputs: each missing value filled by its
/// signal's policy, then the transform applied.
///
/// Fitted on training rows only and saved with the model, so today's accounts
/// are filled with the training medians, exactly as the model saw them, and
/// never with a median that includes the rows being scored.
public struct SignalPreparation: Codable, Equatable, Sendable {
    public var names: [String]
    public var transforms: [SignalTransform]
    /// Per signal, the raw-unit value a missing value becomes; nil keeps it missing.
    public var fill: [Double?]

    /// Fill values from a training table: medians where the policy says so.
    /// The signals on every core when the table is large: `train` fits a design
    /// per fold and λ, and a median per signal and design was 9% of `train --data`
    /// on a 500,000-row table.
    public static func fit(_ table: SignalTable) -> SignalPreparation {
        let fill: [Double?] = Parallel.map(table.definitions.count, rows: table.rowCount, serialBelow: 50_000) { s in
            switch table.definitions[s].missing {
            case .keep: return nil
            case let .value(v): return v
            case .median:
                let m = median(table.raw[s])
                return m.isNaN ? 0 : m // a signal never seen in training: zero
            }
        }
        return SignalPreparation(names: table.definitions.map(\.name), transforms: table.definitions.map(\.transform), fill: fill)
    }

    /// Model inputs, `inputs[s][row]`: filled, then transformed.
    /// Columns on every core when the table is large: a logarithm per cell was
    /// a tenth of scoring a million-row table on one.
    public func apply(_ table: SignalTable) -> [[Double]] {
        func input(_ s: Int) -> [Double] {
            let column = table.column(names[s]) ?? []
            let f = fill[s], t = transforms[s]
            // Nothing to fill or transform: the column itself, shared, not a copy
            // (a million-row flat table's columns are 8 MB each, mostly complete).
            if t == SignalTransform.none && !column.contains(where: \.isNaN) { return column }
            return column.map { x in t.apply(x.isNaN ? (f ?? .nan) : x) }
        }
        return Parallel.map(names.count, rows: table.rowCount, serialBelow: 50_000, input)
    }
}
