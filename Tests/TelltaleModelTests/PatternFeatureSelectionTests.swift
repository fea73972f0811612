import Foundation
import Testing
@testable import TelltaleModel
@testable import TelltaleModelTraining
import TelltalePatterns
import TelltaleTraining

/// Which kept combinations become model features: a pattern found overall and
/// in every segment is exactly the sum of its segment versions, so taking all
/// of them only made the fit drop one and warn "collinear" (two such warnings
/// on a 10,000-account simulated history).
@Suite struct PatternFeatureSelectionTests {
    static let segments: Set<String> = ["SMB", "Mid-Market Annual", "Enterprise Annual"]
    static func p(_ flags: [String], _ segment: String? = nil) -> PatternDefinition { PatternDefinition(flags: flags, segment: segment) }
    /// The features chosen from candidates already in their ranked order.
    static func chosen(_ ranked: [PatternDefinition], segments: Set<String> = segments, limit: Int) -> [PatternDefinition] {
        ModelDesign.patternFeatures(Array(ranked.indices), of: ranked, segments: segments, limit: limit).map { ranked[$0] }
    }

    @Test func theSegmentVersionThatWouldCompleteAnOverallPatternIsPassedOverForTheNextRanked() {
        let triple = ["a", "b", "c"]
        let kept = [Self.p(triple), Self.p(triple, "SMB"), Self.p(["a"]), Self.p(triple, "Enterprise Annual"),
                    Self.p(triple, "Mid-Market Annual"), Self.p(["b", "d"]), Self.p(["c", "d"], "SMB")]
        let chosen = Self.chosen(kept, limit: 5)
        #expect(chosen == [Self.p(triple), Self.p(triple, "SMB"), Self.p(triple, "Enterprise Annual"),
                           Self.p(["b", "d"]), Self.p(["c", "d"], "SMB")])
        // Single flags are signals already, never pattern features.
        #expect(!chosen.contains(Self.p(["a"])))
    }

    @Test func everySegmentVersionWithoutTheOverallPatternIsKept() {
        let kept = Self.segments.sorted().map { Self.p(["a", "b"], $0) }
        #expect(Self.chosen(kept, limit: 20) == kept)
        // And the overall pattern arriving after all of them is the redundant one.
        #expect(Self.chosen(kept + [Self.p(["a", "b"])], limit: 20) == kept)
    }

    @Test func aTableWithOneSegmentTakesThePatternOnce() {
        let chosen = Self.chosen([Self.p(["a", "b"]), Self.p(["a", "b"], "SMB")], segments: ["SMB"], limit: 20)
        #expect(chosen == [Self.p(["a", "b"])])
    }

    /// The reason for the rule, checked on built columns: overall = sum of the
    /// segment versions on every row, and the fit reports the last one collinear.
    @Test func anOverallPatternIsTheSumOfItsSegmentVersionsOnEveryRow() throws {
        let table = FeatureColumnsTests.table(rows: 3_000, seed: 7)
        let names = Set(table.segments)
        let specs = [FeatureSpec(name: "flag", kind: .pattern(Self.p(["flag"])))]
            + names.sorted().map { FeatureSpec(name: "flag in \($0)", kind: .pattern(Self.p(["flag"], $0))) }
        let columns = FeatureBuilder.columns(specs, table: table, preparation: FeatureColumnsTests.preparation, cuts: [])
        for r in 0..<table.rowCount {
            #expect(columns[0][r] == columns.dropFirst().map { $0[r] }.reduce(0, +))
        }
        var x: [Double] = []
        for r in 0..<table.rowCount { for c in columns { x.append(c[r]) } }
        let y = (0..<table.rowCount).map { Double(($0 * 7919) % 5 == 0 ? 1 : 0) }
        let fit = try LogisticRegression(l2: 1).fit(x: x, y: y, names: specs.map(\.name))
        #expect(fit.notes.contains { if case .collinearColumn = $0 { return true } else { return false } }, "\(fit.notes)")
    }
}
