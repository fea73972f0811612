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
    struct Item {
        var weight: Double
        var column: [Double]
        var medians: [String: Double]
        var raw: [Double]?
        var rawMedians: [String: Double]
        var label: String
        var isFlag: Bool
    }

    let items: [Item]
    let segmentOf: [String]
    let count: Int
    /// Pushes smaller than this (log-odds) are not reasons.
    static let minimumPush = 0.05
    static let sampleCap = 20_000

    init(model: ChurnModel, table: SignalTable, features: [[Double]], rows: [Int], count: Int) {
        self.count = count
        segmentOf = table.observations.map { table.segments[Int($0.account)] }
        var bySegment: [String: [Int]] = [:]
        for r in rows { bySegment[segmentOf[r], default: []].append(r) }
        for (s, members) in bySegment where members.count > Self.sampleCap {
            let step = Double(members.count) / Double(Self.sampleCap)
            bySegment[s] = (0..<Self.sampleCap).map { members[Int(Double($0) * step)] }
        }
        func medians(_ column: [Double]) -> [String: Double] {
            bySegment.mapValues { members in median(members.map { column[$0] }) }
        }
        var items: [Item] = []
        for (j, spec) in model.features.enumerated() {
            let beta = model.coefficients[j].estimate
            guard beta != 0, spec.scale > 0 else { continue }
            switch spec.kind {
            case .segment: continue // the same for the whole segment: never a reason against it
            case let .signal(name):
                let def = model.signals.first { $0.name == name }
                let raw = table.column(name)
                items.append(Item(weight: beta / spec.scale, column: features[j], medians: medians(features[j]),
                                  raw: raw, rawMedians: raw.map(medians) ?? [:], label: def?.label ?? name,
                                  isFlag: def.map { d in
                                      if case .milestone = d.kind { return true }
                                      return d.isFlag
                                  } ?? false))
            case let .pattern(p):
                let sentence = model.patterns.first { $0.definition == p }?.sentence ?? p.name
                items.append(Item(weight: beta / spec.scale, column: features[j], medians: medians(features[j]),
                                  raw: nil, rawMedians: [:], label: "combined pattern: " + sentence, isFlag: true))
            }
        }
        self.items = items
    }

    func reasons(row r: Int) -> [String] {
        let segment = segmentOf[r]
        var pushes: [(Double, Int)] = []
        for (k, item) in items.enumerated() {
            guard let m = item.medians[segment], !m.isNaN else { continue }
            let push = item.weight * (item.column[r] - m)
            if push > Self.minimumPush { pushes.append((push, k)) }
        }
        pushes.sort { $0.0 > $1.0 }
        return pushes.prefix(count).map { describe(items[$0.1], row: r, segment: segment) }
    }

    func describe(_ item: Item, row r: Int, segment: String) -> String {
        let text: String
        if item.isFlag {
            let on = (item.raw?[r] ?? item.column[r]) == 1
            text = on ? item.label : "not: " + item.label
        } else if let raw = item.raw {
            let v = raw[r]
            text = v.isNaN ? "\(item.label): no data (counted as typical)"
                : "\(item.label) \(Self.format(v)), segment median \(Self.format(item.rawMedians[segment] ?? .nan))"
        } else {
            text = item.label
        }
        // `;` separates reasons in the output.
        return text.replacingOccurrences(of: ";", with: ",")
    }

    /// Counts as whole numbers, ratios with two decimals.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "n/a" }
        if abs(v) >= 100 || v == v.rounded() { return String(Int(v.rounded())) }
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
