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
                                 "contract_value", "renewal_date", "days_to_renewal", "suppressed_alerts", "new_alert_types",
                                 "ended_alert_types"]

    /// The score file as one block of bytes.
    public static func render(_ rows: [ScoredAccount], format: Format) -> Data {
        var data = Data()
        for part in renderParts(rows, format: format) { data.append(part) }
        return data
    }

    /// The score file in parts (the header, then chunks of rows rendered on
    /// every core), to be written one after the other.
    public static func renderParts(_ rows: [ScoredAccount], format: Format) -> [Data] {
        let chunkCount = Parallel.blockCount(rows: rows.count, serialBelow: 20_000, perCore: 4)
        let chunks = rows.withUnsafeBufferPointer { rows in Parallel.map(chunkCount) { render(rows, chunk: $0, of: chunkCount, format: format) } }
        return [header(format)] + chunks
    }

    /// Renders the score file into `path` atomically, writing each chunk of
    /// rows while the later ones are still being rendered (on every core):
    /// the file's write and the start of its writeback no longer wait for
    /// the last row.
    public static func write(_ rows: [ScoredAccount], format: Format, to path: String) throws {
        let chunkCount = Parallel.blockCount(rows: rows.count, serialBelow: 20_000, perCore: 8)
        // Each slot is written by one renderer, then read by the writer after its signal.
        nonisolated(unsafe) let chunks = UnsafeMutableBufferPointer<Data>.allocate(capacity: chunkCount)
        _ = chunks.initialize(from: repeatElement(Data(), count: chunkCount))
        defer { chunks.deinitialize(); chunks.deallocate() }
        let ready = (0..<chunkCount).map { _ in DispatchSemaphore(value: 0) }
        let rendering = DispatchGroup()
        // Whatever happens to the writing, the rendering finishes before the chunks go.
        defer { rendering.wait() }
        DispatchQueue.global().async(group: rendering) {
            rows.withUnsafeBufferPointer { render($0, into: chunks, signalling: ready, format: format) }
        }
        try AtomicFile.write(to: path) { sink in
            try sink.write(header(format))
            for c in 0..<chunkCount {
                ready[c].wait()
                try sink.write(chunks[c])
                chunks[c] = Data()
            }
        }
    }

    /// Every chunk on every core, each signalled when it is in its slot.
    static func render(_ rows: UnsafeBufferPointer<ScoredAccount>, into chunks: UnsafeMutableBufferPointer<Data>,
                       signalling ready: [DispatchSemaphore], format: Format) {
        DispatchQueue.concurrentPerform(iterations: chunks.count) { c in
            chunks[c] = render(rows, chunk: c, of: chunks.count, format: format)
            ready[c].signal()
        }
    }

    static func header(_ format: Format) -> Data {
        format == .csv ? Data((columns.joined(separator: ",") + "\n").utf8) : Data()
    }

    /// Chunk `c` of `count` even chunks of the rows.
    static func render(_ rows: UnsafeBufferPointer<ScoredAccount>, chunk c: Int, of count: Int, format: Format) -> Data {
        let chunk = Parallel.block(c, of: count, rows: rows.count)
        var w = ByteWriter(capacity: chunk.count * 256)
        // Rows are passed from the buffer in place: `for row in` would copy
        // each one (a retain and release of every string and array in it).
        for i in chunk { write(rows.baseAddress! + i, format: format, to: &w) }
        return w.takeData()
    }

    /// One row. Straight-line appends: this runs a million times for a large export.
    /// The row is read where it is (a pointer): passed as a value, it was
    /// copied, every string and array in it retained and released, per row.
    static func write(_ row: UnsafePointer<ScoredAccount>, format: Format, to w: inout ByteWriter) {
        if format == .jsonl { writeJSON(row.pointee, to: &w); return }
        w.appendCSV(row.pointee.accountID); w.append(byte: 0x2C)
        w.appendCSV(row.pointee.segment); w.append(byte: 0x2C)
        if let o = row.pointee.owner { w.appendCSV(o) }; w.append(byte: 0x2C)
        w.append(day: row.pointee.asOf); w.append(byte: 0x2C)
        w.append(fixed: row.pointee.churnProbability, digits: 4); w.append(byte: 0x2C)
        w.append(fixed: row.pointee.healthScore, digits: 1); w.append(byte: 0x2C)
        w.append(row.pointee.band.rawValue); w.append(byte: 0x2C)
        if let b = row.pointee.previousBand { w.append(b.rawValue) }; w.append(byte: 0x2C)
        if let c = row.pointee.bandChange { w.append(int: c) }; w.append(byte: 0x2C)
        w.append(row.pointee.severity.description); w.append(byte: 0x2C)
        appendList(row.pointee.alertTypes.map(\.rawValue), to: &w); w.append(byte: 0x2C)
        row.pointee.reasons.writeCSV(to: &w); w.append(byte: 0x2C)
        appendList(row.pointee.patterns, to: &w); w.append(byte: 0x2C)
        w.appendCSV(row.pointee.playbook); w.append(byte: 0x2C)
        if let v = row.pointee.contractValue { appendCell(v, to: &w) }; w.append(byte: 0x2C)
        if let d = row.pointee.renewalDate { w.append(day: d) }; w.append(byte: 0x2C)
        if let d = row.pointee.daysToRenewal { w.append(int: d) }; w.append(byte: 0x2C)
        appendList(row.pointee.suppressed, to: &w); w.append(byte: 0x2C)
        if let new = row.pointee.newAlertTypes { appendList(new.map(\.rawValue), to: &w) }; w.append(byte: 0x2C)
        if let ended = row.pointee.endedAlertTypes { appendList(ended.map(\.rawValue), to: &w) }
        w.append(byte: 0x0A)
    }

    /// What `formatCell` gives, whole numbers without a String.
    static func appendCell(_ v: Double, to w: inout ByteWriter) {
        if v == v.rounded(), abs(v) < 1e15 { w.append(int: Int(v)) } else { w.append(formatCell(v)) }
    }

    static func appendList(_ items: [String], to w: inout ByteWriter) {
        if items.isEmpty { return }
        w.appendCSV(items.count == 1 ? items[0] : items.joined(separator: ";"))
    }

    static func writeJSON(_ r: borrowing ScoredAccount, to w: inout ByteWriter) {
        var k = 0
        func key() {
            w.append(byte: k == 0 ? 0x7B : 0x2C)
            w.appendJSON(columns[k])
            w.append(byte: 0x3A)
            k += 1
        }
        func text(_ s: String?) { key(); if let s { w.appendJSON(s) } else { w.append("null") } }
        func number(_ s: String?) { key(); w.append(s ?? "null") }
        text(r.accountID); text(r.segment); text(r.owner); text(r.asOf.description)
        number(formatFixed(r.churnProbability, digits: 4)); number(formatFixed(r.healthScore, digits: 1))
        text(r.band.rawValue); text(r.previousBand?.rawValue); number(r.bandChange.map { String($0) })
        text(r.severity.description); text(r.alertTypes.map(\.rawValue).joined(separator: ";"))
        text(r.reasons.texts.joined(separator: ";")); text(r.patterns.joined(separator: ";"))
        text(r.playbook); number(r.contractValue.map(formatCell)); text(r.renewalDate?.description)
        number(r.daysToRenewal.map { String($0) }); text(r.suppressed.joined(separator: ";"))
        text(r.newAlertTypes?.map(\.rawValue).joined(separator: ";"))
        text(r.endedAlertTypes?.map(\.rawValue).joined(separator: ";"))
        w.append(byte: 0x7D)
        w.append(byte: 0x0A)
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
}

