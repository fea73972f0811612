import TelltaleSignals

/// A continuous signal cut into a flag at the level where churn changes most,
/// chosen on the training rows only (`patterns.cut` in the config).
public struct DataDrivenCut: Codable, Equatable, Sendable {
    public var signal: String
    public var condition: Condition
    /// The flag's name: `logins_30d_under_12` / `support_cases_30d_over_4`.
    public var name: String

    /// Tries every distinct value as a threshold when there are at most 100
    /// (counts), else the 5th, 10th, ..., 95th percentiles, both directions,
    /// and keeps the cut whose two sides differ most in churn (the
    /// likelihood-ratio G statistic), each side with at least `minCount` rows.
    /// Returns nil when no cut leaves enough rows on both sides.
    public static func choose(signal: String, values: [Double], churned: [Bool], minCount: Int) -> DataDrivenCut? {
        let known = values.indices.filter { !values[$0].isNaN }
        guard known.count >= 2 * minCount else { return nil }
        let sorted = known.map { values[$0] }.sorted()
        var thresholds: [Double] = []
        var distinct: [Double] = []
        for v in sorted where distinct.last != v { distinct.append(v); if distinct.count > 100 { break } }
        if distinct.count <= 100 {
            thresholds = Array(distinct.dropFirst())
        } else {
            for q in 1...19 { let t = sorted[sorted.count * q / 20]; if thresholds.last != t { thresholds.append(t) } }
        }
        let totalChurn = known.filter { churned[$0] }.count
        func logLikelihood(_ c: Int, _ n: Int) -> Double {
            guard n > 0 else { return 0 }
            let p = Double(c) / Double(n)
            return (c > 0 ? Double(c) * log(p) : 0) + (n - c > 0 ? Double(n - c) * log(1 - p) : 0)
        }
        var best: (g: Double, condition: Condition)?
        for t in thresholds {
            // "below t" = values < t; the rest is "at least t".
            var n = 0, c = 0
            for i in known where values[i] < t { n += 1; if churned[i] { c += 1 } }
            let n2 = known.count - n, c2 = totalChurn - c
            guard n >= minCount, n2 >= minCount else { continue }
            let g = 2 * (logLikelihood(c, n) + logLikelihood(c2, n2) - logLikelihood(totalChurn, known.count))
            // The flag marks the riskier side.
            let riskyBelow = Double(c) / Double(n) > Double(c2) / Double(n2)
            let condition = riskyBelow ? Condition(signal: signal, op: .lt, value: t) : Condition(signal: signal, op: .ge, value: t)
            if best == nil || g > best!.g { best = (g, condition) }
        }
        guard let best else { return nil }
        let name = "\(signal)_\(best.condition.op == .lt ? "under" : "atleast")_\(formatNumber(best.condition.value).replacingOccurrences(of: ".", with: "p").replacingOccurrences(of: "-", with: "m"))"
        return DataDrivenCut(signal: signal, condition: best.condition, name: name)
    }
}

extension FlagMatrix {
    /// The flags of a signal table: every flag signal, every milestone
    /// (1 = missed; not yet due counts as not missed), every level of a flat
    /// table's text column, every 0/1 column, and the given cuts of
    /// continuous signals. A missing value never sets a flag.
    public init(table: SignalTable, cuts: [DataDrivenCut] = []) {
        self.init(rows: table.rowCount)
        for (s, def) in table.definitions.enumerated() {
            let column = table.raw[s]
            switch def.kind {
            case .flag, .milestone, .category: add(name: def.name, label: def.label) { column[$0] == 1 }
            case .column where column.allSatisfy({ $0.isNaN || $0 == 0 || $0 == 1 }) && column.contains(1):
                add(name: def.name, label: def.label) { column[$0] == 1 }
            default: break
            }
        }
        for cut in cuts {
            guard let column = table.column(cut.signal) else { continue }
            let label = (table.definitions.first { $0.name == cut.signal }?.label ?? cut.signal)
                + " \(cut.condition.op == .lt ? "under" : "at least") \(formatNumber(cut.condition.value))"
            add(name: cut.name, label: label) { cut.condition.holds(column[$0]) }
        }
    }
}

import Foundation
