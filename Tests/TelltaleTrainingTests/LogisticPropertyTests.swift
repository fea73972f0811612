import Foundation
import Testing
import TelltaleScoring
@testable import TelltaleTraining

/// A small deterministic generator so failures name a seed that reproduces them.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> Double {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Double(state >> 11) / Double(1 << 53)
    }
    mutating func normal() -> Double {
        let u = max(next(), 1e-300), v = next()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

/// n rows of p features drawn with different scales and offsets, and a
/// logistic outcome from known coefficients.
func simulatedLogistic(n: Int, p: Int, seed: UInt64) -> (x: [Double], y: [Double], names: [String]) {
    var rng = SeededRandom(seed: seed)
    var x = [Double](repeating: 0, count: n * p)
    var y = [Double](repeating: 0, count: n)
    let beta = (0..<p).map { j in (j % 2 == 0 ? 0.6 : -0.4) / Double(j + 1) }
    for i in 0..<n {
        var eta = -0.7
        for j in 0..<p {
            let v = rng.normal() * Double(j + 1) + Double(j) * 3
            x[i * p + j] = v
            eta += beta[j] * (v - Double(j) * 3) / Double(j + 1)
        }
        y[i] = rng.next() < Logistic.sigmoid(eta) ? 1 : 0
    }
    return (x, y, (0..<p).map { "x\($0 + 1)" })
}

@Suite struct LogisticPropertyTests {
    @Test(arguments: [0.0, 2.0])
    func gradientOfTheObjectiveIsZeroAtTheEstimate(l2: Double) throws {
        let (x, y, names) = simulatedLogistic(n: 1500, p: 5, seed: 11)
        let fit = try LogisticRegression(l2: l2).fit(x: x, y: y, names: names)
        let b = fit.coefficients.map { $0.estimate! }
        // Independent recomputation on the user's scale with plain loops.
        var g = [Double](repeating: 0, count: 6)
        for i in 0..<y.count {
            var eta = b[0]
            for j in 0..<5 { eta += b[j + 1] * x[i * 5 + j] }
            let r = Logistic.sigmoid(eta) - y[i]
            g[0] += r
            for j in 0..<5 { g[j + 1] += r * x[i * 5 + j] }
        }
        for j in 0..<5 { g[j + 1] += l2 * b[j + 1] }
        for (j, gj) in g.enumerated() { #expect(abs(gj) < 1e-7, "gradient[\(j)] = \(gj)") }
    }

    @Test func permutingRowsChangesNothing() throws {
        let (x, y, names) = simulatedLogistic(n: 800, p: 4, seed: 5)
        var rng = SeededRandom(seed: 99)
        var order = Array(0..<y.count)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() * Double(i + 1))) }
        let px = order.flatMap { x[($0 * 4)..<($0 * 4 + 4)] }
        let py = order.map { y[$0] }
        let a = try LogisticRegression().fit(x: x, y: y, names: names)
        let b = try LogisticRegression().fit(x: px, y: py, names: names)
        for (ra, rb) in zip(a.coefficients, b.coefficients) {
            #expect(relativeClose(rb.estimate, ra.estimate!, 1e-9))
            #expect(relativeClose(rb.standardError, ra.standardError!, 1e-9))
        }
        #expect(relativeClose(b.logLikelihood, a.logLikelihood, 1e-12))
    }

    @Test func scalingAColumnDividesItsCoefficientAndStandardError() throws {
        let (x, y, names) = simulatedLogistic(n: 800, p: 3, seed: 7)
        var scaled = x
        for i in 0..<y.count { scaled[i * 3 + 1] *= 1000 }
        let a = try LogisticRegression().fit(x: x, y: y, names: names)
        let b = try LogisticRegression().fit(x: scaled, y: y, names: names)
        #expect(relativeClose(b.coefficients[2].estimate, a.coefficients[2].estimate! / 1000, 1e-8))
        #expect(relativeClose(b.coefficients[2].standardError, a.coefficients[2].standardError! / 1000, 1e-8))
        #expect(relativeClose(b.coefficients[2].z, a.coefficients[2].z!, 1e-8))
        #expect(relativeClose(b.coefficients[1].estimate, a.coefficients[1].estimate!, 1e-8))
    }

    @Test func duplicatingEveryRowHalvesTheVariance() throws {
        let (x, y, names) = simulatedLogistic(n: 600, p: 3, seed: 3)
        let a = try LogisticRegression().fit(x: x, y: y, names: names)
        let b = try LogisticRegression().fit(x: x + x, y: y + y, names: names)
        for (ra, rb) in zip(a.coefficients, b.coefficients) {
            #expect(relativeClose(rb.estimate, ra.estimate!, 1e-9))
            #expect(relativeClose(rb.standardError! * rb.standardError!, ra.standardError! * ra.standardError! / 2, 1e-8))
        }
        // ... and weight 2 on every row is the same as duplicating.
        let w = try LogisticRegression().fit(x: x, y: y, names: names, weights: Array(repeating: 2, count: y.count))
        for (rb, rw) in zip(b.coefficients, w.coefficients) { #expect(relativeClose(rw.standardError, rb.standardError!, 1e-9)) }
    }

    /// Why the trainer clusters on accounts: a renewal counted twice is no new evidence.
    /// Clustered on the original row, the doubled data's errors are the original's, but
    /// for the small-sample factor (N−1)/(N−K) taking N = 1,200 instead of 600.
    @Test func duplicatingEveryRowWithinItsClusterLeavesClusteredErrorsAlone() throws {
        let (x, y, names) = simulatedLogistic(n: 600, p: 3, seed: 3)
        let rows = Array(0..<600)
        let a = try LogisticRegression().fit(x: x, y: y, names: names, clusters: Clusters(rows))
        let b = try LogisticRegression().fit(x: x + x, y: y + y, names: names, clusters: Clusters(rows + rows))
        #expect(b.errors == .clustered(clusters: 600))
        let k = Double(a.parameterCount)
        let factor = ((1200 - 1) / (1200 - k)) / ((600 - 1) / (600 - k))
        for (ra, rb) in zip(a.coefficients, b.coefficients) {
            #expect(relativeClose(rb.estimate, ra.estimate!, 1e-9))
            #expect(relativeClose(rb.standardError! * rb.standardError!, ra.standardError! * ra.standardError! * factor, 1e-8), "\(rb.name)")
        }
        // One cluster: nothing to cluster on, the errors stay model-based.
        for l2 in [0.0, 3.0] {
            let one = try LogisticRegression(l2: l2).fit(x: x, y: y, names: names, clusters: Clusters(Array(repeating: 0, count: 600)))
            let plain = try LogisticRegression(l2: l2).fit(x: x, y: y, names: names)
            #expect(one.errors == .modelBased && one.coefficients == plain.coefficients)
            // Four clusters cannot estimate how four parameters vary: model-based too.
            let four = try LogisticRegression(l2: l2).fit(x: x, y: y, names: names, clusters: Clusters(rows.map { $0 % 4 }))
            #expect(four.errors == .modelBased && four.coefficients == plain.coefficients)
            let five = try LogisticRegression(l2: l2).fit(x: x, y: y, names: names, clusters: Clusters(rows.map { $0 % 5 }))
            #expect(five.errors == .clustered(clusters: 5))
        }
    }

    @Test func singleAndDoublePrecisionEarlyHessiansReachTheSameOptimum() throws {
        let (x, y, names) = simulatedLogistic(n: 5000, p: 8, seed: 21)
        let a = try LogisticRegression(singlePrecisionEarlyHessians: true).fit(x: x, y: y, names: names)
        let b = try LogisticRegression(singlePrecisionEarlyHessians: false).fit(x: x, y: y, names: names)
        for (ra, rb) in zip(a.coefficients, b.coefficients) {
            #expect(relativeClose(ra.estimate, rb.estimate!, 1e-10))
            #expect(relativeClose(ra.standardError, rb.standardError!, 1e-8))
        }
    }

    @Test func threadCountDoesNotChangeTheResult() throws {
        let (x, y, names) = simulatedLogistic(n: 9000, p: 6, seed: 8)
        let a = try LogisticRegression(threads: 1).fit(x: x, y: y, names: names)
        let b = try LogisticRegression(threads: 2).fit(x: x, y: y, names: names)
        for (ra, rb) in zip(a.coefficients, b.coefficients) { #expect(relativeClose(ra.estimate, rb.estimate!, 1e-10)) }
    }
}

/// The large-data path (subsample collinearity screen, warm start, reused
/// Hessians) exercised on small data by shrinking the subsample.
@Suite struct LargeDataPathTests {
    @Test func warmStartReachesTheSameOptimumAsAColdStart() throws {
        let (x, y, names) = simulatedLogistic(n: 8000, p: 6, seed: 31)
        let cold = try LogisticRegression(subsampleRows: 1_000_000).fit(x: x, y: y, names: names)
        let warm = try LogisticRegression(subsampleRows: 500).fit(x: x, y: y, names: names)
        for (c, w) in zip(cold.coefficients, warm.coefficients) {
            #expect(relativeClose(w.estimate, c.estimate!, 1e-9), "\(c.name)")
            #expect(relativeClose(w.standardError, c.standardError!, 1e-8), "\(c.name)")
        }
        #expect(warm.converged)
    }

    @Test func aRareLevelMissingFromTheSubsampleIsNotCalledCollinear() throws {
        var (x, y, _) = simulatedLogistic(n: 6000, p: 2, seed: 17)
        // A 0/1 column set on 7 rows that a stride-12 subsample never visits.
        let rare = (0..<y.count).map { $0 % 12 == 5 && $0 < 12 * 7 ? 1.0 : 0.0 }
        x = (0..<y.count).flatMap { (i: Int) -> [Double] in [x[i * 2], x[i * 2 + 1], rare[i]] }
        let fit = try LogisticRegression(l2: 0.5, subsampleRows: 500).fit(x: x, y: y, names: ["a", "b", "rare"])
        #expect(fit.notes.isEmpty, "\(fit.notes)")
        #expect(fit.coefficients[3].estimate != nil)
        y[0] = y[0]
    }

    @Test func collinearityIsFoundOnTheLargeDataPathToo() throws {
        let (x0, y, _) = simulatedLogistic(n: 6000, p: 2, seed: 19)
        let x = (0..<y.count).flatMap { (i: Int) -> [Double] in [x0[i * 2], x0[i * 2 + 1], x0[i * 2] + x0[i * 2 + 1]] }
        let fit = try LogisticRegression(subsampleRows: 500).fit(x: x, y: y, names: ["a", "b", "sum"])
        #expect(fit.notes == [.collinearColumn("sum", combination: "a + b")])
    }
}
