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
}
