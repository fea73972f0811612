import Foundation
import TelltaleData
@testable import TelltaleSignals

/// Signals recomputed the slow, obvious way: a day-by-day walk over a
/// dictionary of the raw rows, written from the documented semantics without
/// the engine's indexes, running totals or binary searches.
struct BruteForceSignals {
    let history: History
    let definitions: [SignalDefinition]
    /// (account, day number) → metric values.
    let cells: [Int: [Int32: [Double]]]
    let dataStart: Int32
    let dataEnd: Int32

    init(history: History, definitions: [SignalDefinition]) {
        self.history = history
        self.definitions = definitions
        var cells: [Int: [Int32: [Double]]] = [:]
        for r in 0..<history.usage.count {
            cells[Int(history.usage.account[r]), default: [:]][history.usage.day[r]] = history.usage.values.map { $0[r] }
        }
        self.cells = cells
        let (first, last) = (history.usage.day.min()!, history.usage.day.max()!)
        dataStart = first
        dataEnd = last
        quiet = history.usage.metrics.indices.map { m in Self.quietDays(m, history: history, cells: cells, dataStart: first, dataEnd: last) }
    }

    /// Per metric: the days the whole population went quiet on.
    let quiet: [Set<Int32>]

    func metricIndex(_ name: String) -> Int { history.usage.metrics.firstIndex(of: name)! }

    /// The days a count metric's total over every account fell under half the
    /// median total of the same weekday in the 8 weeks before, where at least
    /// 30 accounts had some of it on the median such weekday.
    func quietDays(_ m: Int) -> Set<Int32> { quiet[m] }

    private static func quietDays(_ m: Int, history: History, cells: [Int: [Int32: [Double]]], dataStart: Int32, dataEnd: Int32) -> Set<Int32> {
        guard !history.usage.isLevel[m] else { return [] }
        var total: [Int32: Double] = [:], users: [Int32: Double] = [:]
        for (_, days) in cells {
            for (day, values) in days where !values[m].isNaN {
                total[day, default: 0] += values[m]
                if values[m] > 0 { users[day, default: 0] += 1 }
            }
        }
        var quiet: Set<Int32> = []
        for day in dataStart...dataEnd where day - 56 >= dataStart {
            let before = (1...8).map { day - Int32(7 * $0) }
            if plainMedian(before.map { users[$0] ?? 0 }) >= 30 && (total[day] ?? 0) < 0.5 * plainMedian(before.map { total[$0] ?? 0 }) {
                quiet.insert(day)
            }
        }
        return quiet
    }

    func isActive(_ a: Int, _ d: Day) -> Bool {
        guard history.accounts.signup[a] < d else { return false }
        for r in 0..<history.renewals.count where Int(history.renewals.account[r]) == a && history.renewals.churned[r] && history.renewals.date[r] < d {
            return false
        }
        return true
    }

    /// Every definition's raw value for account `a` as of `d`, in order.
    func values(_ a: Int, _ d: Day, through last: Int? = nil) -> [Double] {
        var out: [String: Double] = [:]
        var list: [Double] = []
        for def in definitions.prefix((last ?? definitions.count - 1) + 1) {
            let v = value(def, a, d, known: out)
            out[def.name] = v
            list.append(v)
        }
        return list
    }

    private func builtIn(_ name: String, _ a: Int, _ d: Day) -> Double? {
        switch name {
        case "seats": return history.accounts.seats[a] ?? .nan
        case "contract_value": return history.accounts.contractValue[a]
        case "tenure_days": return Double(d - history.accounts.signup[a])
        case "history_days":
            let start = max(history.accounts.signup[a].number, dataStart)
            return Double(max(0, min(d.number, dataEnd + 1) - start))
        default: return nil
        }
    }

