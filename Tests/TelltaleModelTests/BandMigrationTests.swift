import Testing
import TelltaleData
import TelltaleModel

/// The re-calibration's effect on today's accounts, as the report states it.
@Suite struct BandMigrationTests {
    typealias Score = BandMigration.Score
    let day = Day(year: 2026, month: 7, day: 1)!

    @Test func accountsAreCrossTabulatedByTheirBandUnderEachModel() {
        // Eight accounts with known moves; X only under the previous model, Y only under the new one.
        let moves: [(String, Band, Band)] = [("A", .red, .red), ("B", .red, .orange), ("C", .orange, .red), ("D", .green, .yellow),
                                             ("E", .green, .green), ("F", .green, .red), ("G", .yellow, .green), ("H", .green, .green)]
        let previous = moves.enumerated().map { Score(accountID: $1.0, band: $1.1, churnProbability: 0.1 * Double($0 + 1)) }
            + [Score(accountID: "X", band: .red, churnProbability: 0.9)]
        let new = moves.reversed().enumerated().map { Score(accountID: $1.0, band: $1.2, churnProbability: 0.05 * Double($0 + 1)) }
            + [Score(accountID: "Y", band: .green, churnProbability: 0.01)]
        let m = BandMigration(asOf: day, previous: previous, new: new)
        #expect(m.counts == [[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [1, 0, 1, 2]])
        #expect(m.scoredByBoth == 8 && m.onlyPrevious == 1 && m.onlyNew == 1)
        #expect(m.previousBands == [2, 1, 1, 4] && m.newBands == [3, 1, 1, 3])
        // Worse: C (orange -> red), D (green -> yellow), F (green -> red); better: B, G.
        #expect(m.worse == 3 && m.better == 2)
        // The accounts both scored only: 0.1 + ... + 0.8 = 3.6 and 0.05 + ... + 0.40 = 1.8 (X and Y left out).
        #expect(abs(m.expectedChurnsPrevious - 3.6) < 1e-12 && abs(m.expectedChurnsNew - 1.8) < 1e-12)
        let lines = m.reportLines()
        #expect(lines.contains("- bands, previous -> this model: red 2 -> 3, orange 1 -> 1, yellow 1 -> 1, green 4 -> 3"))
        #expect(lines.contains("- 5 accounts change band (62.5%): 3 to a less healthy band, 2 to a healthier one; 3 keep theirs"))
        #expect(lines.contains("| green | 1 | 0 | 1 | 2 | 4 |"))
        #expect(lines.contains { $0.hasSuffix("8 accounts scored by both; 1 scored by the previous model only, 1 by this one only (the other could not score them; `telltale score` lists why).") })
        #expect(m.summaryLine == "today's accounts (as of 2026-07-01) by band, previous -> this model: red 2 -> 3, orange 1 -> 1, yellow 1 -> 1, green 4 -> 3; 3 to a less healthy band, 2 to a healthier one")
    }

    @Test func theSameScoresUnderBothModelsMoveNoAccount() {
        let scores = (0..<40).map { Score(accountID: "A\($0)", band: Band.allCases[$0 % 4], churnProbability: 0.02 * Double($0 % 7)) }
        let m = BandMigration(asOf: day, previous: scores, new: scores.shuffled())
        #expect(m.worse == 0 && m.better == 0 && m.onlyPrevious == 0 && m.onlyNew == 0)
        #expect(m.counts.indices.allSatisfy { i in m.counts[i].indices.allSatisfy { j in m.counts[i][j] == (i == j ? 10 : 0) } })
        #expect(m.expectedChurnsPrevious == m.expectedChurnsNew || abs(m.expectedChurnsPrevious - m.expectedChurnsNew) < 1e-12)
        #expect(m.reportLines().last == "| green | 0 | 0 | 0 | 10 | 10 |")
    }
}
