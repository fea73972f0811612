import Dispatch
import Foundation
import TelltaleSignals

/// A combination of flags, saved in the model file so the scorer can say
/// which patterns an account matches.
public struct PatternDefinition: Codable, Equatable, Sendable {
    /// Flag names, in the order of the flag set.
    public var flags: [String]
    /// The segment the pattern was found in; nil for all segments.
    public var segment: String?

    public init(flags: [String], segment: String? = nil) {
        self.flags = flags
        self.segment = segment
    }

    /// `a & b & c` (the pattern column of the table).
    public var name: String { flags.joined(separator: " & ") }
}

/// Why a tested pattern is or is not in the result.
public enum PatternStatus: Equatable, Sendable, CustomStringConvertible {
    case kept
    /// Its churn rate does not beat all of its parts significantly (q ≥ α), or is below the base rate.
    case notSignificant
    /// Covers (nearly) the same rows as a better-ranked kept pattern.
    case duplicate(of: String)

    public var description: String {
        switch self {
        case .kept: return "kept"
        case .notSignificant: return "not significant"
        case let .duplicate(of): return "duplicate of \(of)"
        }
    }
}

/// One tested pattern with everything the report says about it.
public struct PatternResult: Sendable {
    public var definition: PatternDefinition
    /// Plain words for each flag.
    public var labels: [String]
    public var order: Int { definition.flags.count }
    /// Rows (observations: an account before one renewal) with every flag.
    public var accounts: Int
    public var churned: Int
    public var churnRate: Double
    public var ciLow: Double
    public var ciHigh: Double
    /// Churn rate over the scope's base rate.
    public var lift: Double
    /// Churn rate over the weakest ratio against a single part: how much the
    /// combination adds to the part it beats least.
    public var liftOverParts: Double
    /// Churn rate over the best proper sub-pattern's churn rate (order 1: the lift).
    public var synergy: Double
    public var bestSubpattern: String
    /// One-sided Fisher test that the rate beats every proper sub-pattern (and
    /// the base rate): the largest p-value of those comparisons.
    public var pValue: Double
    public var qValue: Double
    public var baseRate: Double
    public var scopeRows: Int
    public var status: PatternStatus

    /// "no login for 14+ days AND more than 10 support cases in 30 days: 131
    /// accounts, 48% churned (base 22%)", the form a CSM reads.
    public var sentence: String {
        words + Self.countsLead(accounts) + "\(Int((100 * churnRate).rounded()))% churned (base \(Int((100 * baseRate).rounded()))%)"
    }

    /// The pattern in words, with its segment: the sentence before its counts.
    public var words: String { labels.joined(separator: " AND ") + (definition.segment.map { " [\($0)]" } ?? "") }

    /// The words of a `sentence` (a model file keeps the sentence alone).
    public static func words(ofSentence sentence: String, accounts: Int) -> String {
        sentence.range(of: countsLead(accounts), options: .backwards).map { String(sentence[..<$0.lowerBound]) } ?? sentence
    }

    private static func countsLead(_ accounts: Int) -> String { ": \(accounts) accounts, " }
}

/// The whole search: every scope, every tested pattern, ranked.
public struct PatternReport: Sendable {
    public var settings: PatternSearchSettings
    public var results: [PatternResult]
    public var testedCount: Int
    public var flagNames: [String]
    public var scopes: [String]
    public var rows: Int
    public var baseRate: Double

    public var kept: [PatternResult] { results.filter { $0.status == .kept } }
}

/// Finds the combined patterns: searches each scope, tests every frequent
/// pattern against all its sub-patterns, controls the false discovery rate
/// over every test, and collapses patterns that describe the same accounts.
public struct PatternFinder {
    public var settings: PatternSearchSettings
    public init(settings: PatternSearchSettings = PatternSearchSettings()) { self.settings = settings }