/// The Monday report: what the run means for the week, in a few lines.
public enum ScoreSummary {
    public static func text(_ run: ScoreRun, rejectsPath: String? = nil) -> String {
        // One pass over the rows (a million of them in a large export), a block
        // on each core, the blocks' tallies summed in block order.
        let blocks = Parallel.blockCount(rows: run.rows.count, serialBelow: 100_000, perCore: 1)
        let t = run.rows.withUnsafeBufferPointer { rows in
            Parallel.map(blocks) { b in
                var t = Tally()
                for i in Parallel.block(b, of: blocks, rows: rows.count) { t.count(rows.baseAddress! + i) }
                return t
            }
        }.reduce(into: Tally()) { $0.add($1) }

        var lines: [String] = []
        lines.append("as of \(run.asOf): \(run.rows.count) accounts scored"
            + (run.rejects.isEmpty ? "" : ", \(run.rejects.count) not scored" + (rejectsPath.map { " (reasons in \($0))" } ?? "")))
        let bands = Band.allCases.enumerated().map { "\(t.bandCounts[$0]) \($1)" }.joined(separator: ", ")
        lines.append("bands: \(bands)" + (t.compared ? "; since the previous run\(run.bandsComparedAcrossModels ? " (another model's bands)" : "") \(t.down) moved down, \(t.up) up" : ""))
        if run.alertRules == 0 && t.flagged.accounts == 0 {
            // A flat table without the columns the rules read: severity from the red band alone,
            // seldom high, and "0 flagged, about 0 expected to churn" would hide the band's risk.
            lines.append("no alert rule could run on these signals (severity comes from the band alone); the red band's \(t.red.accounts) account\(t.red.accounts == 1 ? "" : "s"): "
                + "about \(Int(t.red.expected.rounded())) expected to churn without action" + valueAtRisk(t.red))
        } else {
            lines.append("\(t.flagged.accounts) account\(t.flagged.accounts == 1 ? "" : "s") flagged high or critical (\(t.critical) critical); "
                + "about \(Int(t.flagged.expected.rounded())) expected to churn without action" + valueAtRisk(t.flagged))
        }
        var fired = 0, held = 0
        var byType: [AlertType: Int] = [:], whyHeld: [String: Int] = [:]
        run.alerts.withUnsafeBufferPointer { alerts in
            for i in alerts.indices {
                if alerts[i].status == .fired {
                    fired += 1
                    byType[alerts[i].type, default: 0] += 1
                } else {
                    held += 1
                    let why = alerts[i].suppressedBecause ?? ""
                    whyHeld[String(why.prefix { $0 != ":" }), default: 0] += 1
                }
            }
        }
        func counts(_ byType: [AlertType: Int]) -> [String] {
            byType.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key.rawValue) \($0.value)" }
        }
        let types = counts(byType)
        lines.append("alerts: \(fired) fired" + (types.isEmpty ? "" : " (\(types.joined(separator: ", ")))")
            + (held == 0 ? "" : "; \(held) held back (" + whyHeld.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"))
        if let previous = run.previousRun {
            func line(_ what: String, _ c: TypeCounts) -> String {
                let n = c.byType.values.reduce(0, +)
                return "\(what): \(n) alert type\(n == 1 ? "" : "s") on \(c.accounts) account\(c.accounts == 1 ? "" : "s")"
                    + (n == 0 ? "" : " (\(counts(c.byType).joined(separator: ", ")))")
            }
            lines.append(line("new since the previous run (\(previous))", t.new))
            lines.append(line("no longer firing since then", t.ended))
        }
        // The domain's Monday line: "32 of these 70 customers will churn if nobody acts", for the three
        // patterns most matched. The pattern's training rate was measured where the search picked it
        // for being high, and knows nothing else of these accounts: their own probabilities go beside it.
        let matched = run.combinedPatterns.compactMap { p in t.patternCounts[p.name].map { (p, $0) } }
            .sorted { ($0.1.accounts, $1.0.name) > ($1.1.accounts, $0.0.name) }.prefix(3)
        func about(_ x: Double) -> String { x < 10 ? String(format: "%.1f", x) : String(Int(x.rounded())) }
        for (p, match) in matched {
            let count = match.accounts
            lines.append("combined pattern \(p.description): \(count) account\(count == 1 ? "" : "s") today; at the \(Int((p.churnRate * 100).rounded()))% it churned at in training, "
                + "about \(about(Double(count) * p.churnRate)) of them will churn if nobody acts (their churn probabilities add up to \(about(match.probability)))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The accounts' contract value (flagged, or red), said to be partial or unknown when
    /// it is (a flat table without `contract_value`): "$0 at risk" would read as
    /// "nothing to lose".
    static func valueAtRisk(_ r: AtRisk) -> String {
        if r.valued == 0 { return r.accounts == 0 ? "" : "; contract value unknown" }
        let part = r.valued == r.accounts ? "" : " (\(r.valued) of the \(r.accounts) with a contract value)"
        return "; \(money(r.value)) contract value at risk" + part
    }

    /// Accounts at risk: how many, their expected churns, their contract value.
    struct AtRisk {
        var accounts = 0, expected = 0.0, value = 0.0, valued = 0

        mutating func count(_ row: UnsafePointer<ScoredAccount>) {
            accounts += 1
            expected += row.pointee.churnProbability
            if let v = row.pointee.contractValue { value += v; valued += 1 }
        }

        mutating func add(_ other: AtRisk) {
            accounts += other.accounts; expected += other.expected; value += other.value; valued += other.valued
        }
    }

    /// What the summary counts of the rows.
    struct Tally {
        var bandCounts = [Int](repeating: 0, count: Band.allCases.count)
        var down = 0, up = 0, compared = false, critical = 0
        /// High or critical severity; the red band (what a run without alert rules can say).
        var flagged = AtRisk(), red = AtRisk()
        /// Rows matching each combined pattern, by name, and the sum of their churn probabilities.
        var patternCounts: [String: (accounts: Int, probability: Double)] = [:]
        /// Alert types new since the previous run, and those that fired then and not now.
        var new = TypeCounts(), ended = TypeCounts()

        /// The row through a pointer, as `write` reads it: passed as a value (even
        /// `borrowing`, from a buffer) it was copied, its strings retained, per row.
        mutating func count(_ row: UnsafePointer<ScoredAccount>) {
            bandCounts[row.pointee.band.index] += 1
            if let change = row.pointee.bandChange { compared = true; if change < 0 { down += 1 } else if change > 0 { up += 1 } }
            if !row.pointee.patterns.isEmpty {
                for p in row.pointee.patterns {
                    patternCounts[p, default: (0, 0)].accounts += 1
                    patternCounts[p, default: (0, 0)].probability += row.pointee.churnProbability
                }
            }
            if let types = row.pointee.newAlertTypes { new.count(types) }
            if let types = row.pointee.endedAlertTypes { ended.count(types) }
            if row.pointee.band == .red { red.count(row) }
            guard row.pointee.severity >= .high else { return }
            flagged.count(row)
            if row.pointee.severity == .critical { critical += 1 }
        }

        mutating func add(_ other: Tally) {
            for k in bandCounts.indices { bandCounts[k] += other.bandCounts[k] }
            down += other.down; up += other.up; compared = compared || other.compared
            flagged.add(other.flagged); red.add(other.red); critical += other.critical
            patternCounts.merge(other.patternCounts) { ($0.accounts + $1.accounts, $0.probability + $1.probability) }
            new.add(other.new); ended.add(other.ended)
        }
    }

    /// Alert types counted over rows, and how many rows had any.
    struct TypeCounts {
        var byType: [AlertType: Int] = [:], accounts = 0

        mutating func count(_ types: [AlertType]) {
            if types.isEmpty { return }
            accounts += 1
            for type in types { byType[type, default: 0] += 1 }
        }

        mutating func add(_ other: TypeCounts) {
            byType.merge(other.byType, uniquingKeysWith: +); accounts += other.accounts
        }
    }

    /// $1.2M, $850K, $900.
    public static func money(_ v: Double) -> String {
        if v >= 1e6 { return String(format: "$%.1fM", v / 1e6) }
        if v >= 1e3 { return String(format: "$%.0fK", v / 1e3) }
        return String(format: "$%.0f", v)
    }
}
