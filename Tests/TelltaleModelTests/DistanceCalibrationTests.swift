import Foundation
import Testing
import TelltaleData
@testable import TelltaleModel
@testable import TelltaleModelTraining
import TelltaleSignals
import TelltaleTraining

/// The root of Σ (σ(logit pᵢ + δ) − yᵢ) by bisection: the score equation of the
/// intercept-only refit, solved without Newton's method.
func offsetByBisection(_ p: [Double], _ y: [Bool]) -> Double {
    let eta = p.map { log($0 / (1 - $0)) }, events = Double(y.filter { $0 }.count)
    func excess(_ d: Double) -> Double { eta.reduce(0) { $0 + 1 / (1 + exp(-($1 + d))) } - events }
    var lo = -20.0, hi = 20.0
    for _ in 0..<200 {
        let mid = (lo + hi) / 2
        if excess(mid) > 0 { hi = mid } else { lo = mid }
    }
    return (lo + hi) / 2
}

/// Σ log-likelihood of the outcomes under σ(a + b · logit p).
func logLikelihood(_ p: [Double], _ y: [Bool], _ a: Double, _ b: Double) -> Double {
    zip(p, y).reduce(0) { sum, pair in
        let q = 1 / (1 + exp(-(a + b * log(pair.0 / (1 - pair.0)))))
        return sum + (pair.1 ? log(q) : log(1 - q))
    }
}

/// The (a, b) maximising that likelihood, by Newton's method on the two
/// parameters with the 2 × 2 information matrix inverted by hand.
func recalibrationByNewton(_ p: [Double], _ y: [Bool]) -> (a: Double, b: Double) {
    let eta = p.map { log($0 / (1 - $0)) }
    var a = 0.0, b = 1.0
    for _ in 0..<100 {
        var ga = 0.0, gb = 0.0, haa = 0.0, hab = 0.0, hbb = 0.0
        for (e, churned) in zip(eta, y) {
            let q = 1 / (1 + exp(-(a + b * e))), r = (churned ? 1 : 0) - q, w = q * (1 - q)
            ga += r; gb += r * e; haa += w; hab += w * e; hbb += w * e * e
        }
        let det = haa * hbb - hab * hab
        let da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det
        a += da; b += db
        if abs(da) + abs(db) < 1e-13 { break }
    }
    return (a, b)
}

@Suite struct DistanceCalibrationTests {
    @Test func oneProbabilityForEveryRowShiftsByTheLogOddsGapToTheChurnRate() throws {
        // 30 of 100 churned, every row predicted 0.2: δ = logit(0.3) − logit(0.2), in closed form.
        let y = (0..<100).map { $0 < 30 }
        let delta = try #require(DistanceCalibration.fitOffset(probabilities: Array(repeating: 0.2, count: 100), churned: y))
        #expect(abs(delta - (log(0.3 / 0.7) - log(0.2 / 0.8))) < 1e-12)
    }

