import Foundation
import TelltaleData

/// Settings of a simulated SaaS history.
public struct SimulationSettings: Sendable {
    public var accounts: Int = 1500
    public var days: Int = 730
    public var seed: UInt64 = 1
    /// The last day of the history (fixed, not today, so output is reproducible).
    public var end: Day = Day(year: 2026, month: 6, day: 30)!

    public init(accounts: Int = 1500, days: Int = 730, seed: UInt64 = 1, end: Day = Day(year: 2026, month: 6, day: 30)!) {
        self.accounts = accounts
        self.days = days
        self.seed = seed
        self.end = end
    }

    public var start: Day { end - (days - 1) }
}

/// What the simulator planted, and how strongly, so tests can check that the
/// toolkit recovers it. Written as `ground_truth.json`.
public struct PlantedEffects: Codable, Sendable {
    /// Churn log-odds of a renewal with no risk factor.
    public var baseLogit = -1.95
    /// Steady decline against the account's own baseline, starting ~150 days before renewal.
    public var declineLogit = 2.2
    public var declinePrevalence = 0.10
    /// A team account (5+ seats) used by one person.
    public var singleUserLogit = 1.4
    public var singleUserPrevalence = 0.10
    /// Onboarding never finished (accounts that sign up inside the history).
    public var missedOnboardingLogit = 1.7
    public var missedOnboardingPrevalence = 0.25
    /// The combined pattern: no login for 14+ days, more than 10 support
    /// cases in 30 days, CSAT under 5, all in the 30 days before the
    /// observation date (renewal − 60 days). Each alone adds almost nothing;
    /// together they add `combinedLogit`.
    public var eachPartLogit = -0.25
    public var combinedLogit = 2.0
    /// Share of renewal periods in a "frustrated" state that tends to show all three parts.
    public var frustratedPrevalence = 0.05
    /// Chance of each part by itself, outside the frustrated state.
    public var partPrevalence = 0.18
    /// The lead time (days before renewal) at which the combined parts are observed.
    public var leadDays = 60

    public init() {}

    enum CodingKeys: String, CodingKey {
        case baseLogit = "base_logit", declineLogit = "decline_logit", declinePrevalence = "decline_prevalence"
        case singleUserLogit = "single_user_logit", singleUserPrevalence = "single_user_prevalence"
        case missedOnboardingLogit = "missed_onboarding_logit", missedOnboardingPrevalence = "missed_onboarding_prevalence"
        case eachPartLogit = "each_part_logit", combinedLogit = "combined_logit"
        case frustratedPrevalence = "frustrated_prevalence", partPrevalence = "part_prevalence", leadDays = "lead_days"
    }
}

/// The risk factors active before one renewal, and the outcome drawn from them.
public struct RenewalTruth: Sendable {
    public var account: Int
    public var date: Day
    public var decline = false
    public var singleUser = false
    public var missedOnboarding = false
    public var noLogin14 = false
    public var supportOver10 = false
    public var csatUnder5 = false
    public var churnProbability = 0.0
    public var churned = false
    /// False for the upcoming renewal after the history ends (no outcome yet).
    public var decided = true
}

/// The simulated tables.
public struct SimulatedHistory: Sendable {
    public var settings: SimulationSettings
    public var effects: PlantedEffects
    public var accountsCSV: String
    public var renewalsCSV: String
    /// Usage CSV bytes (one row per account-day with any activity).
    public var usageCSV: [UInt8]
    public var truth: [RenewalTruth]
    public var accountIDs: [String]
}

/// A realistic synthetic SaaS history: three segments with different norms,
/// annual renewals, weekday rhythm, holidays and vacations (which carry no
/// churn risk), onboarding that some accounts never finish, and churn driven
/// by planted effects that `PlantedEffects` records.
public struct Simulator {
    public var settings: SimulationSettings
    public var effects = PlantedEffects()

    public init(settings: SimulationSettings) { self.settings = settings }

    struct Segment {
        var name: String
        var share: Double
        var seats: ClosedRange<Int>
        var contractPerSeat: ClosedRange<Double>
        var usersActiveShare: Double
        var loginsPerUser: Double
        var featureDepth: Double
        var coreActionsPerUser: Double
        var owners: [String]
    }