    private func value(_ def: SignalDefinition, _ a: Int, _ d: Day, known: [String: Double]) -> Double {
        func dep(_ name: String) -> Double { known[name] ?? builtIn(name, a, d)! }
        let start = max(history.accounts.signup[a].number, dataStart)
        let D = d.number
        let days = cells[a] ?? [:]
        switch def.kind {
        case let .window(w):
            let m = metricIndex(w.metric)
            let level = history.usage.isLevel[m]
            func active(_ day: Int32) -> Bool {
                guard let row = days[day] else { return false }
                return level ? !row[m].isNaN : row[m] > 0
            }
            if w.aggregate == .daysSinceActive {
                guard D - 1 <= dataEnd, start <= D else { return .nan }
                var day = D - 1
                while day >= start { if active(day) { return Double(D - day) }; day -= 1 }
                return Double(D - start)
            }
            guard D - Int32(w.days) >= start, D - 1 <= dataEnd else { return .nan }
            // The window's values: days without a row are zero for counts; missing cells are skipped.
            var vals: [Double] = []
            var activeDays = 0
            for day in (D - Int32(w.days))..<D {
                if let row = days[day] {
                    if !row[m].isNaN { vals.append(row[m]) }
                } else if !level { vals.append(0) }
                if active(day) { activeDays += 1 }
            }
            switch w.aggregate {
            case .sum: return vals.reduce(0, +)
            case .mean: return level ? (vals.isEmpty ? .nan : vals.reduce(0, +) / Double(vals.count)) : vals.reduce(0, +) / Double(w.days)
            case .max: return vals.max() ?? .nan
            case .min: return vals.min() ?? .nan
            case .last:
                if level { return vals.last ?? .nan }
                return days[D - 1]?[m] ?? 0
            case .daysActive: return Double(activeDays)
            case .daysSinceActive: return .nan
            }
        case let .trend(t):
            let m = metricIndex(t.metric)
            let level = history.usage.isLevel[m]
            // A decline probability needs only its recent period in the history (its baseline weeks before it are left out).
            let needed = t.form == .declineProbability ? t.recent : t.recent + t.baseline
            guard D - Int32(needed) >= start, D - 1 <= dataEnd else { return .nan }
            func mean(_ from: Int32, _ to: Int32) -> Double {
                var total = 0.0, n = 0
                for day in from..<to { if let v = days[day]?[m], !v.isNaN { total += v; n += 1 } }
                return level ? (n == 0 ? .nan : total / Double(n)) : total / Double(to - from)
            }
            // A week holding a day the whole population went quiet on is no week, when the trend skips them.
            let quiet = t.statistic != .mean && t.quietWeeks == .skip ? self.quiet[m] : []
            func isQuiet(_ start: Int32) -> Bool { (start..<(start + 7)).contains { quiet.contains($0) } }
            // Weekly median: each 7-day week's total (a level's mean over its days with a value,
            // none: no week), then the median of the period's weeks.
            func weeklyMedian(_ from: Int32, _ to: Int32) -> Double {
                var weeks: [Double] = []
                for start in stride(from: from, to: to, by: 7) where !isQuiet(start) {
                    let week = mean(start, start + 7)
                    if !week.isNaN { weeks.append(level ? week : week * 7) }
                }
                return plainMedian(weeks)
            }
            // Active weeks: the weeks with any of the metric (a count's total > 0, a level's answer).
            func activeWeeks(_ from: Int32, _ to: Int32) -> [Double] {
                stride(from: from, to: to, by: 7).filter { !isQuiet($0) }.map { mean($0, $0 + 7) }.filter { level ? !$0.isNaN : $0 > 0 }.map { level ? $0 : $0 * 7 }
            }
            func activeMean(_ from: Int32, _ to: Int32) -> Double {
                let w = activeWeeks(from, to)
                return w.isEmpty ? .nan : w.reduce(0, +) / Double(w.count)
            }
            let recentFrom = D - Int32(t.recent), baseFrom = D - Int32(t.recent + t.baseline)
            if t.form == .t {
                // Welch's t from sums and sums of squares; counts' variances at least their means.
                let r = activeWeeks(recentFrom, D), b = activeWeeks(baseFrom, recentFrom)
                if r.count < (level ? 2 : 1) || b.count < (level ? 2 : 1) { return .nan }
                func meanAndVariance(_ x: [Double]) -> (Double, Double) {
                    let n = Double(x.count), s = x.reduce(0, +), ss = x.reduce(0) { $0 + $1 * $1 }
                    let v = x.count < 2 ? 0 : max(0, (ss - s * s / n) / (n - 1))
                    return (s / n, level ? v : max(v, s / n))
                }
                let (mr, vr) = meanAndVariance(r), (mb, vb) = meanAndVariance(b)
                let se = (vr / Double(r.count) + vb / Double(b.count)).squareRoot()
                return se == 0 ? (mr == mb ? 0 : .nan) : (mr - mb) / se
            }
            if t.form == .declineProbability {
                // Both hypotheses' Poisson log-likelihoods (without the log x! terms, which cancel),
                // each at its fitted level, over the active weeks, oldest first, their difference
                // divided by the decline fit's dispersion (at least 1); then Bayes' rule.
                var x: [Double] = [], g: [Double] = [], inRecent = 0
                for weekStart in stride(from: baseFrom, to: D, by: 7) {
                    let total = mean(weekStart, weekStart + 7) * 7
                    guard total > 0, weekStart >= start, !isQuiet(weekStart) else { continue }
                    let weeksBefore = Double(D - weekStart) / 7 - 1        // 0 for the latest week
                    let recentWeeks = Double(t.recent / 7)
                    x.append(total)
                    if weekStart >= recentFrom { inRecent += 1 }
                    g.append(weekStart < recentFrom ? 1 : t.declineTo + (1 - t.declineTo) * (weeksBefore + 0.5) / recentWeeks)
                }
                if inRecent == 0 || inRecent == x.count { return .nan }
                func logLikelihood(_ shape: [Double]) -> Double {
                    let level = x.reduce(0, +) / shape.reduce(0, +)
                    return zip(x, shape).reduce(0) { $0 + $1.0 * log(level * $1.1) - level * $1.1 }
                }
                let fitted = x.reduce(0, +) / g.reduce(0, +)
                var pearson = 0.0
                for (count, shape) in zip(x, g) { pearson += pow(count - fitted * shape, 2) / (fitted * shape) }
                let dispersion = max(1, pearson / Double(x.count - 1))
                let declining = log(t.prior) + logLikelihood(g) / dispersion
                let levelled = log(1 - t.prior) + logLikelihood(g.map { _ in 1 }) / dispersion
                let top = max(declining, levelled)
                return exp(declining - top) / (exp(declining - top) + exp(levelled - top))
            }
            let summary = t.statistic == .weeklyMedian ? weeklyMedian : t.statistic == .activeWeeks ? activeMean : mean
            let recent = summary(recentFrom, D), base = summary(baseFrom, recentFrom)
            if recent.isNaN || base.isNaN { return .nan }
            let ratio = base == 0 ? (recent == 0 ? 1 : .nan) : recent / base
            return t.form == .ratio ? ratio : (1 - ratio) * 100
        case let .milestone(ms):
            let m = metricIndex(ms.metric)
            let signup = history.accounts.signup[a].number
            guard signup >= dataStart else { return .nan }
            var total = 0.0, best = -Double.infinity
            for day in signup..<min(signup + Int32(ms.within), D) {
                if let v = days[day]?[m], !v.isNaN { total += v; best = max(best, v) }
            }
            let reached = ms.aggregate == .sum ? total >= ms.atLeast : best >= ms.atLeast
            if reached { return 0 }
            return signup + Int32(ms.within) <= D ? 1 : .nan
        case let .cohort(c):
            let x = dep(c.signal)
            let base = definitions.firstIndex { $0.name == c.signal }!
            var same: [Double] = [], all: [Double] = []
            for b in 0..<history.accounts.count where isActive(b, d) {
                let v = self.values(b, d, through: base)[base]
                if v.isNaN { continue }
                all.append(v)
                if history.accounts.segment[b] == history.accounts.segment[a] { same.append(v) }
            }
            let med = same.count >= c.minimumAccounts ? plainMedian(same) : plainMedian(all)
            if x.isNaN || med.isNaN { return .nan }
            if med == 0 { return x == 0 ? 1 : .nan }
            return x / med
        case let .ratio(r):
            let x = dep(r.numerator), y = dep(r.denominator)
            return y == 0 || y.isNaN || x.isNaN ? .nan : x / y
        case let .flag(conditions):
            return conditions.allSatisfy { c in
                let v = dep(c.signal)
                if v.isNaN { return false }
                switch c.op {
                case .lt: return v < c.value
                case .le: return v <= c.value
                case .gt: return v > c.value
                case .ge: return v >= c.value
                case .eq: return v == c.value
                case .ne: return v != c.value
                }
            } ? 1 : 0
        case .column, .category:
            return .nan // a flat table's value; the usage history has none
        }
    }

    private func plainMedian(_ v: [Double]) -> Double { Self.plainMedian(v) }

    private static func plainMedian(_ v: [Double]) -> Double {
        if v.isEmpty { return .nan }
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
