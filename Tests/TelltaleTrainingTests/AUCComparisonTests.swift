import Foundation
import Testing
@testable import TelltaleTraining

@Suite struct AUCComparisonTests {
    /// `count` renewals, the first `churners` churned; score 0 is binormal with
    /// separation `shift`, score 1 is score 0 plus independent noise of sd `noise`.
    static func twoScores(churners: Int, count: Int, shift: Double, noise: Double, round: Double?, rng: inout SeededRandom) -> ([[Double]], [Bool]) {
        let churned = (0..<count).map { $0 < churners }
        var a = churned.map { ($0 ? shift : 0) + rng.normal() }
        var b = a.map { $0 + noise * rng.normal() }
        if let round { a = a.map { ($0 / round).rounded() * round }; b = b.map { ($0 / round).rounded() * round } }
        return ([a, b], churned)
    }

    @Test func placementsByMidRanksEqualThoseCountedPairByPair() {
        var rng = SeededRandom(seed: 11)
        // Rounded to 0.25: many ties, which count half.
        let (scores, churned) = Self.twoScores(churners: 37, count: 150, shift: 0.8, noise: 0.7, round: 0.25, rng: &rng)
        let got = AUCComparison(scores: scores, churned: churned)
        let pos = churned.indices.filter { churned[$0] }, neg = churned.indices.filter { !churned[$0] }
        func beats(_ x: Double, _ y: Double) -> Double { x > y ? 1 : x == y ? 0.5 : 0 }
        let v10 = scores.map { s in pos.map { i in neg.map { beats(s[i], s[$0]) }.reduce(0, +) / Double(neg.count) } }
        let v01 = scores.map { s in neg.map { j in pos.map { beats(s[$0], s[j]) }.reduce(0, +) / Double(pos.count) } }
        func cov(_ a: [Double], _ b: [Double]) -> Double {
            let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
            var s = 0.0
            for k in a.indices { s += (a[k] - ma) * (b[k] - mb) }
            return s / Double(a.count - 1)
        }
        for k in 0..<2 {
            let auc = v10[k].reduce(0, +) / Double(pos.count)
            #expect(abs(got.auc[k] - auc) < 1e-12)
            #expect(abs(got.auc[k] - ClassificationMetrics.rocAUC(p: scores[k], y: churned)) < 1e-12)
            for l in 0..<2 {
                let c = cov(v10[k], v10[l]) / Double(pos.count) + cov(v01[k], v01[l]) / Double(neg.count)
                #expect(abs(got.covariance[k][l] - c) < 1e-12, "covariance[\(k)][\(l)]")
            }
        }
        let d = got.difference(0, 1)
        #expect(abs(d.estimate - (got.auc[0] - got.auc[1])) < 1e-15)
        #expect(abs(d.standardError * d.standardError - (got.covariance[0][0] + got.covariance[1][1] - 2 * got.covariance[0][1])) < 1e-15)
    }

    /// The variance is an estimate of how AUCs spread over repeated holdouts:
    /// checked against that spread itself, over 2,000 simulated holdouts.
    @Test func standardErrorsMatchTheSpreadOverRepeatedHoldoutsAndTheTestHoldsItsLevel() {
        var rng = SeededRandom(seed: 5)
        let replications = 2000
        var aucs: [Double] = [], differences: [Double] = [], ses: [Double] = [], differenceSEs: [Double] = []
        var nullRejections = 0
        for _ in 0..<replications {
            let (scores, churned) = Self.twoScores(churners: 50, count: 250, shift: 1, noise: 0.8, round: nil, rng: &rng)
            let c = AUCComparison(scores: scores, churned: churned)
            aucs.append(c.auc[0]); ses.append(c.standardError(0))
            differences.append(c.difference(0, 1).estimate); differenceSEs.append(c.difference(0, 1).standardError)
            // Two scores of equal true AUC (the same construction, independent noise): under the null.
            let noisy = scores[0].map { $0 + 0.8 * rng.normal() }
            if AUCComparison(scores: [scores[1], noisy], churned: churned).difference(0, 1).pValue < 0.05 { nullRejections += 1 }
        }
        func sd(_ v: [Double]) -> Double {
            let m = v.reduce(0, +) / Double(v.count)
            return (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
        }
        let meanSE = ses.reduce(0, +) / Double(replications), meanDifferenceSE = differenceSEs.reduce(0, +) / Double(replications)
        #expect(abs(meanSE / sd(aucs) - 1) < 0.08, "mean DeLong SE \(meanSE), spread \(sd(aucs))")
        #expect(abs(meanDifferenceSE / sd(differences) - 1) < 0.08, "mean DeLong SE \(meanDifferenceSE), spread \(sd(differences))")
        let size = Double(nullRejections) / Double(replications)
        #expect(size > 0.03 && size < 0.07, "rejections under the null: \(size)")
    }

    @Test func tooFewOfEitherOutcomeGivesNaNRatherThanAFigure() {
        let c = AUCComparison(scores: [[0.1, 0.2, 0.3]], churned: [true, false, false])
        #expect(c.auc[0].isNaN && c.standardError(0).isNaN)
        // The interval and the test stay NaN too: clipping had made the interval
        // 0 to 1 and the test's p 0 ("p < 0.001") on a 15-renewal holdout.
        let two = AUCComparison(scores: [[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]], churned: [true, false, false])
        let ci = two.interval95(0), d = two.difference(0, 1)
        #expect(ci.low.isNaN && ci.high.isNaN)
        #expect(d.estimate.isNaN && d.standardError.isNaN && d.low.isNaN && d.high.isNaN && d.pValue.isNaN)
    }
}
