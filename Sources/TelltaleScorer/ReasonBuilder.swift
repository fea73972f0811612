import Foundation
import TelltaleData
import TelltaleModel
import TelltaleSignals

/// Each row's segment as a small number, and the segments' names.
struct RowSegments {
    let of: [Int]
    let names: [String]

    init(_ table: SignalTable) {
        // Segments are few and their strings shared row to row: a short scan of the
        // ones seen (equal storage compares at once) before any hashing.
        var index: [String: Int] = [:], recent: [String] = [], names: [String] = []
        of = table.observations.map { o in
            let s = table.segments[Int(o.account)]
            if let i = recent.firstIndex(of: s) { return i }
            if let i = index[s] { return i }
            index[s] = names.count
            names.append(s)
            if recent.count == names.count - 1 && recent.count < 16 { recent.append(s) }
            return names.count - 1
        }
        self.names = names
    }
}

/// Why an account scores as it does, in plain words a CSM can repeat.
///
/// Each model input's push on the log-odds of churn against the segment's
/// typical account is βⱼ/scaleⱼ × (xⱼ − median of xⱼ in the segment); the
/// inputs pushing towards churn most come first, each with the account's
/// value and the segment median in the signal's own units ("logins in the
/// last 30 days 6, segment median 18"). Segment medians come from the
/// accounts scored in the same run (every one, or an even spread of 20,000
/// in a larger segment).
///
/// A class shared by the rows it explains: a row keeps the builder and its
/// index (`Reasons`) and its texts are made when they are read or written.
final class ReasonBuilder: Sendable {
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
    /// Each row's reasons, `count` item indices per row from the most important, −1 past the last.
    let top: [Int16]
    /// Pushes smaller than this (log-odds) are not reasons.
    static let minimumPush = 0.05
    static let sampleCap = 20_000

