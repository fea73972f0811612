import Dispatch
import Foundation

/// How the combined-pattern search runs (`patterns:` in the config).
public struct PatternSearchSettings: Codable, Equatable, Sendable {
    /// Largest number of flags in a conjunction.
    public var maxOrder = 3
    /// A pattern needs at least this many rows...
    public var minSupport = 20
    /// ...and at least this share of the rows in its scope.
    public var minShare = 0.01
    /// Patterns are kept when their q-value (Benjamini-Hochberg over every
    /// pattern tested, all scopes together) is under this.
    public var alpha = 0.05
    /// Also search within each segment that has enough rows.
    public var bySegment = true
    public var minSegmentRows = 300
    /// Two kept patterns whose rows overlap at least this much (Jaccard
    /// index) are one finding: the better-ranked one stays.
    public var duplicateOverlap = 0.9

    public init() {}

    enum CodingKeys: String, CodingKey {
        case maxOrder = "max_order", minSupport = "min_support", minShare = "min_share", alpha
        case bySegment = "by_segment", minSegmentRows = "min_segment_rows", duplicateOverlap = "duplicate_overlap"
    }
}

/// The rows a search runs over: everything, or one segment.
public struct SearchScope: Sendable {
    /// nil for all rows.
    public var segment: String?
    /// Rows in scope (nil: all).
    public var mask: [UInt64]?
    public var name: String { segment ?? "all" }
}

/// One tested conjunction within one scope, with its counts.
struct TestedPattern: Sendable {
    var items: [Int32]
    var n: Int
    var churned: Int
}

/// Exhaustive, level-wise search of flag conjunctions with a minimum support.
///
/// Level L extends each frequent (L−1)-pattern P by every later flag k whose
/// every (L−1)-subset is frequent (support only falls as flags are added, so
/// nothing frequent is skipped). P's rows are materialised once; each
/// extension is then one fused pass computing |P∧k| and |P∧k∧churned|.
/// Prefixes run in parallel.
struct PatternEnumerator {
    let flags: [[UInt64]]
    let churned: [UInt64]
    let wordCount: Int

    /// Every pattern up to `maxOrder` flags with at least `minCount` rows.
    func run(maxOrder: Int, minCount: Int) -> [TestedPattern] {
        var all: [TestedPattern] = []
        var level: [TestedPattern] = []
        for f in flags.indices {
            let (n, c) = flags[f].withUnsafeBufferPointer { fp in churned.withUnsafeBufferPointer { yp in
                Self.counts(nil, fp.baseAddress!, yp.baseAddress!, wordCount) } }
            if n >= minCount { level.append(TestedPattern(items: [Int32(f)], n: n, churned: c)) }
        }
        all += level
        var order = 1
        while order < maxOrder && !level.isEmpty {
            let frequent = Set(level.map(\.items))
            let prefixes = level
            var results = [[TestedPattern]](repeating: [], count: prefixes.count)
            results.withUnsafeMutableBufferPointer { out in
                let base = out.baseAddress!
                DispatchQueue.concurrentPerform(iterations: prefixes.count) { p in
                    base[p] = extend(prefixes[p].items, frequent: frequent, minCount: minCount)
                }
            }
            level = results.flatMap { $0 }
            all += level
            order += 1
        }
        return all
    }

    private func extend(_ prefix: [Int32], frequent: Set<[Int32]>, minCount: Int) -> [TestedPattern] {
        let last = Int(prefix.last!)
        var candidates: [Int] = []
        for k in (last + 1)..<flags.count {
            // Apriori: every subset of prefix+k that drops one prefix flag must be frequent
            // (the prefix itself is, by construction).
            var ok = true
            for drop in 0..<prefix.count {
                var subset = prefix
                subset.remove(at: drop)
                subset.append(Int32(k))
                if !frequent.contains(subset) { ok = false; break }
            }
            if ok { candidates.append(k) }
        }
        guard !candidates.isEmpty else { return [] }
        var rows = flags[Int(prefix[0])]
        for f in prefix.dropFirst() { for w in 0..<wordCount { rows[w] &= flags[Int(f)][w] } }
        var out: [TestedPattern] = []
        rows.withUnsafeBufferPointer { pp in
            churned.withUnsafeBufferPointer { yp in
                for k in candidates {
                    let (n, c) = flags[k].withUnsafeBufferPointer { fp in Self.counts(pp.baseAddress!, fp.baseAddress!, yp.baseAddress!, wordCount) }
                    if n >= minCount { out.append(TestedPattern(items: prefix + [Int32(k)], n: n, churned: c)) }
                }
            }
        }
        return out
    }

    /// |p ∧ f| and |p ∧ f ∧ y| in one pass (p nil: |f| and |f ∧ y|).
    @inline(__always)
    static func counts(_ p: UnsafePointer<UInt64>?, _ f: UnsafePointer<UInt64>, _ y: UnsafePointer<UInt64>, _ words: Int) -> (Int, Int) {
        var n = 0, c = 0
        if let p {
            for w in 0..<words {
                let x = p[w] & f[w]
                n &+= x.nonzeroBitCount
                c &+= (x & y[w]).nonzeroBitCount
            }
        } else {
            for w in 0..<words {
                n &+= f[w].nonzeroBitCount
                c &+= (f[w] & y[w]).nonzeroBitCount
            }
        }
        return (n, c)
    }
}
