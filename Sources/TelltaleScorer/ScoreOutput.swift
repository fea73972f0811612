import Foundation
import TelltaleAlerts
import TelltaleData
import TelltaleModel
import TelltaleSignals

/// The score file in the contract's columns, as CSV or JSON Lines.
public enum ScoreOutput {
    public enum Format: String, CaseIterable, Sendable {
        case csv, jsonl
        /// `.jsonl`/`.ndjson`/`.json` is JSON Lines, anything else CSV.
        public static func from(path: String) -> Format {
            let lower = path.lowercased()
            return lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") || lower.hasSuffix(".json") ? .jsonl : .csv
        }
    }

    /// The contract's columns, then the ones Telltale adds.
    public static let columns = ["account_id", "segment", "owner", "as_of", "churn_probability", "health_score", "band",
                                 "previous_band", "band_change", "severity", "alert_types", "reasons", "patterns", "playbook",
                                 "contract_value", "renewal_date", "days_to_renewal", "suppressed_alerts"]

    public static func render(_ rows: [ScoredAccount], format: Format) -> String {
        var out = ""
        out.reserveCapacity(rows.count * 300)
        if format == .csv { out += columns.joined(separator: ",") + "\n" }
        for row in rows {
            let cells = Self.cells(row)
            if format == .csv {
                for (i, cell) in cells.enumerated() {
                    if i > 0 { out += "," }
                    out += csvField(cell.text)
                }
            } else {
                out += "{"
                for (i, cell) in cells.enumerated() {
                    if i > 0 { out += "," }
                    out += "\"\(columns[i])\":"
                    out += cell.isNumber ? (cell.text.isEmpty ? "null" : cell.text) : (cell.isNull ? "null" : jsonString(cell.text))
                }
                out += "}"
            }
            out += "\n"
        }
        return out
    }

    struct Cell { var text: String; var isNumber = false; var isNull = false }

    static func cells(_ r: ScoredAccount) -> [Cell] {
        func text(_ s: String?) -> Cell { Cell(text: s ?? "", isNull: s == nil) }
        func number(_ s: String?) -> Cell { Cell(text: s ?? "", isNumber: true) }
        return [
            text(r.accountID), text(r.segment), text(r.owner), text(r.asOf.description),
            number(String(format: "%.4f", r.churnProbability)), number(String(format: "%.1f", r.healthScore)),
            text(r.band.rawValue), text(r.previousBand?.rawValue), number(r.bandChange.map { String($0) }),
            text(r.severity.description), text(r.alertTypes.map(\.rawValue).joined(separator: ";")),
            text(r.reasons.joined(separator: ";")), text(r.patterns.joined(separator: ";")), text(r.playbook),
            number(r.contractValue.map(formatCell)), text(r.renewalDate?.description), number(r.daysToRenewal.map { String($0) }),
            text(r.suppressed.joined(separator: ";")),
        ]
    }

    /// The rejects file: every account left unscored, with the reason.
    public static func rejectsCSV(_ rejects: [RejectedAccount]) -> String {
        var out = "account_id,segment,owner,as_of,reason,alert_types,playbook\n"
        for r in rejects {
            out += [r.accountID, r.segment, r.owner ?? "", r.asOf?.description ?? "", r.reason,
                    r.alertTypes.map(\.rawValue).joined(separator: ";"), r.playbook].map(csvField).joined(separator: ",") + "\n"
        }
        return out
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

/// The Monday report: what the run means for the week, in a few lines.
public enum ScoreSummary {
    public static func text(_ run: ScoreRun, rejectsPath: String? = nil) -> String {
        let rows = run.rows
        var lines: [String] = []
        lines.append("as of \(run.asOf): \(rows.count) accounts scored"
            + (run.rejects.isEmpty ? "" : ", \(run.rejects.count) not scored" + (rejectsPath.map { " (reasons in \($0))" } ?? "")))
        let bands = Band.allCases.map { b in "\(rows.filter { $0.band == b }.count) \(b)" }.joined(separator: ", ")
        let down = rows.filter { ($0.bandChange ?? 0) < 0 }.count, up = rows.filter { ($0.bandChange ?? 0) > 0 }.count
        let compared = rows.contains { $0.previousBand != nil }
        lines.append("bands: \(bands)" + (compared ? "; since the previous run \(down) moved down, \(up) up" : ""))
        let flagged = rows.filter { $0.severity >= .high }
        let expected = flagged.reduce(0.0) { $0 + $1.churnProbability }
        let value = flagged.reduce(0.0) { $0 + ($1.contractValue ?? 0) }
        let critical = flagged.filter { $0.severity == .critical }.count
        lines.append("\(flagged.count) account\(flagged.count == 1 ? "" : "s") flagged high or critical (\(critical) critical); "
            + "about \(Int(expected.rounded())) expected to churn without action; \(money(value)) contract value at risk")
        let fired = run.alerts.filter { $0.status == .fired }, held = run.alerts.filter { $0.status == .suppressed }
        var byType: [AlertType: Int] = [:]
        for a in fired { byType[a.type, default: 0] += 1 }
        let types = byType.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key.rawValue) \($0.value)" }
        var whyHeld: [String: Int] = [:]
        for a in held { whyHeld[(a.suppressedBecause ?? "").components(separatedBy: ":")[0], default: 0] += 1 }
        lines.append("alerts: \(fired.count) fired" + (types.isEmpty ? "" : " (\(types.joined(separator: ", ")))")
            + (held.isEmpty ? "" : "; \(held.count) held back (" + whyHeld.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"))
        return lines.joined(separator: "\n") + "\n"
    }

    /// $1.2M, $850K, $900.
    public static func money(_ v: Double) -> String {
        if v >= 1e6 { return String(format: "$%.1fM", v / 1e6) }
        if v >= 1e3 { return String(format: "$%.0fK", v / 1e3) }
        return String(format: "$%.0f", v)
    }
}
