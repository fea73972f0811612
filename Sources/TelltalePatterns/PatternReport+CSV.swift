import Foundation
import TelltaleData

extension PatternReport {
    public static let csvColumns = ["pattern", "order", "accounts", "churned", "churn_rate", "ci_low", "ci_high", "lift", "synergy",
                                    "p_value", "q_value", "segment", "lift_over_parts", "best_subpattern", "status", "description"]

    /// The ranked table, best first: the kept patterns, or with `all` every
    /// pattern tested (the status column says why one was not kept).
    public func csv(all: Bool = false) -> String {
        var out = Self.csvColumns.joined(separator: ",") + "\n"
        for r in results where all || r.status == .kept {
            let fields: [String] = [
                r.definition.name, String(r.order), String(r.accounts), String(r.churned),
                fixed(r.churnRate), fixed(r.ciLow), fixed(r.ciHigh), fixed(r.lift, 3), fixed(r.synergy, 3),
                String(format: "%.3g", r.pValue), String(format: "%.3g", r.qValue), r.definition.segment ?? "all",
                fixed(r.liftOverParts, 3), r.bestSubpattern, r.status.description, r.sentence,
            ]
            out += fields.map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    /// A few lines for a terminal: counts, then the top patterns as sentences.
    public func summary(top: Int = 5) -> String {
        var lines = ["\(flagNames.count) flags, \(testedCount) patterns tested (scopes: \(scopes.joined(separator: ", "))); "
            + "\(kept.count) kept at q < \(formatNumber(settings.alpha)); base churn rate \(Int((100 * baseRate).rounded()))% over \(rows) renewals"]
        for r in kept.prefix(top) { lines.append("  " + r.sentence) }
        return lines.joined(separator: "\n")
    }

    private func fixed(_ x: Double, _ digits: Int = 4) -> String {
        x.isFinite ? String(format: "%.\(digits)f", x) : "inf"
    }
}

import TelltaleSignals
