import Foundation
import TelltaleSignals

/// Right-aligns text in a column.
func right(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }

/// The text `telltale inspect` prints and the training report builds on.
extension ChurnModel {
    public func summary() -> String {
        var out: [String] = []
        func pct(_ x: Double) -> String { x.isFinite ? String(format: "%.1f%%", 100 * x) : "-" }
        func num(_ x: Double, _ d: Int = 3) -> String { x.isFinite ? String(format: "%.\(d)f", x) : "-" }
        out.append("Telltale churn model (format \(format), telltale \(toolVersion)), trained \(trainedAt)")
        if format < ModelFileMigration.currentSpellingSince {
            // It scores as before; a notebook reading the file itself meets the old spelling.
            out.append("(an older file format, read as format \(Self.currentFormat); `telltale inspect --json FILE > NEW.json` writes it in format \(Self.currentFormat))")
        }
        out.append("Data: \(provenance.renewals) renewals (\(provenance.churned) churned, \(pct(Double(provenance.churned) / Double(max(1, provenance.renewals))))), "
            + (provenance.firstObservation.isEmpty ? "no observation dates" : "observed \(provenance.firstObservation) to \(provenance.lastObservation)")
            + (provenance.usageEnd.isEmpty ? " (a flat table)" : ", lead \(leadDays) days; \(usageRowDays == 7 ? "weekly " : "")usage to \(provenance.usageEnd)"))
        out.append("Features: \(features.count) (\(signals.count) signals, \(features.filter { if case .pattern = $0.kind { return true } else { return false } }.count) patterns, "
            + "\(features.filter { if case .segment = $0.kind { return true } else { return false } }.count) segment indicators); L2 λ = \(formatNumber(l2))")
        let v = validation
        out.append("")
        out.append(v.isGrouped
            ? "Held-out accounts, not out of time (renewals: \(v.holdoutRows); model fitted on \(v.trainRows) of other accounts):"
            : "Out-of-time holdout (renewals observed from \(v.holdoutFrom): \(v.holdoutRows); model fitted on \(v.trainRows) earlier):")
        out.append("                      ROC AUC   PR AUC   top-10% lift   Brier   log loss    ECE")
        for (name, m) in [("with patterns", v.withPatterns), ("without patterns", v.withoutPatterns)] {
            out.append(name.padding(toLength: 20, withPad: " ", startingAt: 0) + right(num(m.rocAUC), 9) + right(num(m.prAUC), 9)
                + right(num(m.topDecileLift, 2), 15) + right(num(m.brier), 8) + right(num(m.logLoss), 11) + right(num(m.expectedCalibrationError), 7))
        }
        if let distanceCalibration {
            out.append("")
            out.append("Churn probability by days to the renewal (added to the log-odds η, or the log-odds become offset + slope η; the health score and band stay at \(leadDays) days):")
            out.append("  " + distanceCalibration.description)
        }
        out.append("")
        out.append("Bands (health score cut points; renewal rate of training renewals in each band):")
        for (segment, b) in [("(population)", bands.population)] + bands.segments.sorted(by: { $0.key < $1.key }).map({ ($0.key, $0.value) }) {
            let cuts = b.cutPoints.map { $0 > 100 ? "-" : String(format: "%.1f", $0) }.joined(separator: " / ")
            let rates = b.stats.map { "\($0.band.rawValue) \($0.renewalRate.map(pct) ?? "-") (\($0.rows))" }.joined(separator: ", ")
            out.append("  \(segment)\(b.borrowed ? " [population cut points]" : ""): \(cuts); \(rates)")
        }
        out.append("")
        out.append("Largest coefficients (per standard deviation" + (l2 > 0 ? "; p from the penalised Hessian, approximate" : "") + "):")
        if let standardErrors { out.append("  standard errors " + standardErrors.description) }
        let largest = coefficients.filter { !$0.wasDropped }.sorted(by: { abs($0.estimate) > abs($1.estimate) }).prefix(10)
        // As wide as the longest name: cut at a fixed width, a pattern and its segment's
        // version ("... [SMB Annual]") read as the same name.
        let width = max(44, (largest.map(\.name.count).max() ?? 0) + 1)
        for c in largest {
            out.append("  " + c.name.padding(toLength: width, withPad: " ", startingAt: 0)
                + String(format: "%8.3f  odds ratio %6.3f  p ", c.estimate, c.oddsRatio) + (c.pValue.map { String(format: "%.3g", $0) } ?? "-"))
        }
        let kept = patterns.filter(\.isFeature)
        if !kept.isEmpty {
            out.append("")
            out.append("Pattern features:")
            for p in kept.prefix(10) { out.append("  " + p.sentence) }
        }
        if let powerFeature { out.append(""); out.append("Power feature (in-product signal that best sorts renewals): \(powerFeature)") }
        if !warnings.isEmpty {
            out.append("")
            out.append("Warnings:")
            for w in warnings { out.append("  - " + w) }
        }
        return out.joined(separator: "\n") + "\n"
    }
}
