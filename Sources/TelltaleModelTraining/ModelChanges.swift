import Foundation
import TelltaleModel

extension ChurnModel {
    /// What changed against the model of the last calibration, for the
    /// report's "Changes" section: first what the two were trained on (input
    /// files, lead time, penalty, band targets, signals redefined under the
    /// same name), since a moved coefficient means little before that is
    /// known; then the features and coefficients, then the bands' cut points.
    public func changes(since previous: ChurnModel) -> [String] {
        var out: [String] = []
        let roles = Set(provenance.fingerprints.keys).intersection(previous.provenance.fingerprints.keys).sorted()
        if !roles.isEmpty {
            let changed = roles.filter { provenance.fingerprints[$0] != previous.provenance.fingerprints[$0] }
            let same = roles.filter { !changed.contains($0) }
            out.append(changed.isEmpty ? "- input files unchanged (\(same.joined(separator: ", ")))"
                : "- input files changed: \(changed.joined(separator: ", "))" + (same.isEmpty ? "" : "; unchanged: \(same.joined(separator: ", "))"))
        } else if !provenance.fingerprints.isEmpty && !previous.provenance.fingerprints.isEmpty {
            // A flat table against the three tables (or the reverse): nothing below compares like for like.
            func inputs(_ p: Provenance) -> String { p.fingerprints["data"] != nil ? "a flat table" : p.fingerprints.keys.sorted().joined(separator: ", ") }
            out.append("- trained on other inputs: \(inputs(previous.provenance)) -> \(inputs(provenance)): the two models' features and figures are not like for like")
        }
        let (a, b) = (previous.provenance, provenance)
        func span(_ p: Provenance) -> String { p.firstObservation.isEmpty ? "without observation dates" : "\(p.firstObservation) to \(p.lastObservation)" }
        out.append("- renewals \(a.renewals) (\(a.churned) churned) -> \(b.renewals) (\(b.churned) churned), observed "
            + (span(a) == span(b) ? span(a) : "\(span(a)) -> \(span(b))")
            + (a.usageEnd.isEmpty || b.usageEnd.isEmpty || a.usageEnd == b.usageEnd ? "" : "; usage data to \(a.usageEnd) -> \(b.usageEnd)"))
        if previous.format < format {
            // A re-spelled file diffs everywhere; the model it holds need not have changed.
            var what: [String] = []
            if previous.format < 6 { what.append("the file's spelling (docs/model-file.md), read the same way; a diff of the two JSON files shows it on every signal") }
            if previous.format < 7 { what.append("weekly trends may leave out the weeks the whole population went quiet (`quiet_weeks`)") }
            if previous.format < 8 { what.append("the churn probability may shift with the days to the renewal (`distance_calibration`)") }
            if previous.format < 9 { what.append("that shift may scale the log-odds as well as move them (an anchor's `slope`)") }
            out.append("- model file format \(previous.format) -> \(format): " + what.joined(separator: "; "))
        }
        if validation.isGrouped != previous.validation.isGrouped {
            func method(_ v: ValidationSummary) -> String { v.isGrouped ? "on held-out accounts" : "out of time" }
            out.append("- validated \(method(previous.validation)) -> \(method(validation)): the holdout figures measure different things")
        }
        if leadDays != previous.leadDays {
            out.append("- lead time \(previous.leadDays) -> \(leadDays) days: the two models foretell renewals from different distances, so their figures are not like for like")
        }
        if distanceCalibration != previous.distanceCalibration {
            out.append("- churn probability recalibration by days to the renewal: \(previous.distanceCalibration?.description ?? "none") -> \(distanceCalibration?.description ?? "none")")
        }
        if l2 != previous.l2 { out.append("- L2 penalty λ \(formatted(previous.l2)) -> \(formatted(l2)) (chosen by cross-validation)") }
        if (standardErrors == nil) != (previous.standardErrors == nil) {
            // Files before 2026-11-24 took every renewal as independent: their p-values are not this model's kind.
            func kind(_ e: ClusteredErrors?) -> String { e.map { "clustered by \($0.clusteredBy)" } ?? "every renewal taken as independent" }
            out.append("- standard errors \(kind(previous.standardErrors)) -> \(kind(standardErrors)): the p-values of the two are not like for like")
        }
        if bands.targets != previous.bands.targets {
            func list(_ t: [Double]) -> String { t.map { String(format: "%.0f%%", 100 * $0) }.joined(separator: "/") }
            out.append("- band targets \(list(previous.bands.targets)) -> \(list(bands.targets))")
        }
        let before = Dictionary(previous.signals.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let redefined = signals.filter { s in before[s.name].map { $0.kind != s.kind || $0.transform != s.transform || $0.missing != s.missing } ?? false }
        if !redefined.isEmpty {
            out.append("- signals redefined under the same name (their coefficients compare different things): " + redefined.map(\.name).joined(separator: ", "))
        }
        let estimates = Dictionary(previous.coefficients.map { ($0.name, $0.estimate) }, uniquingKeysWith: { a, _ in a })
        let added = coefficients.filter { estimates[$0.name] == nil }.map(\.name)
        let removed = previous.coefficients.map(\.name).filter { name in !coefficients.contains { $0.name == name } }
        if !added.isEmpty { out.append("- new features: " + added.joined(separator: ", ")) }
        if !removed.isEmpty { out.append("- features gone: " + removed.joined(separator: ", ")) }
        // Moves under the report's 3 decimals would read "0.001 -> 0.001".
        let pairs: [(name: String, before: Double, after: Double)] = coefficients.compactMap { c in
            estimates[c.name].map { (c.name, $0, c.estimate) }
        }
        let moved = pairs.filter { abs($0.after - $0.before) >= 0.0005 }
            .sorted { abs($0.after - $0.before) > abs($1.after - $1.before) }.prefix(5)
        for (name, a, b) in moved { out.append("- `\(name)`: " + String(format: "%.3f -> %.3f", a, b)) }
        if moved.isEmpty && added.isEmpty && removed.isEmpty { out.append("- coefficients unchanged (to 3 decimals)") }
        for (segment, b) in bands.segments.sorted(by: { $0.key < $1.key }) {
            if let old = previous.bands.segments[segment], old.cutPoints != b.cutPoints {
                out.append("- \(segment) cut points: " + old.cutPoints.map { String(format: "%.1f", min($0, 100)) }.joined(separator: "/")
                    + " -> " + b.cutPoints.map { String(format: "%.1f", min($0, 100)) }.joined(separator: "/"))
            }
        }
        return out
    }

    private func formatted(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(format: "%g", x) }
}
