import Foundation
import Testing
@testable import TelltaleTraining

@Suite struct FitDiagnosticsTests {
    @Test func constantColumnIsDroppedAndNamed() throws {
        var (x, y, names) = simulatedLogistic(n: 500, p: 2, seed: 1)
        x = (0..<y.count).flatMap { (i: Int) -> [Double] in [x[i * 2], 7.0, x[i * 2 + 1]] }
        names = ["a", "always_seven", "b"]
        let fit = try LogisticRegression().fit(x: x, y: y, names: names)
        #expect(fit.notes.contains(.constantColumn("always_seven", value: 7)))
        #expect(fit.coefficients[2].dropped == "constant")
        #expect(fit.coefficients[2].estimate == nil)
        // The others are what a fit without the column gives.
        let reduced = try LogisticRegression().fit(x: (0..<y.count).flatMap { (i: Int) -> [Double] in [x[i * 3], x[i * 3 + 2]] }, y: y, names: ["a", "b"])
        #expect(relativeClose(fit.coefficients[3].estimate, reduced.coefficients[2].estimate!, 1e-10))
    }

    @Test func exactlyCollinearColumnIsNamedWithItsCombination() throws {
        let (x0, y, _) = simulatedLogistic(n: 700, p: 2, seed: 2)
        // total = 2·a − b + 5, an exact combination.
        var x: [Double] = []
        for i in 0..<y.count {
            let a: Double = x0[i * 2]
            let b: Double = x0[i * 2 + 1]
            let total: Double = 2 * a - b + 5
            x += [a, b, total]
        }
        let fit = try LogisticRegression().fit(x: x, y: y, names: ["a", "b", "total"])
        guard case let .collinearColumn(name, combination)? = fit.notes.first else {
            Issue.record("expected a collinearity note, got \(fit.notes)"); return
        }
        #expect(name == "total")
        #expect(combination == "2·a − b + 5")
        #expect(fit.coefficients[3].dropped == "collinear")
        #expect(fit.coefficients.allSatisfy { $0.dropped != nil || ($0.standardError?.isFinite ?? false) })
    }

    @Test func collinearColumnsAreKeptUnderAPenalty() throws {
        let (x0, y, _) = simulatedLogistic(n: 700, p: 2, seed: 2)
        let x: [Double] = (0..<y.count).flatMap { (i: Int) -> [Double] in [x0[i * 2], x0[i * 2 + 1], x0[i * 2]] }
        let fit = try LogisticRegression(l2: 1).fit(x: x, y: y, names: ["a", "b", "a_copy"])
        #expect(fit.notes.contains { if case .collinearColumn("a_copy", _) = $0 { return true } else { return false } })
        // The ridge splits the effect equally between identical columns.
        #expect(relativeClose(fit.coefficients[1].estimate, fit.coefficients[3].estimate!, 1e-8))
    }