    static let segments = [
        Segment(name: "SMB Annual", share: 0.55, seats: 1...9, contractPerSeat: 600...1400, usersActiveShare: 0.55,
                loginsPerUser: 1.1, featureDepth: 3, coreActionsPerUser: 2.0, owners: ["Ava Chen", "Liam Patel", "Mia Rossi", "Noah Kim"]),
        Segment(name: "Mid-Market Annual", share: 0.32, seats: 10...60, contractPerSeat: 900...1600, usersActiveShare: 0.45,
                loginsPerUser: 1.3, featureDepth: 5, coreActionsPerUser: 2.6, owners: ["Emma Garcia", "Lucas Novak", "Sofia Berg"]),
        Segment(name: "Enterprise Annual", share: 0.13, seats: 60...400, contractPerSeat: 1100...2000, usersActiveShare: 0.35,
                loginsPerUser: 1.5, featureDepth: 7, coreActionsPerUser: 3.2, owners: ["Olivia Brandt", "Ethan Mori"]),
    ]

    /// Fixed-date holidays with near-zero use (no churn meaning).
    static func isHoliday(_ d: Day) -> Bool {
        let (_, m, day) = d.components
        return (m == 1 && day == 1) || (m == 12 && (24...31).contains(day)) || (m == 7 && day == 4) || (m == 5 && day == 1)
    }

