import Foundation
import Testing
@testable import TelltaleModel
import TelltaleTraining

struct Rand {
    var s: UInt64
    mutating func uniform() -> Double {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}

@Suite struct MetricsAndBandsTests {
    @Test func rocAUCEqualsTheShareOfCorrectlyOrderedPairsWithTiesAsHalf() {
        var r = Rand(s: 4)
        let p = (0..<300).map { _ in (r.uniform() * 20).rounded() / 20 } // many ties
        let y = p.map { r.uniform() < $0 }
        var wins = 0.0, pairs = 0.0
        for i in p.indices where y[i] { for j in p.indices where !y[j] { pairs += 1; wins += p[i] > p[j] ? 1 : (p[i] == p[j] ? 0.5 : 0) } }
        #expect(abs(ClassificationMetrics.rocAUC(p: p, y: y) - wins / pairs) < 1e-12)
        // Invariant under a monotone transform of the scores.
        #expect(abs(ClassificationMetrics.rocAUC(p: p.map { exp(3 * $0) }, y: y) - wins / pairs) < 1e-12)
    }

    @Test func averagePrecisionBrierLogLossAndLiftMatchDirectSums() {
        let p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05]
        let y = [true, false, true, false, false, true, false, false, false, false]
        let m = ClassificationMetrics(p: p, y: y, bins: 5)
        // Precision at each churner: 1/1, 2/3, 3/6 -> AP = (1 + 2/3 + 1/2) / 3.
        #expect(abs(m.prAUC - (1 + 2.0 / 3 + 0.5) / 3) < 1e-12)
        let brier = zip(p, y).map { ($0 - ($1 ? 1 : 0)) * ($0 - ($1 ? 1 : 0)) }.reduce(0, +) / 10
        #expect(abs(m.brier - brier) < 1e-12)
        let ll = zip(p, y).map { $1 ? -log($0) : -log(1 - $0) }.reduce(0, +) / 10
        #expect(abs(m.logLoss - ll) < 1e-12)
        // Top decile = the single highest score, a churner: rate 1 over base 0.3.
        #expect(abs(m.topDecileLift - 1 / 0.3) < 1e-12)
        #expect(m.calibration.count == 5 && m.calibration.map(\.rows) == [2, 2, 2, 2, 2])
        let ece = m.calibration.map { 0.2 * abs($0.meanPredicted - $0.observed) }.reduce(0, +)
        #expect(abs(m.expectedCalibrationError - ece) < 1e-12)
    }

    @Test func isotonicRegressionIsMonotoneAndPreservesTheMean() {
        var r = Rand(s: 9)
        let x = (0..<400).map { _ in r.uniform() }.sorted()
        let y = x.map { r.uniform() < 0.3 + 0.5 * $0 ? 1.0 : 0.0 }
        let f = BandFitter.isotonic(y, ties: x)
        #expect(zip(f, f.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(abs(f.reduce(0, +) - y.reduce(0, +)) < 1e-9)
        // Already monotone input is returned unchanged.
        #expect(BandFitter.isotonic([0, 0, 1, 1], ties: [1, 2, 3, 4]) == [0, 0, 1, 1])
        #expect(BandFitter.isotonic([1, 0], ties: [1, 2]) == [0.5, 0.5])
    }

    @Test func bandsRiseFromRedToGreenAndSmallBandsMerge() {
        var r = Rand(s: 12)
        // Health scores whose true renewal probability is health / 100.
        let health = (0..<3000).map { _ in 30 + 65 * r.uniform() }
        let renewed = health.map { r.uniform() < $0 / 100 }
        let fitter = BandFitter(minimumRows: 50, minimumSegmentRows: 500)
        let table = fitter.fit(health: health, renewed: renewed, segments: health.indices.map { $0 % 10 == 0 ? "tiny" : "big" })
        let pop = table.population
        #expect(zip(pop.cutPoints, pop.cutPoints.dropFirst()).allSatisfy { $0 <= $1 })
        let rates = pop.stats.compactMap(\.renewalRate)
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 < $1 }, "\(rates)")
        #expect(pop.stats.allSatisfy { $0.rows == 0 || $0.rows >= 50 })
        // Cut points near 55, 65, 75 for a calibrated score.
        for (c, want) in zip(pop.cutPoints, [55.0, 65, 75]) { #expect(abs(c - want) < 6, "\(pop.cutPoints)") }
        #expect(table.segments["tiny"]!.borrowed && !table.segments["big"]!.borrowed)
        #expect(table.band(health: 20, segment: "unknown") == (.red, false))
        #expect(table.band(health: 99, segment: "big") == (.green, true))
    }

    /// The holdout check bands each renewal by its own segment's cut points, an
    /// unknown segment by the population's, as the scorer does.
    @Test func bandStatsBandEachRenewalByItsSegmentsCutPoints() {
        let table = BandTable(targets: [0.5, 0.6, 0.7, 0.8],
                              population: SegmentBands(cutPoints: [50, 60, 70], borrowed: false, stats: []),
                              segments: ["A": SegmentBands(cutPoints: [20, 30, 40], borrowed: false, stats: [])])
        // Health 35: yellow in A, red elsewhere; 65: green in A, yellow elsewhere.
        let stats = table.stats(health: [35, 35, 65, 65, 65], renewed: [true, false, true, true, false],
                                segments: ["A", "B", "A", "B", "B"])
        #expect(stats.map(\.band) == Band.allCases)
        #expect(stats.map(\.rows) == [1, 0, 3, 1])
        #expect(stats.map(\.renewed) == [0, 0, 2, 1])
        #expect(stats[2].renewalRate == 2.0 / 3 && stats[1].renewalRate == nil)
    }
}