    @Test func completeSeparationIsReportedWithTheColumn() throws {
        let x: [Double] = [1, 2, 3, 4, 5, 6, 7, 8].flatMap { [$0, sin($0)] }
        let y: [Double] = [0, 0, 0, 0, 1, 1, 1, 1]
        #expect {
            try LogisticRegression().fit(x: x, y: y, names: ["days_inactive", "noise"])
        } throws: { error in
            guard case let FitError.separation(report) = error else { return false }
            return report.complete && report.columns == ["days_inactive"]
                && (error as! FitError).description.contains("--l2")
        }
    }

    @Test func quasiSeparationByACategoryLevelIsReported() throws {
        var (x, y, _) = simulatedLogistic(n: 400, p: 1, seed: 4)
        defer { _ = y }
        // A level that only churned accounts have.
        let level = y.enumerated().map { $0.offset % 3 == 0 && $0.element == 1 ? 1.0 : 0.0 }
        x = (0..<y.count).flatMap { (i: Int) -> [Double] in [x[i], level[i]] }
        #expect {
            try LogisticRegression().fit(x: x, y: y, names: ["x", "plan[T.Legacy]"])
        } throws: { error in
            guard case let FitError.separation(report) = error else { return false }
            return !report.complete && report.columns == ["plan[T.Legacy]"]
        }
        // A penalty makes the estimate finite.
        let fit = try LogisticRegression(l2: 1).fit(x: x, y: y, names: ["x", "plan[T.Legacy]"])
        #expect(fit.converged && fit.coefficients[2].estimate!.isFinite)
    }

    @Test func separationByACombinationOfColumnsIsReported() throws {
        // Neither column separates alone; a + b > 0 does.
        var rng = SeededRandom(seed: 12)
        var x: [Double] = [], y: [Double] = []
        for _ in 0..<200 {
            let a = rng.normal(), b = rng.normal()
            if abs(a + b) < 0.05 { continue }
            x += [a, b]; y.append(a + b > 0 ? 1 : 0)
        }
        #expect {
            try LogisticRegression().fit(x: x, y: y, names: ["a", "b"])
        } throws: { error in
            guard case let FitError.separation(report) = error else { return false }
            return Set(report.columns) == ["a", "b"]
        }
    }

    @Test func underAPenaltyAColumnThatSeparatesIsANoteNamingItsBoundary() throws {
        let x: [Double] = [1, 2, 3, 4, 5, 6, 7, 8].flatMap { [$0, sin($0)] }
        let y: [Double] = [0, 0, 0, 0, 1, 1, 1, 1]
        let fit = try LogisticRegression(l2: 1).fit(x: x, y: y, names: ["days_inactive", "noise"])
        #expect(fit.converged)
        let expected = SeparatingColumn(name: "days_inactive", complete: true, positivesAbove: true, boundary: 4)
        guard case let .separatedUnderPenalty(report)? = fit.notes.first(where: { if case .separatedUnderPenalty = $0 { true } else { false } }) else {
            Issue.record("no separation note: \(fit.notes)"); return
        }
        #expect(report.separating == [expected] && report.complete && report.columns == ["days_inactive"])
        #expect(report.detail == ["'days_inactive' separates the outcome completely: every row with days_inactive > 4 has label 1, every other row has label 0"])
        #expect(FitNote.separatedUnderPenalty(report).description.contains("set by λ, not by the data"))
        // A level only churned rows have: quasi-complete, at the level's 0.
        var (z, labels, _) = simulatedLogistic(n: 400, p: 1, seed: 4)
        let level = labels.enumerated().map { $0.offset % 3 == 0 && $0.element == 1 ? 1.0 : 0.0 }
        z = (0..<labels.count).flatMap { (i: Int) -> [Double] in [z[i], level[i]] }
        let quasi = try LogisticRegression(l2: 1).fit(x: z, y: labels, names: ["x", "plan[T.Legacy]"])
        #expect(quasi.notes.contains(.separatedUnderPenalty(SeparationReport(
            columns: ["plan[T.Legacy]"], complete: false,
            detail: ["'plan[T.Legacy]' separates the outcome quasi-completely: every row with plan[T.Legacy] > 0 has label 1, every row below has label 0; only rows at plan[T.Legacy] = 0 mix"],
            separating: [SeparatingColumn(name: "plan[T.Legacy]", complete: false, positivesAbove: true, boundary: 0)]))), "\(quasi.notes)")
        _ = labels
    }

    @Test func underAPenaltyScoresThatSeparateAreNotedThoughNoColumnDoes() throws {
        // Neither column separates alone; a + b > 0 does, with a margin the penalised fit finds.
        var rng = SeededRandom(seed: 12)
        var x: [Double] = [], y: [Double] = []
        while y.count < 300 {
            let a = rng.normal(), b = rng.normal()
            if abs(a + b) < 0.5 { continue }
            x += [a, b]; y.append(a + b > 0 ? 1 : 0)
        }
        let fit = try LogisticRegression(l2: 1).fit(x: x, y: y, names: ["a", "b"])
        // Independently: the fit's own scores order every label-1 row above every label-0 row.
        let eta = (0..<y.count).map { fit.intercept + fit.coefficients[1].estimate! * x[2 * $0] + fit.coefficients[2].estimate! * x[2 * $0 + 1] }
        let highestNegative = zip(eta, y).filter { $0.1 == 0 }.map(\.0).max()!, lowestPositive = zip(eta, y).filter { $0.1 == 1 }.map(\.0).min()!
        #expect(highestNegative < lowestPositive)
        #expect(fit.notes.contains { if case let .separatedUnderPenalty(r) = $0 { r.separating.isEmpty && r.complete } else { false } }, "\(fit.notes)")
        // Overlapping classes: no such note.
        let (x2, y2, names2) = simulatedLogistic(n: 500, p: 2, seed: 3)
        let overlapping = try LogisticRegression(l2: 1).fit(x: x2, y: y2, names: names2)
        #expect(!overlapping.notes.contains { if case .separatedUnderPenalty = $0 { true } else { false } }, "\(overlapping.notes)")
    }

    @Test func singleClassIsAnError() {
        #expect(throws: FitError.singleClass(value: 0)) {
            try LogisticRegression().fit(x: [1, 2, 3], y: [0, 0, 0], names: ["a"])
        }
    }

    @Test func badSettingsAreRejectedByName() {
        #expect(throws: FitError.self) { try LogisticRegression(l2: -1).validate() }
        #expect(throws: FitError.self) { try LogisticRegression(l2: .nan).validate() }
    }

    @Test func hittingTheIterationCapIsReportedAsNotConverged() throws {
        let (x, y, names) = simulatedLogistic(n: 500, p: 3, seed: 9)
        let fit = try LogisticRegression(maxIterations: 1).fit(x: x, y: y, names: names)
        #expect(!fit.converged)
        #expect(fit.notes.contains { if case .notConverged = $0 { return true } else { return false } })
    }
}
