import Dispatch
import Foundation

/// Work spread over the machine's cores, results in order: what the scoring
/// and signal code does to a million-row table a column or a block of rows
/// at a time. Inlinable so that a caller's closure is specialised into the
/// loop, as it was when each caller wrote the loop itself.
public enum Parallel {
    /// `body(i)` for each `i` in `0..<count`, on whichever core is free, in
    /// order: for a few large items (a column of a table each).
    @inlinable
    public static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        guard count > 0 else { return [] }
        return [T](unsafeUninitializedCapacity: count) { out, initialized in
            let base = out.baseAddress!
            DispatchQueue.concurrentPerform(iterations: count) { (base + $0).initialize(to: body($0)) }
            initialized = count
        }
    }

    /// `value(r)` for every row `r` in `0..<rows`, blocks of rows on every
    /// core; a single block under `serialBelow` rows, where handing blocks
    /// out costs more than it saves.
    @inlinable
    public static func column(rows n: Int, serialBelow: Int, _ value: (Int) -> Double) -> [Double] {
        let blocks = n < serialBelow ? 1 : min(64, ProcessInfo.processInfo.activeProcessorCount * 4)
        return [Double](unsafeUninitializedCapacity: n) { out, initialized in
            let base = out.baseAddress
            DispatchQueue.concurrentPerform(iterations: blocks) { b in
                for r in n * b / blocks..<n * (b + 1) / blocks { (base! + r).initialize(to: value(r)) }
            }
            initialized = n
        }
    }
}
