import Foundation
import Testing
import TelltaleData
import TelltalePatterns
import TelltaleSignals
import TelltaleSimulation

@Suite struct PlantedPatternRecoveryTests {
    /// The whole path a user takes (simulated CSVs -> loader -> built-in signals
    /// -> flags -> search) recovers the simulator's planted triple. 4,000
    /// accounts: on the 1,000-account sample the triple (44 renewals) cannot be
    /// told apart from its pairs at q < 0.05, and the search rightly says so.
    @Test func theSimulatorsCombinedPatternIsFoundNearTheTopWithItsTrueRateInside() throws {
        let settings = SimulationSettings(accounts: 4000, days: 500, seed: 3)
        let sim = Simulator(settings: settings).run()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-planted-\(UUID().uuidString)").path
        try sim.write(to: dir, gzipUsage: false)
        var options = LoadOptions(accountsPath: dir + "/accounts.csv", usagePath: dir + "/usage.csv", renewalsPath: dir + "/renewals.csv")
        options.progress = false
        let history = try HistoryLoader(options: options).load()
        let definitions = SignalDefinition.defaults(metrics: history.usage.metrics)
        let table = try SignalEngine(history: history, definitions: definitions)
            .table(for: history.trainingObservations(leadDays: sim.effects.leadDays).observations)
        let report = PatternFinder().run(flags: FlagMatrix(table: table), churned: table.observations.map { $0.churned! },
                                         segments: table.observations.map { history.accounts.segment[Int($0.account)] })
        let triple = ["no_login_14d", "support_over_10_30d", "csat_under_5"]
        let rank = report.kept.firstIndex { $0.definition.flags == triple && $0.definition.segment == nil }
        #expect(rank != nil && rank! < 5, "rank \(String(describing: rank)): \(report.kept.prefix(6).map(\.sentence))")
        guard let r = rank.map({ report.kept[$0] }) else { return }
        // The planted rate: the mean true churn probability of decided renewals with all three parts.
        let planted = sim.truth.filter { $0.decided && $0.noLogin14 && $0.supportOver10 && $0.csatUnder5 }
        let truth = planted.map(\.churnProbability).reduce(0, +) / Double(planted.count)
        #expect(r.ciLow <= truth && truth <= r.ciHigh, "planted rate \(truth) outside [\(r.ciLow), \(r.ciHigh)]")
        #expect(r.sentence.hasPrefix("no login for 14+ days AND more than 10 support cases in 30 days AND CSAT under 5: "))
        // Each part alone is near the base rate: the combination is the finding.
        for f in triple {
            let part = report.results.first { $0.definition.flags == [f] && $0.definition.segment == nil }!
            #expect(part.lift < 1.3, "\(f) alone: lift \(part.lift)")
        }
        #expect(r.lift > 2)
    }
}
