import Foundation
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
/// in a larger segment). A segment of fewer than `minimumSegmentAccounts`
/// scored accounts is compared with all of them ("median of all accounts"),
/// as a cohort signal is below its `min_accounts`: a lone account would be its
/// own typical account and get no reason at all.
///
/// A class shared by the rows it explains: a row keeps a handle on the
/// builder (`ReasonSource`, one per chunk of rows) and its index (`Reasons`),
/// and its texts are made when they are read or written.
/// What the writing reads lives in buffers the builder owns: Strings and
/// nested arrays read from every core were retained and released on every
/// use, and their reference counts' cache line went back and forth. (Sendable:
/// the buffers are written in `init` only.)
final class ReasonBuilder: @unchecked Sendable {
    /// Reasons per row at most.
    let count: Int
    let rowCount: Int
    /// Comparison groups: each segment, then (last) every scored account.
    let groupCount: Int
    /// `slots[r * count + i]`: row r's i-th reason (item −1 past the last) and
    /// the value it shows (the signal's raw value, or the model input).
    let slots: UnsafeMutablePointer<Slot>
    /// Row r's comparison group: its segment's, or the last for a small segment.
    let groupOf: UnsafeMutablePointer<Int32>
    /// Per item: how it reads, and where its label is in `text`.
    let kinds: UnsafeMutablePointer<Kind>
    let labels: UnsafeMutablePointer<Range<Int>>
    /// Per item: its label as it reads inside a quoted CSV cell (quotes doubled),
    /// and whether the label alone makes the cell need quotes.
    let quotedLabels: UnsafeMutablePointer<Range<Int>>
    let labelNeedsQuotes: UnsafeMutablePointer<Bool>
    /// Per item: the model input (index into `model.features`) it explains.
    let itemFeatures: [Int]
    /// `suffixes[item * groupCount + group]`: `", segment median M"` (or
    /// `", median of all accounts M"`) in `text`.
    let suffixes: UnsafeMutablePointer<Range<Int>>
    let text: UnsafeMutableBufferPointer<UInt8>

    struct Slot { var item: Int32; var value: Double }
    /// A flag or pattern reads "label" or "not: label"; a value "label 6, segment
    /// median 18"; a signal with no column of values to show, its label alone.
    enum Kind: UInt8 { case flag, value, label }

    /// Pushes smaller than this (log-odds) are not reasons.
    static let minimumPush = 0.05
    static let sampleCap = 20_000
    static let minimumSegmentAccounts = 10

