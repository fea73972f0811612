import Foundation
import Testing
import TelltaleData
@testable import TelltaleSimulation

/// Loads a simulated history through the same reader users get.
func simulateAndLoad(accounts: Int, seed: UInt64) throws -> (SimulatedHistory, History) {
    let sim = Simulator(settings: SimulationSettings(accounts: accounts, days: 730, seed: seed)).run()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-sim-\(UUID().uuidString)").path
    try sim.write(to: dir, gzipUsage: true)
    var options = LoadOptions(accountsPath: dir + "/accounts.csv", usagePath: dir + "/usage.csv.gz", renewalsPath: dir + "/renewals.csv")
    options.progress = false
    return (sim, try HistoryLoader(options: options).load())
}

@Suite(.serialized) struct SimulatorTests {
    @Test func theSameSeedGivesTheSameBytesAndAnotherSeedDoesNot() {
        let a = Simulator(settings: SimulationSettings(accounts: 40, days: 200, seed: 5)).run()
        let b = Simulator(settings: SimulationSettings(accounts: 40, days: 200, seed: 5)).run()
        let c = Simulator(settings: SimulationSettings(accounts: 40, days: 200, seed: 6)).run()
        #expect(a.usageCSV == b.usageCSV && a.accountsCSV == b.accountsCSV && a.renewalsCSV == b.renewalsCSV)
        #expect(a.usageCSV != c.usageCSV)
    }

    @Test func anAccountsHistoryDoesNotDependOnHowManyAccountsAreSimulated() {
        let small = Simulator(settings: SimulationSettings(accounts: 5, days: 120, seed: 3)).run()
        let large = Simulator(settings: SimulationSettings(accounts: 50, days: 120, seed: 3)).run()
        let firstLines = { (s: SimulatedHistory) in String(decoding: s.usageCSV, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("ACC-00003,") } }
        #expect(firstLines(small) == firstLines(large))
    }

    /// The worked example of the domain notes, recomputed from the raw usage
    /// with plain loops: at the observation date (renewal − 60 days), "no
    /// login in the last 14 days", "more than 10 support cases in the last 30"
    /// and "CSAT under 5 in the last 30" each churn near the base rate, all
    /// three together far above it.
    @Test func theCombinedPatternIsVisibleInTheRawUsageAndNotInItsParts() throws {
        let (_, h) = try simulateAndLoad(accounts: 2000, seed: 11)
        let logins = h.usage.metrics.firstIndex(of: "logins")!
        let support = h.usage.metrics.firstIndex(of: "support_cases")!
        let csat = h.usage.metrics.firstIndex(of: "csat")!
        let firstDay = h.usage.dateRange!.lowerBound.number
        var all = (0, 0), parts = [(0, 0), (0, 0), (0, 0)], combined = (0, 0)
        for r in 0..<h.renewals.count {
            let a = Int(h.renewals.account[r])
            let obs = h.renewals.date[r].number - 60
            // Only renewals with a full 30-day window of history before the observation date.
            guard obs - 30 >= firstDay, obs - 30 >= h.accounts.signup[a].number else { continue }
            var lastLogin: Int32 = .min, cases = 0.0, minCsat = Double.infinity
            for row in h.usage.rows(of: a) where h.usage.day[row] < obs {
                if h.usage.values[logins][row] > 0 { lastLogin = max(lastLogin, h.usage.day[row]) }
                if h.usage.day[row] >= obs - 30 {
                    cases += h.usage.values[support][row]
                    let c = h.usage.values[csat][row]
                    if !c.isNaN { minCsat = min(minCsat, c) }
                }
            }
            let flags = [obs - lastLogin > 14, cases > 10, minCsat < 5]
            let churned = h.renewals.churned[r] ? 1 : 0
            all.0 += churned; all.1 += 1
            for k in 0..<3 where flags[k] { parts[k].0 += churned; parts[k].1 += 1 }
            if flags.allSatisfy({ $0 }) { combined.0 += churned; combined.1 += 1 }
        }
        let base = Double(all.0) / Double(all.1)
        let combinedRate = Double(combined.0) / Double(combined.1)
        #expect(base > 0.12 && base < 0.26, "base churn rate \(base)")
        #expect(combined.1 >= 45, "enough renewals show all three (\(combined.1))")
        #expect(combinedRate > 0.30 && combinedRate > 1.8 * base, "all three: \(combinedRate), base \(base)")
        for (k, p) in parts.enumerated() {
            let rate = Double(p.0) / Double(p.1)
            #expect(rate < base + 0.07, "part \(k) alone churns at \(rate), base \(base)")
        }
    }

    @Test func plantedFactorsRaiseChurnAsRecordedInTheGroundTruth() throws {
        let sim = Simulator(settings: SimulationSettings(accounts: 3000, days: 730, seed: 2)).run()
        let decided = sim.truth.filter(\.decided)
        func rate(_ f: (RenewalTruth) -> Bool) -> Double {
            let g = decided.filter(f)
            return Double(g.filter(\.churned).count) / Double(max(g.count, 1))
        }
        let clean = rate { !$0.decline && !$0.singleUser && !$0.missedOnboarding && !($0.noLogin14 && $0.supportOver10 && $0.csatUnder5) }
        #expect(rate(\.decline) > clean + 0.2)
        #expect(rate(\.singleUser) > clean + 0.1)
        #expect(rate(\.missedOnboarding) > clean + 0.15)
        // The recorded probabilities are calibrated against the drawn outcomes.
        let expected = decided.reduce(0) { $0 + $1.churnProbability }
        let observed = Double(decided.filter(\.churned).count)
        #expect(abs(observed - expected) < 4 * expected.squareRoot())
    }

    @Test func holidaysShowNearZeroUse() throws {
        let sim = Simulator(settings: SimulationSettings(accounts: 300, days: 730, seed: 4)).run()
        func logins(on date: String) -> Int {
            String(decoding: sim.usageCSV, as: UTF8.self).split(separator: "\n")
                .filter { $0.contains(",\(date),") }
                .reduce(0) { $0 + Int($1.split(separator: ",")[2])! }
        }
        let christmas = logins(on: "2025-12-25"), ordinary = logins(on: "2025-12-10")
        #expect(christmas * 5 < ordinary, "logins on a holiday \(christmas) vs a normal Wednesday \(ordinary)")
    }
}