    /// - Parameters:
    ///   - flags: the binary flags over the rows.
    ///   - churned: the outcome per row.
    ///   - segments: each row's segment, for per-segment search (nil: overall only).
    public func run(flags: FlagMatrix, churned: [Bool], segments: [String]? = nil) -> PatternReport {
        precondition(churned.count == flags.rows, "one outcome per row")
        let y = FlagMatrix.bitset(rows: flags.rows) { churned[$0] }
        var scopes = [SearchScope(segment: nil, mask: nil)]
        if settings.bySegment, let segments {
            var rowsBySegment: [String: Int] = [:]
            for s in segments { rowsBySegment[s, default: 0] += 1 }
            for (s, n) in rowsBySegment.sorted(by: { $0.key < $1.key }) where n >= settings.minSegmentRows && rowsBySegment.count > 1 {
                scopes.append(SearchScope(segment: s, mask: FlagMatrix.bitset(rows: flags.rows) { segments[$0] == s }))
            }
        }

        var results: [PatternResult] = []
        for scope in scopes {
            let scoped: [[UInt64]]
            let yScoped: [UInt64]
            if let mask = scope.mask {
                scoped = flags.bits.map { zip($0, mask).map { $0 & $1 } }
                yScoped = zip(y, mask).map { $0 & $1 }
            } else {
                scoped = flags.bits
                yScoped = y
            }
            let n = scope.mask.map(FlagMatrix.popcount) ?? flags.rows
            let c = FlagMatrix.popcount(yScoped)
            guard n > 0 else { continue }
            let minCount = settings.minimumCount(rows: n)
            let tested = PatternEnumerator(flags: scoped, churned: yScoped, wordCount: flags.wordCount)
                .run(maxOrder: settings.maxOrder, minCount: minCount)
            var byItems: [[Int32]: TestedPattern] = [:]
            for t in tested { byItems[t.items] = t }
            let base = Double(c) / Double(n)
            var evaluated = [PatternResult?](repeating: nil, count: tested.count)
            evaluated.withUnsafeMutableBufferPointer { out in
                let slots = out.baseAddress!
                DispatchQueue.concurrentPerform(iterations: min(64, max(1, tested.count / 256))) { chunk in
                    let chunks = min(64, max(1, tested.count / 256))
                    for i in (tested.count * chunk / chunks)..<(tested.count * (chunk + 1) / chunks) {
                        slots[i] = evaluate(tested[i], byItems: byItems, scopeRows: n, scopeChurned: c, base: base, flags: flags, scope: scope)
                    }
                }
            }
            results += evaluated.map { $0! }
        }

        // False discovery rate over every test of every scope.
        let q = PatternStatistics.benjaminiHochberg(results.map(\.pValue))
        for i in results.indices {
            results[i].qValue = q[i]
            results[i].status = q[i] < settings.alpha && results[i].churnRate > results[i].baseRate ? .kept : .notSignificant
        }

        // Rank: the lower end of the churn-rate interval rewards both a high rate and enough accounts.
        var order = results.indices.sorted { a, b in
            let x = results[a], y = results[b]
            if (x.status == .kept) != (y.status == .kept) { return x.status == .kept }
            if x.ciLow != y.ciLow { return x.ciLow > y.ciLow }
            if x.order != y.order { return x.order < y.order }
            return x.definition.name < y.definition.name
        }
        // Collapse kept patterns that cover (nearly) the same rows as a better-ranked one.
        var keptSoFar: [(index: Int, rows: [UInt64], count: Int)] = []
        for i in order where results[i].status == .kept {
            let rows = rowsOf(results[i], flags: flags, segments: segments)
            let count = FlagMatrix.popcount(rows)
            if let twin = keptSoFar.first(where: { jaccard(rows, count, $0.rows, $0.count) >= settings.duplicateOverlap }) {
                results[i].status = .duplicate(of: results[twin.index].definition.name + (results[twin.index].definition.segment.map { " [\($0)]" } ?? ""))
            } else {
                keptSoFar.append((i, rows, count))
            }
        }
        order = order.filter { results[$0].status == .kept } + order.filter { results[$0].status != .kept }
        let all = Double(churned.filter { $0 }.count) / Double(max(1, churned.count))
        return PatternReport(settings: settings, results: order.map { results[$0] }, testedCount: results.count,
                             flagNames: flags.names, scopes: scopes.map(\.name), rows: flags.rows, baseRate: all)
    }