    init(model: ChurnModel, table: SignalTable, segments: RowSegments, features: [[Double]], rows: [Int], count: Int) {
        self.count = count
        rowCount = segments.of.count
        let segmentCount = segments.names.count, everyone = segmentCount
        groupCount = segmentCount + 1
        // Each group's rows, or an even spread of `sampleCap` of them: the
        // spread's j-th row is the group's member number ⌊j × step⌋, picked in
        // one pass by counting members (not by listing a million rows first).
        var sizes = [Int](repeating: 0, count: groupCount)
        for r in rows { sizes[segments.of[r]] += 1 }
        sizes[everyone] = rows.count
        let steps = sizes.map { $0 > Self.sampleCap ? Double($0) / Double(Self.sampleCap) : 1 }
        var members = sizes.map { size -> [Int] in var m: [Int] = []; m.reserveCapacity(min(size, Self.sampleCap)); return m }
        var seen = [Int](repeating: 0, count: groupCount)
        func meet(_ r: Int, in g: Int) {
            if members[g].count < Self.sampleCap && seen[g] == Int(Double(members[g].count) * steps[g]) { members[g].append(r) }
            seen[g] += 1
        }
        let groupOfSegment = (0..<segmentCount).map { sizes[$0] >= Self.minimumSegmentAccounts ? $0 : everyone }
        // The whole population's spread only when a small segment reads it (its medians are NaN otherwise, and unused).
        let anySmall = groupOfSegment.contains(everyone)
        for r in rows {
            meet(r, in: segments.of[r])
            if anySmall { meet(r, in: everyone) }
        }
        let groups = segments.of.map { groupOfSegment[$0] }
        func groupMedians(_ column: [Double]) -> [Double] {
            members.map { m in median(m.map { column[$0] }) }
        }
        var weights: [Double] = [], columns: [[Double]] = []
        var raw: [[Double]?] = [], labels: [String] = [], kinds: [Kind] = [], itemFeatures: [Int] = []
        for (j, spec) in model.features.enumerated() {
            let beta = model.coefficients[j].estimate
            guard beta != 0, spec.scale > 0 else { continue }
            switch spec.kind {
            case .segment: continue // the same for the whole segment: never a reason against it
            case let .signal(name):
                let def = model.signals.first { $0.name == name }
                let values = table.column(name)
                raw.append(values)
                labels.append(Self.clean(def?.label ?? name))
                let isFlag = def.map { d in
                    switch d.kind {
                    case .milestone, .category: return true // "missed: ...", "plan is starter"
                    default: return d.isFlag
                    }
                } ?? false
                kinds.append(isFlag ? .flag : values == nil ? .label : .value)
            case let .pattern(p):
                let sentence = model.patterns.first { $0.definition == p }?.sentence ?? p.name
                raw.append(nil)
                labels.append(Self.clean("combined pattern: " + sentence))
                kinds.append(.flag)
            }
            weights.append(beta / spec.scale)
            columns.append(features[j])
            itemFeatures.append(j)
        }
        // Every median on every core: a few dozen columns times a few segments of up to 20,000 values.
        let medianOf = raw.map { $0 ?? [] } + columns
        let found = Parallel.map(medianOf.count) { medianOf[$0].isEmpty ? [] : groupMedians(medianOf[$0]) }
        let rawMedians = Array(found[..<raw.count]), medians = Array(found[raw.count...])

        // The texts, in one block.
        var bytes: [UInt8] = [], labelRanges: [Range<Int>] = [], suffixRanges: [Range<Int>] = []
        var quotedRanges: [Range<Int>] = [], needsQuotes: [Bool] = []
        func add(_ s: String) -> Range<Int> { let start = bytes.count; bytes += Array(s.utf8); return start..<bytes.count }
        for (k, label) in labels.enumerated() {
            labelRanges.append(add(label))
            quotedRanges.append(add(label.replacingOccurrences(of: "\"", with: "\"\"")))
            needsQuotes.append(label.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D })
            for g in 0..<groupCount {
                let name = g == everyone ? ", median of all accounts " : ", segment median "
                suffixRanges.append(rawMedians[k].isEmpty ? 0..<0 : add(name + Self.format(rawMedians[k][g])))
            }
        }
        text = .allocate(capacity: max(bytes.count, 1))
        _ = text.initialize(from: bytes)
        self.labels = .allocate(capacity: max(labelRanges.count, 1))
        self.labels.initialize(from: labelRanges, count: labelRanges.count)
        suffixes = .allocate(capacity: max(suffixRanges.count, 1))
        suffixes.initialize(from: suffixRanges, count: suffixRanges.count)
        quotedLabels = .allocate(capacity: max(quotedRanges.count, 1))
        quotedLabels.initialize(from: quotedRanges, count: quotedRanges.count)
        labelNeedsQuotes = .allocate(capacity: max(needsQuotes.count, 1))
        labelNeedsQuotes.initialize(from: needsQuotes, count: needsQuotes.count)
        self.itemFeatures = itemFeatures
        self.kinds = .allocate(capacity: max(kinds.count, 1))
        self.kinds.initialize(from: kinds, count: kinds.count)
        groupOf = .allocate(capacity: max(rowCount, 1))
        for (r, g) in groups.enumerated() { groupOf[r] = Int32(g) }
        slots = .allocate(capacity: max(rowCount * count, 1))
        Self.findTop(into: slots, weights: weights, columns: columns, raw: raw, medians: medians, groupOf: groups, count: count)
    }

    deinit {
        slots.deallocate(); groupOf.deallocate(); kinds.deallocate(); labels.deallocate(); suffixes.deallocate()
        quotedLabels.deallocate(); labelNeedsQuotes.deallocate()
        text.deallocate()
    }

    /// Every row's `count` largest pushes over `minimumPush`, largest first (an
    /// equal push keeps the earlier item first), found a column at a time on
    /// every core: row by row, the same work was half of writing the score file.
    /// Initialises `slots` (`count` per row, item −1 past a row's last reason).
    static func findTop(into slots: UnsafeMutablePointer<Slot>, weights: [Double], columns: [[Double]], raw: [[Double]?],
                        medians: [[Double]], groupOf: [Int], count: Int) {
        let n = groupOf.count
        guard count > 0, n > 0 else { return }
        let chunkCount = Parallel.blockCount(rows: n, serialBelow: 20_000, perCore: 4)
        DispatchQueue.concurrentPerform(iterations: chunkCount) { c in
            let rows = Parallel.block(c, of: chunkCount, rows: n), lo = rows.lowerBound, hi = rows.upperBound
            guard lo < hi else { return }
            (slots + lo * count).initialize(repeating: Slot(item: -1, value: 0), count: (hi - lo) * count)
            let pushes = UnsafeMutablePointer<Double>.allocate(capacity: (hi - lo) * count)
            defer { pushes.deallocate() }
            pushes.initialize(repeating: -.infinity, count: (hi - lo) * count)
            for k in weights.indices {
                let w = weights[k], item = Int32(k)
                columns[k].withUnsafeBufferPointer { x in
                medians[k].withUnsafeBufferPointer { m in
                (raw[k] ?? columns[k]).withUnsafeBufferPointer { shown in
                    for r in lo..<hi {
                        let push = w * (x[r] - m[groupOf[r]])
                        // NaN (no median, or no value) fails both tests.
                        guard push > Self.minimumPush else { continue }
                        let p = pushes + (r - lo) * count, t = slots + r * count
                        var i = count - 1
                        guard push > p[i] else { continue }
                        while i > 0 && push > p[i - 1] { p[i] = p[i - 1]; t[i] = t[i - 1]; i -= 1 }
                        p[i] = push
                        t[i] = Slot(item: item, value: shown[r])
                    }
                }
                }
                }
            }
        }
    }

    /// `;` separates reasons in the output, so a label cannot hold one.
    static func clean(_ label: String) -> String { label.replacingOccurrences(of: ";", with: ",") }

    /// Row r's reasons, at most `count`, most important first.
    func slots(row r: Int) -> UnsafeBufferPointer<Slot> {
        let first = slots + r * count
        var n = 0
        while n < count && first[n].item >= 0 { n += 1 }
        return UnsafeBufferPointer(start: first, count: n)
    }

    /// The model input of row r's first reason that `accept` takes. A flag
    /// shown as "not: ..." is passed over: a flag's absence is nothing to act on.
    func firstFeature(row r: Int, where accept: (Int) -> Bool) -> Int? {
        for slot in slots(row: r) {
            let k = Int(slot.item)
            if kinds[k] == .flag && slot.value != 1 { continue }
            if accept(itemFeatures[k]) { return itemFeatures[k] }
        }
        return nil
    }

    func reasons(row r: Int) -> [String] {
        let g = Int(groupOf[r])
        return slots(row: r).map { slot in
            var w = ByteWriter(capacity: 128)
            write(slot, group: g, to: &w)
            return w.string
        }
    }

    /// The row's reasons as one CSV cell (`;` between them), written without
    /// making their strings: quoted, with quotes doubled, when a text needs it.
    /// Whether the cell needs quotes is known from its items, with no scan of
    /// the bytes: a value's ", segment median" has a comma, other texts only
    /// what their label has.
    func writeCSV(row r: Int, to w: inout ByteWriter) {
        let g = Int(groupOf[r])
        let items = slots(row: r)
        let quoted = items.contains { slot in
            let k = Int(slot.item)
            return labelNeedsQuotes[k] || (kinds[k] == .value && !slot.value.isNaN)
        }
        if quoted { w.append(byte: 0x22) }
        for (i, slot) in items.enumerated() {
            if i > 0 { w.append(byte: 0x3B) }
            write(slot, group: g, quoted: quoted, to: &w)
        }
        if quoted { w.append(byte: 0x22) }
    }

    /// One reason's text: "label value, segment median M", "label", "not: label".
    /// `quoted`: inside a quoted CSV cell, so the label's quotes are doubled
    /// (the rest of the text, numbers and fixed words, has none).
    func write(_ slot: Slot, group g: Int, quoted: Bool = false, to w: inout ByteWriter) {
        let k = Int(slot.item)
        func append(_ range: Range<Int>) { w.append(UnsafeBufferPointer(rebasing: text[range])) }
        let label = quoted ? quotedLabels[k] : labels[k]
        switch kinds[k] {
        case .flag:
            if slot.value != 1 { w.append("not: ") }
            append(label)
        case .label:
            append(label)
        case .value:
            append(label)
            if slot.value.isNaN { w.append(": no data (counted as typical)"); return }
            w.append(byte: 0x20)
            Self.write(slot.value, to: &w)
            append(suffixes[k * groupCount + g])
        }
    }

    /// Counts as whole numbers, ratios with two decimals.
    static func format(_ v: Double) -> String {
        var w = ByteWriter(capacity: 24)
        write(v, to: &w)
        return w.string
    }

    static func write(_ v: Double, to w: inout ByteWriter) {
        if v.isNaN { w.append("n/a"); return }
        if abs(v) >= 100 || v == v.rounded() { w.append(int: Int(v.rounded())); return }
        let start = w.count
        w.append(fixed: v, digits: 2)
        while w.count > start, w.last == 0x30 { w.removeLast() }
        if w.last == 0x2E { w.removeLast() }
    }
}

