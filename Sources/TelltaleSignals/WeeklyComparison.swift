/// How two periods of weekly values compare, for trends that judge a change
/// by the weeks it spans rather than by one total per period.
enum WeeklyComparison {
    /// The mean of the weeks, NaN when there are none.
    static func mean(_ weeks: [Double]) -> Double {
        weeks.isEmpty ? .nan : weeks.reduce(0, +) / Double(weeks.count)
    }

    /// Welch's t of the recent weeks against the baseline weeks:
    /// (recent mean − baseline mean) / √(s²ᵣ/nᵣ + s²ᵦ/nᵦ), with sample variances.
    ///
    /// A ratio says a small account that went from 3 core actions a week to 1
    /// fell as far as a large one that went from 300 to 100; the standard error
    /// tells the first (what Poisson noise and a quiet month also do) from the
    /// second. With `varianceAtLeastMean` (counts) each period's variance is at
    /// least its mean, the variance of a Poisson count: without the floor an
    /// account with a few identical weeks would look certain of any change, and
    /// a period of one week has no variance of its own. Levels (CSAT) get no
    /// floor and need two weeks in each period.
    ///
    /// NaN when a period has too few weeks, or when neither period varies and
    /// the means differ (no spread to judge the difference by); 0 when neither
    /// varies and the means are equal.
    static func welchT(recent: [Double], baseline: [Double], varianceAtLeastMean: Bool) -> Double {
        let fewest = varianceAtLeastMean ? 1 : 2
        guard recent.count >= fewest, baseline.count >= fewest else { return .nan }
        func variance(_ weeks: [Double], mean: Double) -> Double {
            let sample = weeks.count < 2 ? 0 : weeks.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(weeks.count - 1)
            return varianceAtLeastMean ? Swift.max(sample, mean) : sample
        }
        let mr = mean(recent), mb = mean(baseline)
        let se2 = variance(recent, mean: mr) / Double(recent.count) + variance(baseline, mean: mb) / Double(baseline.count)
        guard se2 > 0 else { return mr == mb ? 0 : .nan }
        return (mr - mb) / se2.squareRoot()
    }
}
