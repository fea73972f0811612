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

    /// As `map`, but on the calling thread for a table of fewer than
    /// `serialBelow` rows, where waking the other cores costs more than it saves.
    @inlinable
    public static func map<T>(_ count: Int, rows: Int, serialBelow: Int, _ body: (Int) -> T) -> [T] {
        rows < serialBelow ? (0..<count).map(body) : map(count, body)
    }

    /// How many blocks `rows` rows are cut into: one under `serialBelow`,
    /// else `perCore` for each core (more blocks than cores even out the
    /// blocks' unequal work).
    @inlinable
    public static func blockCount(rows: Int, serialBelow: Int, perCore: Int) -> Int {
        rows < serialBelow ? 1 : ProcessInfo.processInfo.activeProcessorCount * perCore
    }

    /// Block `b` of `blocks` even blocks of the rows `0..<rows` (empty ones
    /// when there are fewer rows than blocks); in order, they cover every row once.
    @inlinable
    public static func block(_ b: Int, of blocks: Int, rows: Int) -> Range<Int> {
        rows * b / blocks..<rows * (b + 1) / blocks
    }

    /// `value(r)` for every row `r` in `0..<rows`, blocks of rows on every
    /// core; a single block under `serialBelow` rows.
    @inlinable
    public static func column(rows n: Int, serialBelow: Int, _ value: (Int) -> Double) -> [Double] {
        let blocks = min(64, blockCount(rows: n, serialBelow: serialBelow, perCore: 4))
        return [Double](unsafeUninitializedCapacity: n) { out, initialized in
            let base = out.baseAddress
            DispatchQueue.concurrentPerform(iterations: blocks) { b in
                for r in block(b, of: blocks, rows: n) { (base! + r).initialize(to: value(r)) }
            }
            initialized = n
        }
    }
}
