import Foundation
import TelltaleData

/// A small seeded generator (SplitMix64), so a failing seed can be replayed.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
    mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }
}

/// Builds a `History` from plain rows, in the loader's layout (usage sorted
/// by account then day, rows of an account contiguous).
struct HistoryBuilder {
    struct Row { var account: Int; var day: Day; var values: [Double] }

    var ids: [String] = []
    var segments: [String] = []
    var signups: [Day] = []
    var seats: [Double?] = []
    var metrics: [String]
    var isLevel: [Bool]
    var rows: [Row] = []
    var renewals: [(account: Int, date: Day, churned: Bool)] = []

    init(metrics: [String], isLevel: [Bool]) {
        self.metrics = metrics
        self.isLevel = isLevel
    }

    func build() -> History {
        var acc = Accounts()
        for (i, id) in ids.enumerated() {
            acc.ids.append(id); acc.index[id] = Int32(i); acc.segment.append(segments[i]); acc.signup.append(signups[i])
            acc.contractValue.append(1000 * Double(i + 1)); acc.renewalDate.append(nil); acc.owner.append(nil)
            acc.seats.append(seats[i]); acc.lines.append(i + 2)
        }
        var u = Usage()
        u.metrics = metrics
        u.isLevel = isLevel
        u.values = Array(repeating: [], count: metrics.count)
        let sorted = rows.sorted { ($0.account, $0.day.number) < ($1.account, $1.day.number) }
        u.start = [0]
        var a = 0
        for (k, r) in sorted.enumerated() {
            while a < r.account { u.start.append(k); a += 1 }
            u.account.append(Int32(r.account)); u.day.append(r.day.number); u.line.append(Int32(k + 2))
            for m in metrics.indices { u.values[m].append(r.values[m]) }
        }
        while u.start.count < ids.count + 1 { u.start.append(sorted.count) }
        var ren = Renewals()
        for r in renewals {
            ren.account.append(Int32(r.account)); ren.date.append(r.date); ren.churned.append(r.churned)
            ren.contractValue.append(nil); ren.lines.append(ren.lines.count + 2)
        }
        return History(accounts: acc, usage: u, renewals: ren, problems: ProblemList(keep: 10), ignoredUsageColumns: [])
    }

    /// A random history: accounts in two segments signing up before and
    /// during a 400-day data range, sparse days, missing cells, a level
    /// metric answered now and then, and renewals with both outcomes.
    static func random(seed: UInt64, accounts: Int = 40) -> HistoryBuilder {
        var rng = SeededRandom(seed: seed)
        var b = HistoryBuilder(metrics: ["logins", "csat", "support_cases", "active_users", "features_used", "core_actions"],
                               isLevel: [false, true, false, false, false, false])
        let dataStart = Day(year: 2025, month: 1, day: 1)!
        let days = 400
        for a in 0..<accounts {
            b.ids.append(String(format: "A%03d", a))
            b.segments.append(rng.bernoulli(0.6) ? "SMB" : "Enterprise")
            let signup = dataStart + rng.int(-300...250)
            b.signups.append(signup)
            b.seats.append(rng.bernoulli(0.9) ? Double(rng.int(1...20)) : nil)
            let activity = rng.uniform()
            let quitDay = rng.bernoulli(0.3) ? rng.int(100...days) : days
            var d = max(signup, dataStart)
            while d < dataStart + days {
                let offset = d - dataStart
                if rng.bernoulli(offset < quitDay ? 0.25 + 0.6 * activity : 0.05) {
                    let logins = rng.bernoulli(0.03) ? Double.nan : Double(rng.int(0...12))
                    let csat = rng.bernoulli(0.08) ? Double(rng.int(1...10)) : .nan
                    let support = Double(rng.bernoulli(0.2) ? rng.int(0...4) : 0)
                    let users = Double(rng.int(0...3))
                    let features = Double(rng.int(0...5))
                    let core = Double(rng.int(0...20)) + (rng.bernoulli(0.1) ? 0.5 : 0)
                    b.rows.append(Row(account: a, day: d, values: [logins, csat, support, users, features, core]))
                }
                d = d + 1
            }
            var r = signup + 365
            while r < dataStart + days + 30 {
                let churned = rng.bernoulli(0.25)
                b.renewals.append((a, r, churned))
                if churned { break }
                r = r + 365
            }
        }
        // A row on the last day keeps the data's coverage fixed when tests edit later rows.
        let last = dataStart + (days - 1)
        b.rows.removeAll { $0.account == 0 && $0.day == last }
        b.rows.append(Row(account: 0, day: last, values: [1, .nan, 0, 1, 1, 1]))
        return b
    }
}
