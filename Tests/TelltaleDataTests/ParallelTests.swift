import Foundation
import Testing
import TelltaleData

/// Work spread over the cores must come back in order, whole, once per item.
@Suite struct ParallelTests {
    @Test func aColumnByBlocksHasEveryRowsValueInOrder() {
        #expect(Parallel.column(rows: 123_457, serialBelow: 50_000) { Double($0 * 3) } == (0..<123_457).map { Double($0 * 3) })
        #expect(Parallel.column(rows: 7, serialBelow: 50_000) { Double($0) } == [0, 1, 2, 3, 4, 5, 6])
        // Fewer rows than blocks: some blocks are empty.
        #expect(Parallel.column(rows: 3, serialBelow: 0) { Double($0) } == [0, 1, 2])
        #expect(Parallel.column(rows: 0, serialBelow: 0) { Double($0) } == [])
    }

    @Test func aMapOnEveryCoreKeepsTheItemsOrder() {
        #expect(Parallel.map(1_000) { "item \($0)" } == (0..<1_000).map { "item \($0)" })
        #expect(Parallel.map(0) { $0 }.isEmpty)
    }

    @Test func aSmallTablesMapRunsOnTheCallingThreadAndALargeOnesKeepsOrder() {
        let caller = Thread.current
        var onCaller = true
        _ = Parallel.map(64, rows: 10, serialBelow: 50_000) { _ in onCaller = onCaller && Thread.current == caller }
        #expect(onCaller)
        #expect(Parallel.map(300, rows: 1_000_000, serialBelow: 50_000) { $0 * 2 } == (0..<300).map { $0 * 2 })
    }

    @Test func blocksCoverEveryRowOnceInOrder() {
        for (rows, blocks) in [(0, 1), (1, 1), (3, 8), (10, 3), (1_000_003, 16)] {
            let ranges = (0..<blocks).map { Parallel.block($0, of: blocks, rows: rows) }
            #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == rows)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            // Even: sizes differ by at most one row.
            let sizes = ranges.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1, "\(rows) rows in \(blocks): \(sizes)")
        }
        #expect(Parallel.blockCount(rows: 10, serialBelow: 100, perCore: 4) == 1)
        #expect(Parallel.blockCount(rows: 100, serialBelow: 100, perCore: 4) == 4 * ProcessInfo.processInfo.activeProcessorCount)
    }
}
