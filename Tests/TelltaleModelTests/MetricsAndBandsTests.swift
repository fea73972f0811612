import Foundation
import Testing
@testable import TelltaleModel
@testable import TelltaleModelTraining
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

    /// The band curve is a logistic regression of renewal on the score's log-odds:
    /// the same intercept and slope as the trainer's BLAS fit gives, and its cut
    /// points are the first scores at or above where the curve crosses 55/65/75%.
    @Test func theBandCurveIsTheLogisticFitOfRenewalOnTheScoresLogOdds() throws {
        var r = Rand(s: 21)
        // Scores that overstate risk: the true renewal log-odds are 0.4 + 0.7 × the score's.
        let health = (0..<4000).map { _ in 20 + 78 * r.uniform() }
        let renewed = health.map { h in r.uniform() < 1 / (1 + exp(-(0.4 + 0.7 * log(h / (100 - h))))) }
        let y = renewed.map { $0 ? 1.0 : 0.0 }
        let curve = try #require(BandFitter.logisticCalibration(health: health, renewed: y))
        let reference = try LogisticRegression().fit(x: health.map { log($0 / (100 - $0)) }, y: y, names: ["score log-odds"])
        #expect(abs(curve.intercept - reference.intercept) < 1e-8 && abs(curve.slope - reference.coefficients[1].estimate!) < 1e-8, "\(curve)")
        #expect(abs(curve.slopeStandardError - reference.coefficients[1].standardError!) < 1e-8, "\(curve)")
        #expect(abs(curve.slope - 0.7) < 0.15 && abs(curve.intercept - 0.4) < 0.15, "\(curve)")
        let bands = BandFitter(minimumRows: 20).bands(health: health, renewed: renewed)
        for (cut, mid) in zip(bands.cutPoints, [0.55, 0.65, 0.75]) {
            let exact = 100 / (1 + exp(-((log(mid / (1 - mid)) - curve.intercept) / curve.slope)))
            #expect(cut == health.filter { $0 >= exact - 1e-9 }.min()!, "\(cut) against \(exact)")
        }
        // Renewals that fall as the score rises have no curve to cut: the isotonic fit's one block.
        let backwards = BandFitter(minimumRows: 20).bands(health: health, renewed: health.map { $0 < 50 })
        #expect(backwards.stats.filter { $0.rows > 0 }.count == 1, "\(backwards.stats)")
    }

    /// A segment large enough for its own cut points, whose renewals do not rise
    /// with the score, borrows the population's: its nearly flat curve would put
    /// every account in one band.
    @Test func aSegmentWhoseRenewalsDoNotRiseWithTheScoreBorrowsThePopulationsCutPoints() throws {
        var r = Rand(s: 5)
        let health = (0..<3000).map { _ in 30 + 65 * r.uniform() }
        let segments = health.indices.map { $0 % 3 == 0 ? "flat" : "calibrated" }
        // "calibrated" renews at health / 100; "flat" at 80% whatever its score.
        let renewed = zip(health, segments).map { h, s in r.uniform() < (s == "flat" ? 0.8 : h / 100) }
        let flat = segments.indices.filter { segments[$0] == "flat" }
        #expect(BandFitter.rise(health: flat.map { health[$0] }, renewed: flat.map { renewed[$0] }) == .unclear)
        let (table, borrowing) = BandFitter(minimumRows: 20, minimumSegmentRows: 500).fitExplained(health: health, renewed: renewed, segments: segments)
        #expect(borrowing == ["flat": .notRising(.unclear, renewals: 1000)])
        #expect(table.segments["flat"]!.borrowed && table.segments["flat"]!.cutPoints == table.population.cutPoints)
        #expect(!table.segments["calibrated"]!.borrowed)
        for (c, want) in zip(table.segments["calibrated"]!.cutPoints, [55.0, 65, 75]) { #expect(abs(c - want) < 6, "\(table.segments["calibrated"]!.cutPoints)") }
    }

    /// Two small middle bands pool with each other, not both into red: red keeps
    /// only the renewals under the curve's 55%.
    @Test func scoresThatSeparateTheRenewalsRiseClearlyAndOneOutcomeHasNoCurve() {
        // Every renewed renewal above every churned one: no finite curve, yet as clear a rise as there is.
        let health = (0..<300).map { Double($0) / 3 }
        let separated = health.map { $0 >= 40 }
        #expect(BandFitter.logisticCalibration(health: health, renewed: separated.map { $0 ? 1 : 0 }) == nil)
        #expect(BandFitter.rise(health: health, renewed: separated) == .clear)
        #expect(BandFitter.rise(health: health, renewed: health.map { _ in true }) == .noFiniteCurve)
        // The other way round (renewals fall with the score) is no rise.
        #expect(BandFitter.rise(health: health, renewed: separated.map { !$0 }) != .clear)
    }

    @Test func smallMiddleBandsPoolWithEachOtherRatherThanIntoRed() throws {
        // 100 renewals at health 30 (30% renew), 12 at 62 and 12 at 70, 300 at 92 (90% renew).
        let health = Array(repeating: 30.0, count: 100) + Array(repeating: 62.0, count: 12) + Array(repeating: 70.0, count: 12)
            + Array(repeating: 92.0, count: 300)
        let renewed = (0..<100).map { $0 < 30 } + (0..<12).map { $0 < 7 } + (0..<12).map { $0 < 9 } + (0..<300).map { $0 < 270 }
        let curve = try #require(BandFitter.logisticCalibration(health: health, renewed: renewed.map { $0 ? 1 : 0 }))
        let rates = [62.0, 70].map { curve.renewalRate(health: $0) }
        // The curve puts 62 in orange and 70 in yellow, 12 renewals each: under min_rows.
        #expect(rates[0] >= 0.55 && rates[0] < 0.65 && rates[1] >= 0.65 && rates[1] < 0.75, "\(rates)")
        let bands = BandFitter(minimumRows: 20).bands(health: health, renewed: renewed)
        #expect(bands.stats.map(\.rows) == [100, 0, 24, 300] || bands.stats.map(\.rows) == [100, 24, 0, 300], "\(bands.stats)")
        // Pooled, their mean fitted rate is nearer yellow's 70% or orange's 60%, and so is the label.
        let mean = (rates[0] + rates[1]) / 2
        #expect(bands.stats[abs(mean - 0.7) < abs(mean - 0.6) ? 2 : 1].rows == 24, "mean fitted \(mean)")
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