    init(model: ChurnModel, table: SignalTable, segments: RowSegments, features: [[Double]], rows: [Int], count: Int) {
        self.count = count
        segmentOf = segments.of
        var members = [[Int]](repeating: [], count: segments.names.count)
        for r in rows { members[segmentOf[r]].append(r) }
        for (s, m) in members.enumerated() where m.count > Self.sampleCap {
            let step = Double(m.count) / Double(Self.sampleCap)
            members[s] = (0..<Self.sampleCap).map { m[Int(Double($0) * step)] }
        }
        func segmentMedians(_ column: [Double]) -> [Double] {
            members.map { m in median(m.map { column[$0] }) }
        }
        var weights: [Double] = [], columns: [[Double]] = []
        var raw: [[Double]?] = [], labels: [String] = [], isFlag: [Bool] = []
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
                isFlag.append(def.map { d in
                    if case .milestone = d.kind { return true }
                    return d.isFlag
                } ?? false)
            case let .pattern(p):
                let sentence = model.patterns.first { $0.definition == p }?.sentence ?? p.name
                raw.append(nil)
                labels.append(Self.clean("combined pattern: " + sentence))
                isFlag.append(true)
            }
            weights.append(beta / spec.scale)
            columns.append(features[j])
        }
        // Every median on every core: a few dozen columns times a few segments of up to 20,000 values.
        let medianOf = raw.map { $0 ?? [] } + columns
        var found = [[Double]](repeating: [], count: medianOf.count)
        found.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: medianOf.count) { i in
                base[i] = medianOf[i].isEmpty ? [] : segmentMedians(medianOf[i])
            }
        }
        let rawMedians = Array(found[..<raw.count]), medians = Array(found[raw.count...])
        (self.weights, self.columns, self.medians, self.raw, self.rawMedians, self.labels, self.isFlag) =
            (weights, columns, medians, raw, rawMedians, labels, isFlag)
        medianSuffixes = rawMedians.map { m in m.map { ", segment median " + Self.format($0) } }
        top = Self.topItems(weights: weights, columns: columns, medians: medians, segmentOf: segmentOf, count: count)
    }

    /// Every row's `count` largest pushes over `minimumPush`, largest first (an
    /// equal push keeps the earlier item first), found a column at a time on
    /// every core: row by row, the same work was half of writing the score file.
    static func topItems(weights: [Double], columns: [[Double]], medians: [[Double]], segmentOf: [Int], count: Int) -> [Int16] {
        let n = segmentOf.count
        guard count > 0, n > 0 else { return [] }
        var top = [Int16](repeating: -1, count: n * count)
        let chunkCount = n < 20_000 ? 1 : ProcessInfo.processInfo.activeProcessorCount * 4
        let size = (n + chunkCount - 1) / chunkCount
        top.withUnsafeMutableBufferPointer { out in
            let items = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunkCount) { c in
                let lo = min(n, c * size), hi = min(n, (c + 1) * size)
                guard lo < hi else { return }
                let pushes = UnsafeMutablePointer<Double>.allocate(capacity: (hi - lo) * count)
                defer { pushes.deallocate() }
                pushes.initialize(repeating: -.infinity, count: (hi - lo) * count)
                for k in weights.indices {
                    let w = weights[k], item = Int16(k)
                    columns[k].withUnsafeBufferPointer { x in
                    medians[k].withUnsafeBufferPointer { m in
                        for r in lo..<hi {
                            let push = w * (x[r] - m[segmentOf[r]])
                            // NaN (no median, or no value) fails both tests.
                            guard push > Self.minimumPush else { continue }
                            let p = pushes + (r - lo) * count, t = items + r * count
                            var i = count - 1
                            guard push > p[i] else { continue }
                            while i > 0 && push > p[i - 1] { p[i] = p[i - 1]; t[i] = t[i - 1]; i -= 1 }
                            p[i] = push
                            t[i] = item
                        }
                    }
                    }
                }
            }
        }
        return top
    }

    /// `;` separates reasons in the output, so a label cannot hold one.
    static func clean(_ label: String) -> String { label.replacingOccurrences(of: ";", with: ",") }

    func reasons(row r: Int) -> [String] {
        let s = segmentOf[r]
        return withTop(row: r) { items in items.map { describe(Int($0), row: r, segment: s) } }
    }

    /// The row's reasons as one CSV cell (`;` between them), written without
    /// making their strings: quoted, with quotes doubled, when a text needs it.
    func writeCSV(row r: Int, to w: inout ByteWriter) {
        let s = segmentOf[r]
        withTop(row: r) { items in
            let start = w.count
            for (i, k) in items.enumerated() {
                if i > 0 { w.append(byte: 0x3B) }
                write(Int(k), row: r, segment: s, to: &w)
            }
            w.quoteCSV(from: start)
        }
    }

    /// The items pushing the row's churn risk most (over `minimumPush`), largest
    /// first, at most `count`.
    func withTop<T>(row r: Int, _ body: (UnsafeBufferPointer<Int16>) -> T) -> T {
        top.withUnsafeBufferPointer { all in
            var n = 0
            while n < count && all[r * count + n] >= 0 { n += 1 }
            return body(UnsafeBufferPointer(rebasing: all[(r * count)..<(r * count + n)]))
        }
    }

    func describe(_ k: Int, row r: Int, segment s: Int) -> String {
        var w = ByteWriter(capacity: 128)
        write(k, row: r, segment: s, to: &w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// One reason's text: "label value, segment median M", "label", "not: label".
    func write(_ k: Int, row r: Int, segment s: Int, to w: inout ByteWriter) {
        if isFlag[k] {
            if (raw[k]?[r] ?? columns[k][r]) != 1 { w.append("not: ") }
            w.append(labels[k])
            return
        }
        w.append(labels[k])
        guard let values = raw[k] else { return }
        let v = values[r]
        if v.isNaN { w.append(": no data (counted as typical)"); return }
        w.append(byte: 0x20)
        Self.write(v, to: &w)
        w.append(medianSuffixes[k][s])
    }

    /// Counts as whole numbers, ratios with two decimals.
    static func format(_ v: Double) -> String {
        var w = ByteWriter(capacity: 24)
        write(v, to: &w)
        return String(decoding: w.bytes, as: UTF8.self)
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
    /// The row's builder and index, or the texts themselves (`builder` nil).
    let builder: ReasonBuilder?
    let row: Int
    let given: [String]

    init(builder: ReasonBuilder, row: Int) { (self.builder, self.row, given) = (builder, row, []) }
    public init(_ texts: [String]) { (builder, row, given) = (nil, 0, texts) }
    public init(arrayLiteral texts: String...) { self.init(texts) }

    /// The plain-language reasons, e.g. "logins in the last 30 days 6, segment median 18".
    public var texts: [String] { builder?.reasons(row: row) ?? given }

    public var description: String { texts.description }

    public static func == (a: Reasons, b: Reasons) -> Bool { a.texts == b.texts }

    /// One CSV cell, `;` between the reasons.
    func writeCSV(to w: inout ByteWriter) {
        if let builder {
            builder.writeCSV(row: row, to: &w)
        } else if !given.isEmpty {
            w.appendCSV(given.count == 1 ? given[0] : given.joined(separator: ";"))
        }
    }
}