/// The reasons of one scored account, most important first. Kept as the
/// row they are read from until they are written: a million-row run would
/// otherwise build three strings per account only to copy them into the file.
public struct Reasons: Equatable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// The row's builder (through a handle) and index, or the texts themselves (`source` nil).
    let source: ReasonSource?
    let row: Int
    let given: [String]

    init(source: ReasonSource, row: Int) { (self.source, self.row, given) = (source, row, []) }
    public init(_ texts: [String]) { (source, row, given) = (nil, 0, texts) }
    public init(arrayLiteral texts: String...) { self.init(texts) }

    /// The plain-language reasons, e.g. "logins in the last 30 days 6, segment median 18".
    public var texts: [String] { source?.builder.reasons(row: row) ?? given }

    public var description: String { texts.description }

    public static func == (a: Reasons, b: Reasons) -> Bool { a.texts == b.texts }

    /// One CSV cell, `;` between the reasons.
    func writeCSV(to w: inout ByteWriter) {
        // Through the optional, not a binding: binding retained the handle per row.
        if source != nil {
            source?.builder.writeCSV(row: row, to: &w)
        } else if !given.isEmpty {
            w.appendCSV(given.count == 1 ? given[0] : given.joined(separator: ";"))
        }
    }
}

/// A handle on a `ReasonBuilder`, one per chunk of rows: each row holds one,
/// and a million rows retaining the one builder from every core made its
/// reference count's cache line go back and forth (5% of a large run's CPU).
final class ReasonSource: Sendable {
    let builder: ReasonBuilder
    init(_ builder: ReasonBuilder) { self.builder = builder }
}