    public func run() -> SimulatedHistory {
        let start = settings.start, end = settings.end
        var accountsCSV = "account_id,segment,signup_date,contract_value,renewal_date,owner,seats\n"
        var renewalsCSV = "account_id,renewal_date,outcome,contract_value\n"
        var usage = [UInt8]()
        usage.reserveCapacity(settings.accounts * settings.days * 40)
        usage += Array("account_id,date,logins,active_users,features_used,core_actions,session_minutes,support_cases,csat,exports,api_calls\n".utf8)
        var truth: [RenewalTruth] = []
        var ids: [String] = []

        for a in 0..<settings.accounts {
            var rng = SimulationRandom(seed: settings.seed, stream: UInt64(a) + 1)
            let id = String(format: "ACC-%05d", a + 1)
            ids.append(id)
            let roll = rng.uniform()
            let segment = roll < Self.segments[0].share ? Self.segments[0]
                : roll < Self.segments[0].share + Self.segments[1].share ? Self.segments[1] : Self.segments[2]
            let seats = segment.seats.lowerBound + Int(Double(segment.seats.count - 1) * pow(rng.uniform(), 1.7))
            let contract = (Double(seats) * rng.uniform(segment.contractPerSeat.lowerBound, segment.contractPerSeat.upperBound) / 100).rounded() * 100
            // Signups from three years before the history to a month before its end.
            let signup = start - 1095 + rng.int(0...(1095 + settings.days - 30))
            let owner = rng.pick(segment.owners)
            let engagement = rng.logNormal(median: 1, sigma: 0.35)
            let exportRate = rng.logNormal(median: 0.3, sigma: 0.8)
            let apiRate = rng.logNormal(median: 15, sigma: 1.0) * (segment.name == "SMB Annual" ? 0.3 : 1)
            let onboardedInHistory = signup >= start
            let neverOnboards = onboardedInHistory && rng.bernoulli(effects.missedOnboardingPrevalence)

            // Renewal periods: anniversaries of signup; the first one after `end` is upcoming.
            var periods: [RenewalTruth] = []
            var k = 1
            while true {
                let (y, m, d) = signup.components
                let r = Day(year: y + k, month: m, day: min(d, Day.daysIn(month: m, year: y + k)))!
                k += 1
                if r < start { continue }
                var t = RenewalTruth(account: a, date: r)
                t.decided = r <= end
                t.decline = rng.bernoulli(effects.declinePrevalence)
                t.singleUser = seats >= 5 && rng.bernoulli(effects.singleUserPrevalence)
                t.missedOnboarding = neverOnboards && periods.isEmpty && r - signup <= 366
                let frustrated = rng.bernoulli(effects.frustratedPrevalence)
                t.noLogin14 = frustrated ? rng.bernoulli(0.85) : rng.bernoulli(effects.partPrevalence)
                t.supportOver10 = frustrated ? rng.bernoulli(0.85) : rng.bernoulli(effects.partPrevalence)
                t.csatUnder5 = frustrated ? rng.bernoulli(0.85) : rng.bernoulli(effects.partPrevalence)
                var logit = effects.baseLogit
                if t.decline { logit += effects.declineLogit }
                if t.singleUser { logit += effects.singleUserLogit }
                if t.missedOnboarding { logit += effects.missedOnboardingLogit }
                let parts = [t.noLogin14, t.supportOver10, t.csatUnder5].filter { $0 }.count
                logit += Double(parts) * effects.eachPartLogit
                if parts == 3 { logit += effects.combinedLogit }
                t.churnProbability = 1 / (1 + exp(-logit))
                t.churned = t.decided && rng.uniform() < t.churnProbability
                periods.append(t)
                if t.churned || !t.decided { break }
            }
            let churnDay = periods.last(where: { $0.churned })?.date
            let nextRenewal = periods.last(where: { !$0.decided })?.date
            accountsCSV += "\(id),\(segment.name),\(signup),\(Int(contract)),\(nextRenewal?.description ?? ""),\(owner),\(seats)\n"
            for t in periods where t.decided {
                renewalsCSV += "\(id),\(t.date),\(t.churned ? "churned" : "renewed"),\(Int(contract))\n"
            }
            truth += periods

            // Vacations: two-week stretches of no use, about one a year, no churn meaning.
            var vacations: [ClosedRange<Int32>] = []
            var v = start + rng.int(0...200)
            while v < end {
                if rng.bernoulli(0.45) { vacations.append(v.number...(v.number + 13)) }
                v = v + rng.int(250...420)
            }

            // Daily usage.
            let firstDay = max(signup, start)
            let lastDay = min(churnDay ?? end, end)
            if firstDay > lastDay { continue }
            var day = firstDay
            var periodIndex = 0
            while day <= lastDay {
                while periodIndex < periods.count - 1 && periods[periodIndex].date < day { periodIndex += 1 }
                let p = periods[periodIndex]
                let toRenewal = p.date - day          // days until this period's renewal
                let obs = effects.leadDays
                var level = engagement
                if day.weekday >= 5 { level *= 0.2 }
                if Self.isHoliday(day) { level *= 0.05 }
                if vacations.contains(where: { $0.contains(day.number) }) { level = 0 }
                // Onboarding: ramp over the first 30 days, or never (15% of normal use, shallow).
                let age = day - signup
                var depth = segment.featureDepth
                if onboardedInHistory {
                    if neverOnboards && p.missedOnboarding { level *= 0.15; depth = 1 }
                    else if age < 30 { level *= 0.3 + 0.7 * Double(age) / 30 }
                }
                if p.decline && toRenewal < 150 {
                    level *= max(0.2, 1 - 0.8 * Double(150 - toRenewal) / 110)
                }
                // The combined pattern's parts, in the 30 days before observation.
                let inWindow = toRenewal >= obs && toRenewal < obs + 30
                if p.noLogin14 && toRenewal >= obs && toRenewal < obs + 16 { level = 0 }
                let users: Int
                if level <= 0 { users = 0 } else if p.singleUser && toRenewal < 240 {
                    users = rng.bernoulli(min(1, 0.8 * level)) ? 1 : 0
                } else {
                    users = min(seats, rng.poisson(Double(seats) * segment.usersActiveShare * level))
                }
                let logins = users == 0 ? 0 : users + rng.poisson(Double(users) * (segment.loginsPerUser - 1 + 0.3))
                let features = users == 0 ? 0 : min(10, 1 + rng.poisson(depth * min(1, 0.4 + 0.6 * level) - 1))
                let core = users == 0 ? 0 : rng.poisson(Double(users) * segment.coreActionsPerUser * min(1.2, level + 0.2))
                let minutes = logins == 0 ? 0 : Int((Double(logins) * rng.logNormal(median: 11, sigma: 0.4)).rounded())
                let supportRate = p.supportOver10 && inWindow ? 0.5 : 0.04 * (1 + Double(seats) / 100)
                let support = rng.poisson(supportRate)
                var csat: Int?
                let surveyRate = p.csatUnder5 && inWindow ? 0.2 : 0.02
                if rng.bernoulli(surveyRate) {
                    let score = p.csatUnder5 && inWindow ? rng.uniform(1, 4.9) : min(10, max(5, 8 + 1.2 * rng.normal()))
                    csat = Int(score.rounded(.down))
                }
                let exports = users == 0 ? 0 : rng.poisson(exportRate)
                let api = rng.poisson(apiRate * (level > 0 ? 1 : 0.5))
                if logins > 0 || support > 0 || csat != nil || api > 0 {
                    var line = "\(id),\(day),\(logins),\(users),\(features),\(core),\(minutes),\(support),"
                    if let csat { line += String(csat) }
                    line += ",\(exports),\(api)\n"
                    usage += Array(line.utf8)
                }
                day = day + 1
            }
        }
        return SimulatedHistory(settings: settings, effects: effects, accountsCSV: accountsCSV, renewalsCSV: renewalsCSV,
                                usageCSV: usage, truth: truth, accountIDs: ids)
    }
}