    @Test func theFittedOffsetSolvesTheScoreEquationFoundByBisection() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5 {
            let p = (0..<500).map { _ in Double.random(in: 0.01...0.6, using: &rng) }
            // Outcomes drawn a log-odds step of 0.7 above the predictions: the offset should find about that.
            let y = p.map { Double.random(in: 0..<1, using: &rng) < 1 / (1 + exp(-(log($0 / (1 - $0)) + 0.7))) }
            let delta = try #require(DistanceCalibration.fitOffset(probabilities: p, churned: y))
            #expect(abs(delta - offsetByBisection(p, y)) < 1e-9)
            let mean = p.map { 1 / (1 + exp(-(log($0 / (1 - $0)) + delta))) }.reduce(0, +) / 500
            #expect(abs(mean - Double(y.filter { $0 }.count) / 500) < 1e-12)
        }
        #expect(DistanceCalibration.fitOffset(probabilities: [0.2, 0.3], churned: [false, false]) == nil)
    }

    @Test func offsetAndSlopeAreLinearBetweenAnchorsAndTheNearestOnesBeyondThem() {
        let d = DistanceCalibration(anchors: [.init(days: 150, offset: 0.2, slope: 0.5, renewals: 1, churned: 0),
                                              .init(days: 60, offset: 0, renewals: 1, churned: 0),
                                              .init(days: 330, offset: 0.56, renewals: 1, churned: 0)])
        #expect(d.anchors.map(\.days) == [60, 150, 330])
        func at(_ days: Int) -> (Double, Double) { d.recalibration(daysToRenewal: days) }
        #expect(at(0) == (0, 1) && at(60) == (0, 1))
        #expect(abs(at(105).0 - 0.1) < 1e-15 && abs(at(105).1 - 0.75) < 1e-15)
        #expect(abs(at(240).0 - 0.38) < 1e-15 && abs(at(240).1 - 0.75) < 1e-15)
        #expect(at(330) == (0.56, 1) && at(400) == (0.56, 1))
        #expect(d.adjust(0.25, daysToRenewal: nil) == 0.25 && d.adjust(0.25, daysToRenewal: 60) == 0.25)
        #expect(abs(d.adjust(0.25, daysToRenewal: 150) - 1 / (1 + exp(-(0.2 + 0.5 * log(1.0 / 3))))) < 1e-15)
        #expect(abs(d.adjust(0.25, daysToRenewal: 330) - 1 / (1 + exp(-(log(1.0 / 3) + 0.56)))) < 1e-15)
        #expect(d.description == "60 days +0.000, 150 days +0.200 + 0.500 η, 330 days +0.560")
    }

    /// Renewals at ten log-odds levels, 1,000 each, whose churned counts are the
    /// rounded σ(a + b·η) of the level: the likelihood's maximum is (a, b) up to
    /// that rounding, so what the update finds is known without a fit.
    static func renewals(a: Double, b: Double) -> (p: [Double], churned: [Bool]) {
        var p: [Double] = [], y: [Bool] = []
        for k in 0..<10 {
            let eta = -3 + 0.4 * Double(k)
            let churned = Int((1000 / (1 + exp(-(a + b * eta)))).rounded())
            p += Array(repeating: 1 / (1 + exp(-eta)), count: 1000)
            y += (0..<1000).map { $0 < churned }
        }
        return (p, y)
    }

    @Test func theSlopeIsRefittedOnlyWhereTheRenewalsRejectSlopeOne() throws {
        // Outcomes a log-odds step of 0.5 above the predictions, slope 1: the intercept alone, by bisection.
        let shifted = Self.renewals(a: 0.5, b: 1)
        let intercept = try #require(DistanceCalibration.fitUpdate(probabilities: shifted.p, churned: shifted.churned))
        #expect(intercept.update == .intercept && intercept.slope == 1 && abs(intercept.offset - offsetByBisection(shifted.p, shifted.churned)) < 1e-9)
        #expect(abs(intercept.offset - 0.5) < 0.01)
        // Outcomes half as spread as the predictions: the slope, found at 0.5 and -0.7.
        let flatter = Self.renewals(a: -0.7, b: 0.5)
        let both = try #require(DistanceCalibration.fitUpdate(probabilities: flatter.p, churned: flatter.churned))
        #expect(both.update == .interceptAndSlope && abs(both.slope - 0.5) < 0.01 && abs(both.offset + 0.7) < 0.01, "\(both)")
        // At the maximum both score equations hold: Σ (y − q) = 0 and Σ (y − q) η = 0.
        let eta = flatter.p.map { log($0 / (1 - $0)) }
        let residual = zip(eta, flatter.churned).map { e, y in (y ? 1 : 0) - 1 / (1 + exp(-(both.offset + both.slope * e))) }
        #expect(abs(residual.reduce(0, +)) < 1e-6 && abs(zip(residual, eta).map(*).reduce(0, +)) < 1e-6)
        // A ranking the outcomes reverse: slope 0, every renewal at their churn rate.
        let reversed = Self.renewals(a: -1.5, b: -0.3)
        let flat = try #require(DistanceCalibration.fitUpdate(probabilities: reversed.p, churned: reversed.churned))
        let rate = Double(reversed.churned.filter { $0 }.count) / Double(reversed.churned.count)
        #expect(flat.update == .interceptAndSlope && flat.slope == 0 && abs(flat.offset - log(rate / (1 - rate))) < 1e-12)
        #expect(DistanceCalibration.fitUpdate(probabilities: [0.2, 0.3], churned: [false, false]) == nil)
    }

    @Test func distanceObservationsForetellTheRenewalOfTheTermTheyAreIn() {
        let history = SimulatedTraining.fixture.history
        let end = history.usage.dateRange!.upperBound
        for days in [15, 150, 330] {
            let obs = history.distanceObservations(daysBefore: days)
            // Brute force: every renewal whose date minus `days` is after signup, after the
            // account's previous renewal, and not after the usage data ends (+1).
            var expected: [String] = []
            for r in 0..<history.renewals.count {
                let a = history.renewals.account[r], asOf = history.renewals.date[r] - days
                let previous = (0..<history.renewals.count).lazy.filter { history.renewals.account[$0] == a && history.renewals.date[$0] < history.renewals.date[r] }
                    .map { history.renewals.date[$0] }.max()
                if asOf > history.accounts.signup[Int(a)] && asOf <= end + 1 && previous.map({ asOf > $0 }) ?? true {
                    expected.append("\(a)|\(history.renewals.date[r])|\(history.renewals.churned[r])")
                }
            }
            #expect(obs.map { "\($0.account)|\($0.renewal!)|\($0.churned!)" }.sorted() == expected.sorted(), "\(days) days")
            #expect(obs.allSatisfy { $0.renewal! - $0.asOf == days })
            #expect(!obs.isEmpty)
        }
    }
}

