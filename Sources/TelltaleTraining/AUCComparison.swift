import Foundation

/// ROC AUCs of several scores on the same renewals, with DeLong's (1988)
/// covariance: how far an AUC measured on one holdout could be from the
/// model's true one, and whether two models scored on the same renewals
/// really differ. A holdout of a few hundred renewals measures an AUC to
/// ±0.05-0.09 (95%), so a quarter-on-quarter change of 0.01 is usually noise.
///
/// Each churner's placement is the share of renewers it outranks (ties half),
/// each renewer's the share of churners it is outranked by; the AUC is their
/// mean, and its variance comes from their spread. Placements by mid-ranks
/// (Sun & Xu 2014): O(n log n) per score.
public struct AUCComparison: Sendable {
    /// The ROC AUC of each score (churners should score higher).
    public var auc: [Double]
    /// DeLong's covariance of the AUC estimates.
    public var covariance: [[Double]]

    /// `scores[k][i]` is score k of renewal i; `churned[i]` its outcome.
    /// Needs at least two churners and two renewers (else every figure is NaN).
    public init(scores: [[Double]], churned: [Bool]) {
        let positives = churned.indices.filter { churned[$0] }, negatives = churned.indices.filter { !churned[$0] }
        let m = Double(positives.count), n = Double(negatives.count)
        guard positives.count >= 2, negatives.count >= 2 else {
            auc = scores.map { _ in .nan }
            covariance = scores.map { _ in scores.map { _ in .nan } }
            return
        }
        var churnerPlacements: [[Double]] = [], renewerPlacements: [[Double]] = []
        for score in scores {
            let all = midRanks(score)
            let amongChurners = midRanks(positives.map { score[$0] }), amongRenewers = midRanks(negatives.map { score[$0] })
            churnerPlacements.append(positives.indices.map { (all[positives[$0]] - amongChurners[$0]) / n })
            renewerPlacements.append(negatives.indices.map { 1 - (all[negatives[$0]] - amongRenewers[$0]) / m })
        }
        auc = churnerPlacements.map { $0.reduce(0, +) / m }
        func sampleCovariance(_ a: [Double], _ b: [Double]) -> Double {
            let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
            return zip(a, b).map { ($0 - ma) * ($1 - mb) }.reduce(0, +) / Double(a.count - 1)
        }
        covariance = scores.indices.map { k in
            scores.indices.map { l in
                sampleCovariance(churnerPlacements[k], churnerPlacements[l]) / m + sampleCovariance(renewerPlacements[k], renewerPlacements[l]) / n
            }
        }
    }

    public func standardError(_ k: Int) -> Double { covariance[k][k].squareRoot() }

    /// How far score k's true AUC may lie from the measured one: the half-width of its 95% interval.
    public func margin95(_ k: Int) -> Double { NormalDistribution.z975 * standardError(k) }

    /// The 95% Wald interval of score k's AUC, clipped to [0, 1]; NaN when the
    /// renewals cannot measure it (`Swift.max(0, .nan)` is 0, which would read as certain).
    public func interval95(_ k: Int) -> (low: Double, high: Double) {
        let low = auc[k] - margin95(k), high = auc[k] + margin95(k)
        guard !low.isNaN, !high.isNaN else { return (.nan, .nan) }
        return (max(0, low), min(1, high))
    }

    /// AUC of score a minus that of score b, its standard error, 95% interval and
    /// two-sided p-value (DeLong's test for two correlated ROC curves); all NaN
    /// with fewer than two churners or two renewers.
    public func difference(_ a: Int, _ b: Int) -> (estimate: Double, standardError: Double, low: Double, high: Double, pValue: Double) {
        let d = auc[a] - auc[b]
        let variance = covariance[a][a] + covariance[b][b] - 2 * covariance[a][b]
        guard !d.isNaN, !variance.isNaN else { return (.nan, .nan, .nan, .nan, .nan) }
        let se = max(0, variance).squareRoot()
        let half = NormalDistribution.z975 * se
        return (d, se, d - half, d + half, se > 0 ? NormalDistribution.twoSidedPValue(d / se) : (d == 0 ? 1 : 0))
    }
}

/// Ranks 1...n, tied values sharing the mean of their ranks.
func midRanks(_ v: [Double]) -> [Double] {
    let order = v.indices.sorted { v[$0] < v[$1] }
    var ranks = [Double](repeating: 0, count: v.count)
    var i = 0
    while i < order.count {
        var j = i
        while j < order.count && v[order[j]] == v[order[i]] { j += 1 }
        let mid = Double(i + j + 1) / 2 // ranks i+1 ... j
        for k in i..<j { ranks[order[k]] = mid }
        i = j
    }
    return ranks
}