extension SimulatedHistory {
    /// One row per renewal period with its planted factors and drawn outcome.
    public var truthCSV: String {
        var out = "account_id,renewal_date,decided,decline,single_user,missed_onboarding,no_login_14d,support_over_10_in_30d,csat_under_5,churn_probability,outcome\n"
        for t in truth {
            let flags = [t.decline, t.singleUser, t.missedOnboarding, t.noLogin14, t.supportOver10, t.csatUnder5].map { $0 ? "1" : "0" }
            out += "\(accountIDs[t.account]),\(t.date),\(t.decided ? 1 : 0),\(flags.joined(separator: ",")),"
                + String(format: "%.4f", t.churnProbability) + ",\(t.decided ? (t.churned ? "churned" : "renewed") : "")\n"
        }
        return out
    }

    /// The planted effects and the settings, as JSON.
    public func truthJSON() throws -> String {
        struct Document: Codable {
            var seed: UInt64
            var accounts: Int
            var days: Int
            var start: String
            var end: String
            var effects: PlantedEffects
            var description: [String]
        }
        let doc = Document(seed: settings.seed, accounts: settings.accounts, days: settings.days,
                           start: settings.start.description, end: settings.end.description, effects: effects,
                           description: [
                               "Each renewal period's churn log-odds is base_logit plus the logits of its active factors.",
                               "decline: usage falls steadily from 150 to 40 days before renewal, to 20% of the account's own level.",
                               "single_user: a team account (5+ seats) used by one person from 240 days before renewal.",
                               "missed_onboarding: an account signing up inside the history that never ramps up (15% of normal use, one feature).",
                               "combined pattern: no login for 14+ days, more than 10 support cases in 30 days, CSAT under 5, all between renewal-90 and renewal-60 days; each alone adds each_part_logit, all three add combined_logit.",
                               "vacations (14 days of no use) and holidays carry no churn risk.",
                               "exports and api_calls carry no signal.",
                           ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(doc), as: UTF8.self) + "\n"
    }

    /// Writes accounts.csv, renewals.csv, usage.csv(.gz), ground_truth.json and
    /// ground_truth_renewals.csv into `directory`, each atomically.
    public func write(to directory: String, gzipUsage: Bool) throws {
        let dir = URL(fileURLWithPath: directory)
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        try AtomicFile.write(accountsCSV, to: path("accounts.csv"))
        try AtomicFile.write(renewalsCSV, to: path("renewals.csv"))
        if gzipUsage {
            try AtomicFile.writeGzip(usageCSV, to: path("usage.csv.gz"))
        } else {
            try AtomicFile.write(Data(usageCSV), to: path("usage.csv"))
        }
        try AtomicFile.write(try truthJSON(), to: path("ground_truth.json"))
        try AtomicFile.write(truthCSV, to: path("ground_truth_renewals.csv"))
    }
}