    private func evaluate(_ t: TestedPattern, byItems: [[Int32]: TestedPattern], scopeRows: Int, scopeChurned: Int,
                          base: Double, flags: FlagMatrix, scope: SearchScope) -> PatternResult {
        let rate = Double(t.churned) / Double(t.n)
        let (lo, hi) = PatternStatistics.wilson(successes: t.churned, n: t.n)
        // Every proper sub-pattern, the empty one (all rows in scope) included.
        var pMax = 0.0
        var bestRate = -1.0, bestName = "(all rows)"
        var weakestPartLift = Double.infinity
        let k = t.items.count
        for mask in 0..<((1 << k) - 1) {
            let subset = (0..<k).filter { mask & (1 << $0) != 0 }.map { t.items[$0] }
            let (sn, sc) = subset.isEmpty ? (scopeRows, scopeChurned) : byItems[subset].map { ($0.n, $0.churned) } ?? (scopeRows, scopeChurned)
            // The pattern's rows against the sub-pattern's other rows.
            let p = PatternStatistics.fisherGreater(c1: t.churned, n1: t.n, c2: sc - t.churned, n2: sn - t.n)
            pMax = max(pMax, p)
            if !subset.isEmpty {
                let subRate = Double(sc) / Double(sn)
                if subRate > bestRate { bestRate = subRate; bestName = subset.map { flags.names[Int($0)] }.joined(separator: " & ") }
                if subset.count == 1 { weakestPartLift = min(weakestPartLift, subRate > 0 ? rate / subRate : .infinity) }
            }
        }
        let synergy = k == 1 ? rate / base : (bestRate > 0 ? rate / bestRate : .infinity)
        let names = t.items.map { flags.names[Int($0)] }
        return PatternResult(definition: PatternDefinition(flags: names, segment: scope.segment),
                             labels: t.items.map { flags.labels[Int($0)] }, accounts: t.n, churned: t.churned, churnRate: rate,
                             ciLow: lo, ciHigh: hi, lift: base > 0 ? rate / base : .infinity,
                             liftOverParts: k == 1 ? rate / base : weakestPartLift, synergy: synergy,
                             bestSubpattern: k == 1 ? "(all rows)" : bestName, pValue: pMax, qValue: 1,
                             baseRate: base, scopeRows: scopeRows, status: .notSignificant)
    }

    private func rowsOf(_ r: PatternResult, flags: FlagMatrix, segments: [String]?) -> [UInt64] {
        var rows = flags.bits[flags.names.firstIndex(of: r.definition.flags[0])!]
        for name in r.definition.flags.dropFirst() {
            let f = flags.bits[flags.names.firstIndex(of: name)!]
            for w in rows.indices { rows[w] &= f[w] }
        }
        if let s = r.definition.segment, let segments {
            let mask = FlagMatrix.bitset(rows: flags.rows) { segments[$0] == s }
            for w in rows.indices { rows[w] &= mask[w] }
        }
        return rows
    }

    private func jaccard(_ a: [UInt64], _ na: Int, _ b: [UInt64], _ nb: Int) -> Double {
        var both = 0
        for w in a.indices { both += (a[w] & b[w]).nonzeroBitCount }
        let either = na + nb - both
        return either == 0 ? 1 : Double(both) / Double(either)
    }
}

extension FlagMatrix {
    /// Per row: whether every flag of the pattern is set (and the row is in
    /// the pattern's segment, when it has one). A flag the matrix lacks never matches.
    public func rows(matching pattern: PatternDefinition, segments: RowSegments) -> [Bool] {
        let columns = pattern.flags.map { name in names.firstIndex(of: name).map { bits[$0] } }
        guard !columns.contains(where: { $0 == nil }) else { return Array(repeating: false, count: rows) }
        // The conjunction a word at a time; the segment compared only on rows that have every flag.
        var all = [UInt64](repeating: ~0, count: wordCount)
        for b in columns { for w in all.indices { all[w] &= b![w] } }
        // A pattern of a segment no row is in matches nothing.
        let segment: Int? = pattern.segment.map { segments.code(of: $0) ?? -1 }
        return (0..<rows).map { r in
            guard all[r >> 6] & (1 << UInt64(r & 63)) != 0 else { return false }
            if let segment, segments.of[r] != segment { return false }
            return true
        }
    }
}
