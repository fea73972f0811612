import Foundation

/// How well predicted churn probabilities separate and match what happened:
/// the figures the training report and the backtest print.
public struct ClassificationMetrics: Codable, Equatable, Sendable {
    public var rows: Int
    public var positives: Int
    /// Area under the ROC curve: the probability that a random churner is
    /// ranked above a random renewer (ties count one half).
    public var rocAUC: Double
    /// Average precision: Σ over churners, in descending score order, of the
    /// precision at that churner, divided by the churner count (scikit-learn's
    /// `average_precision_score`, ties broken as one block).
    public var prAUC: Double
    /// Churn rate among the top 10% of scores over the overall rate.
    public var topDecileLift: Double
    /// Mean squared error of the probabilities.
    public var brier: Double
    /// Mean negative log-likelihood (probabilities clipped to [1e-15, 1 − 1e-15]).
    public var logLoss: Double
    /// Expected calibration error: Σ (rows in bin / rows) · |mean predicted − observed| over the calibration bins.
    public var expectedCalibrationError: Double
    public var calibration: [CalibrationBin]

    public struct CalibrationBin: Codable, Equatable, Sendable {
        public var rows: Int
        public var meanPredicted: Double
        public var observed: Double
    }

    /// - Parameters:
    ///   - p: predicted churn probabilities.
    ///   - y: outcomes (true = churned).
    ///   - bins: calibration bins of equal row counts by predicted probability (deciles by default).
    public init(p: [Double], y: [Bool], bins: Int = 10) {
        precondition(p.count == y.count && !p.isEmpty)
        let n = p.count
        rows = n
        positives = y.filter { $0 }.count
        let order = p.indices.sorted { p[$0] > p[$1] }
        rocAUC = Self.rocAUC(p: p, y: y)
        // Average precision, tied scores as one block.
        var tp = 0, fp = 0, ap = 0.0, i = 0
        while i < n {
            var j = i, blockPositives = 0
            while j < n && p[order[j]] == p[order[i]] { if y[order[j]] { blockPositives += 1 }; j += 1 }
            tp += blockPositives; fp += (j - i) - blockPositives
            if blockPositives > 0 { ap += Double(blockPositives) * Double(tp) / Double(tp + fp) }
            i = j
        }
        prAUC = positives > 0 ? ap / Double(positives) : .nan
        let top = max(1, Int((Double(n) * 0.1).rounded(.up)))
        let topRate = Double(order.prefix(top).filter { y[$0] }.count) / Double(top)
        let baseRate = Double(positives) / Double(n)
        topDecileLift = baseRate > 0 ? topRate / baseRate : .nan
        var brierSum = 0.0, logSum = 0.0
        for k in 0..<n {
            let yk = y[k] ? 1.0 : 0.0
            brierSum += (p[k] - yk) * (p[k] - yk)
            let q = min(max(p[k], 1e-15), 1 - 1e-15)
            logSum -= y[k] ? log(q) : log(1 - q)
        }
        brier = brierSum / Double(n)
        logLoss = logSum / Double(n)
        // Calibration: equal-count bins by ascending prediction.
        let ascending = order.reversed() as [Int]
        var table: [CalibrationBin] = []
        let b = min(bins, n)
        for k in 0..<b {
            let slice = ascending[(n * k / b)..<(n * (k + 1) / b)]
            guard !slice.isEmpty else { continue }
            let mean = slice.map { p[$0] }.reduce(0, +) / Double(slice.count)
            let obs = Double(slice.filter { y[$0] }.count) / Double(slice.count)
            table.append(CalibrationBin(rows: slice.count, meanPredicted: mean, observed: obs))
        }
        calibration = table
        expectedCalibrationError = table.map { Double($0.rows) / Double(n) * abs($0.meanPredicted - $0.observed) }.reduce(0, +)
    }

    /// ROC AUC by ranks (Mann-Whitney U with mid-ranks for ties).
    /// - Complexity: O(n log n).
    public static func rocAUC(p: [Double], y: [Bool]) -> Double {
        let ranks = midRanks(p)
        let rankSum = p.indices.filter { y[$0] }.map { ranks[$0] }.reduce(0, +)
        let pos = Double(y.filter { $0 }.count), neg = Double(p.count) - pos
        guard pos > 0, neg > 0 else { return .nan }
        return (rankSum - pos * (pos + 1) / 2) / (pos * neg)
    }
}