@Suite(.serialized) struct DistanceTrainingTests {
    @Test func onASimulatedHistoryTheUpdatesRefitEachDistanceAndHoldOutOfTime() throws {
        let f = SimulatedTraining.fixture
        let engine = try SignalEngine(history: f.history, definitions: f.table.definitions)
        let days = [15, 150, 240]
        let tables = zip(days, engine.tables(for: days.map { f.history.distanceObservations(daysBefore: $0) }))
            .map { ChurnTrainer.DistanceTable(days: $0, table: $1) }
        // Cut from one table of all three distances' observations: each is the table its own observations give.
        for t in tables {
            let alone = engine.table(for: f.history.distanceObservations(daysBefore: t.days))
            #expect(t.table.observations == alone.observations && t.table.historyCut == alone.historyCut && t.table.historyDays == alone.historyDays)
            #expect(zip(t.table.raw, alone.raw).allSatisfy { a, b in zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) } }, "\(t.days) days")
        }
        let outcome = try SimulatedTraining.trainer().train(table: f.table, toolVersion: "test", trainedAt: "2026-07-01",
                                                            provenance: SimulatedTraining.provenance(f.table), distanceTables: tables)
        let m = outcome.model
        let calibration = try #require(m.distanceCalibration)
        #expect(calibration.anchors.map(\.days) == [15, 60, 150, 240])
        #expect(calibration.anchors[1].offset == 0 && calibration.anchors[1].slope == 1)
        // Each saved update is the maximum likelihood one on the saved model's own probabilities
        // (computed by the scorer's path) at that distance, on the rows the trainer uses: those
        // whose history the data's start does not cut short, else those with 30+ days of history.
        // The intercept alone solves its score equation (bisection); the slope is refitted where a
        // likelihood-ratio test rejects slope 1 (the maximum found here by Newton's method on the
        // two parameters, not by the trainer's BLAS fit).
        func used(_ t: ChurnTrainer.DistanceTable) -> [Int] {
            let y = t.table.observations.map { $0.churned! }
            let uncut = y.indices.filter { !t.table.historyCut[$0] }
            let churned = uncut.filter { y[$0] }.count
            return min(churned, uncut.count - churned) >= 20 ? uncut : y.indices.filter { t.table.historyDays[$0] >= 30 }
        }
        var slopes: [Double] = []
        for t in tables {
            let anchor = try #require(calibration.anchors.first { $0.days == t.days })
            let y = t.table.observations.map { $0.churned! }
            let rows = used(t)
            let p = m.churnProbabilities(t.table.subset(rows))
            let outcomes = rows.map { y[$0] }
            #expect(anchor.renewals == rows.count && anchor.churned == outcomes.filter { $0 }.count)
            let alone = offsetByBisection(p, outcomes)
            let free = recalibrationByNewton(p, outcomes)
            let test = 2 * (logLikelihood(p, outcomes, free.a, free.b) - logLikelihood(p, outcomes, alone, 1))
            if test > 3.841458820694124 {
                #expect(abs(anchor.offset - free.a) < 1e-6 && abs(anchor.slope - free.b) < 1e-6, "\(t.days) days: \(anchor) against \(free)")
            } else {
                #expect(anchor.slope == 1 && abs(anchor.offset - alone) < 1e-8, "\(t.days) days: \(anchor)")
            }
            slopes.append(anchor.slope)
        }
        // 150 days out, before the planted decline starts, the model's log-odds spread about twice
        // as far as the outcomes: the slope is refitted there, near a half.
        #expect(slopes[1] > 0.3 && slopes[1] < 0.7, "\(slopes)")
        // Out of time: one check per distance whose development renewals hold 20+ of each outcome
        // there. On 500 days of history no development renewal is seen 240 days out with 30 days
        // of history, so 240 is saved (fitted on all renewals) but not checked, and the report says so.
        let checks = try #require(m.validation.distance)
        #expect(checks.map(\.days) == [15, 150])
        let cutoff = Day.parse(m.validation.holdoutFrom)!
        for (c, t) in zip(checks, tables) {
            let held = used(t).filter { t.table.observations[$0].renewal! - 60 >= cutoff }
            #expect(c.holdoutRenewals == held.count)
            #expect(abs(c.holdoutChurnRate - Double(held.filter { t.table.observations[$0].churned! }.count) / Double(held.count)) < 1e-12)
        }
        // Two weeks out the model (fitted at 60 days) sees more of a decline than it learnt from and
        // runs high; the development offset brings the holdout's mean towards its churn rate and
        // lowers its log loss. Measured on this history: 18.9% predicted, 17.4% with the offset,
        // 16.7% churned; log loss 0.4141 -> 0.4126. At 150 days the development slope (0.45) lowers
        // the holdout's log loss from 0.4524 to 0.4432.
        let near = checks[0], far = checks[1]
        #expect(near.update == .intercept && near.offset < 0 && near.meanPredicted > near.holdoutChurnRate, "\(near)")
        #expect(abs(near.meanAdjusted - near.holdoutChurnRate) < abs(near.meanPredicted - near.holdoutChurnRate) && near.adjustedLogLoss < near.logLoss, "\(near)")
        #expect(far.update == .interceptAndSlope && far.slope < 0.7 && far.adjustedLogLoss < far.logLoss - 0.005, "\(far)")
        let report = TrainingReport.markdown(outcome)
        #expect(report.contains("| 15 | \(near.holdoutRenewals) | "))
        #expect(report.contains("240 days: not checked"), "\(report)")
        // Saved and read back whole; the report and inspect show it.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-distance-\(UUID().uuidString).json").path
        try m.write(to: path)
        #expect(try ChurnModel.read(path: path) == m)
        #expect(m.summary().contains(calibration.description))
        // A format-7 file has no offsets and reads as the model it was: the probability at the lead,
        // whatever the distance. The report against it names the new offsets.
        var old = try JSONSerialization.jsonObject(with: m.jsonData()) as! [String: Any]
        old["format"] = 7
        old["distance_calibration"] = nil
        old["std_errors"] = nil
        try JSONSerialization.data(withJSONObject: old).write(to: URL(fileURLWithPath: path))
        let previous = try ChurnModel.read(path: path)
        #expect(previous.format == 7 && previous.distanceCalibration == nil && previous.standardErrors == nil)
        let changes = m.changes(since: previous)
        #expect(changes.contains { $0.hasPrefix("- model file format 7 -> 9:") && $0.contains("`distance_calibration`") && $0.contains("an anchor's `slope`") }, "\(changes)")
        #expect(changes.contains("- churn probability recalibration by days to the renewal: none -> \(calibration.description)"), "\(changes)")
        // Written before the errors were clustered: the p-values are said not to compare, and only then.
        #expect(changes.contains("- standard errors every renewal taken as independent -> clustered by account: the p-values of the two are not like for like"), "\(changes)")
        #expect(!m.changes(since: m).contains { $0.hasPrefix("- standard errors") })
        // Against a model of a flat table: said first that the inputs differ in kind.
        var flat = m
        flat.provenance.fingerprints = ["data": "0123456789abcdef"]
        var threeTables = m
        threeTables.provenance.fingerprints = ["accounts": "a", "renewals": "r", "usage": "u"]
        #expect(threeTables.changes(since: flat).first == "- trained on other inputs: a flat table -> accounts, renewals, usage: the two models' features and figures are not like for like")
        #expect(!threeTables.changes(since: threeTables).contains { $0.hasPrefix("- trained on other inputs") })
    }
}
