import Foundation
import TelltaleData

/// Today's accounts scored by last quarter's model and by the new one: how
/// many would change band if the new file replaced the old.
///
/// A re-calibration can move many accounts at once (a model that separates
/// better widens the red band), and every one of those moves reaches a CSM's
/// queue the next morning. The coefficient and cut-point lines of
/// `changes(since:)` do not say how many; this does, before the file is deployed.
public struct BandMigration: Equatable, Sendable {
    /// One account's score under one model.
    public struct Score: Equatable, Sendable {
        public var accountID: String
        public var band: Band
        public var churnProbability: Double

        public init(accountID: String, band: Band, churnProbability: Double) {
            self.accountID = accountID
            self.band = band
            self.churnProbability = churnProbability
        }
    }

    /// The date both models scored at (from usage before it).
    public var asOf: Day
    /// `counts[old.index][new.index]`: accounts scored by both, by band under each.
    public var counts: [[Int]]
    /// Accounts only one of the two models could score (the other rejected them).
    public var onlyPrevious: Int
    public var onlyNew: Int
    /// The sum of the churn probabilities over the accounts both scored: the
    /// churns each model expects among them.
    public var expectedChurnsPrevious: Double
    public var expectedChurnsNew: Double

    public init(asOf: Day, previous: [Score], new: [Score]) {
        self.asOf = asOf
        let before = Dictionary(previous.map { ($0.accountID, $0) }, uniquingKeysWith: { a, _ in a })
        var counts = Array(repeating: Array(repeating: 0, count: Band.allCases.count), count: Band.allCases.count)
        var both = Set<String>(), expectedBefore = 0.0, expectedNow = 0.0
        for s in new {
            guard let old = before[s.accountID], both.insert(s.accountID).inserted else { continue }
            counts[old.band.index][s.band.index] += 1
            expectedBefore += old.churnProbability
            expectedNow += s.churnProbability
        }
        self.counts = counts
        onlyPrevious = before.keys.filter { !both.contains($0) }.count
        onlyNew = Set(new.map(\.accountID)).subtracting(both).count
        expectedChurnsPrevious = expectedBefore
        expectedChurnsNew = expectedNow
    }

    public var scoredByBoth: Int { counts.joined().reduce(0, +) }
    /// Accounts in each band under the previous and the new model, red first.
    public var previousBands: [Int] { counts.map { $0.reduce(0, +) } }
    public var newBands: [Int] { Band.allCases.map { b in counts.reduce(0) { $0 + $1[b.index] } } }
    /// Accounts whose band the new model puts lower (less healthy) or higher.
    public var worse: Int { pairs.filter { $0.new < $0.old }.reduce(0) { $0 + $1.count } }
    public var better: Int { pairs.filter { $0.new > $0.old }.reduce(0) { $0 + $1.count } }

    private var pairs: [(old: Int, new: Int, count: Int)] {
        counts.indices.flatMap { i in counts[i].indices.map { j in (i, j, counts[i][j]) } }
    }

    /// "red 41 -> 12, orange 24 -> 56, yellow 25 -> 64, green 663 -> 621": each band's accounts under the previous model and the new.
    public var bandCounts: String {
        Band.allCases.map { "\($0.rawValue) \(previousBands[$0.index]) -> \(newBands[$0.index])" }.joined(separator: ", ")
    }

    /// "45 to a less healthy band, 32 to a healthier one".
    public var moves: String { "\(worse) to a less healthy band, \(better) to a healthier one" }

    /// The report's lines: bands before and after, the moves, and the table
    /// of moves (rows: the previous model's band).
    public func reportLines() -> [String] {
        let n = scoredByBoth
        func share(_ k: Int) -> String { n == 0 ? "-" : String(format: "%.1f%%", 100 * Double(k) / Double(n)) }
        var out = ["", "### Today's accounts under each model", ""]
        out.append("Scored as of \(asOf) (the day after the usage data ends, as `telltale score` does) by the previous model and by this one: "
            + "\(n) accounts scored by both" + (onlyPrevious + onlyNew == 0 ? "." : "; \(onlyPrevious) scored by the previous model only, \(onlyNew) by this one only (the other could not score them; `telltale score` lists why)."))
        out.append("")
        out.append("- bands, previous -> this model: " + bandCounts)
        out.append("- \(worse + better) accounts change band (\(share(worse + better))): \(moves); "
            + "\(Band.allCases.reduce(0) { $0 + counts[$1.index][$1.index] }) keep theirs")
        out.append(String(format: "- churns expected among them (the sum of the churn probabilities): %.1f -> %.1f", expectedChurnsPrevious, expectedChurnsNew))
        out.append("")
        out.append("| previous band | " + Band.allCases.map { "now \($0.rawValue)" }.joined(separator: " | ") + " | total |")
        out.append("|---|" + String(repeating: "---|", count: Band.allCases.count + 1))
        for b in Band.allCases {
            out.append("| \(b.rawValue) | " + counts[b.index].map(String.init).joined(separator: " | ") + " | \(previousBands[b.index]) |")
        }
        return out
    }

    /// One line for the command's summary on stderr.
    public var summaryLine: String {
        "today's accounts (as of \(asOf)) by band, previous -> this model: \(bandCounts); \(moves)"
    }
}
