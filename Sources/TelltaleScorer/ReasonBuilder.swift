import TelltaleData
import TelltaleModel
import TelltaleSignals

/// Why an account scores as it does, in plain words a CSM can repeat.
///
/// Each model input's push on the log-odds of churn against the segment's
/// typical account is βⱼ/scaleⱼ × (xⱼ − median of xⱼ in the segment); the
/// inputs pushing towards churn most come first, each with the account's
/// value and the segment median in the signal's own units ("logins in the
/// last 30 days 6, segment median 18"). Segment medians come from the
/// accounts scored in the same run (every one, or an even spread of 20,000
/// in a larger segment).
struct ReasonBuilder {
    /// One model input that can be a reason. Parallel arrays rather than an
    /// array of structs: this runs for every account of a million-row file.
    let weights: [Double]
    let columns: [[Double]]
    /// `medians[item][segment]`, in model-input units.
    let medians: [[Double]]
    let raw: [[Double]?]
    let rawMedians: [[Double]]
    let labels: [String]
    /// `", segment median M"` per item and segment: the same for every account of the segment.
    let medianSuffixes: [[String]]
    let isFlag: [Bool]
    /// Segment index of each row, and the segment names.
    let segmentOf: [Int]
    let count: Int
    /// Pushes smaller than this (log-odds) are not reasons.
    static let minimumPush = 0.05
    static let sampleCap = 20_000

    init(model: ChurnModel, table: SignalTable, features: [[Double]], rows: [Int], count: Int) {
        self.count = count
        // Segments are few and their strings shared row to row: a short scan of the
        // ones seen (equal storage compares at once) before any hashing.
        var names: [String: Int] = [:], recent: [String] = []
        segmentOf = table.observations.map { o in
            let s = table.segments[Int(o.account)]
            if let i = recent.firstIndex(of: s) { return i }
            if let i = names[s] { return i }
            names[s] = names.count
            if recent.count == names.count - 1 && recent.count < 16 { recent.append(s) }
            return names.count - 1
        }
        var members = [[Int]](repeating: [], count: names.count)
        for r in rows { members[segmentOf[r]].append(r) }
        for (s, m) in members.enumerated() where m.count > Self.sampleCap {
            let step = Double(m.count) / Double(Self.sampleCap)
            members[s] = (0..<Self.sampleCap).map { m[Int(Double($0) * step)] }
        }
        func segmentMedians(_ column: [Double]) -> [Double] {
            members.map { m in median(m.map { column[$0] }) }
        }
        var weights: [Double] = [], columns: [[Double]] = [], medians: [[Double]] = []
        var raw: [[Double]?] = [], rawMedians: [[Double]] = [], labels: [String] = [], isFlag: [Bool] = []
        for (j, spec) in model.features.enumerated() {
            let beta = model.coefficients[j].estimate
            guard beta != 0, spec.scale > 0 else { continue }
            switch spec.kind {
            case .segment: continue // the same for the whole segment: never a reason against it
            case let .signal(name):
                let def = model.signals.first { $0.name == name }
                let values = table.column(name)
                raw.append(values)
                rawMedians.append(values.map(segmentMedians) ?? [])
                labels.append(Self.clean(def?.label ?? name))
                isFlag.append(def.map { d in
                    if case .milestone = d.kind { return true }
                    return d.isFlag
                } ?? false)
            case let .pattern(p):
                let sentence = model.patterns.first { $0.definition == p }?.sentence ?? p.name
                raw.append(nil)
                rawMedians.append([])
                labels.append(Self.clean("combined pattern: " + sentence))
                isFlag.append(true)
            }
            weights.append(beta / spec.scale)
            columns.append(features[j])
            medians.append(segmentMedians(features[j]))
        }
        (self.weights, self.columns, self.medians, self.raw, self.rawMedians, self.labels, self.isFlag) =
            (weights, columns, medians, raw, rawMedians, labels, isFlag)
        medianSuffixes = rawMedians.map { m in m.map { ", segment median " + Self.format($0) } }
    }

    /// `;` separates reasons in the output, so a label cannot hold one.
    static func clean(_ label: String) -> String { label.replacingOccurrences(of: ";", with: ",") }

    func reasons(row r: Int) -> [String] {
        let s = segmentOf[r]
        var pushes: [(Double, Int)] = []
        for k in weights.indices {
            let m = medians[k][s]
            guard !m.isNaN else { continue }
            let push = weights[k] * (columns[k][r] - m)
            if push > Self.minimumPush { pushes.append((push, k)) }
        }
        guard !pushes.isEmpty else { return [] }
        pushes.sort { $0.0 > $1.0 }
        return pushes.prefix(count).map { describe($0.1, row: r, segment: s) }
    }

    func describe(_ k: Int, row r: Int, segment s: Int) -> String {
        if isFlag[k] {
            return (raw[k]?[r] ?? columns[k][r]) == 1 ? labels[k] : "not: " + labels[k]
        }
        guard let values = raw[k] else { return labels[k] }
        let v = values[r]
        return v.isNaN ? labels[k] + ": no data (counted as typical)" : labels[k] + " " + Self.format(v) + medianSuffixes[k][s]
    }

    /// Counts as whole numbers, ratios with two decimals.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "n/a" }
        if abs(v) >= 100 || v == v.rounded() { return String(Int(v.rounded())) }
        var s = formatFixed(v, digits: 2)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
