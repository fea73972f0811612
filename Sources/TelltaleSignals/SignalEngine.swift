import Dispatch
import Foundation
import TelltaleData

/// Computes signals for observations (account, as-of date) from a loaded
/// history, using only usage dated strictly before each as-of date.
///
/// A window of N days as of D covers the days D−N ... D−1. A window that
/// reaches before the account's history (its signup, or the first day of the
/// usage data, whichever is later) or past the last day of the usage data is
/// missing (NaN), not computed over fewer days: too little history is marked,
/// never faked. For count metrics a day with no usage row counts as zero; for
/// level metrics (CSAT) it is missing and only answered days count.
///
/// - Complexity: O(log r) per window signal and observation (r = the
///   account's usage rows) after an O(rows) index, plus, for cohort signals,
///   the base signal for every active account at each distinct as-of date.
public struct SignalEngine: Sendable {
    public let history: History
    public let definitions: [SignalDefinition]
    /// First and last day of the usage data.
    public let coverage: ClosedRange<Day>?
    let metrics: [String: MetricIndex]
    /// Per metric of a weekly trend that skips them: the days the whole population went quiet.
    let quiet: [String: QuietDays]
    let churnDates: [Day?]
    let segmentIndex: [Int32]
    let segmentNames: [String]
    /// Observations of the cohort population computed at once, at most (a block
    /// holds at least one day): about 2M, each with 8 bytes per base column.
    var populationBlock = 1 << 21

    /// Validates the definitions against each other and against the usage
    /// table's metrics, and indexes the metrics they read.
    public init(history: History, definitions: [SignalDefinition]) throws {
        try SignalDefinition.validate(definitions, metrics: history.usage.metrics,
                                      levels: history.usage.levelMetrics)
        self.history = history
        self.definitions = definitions
        coverage = history.usage.dateRange
        // One index per metric read, built on all cores.
        let read = Array(Set(definitions.flatMap(\.metrics))).sorted()
        let built = Parallel.map(read.count) { i in
            let needsActive = definitions.contains { def in
                if case let .window(w) = def.kind { return w.metric == read[i] && w.aggregate == .daysActive }
                return false
            }
            return MetricIndex(usage: history.usage, metric: history.usage.metrics.firstIndex(of: read[i])!, needsActive: needsActive)
        }
        metrics = Dictionary(uniqueKeysWithValues: zip(read, built))
        quiet = Dictionary(uniqueKeysWithValues: QuietDays.byMetric(usage: history.usage, definitions: definitions).map { ($0.metric, $0.days) })
        churnDates = history.churnDates
        var names: [String] = []
        var lookup: [String: Int32] = [:]
        segmentIndex = history.accounts.segment.map { s in
            if let i = lookup[s] { return i }
            lookup[s] = Int32(names.count); names.append(s); return Int32(names.count - 1)
        }
        segmentNames = names
    }

    /// One table per list of observations, cut from one table of them all: the
    /// cohort signals' population (every account active on each as-of date) is
    /// built once for the dates the lists share, not once per list (`train`'s
    /// training and four distance tables: 40,000 × 730, `train` took 10.1-10.2 s
    /// against 15.3-20.3 s with the five built one by one). A row's values depend
    /// on its account and date alone, so each is the table its list alone gives.
    public func tables(for lists: [[Observation]]) -> [SignalTable] {
        if lists.count == 1 { return [table(for: lists[0])] }
        let whole = table(for: lists.flatMap { $0 })
        var start = 0
        return lists.map { list in
            defer { start += list.count }
            return whole.subset(Array(start..<(start + list.count)))
        }
    }

    /// The signal table for the given observations, every definition in order.
    public func table(for observations: [Observation]) -> SignalTable {
        let raw = compute(Array(definitions.indices), observations)
        var table = SignalTable(definitions: definitions, observations: observations,
                                historyDays: observations.map { historyDays($0) }, raw: raw,
                                accountIDs: history.accounts.ids, segments: history.accounts.segment)
        if let dataStart = coverage?.lowerBound {
            table.historyCut = zip(observations, table.complete).map { o, complete in
                !complete && history.accounts.signup[Int(o.account)] < dataStart
            }
        }
        return table
    }

    // MARK: - Evaluation

    /// Raw values of the definitions at `indices` (with their dependencies
    /// among them, in declaration order) for each observation.
    /// `runs`, when given: the observations come account by account, days
    /// increasing within each run (window signals are then swept).
    func compute(_ indices: [Int], _ obs: [Observation], runs: [Range<Int>]? = nil) -> [[Double]] {
        var columns: [Int: [Double]] = [:]
        let medians = cohortMedians(for: indices, obs)
        for i in indices {
            let def = definitions[i]
            var depColumns: [[Double]] = []
            for d in def.dependencies {
                if let j = definitions.firstIndex(where: { $0.name == d }), let col = columns[j] { depColumns.append(col) }
                else { depColumns.append(accountColumn(AccountSignal.named(d)!, obs)) }
            }
            // Resolved once per column: a dictionary lookup per value would dominate.
            let metric = def.metrics.first.map { metrics[$0]! }
            let cohort = medians[i]
            if let runs, case let .window(w) = def.kind, w.aggregate != .daysSinceActive, let metric {
                columns[i] = sweptWindow(w, metric, obs, runs: runs)
                continue
            }
            columns[i] = Parallel.column(rows: obs.count, serialBelow: 4096) { k in
                value(def, metric, obs[k], k, depColumns, cohort)
            }
        }
        return indices.map { columns[$0]! }
    }

    /// The medians cohort signals compare against: per cohort definition, per
    /// (as-of day, segment), over every account active at that day.
    private func cohortMedians(for indices: [Int], _ obs: [Observation]) -> [Int: CohortMedians] {
        let cohorts = indices.filter { if case .cohort = definitions[$0].kind { return true } else { return false } }
        guard !cohorts.isEmpty else { return [:] }
        // The bases and everything they depend on, once for all cohort signals.
        var needed = Set<Int>()
        func include(_ name: String) {
            guard let j = definitions.firstIndex(where: { $0.name == name }), !needed.contains(j) else { return }
            needed.insert(j)
            definitions[j].dependencies.forEach(include)
        }
        for c in cohorts { if case let .cohort(spec) = definitions[c].kind { include(spec.signal) } }
        // The population: every account active at each distinct as-of day. Account a
        // is active on days[first[a]..<end[a]] (after signup, up to its churn).
        let days = Array(Set(obs.map(\.asOf))).sorted()
        let first = history.accounts.signup.map { signup in days.partitionPoint { $0 <= signup } }
        let end = churnDates.map { churn in churn.map { c in days.partitionPoint { $0 <= c } } ?? days.count }
        // Taken a block of days at a time, each block about `populationBlock`
        // observations: for a training table the population is every active account
        // at every observation date (20M observations for 40,000 accounts over 730
        // days), and its observations and base columns were all held at once.
        var active = [Int](repeating: 0, count: days.count + 1)
        for a in first.indices where first[a] < end[a] { active[first[a]] += 1; active[end[a]] -= 1 }
        var blocks: [Range<Int>] = [], lo = 0, size = 0, running = 0
        for d in days.indices {
            running += active[d]
            if size > 0 && size + running > populationBlock { blocks.append(lo..<d); lo = d; size = 0 }
            size += running
        }
        if lo < days.count { blocks.append(lo..<days.count) }
        let order = needed.sorted()
        var out: [Int: CohortMedians] = [:]
        for block in blocks {
            // Account by account (each account's days a contiguous run), so the windows
            // of one account are computed together while its rows are in cache.
            var population: [Observation] = [], dayOf: [Int32] = [], runs: [Range<Int>] = []
            for a in first.indices {
                let run = population.count
                var j = max(first[a], block.lowerBound)
                while j < min(end[a], block.upperBound) {
                    population.append(Observation(account: Int32(a), asOf: days[j]))
                    dayOf.append(Int32(j - block.lowerBound))
                    j += 1
                }
                if population.count > run { runs.append(run..<population.count) }
            }
            let values = compute(order, population, runs: runs)
            for c in cohorts {
                guard case let .cohort(spec) = definitions[c].kind else { continue }
                let base = definitions.firstIndex(where: { $0.name == spec.signal })
                let column = base.flatMap { order.firstIndex(of: $0) }.map { values[$0] }
                    ?? accountColumn(AccountSignal.named(spec.signal)!, population)
                out[c, default: CohortMedians()].add(population: population, dayOf: dayOf, days: days[block], values: column,
                                                     segmentOf: segmentIndex, segments: segmentNames.count,
                                                     minimumAccounts: spec.minimumAccounts)
            }
        }
        return out
    }

    func accountColumn(_ s: AccountSignal, _ obs: [Observation]) -> [Double] {
        obs.map { accountValue(s, $0) }
    }

    func accountValue(_ s: AccountSignal, _ o: Observation) -> Double {
        let a = Int(o.account)
        switch s {
        case .seats: return history.accounts.seats[a] ?? .nan
        case .contractValue: return history.accounts.contractValue[a]
        case .tenureDays: return Double(o.asOf - history.accounts.signup[a])
        case .historyDays: return historyDays(o)
        }
    }

    /// The first day of an account's usage history: signup or the data's first day.
    func historyStart(_ a: Int) -> Day? {
        guard let coverage else { return nil }
        return max(history.accounts.signup[a], coverage.lowerBound)
    }

    func historyDays(_ o: Observation) -> Double {
        guard let start = historyStart(Int(o.account)), let coverage else { return 0 }
        let end = min(o.asOf, coverage.upperBound + 1)
        return Double(max(0, end - start))
    }

    /// Whether the days from..<to (as day numbers) are inside the account's history.
    @inline(__always) func covered(_ a: Int, from: Int32, to: Int32) -> Bool {
        guard let start = historyStart(a), let coverage else { return false }
        return from >= start.number && to <= coverage.upperBound.number + 1
    }

    /// A window aggregate over `rows`, the account's rows dated in the window
    /// (the account's first row is `first`); every window but `days_since_active`.
    @inline(__always)
    func windowValue(_ w: WindowSignal, _ m: MetricIndex, rows: Range<Int>, first: Int, asOf d: Int32) -> Double {
        let usage = history.usage
        let lo = rows.lowerBound, hi = rows.upperBound
        switch w.aggregate {
        case .sum: return m.sum(lo, hi, first: first)
        case .mean:
            if m.isLevel {
                let n = m.present(lo, hi, first: first)
                return n == 0 ? .nan : m.sum(lo, hi, first: first) / Double(n)
            }
            return m.sum(lo, hi, first: first) / Double(w.days)
        case .max, .min:
            var best = Double.nan
            for r in lo..<hi where !m.values[r].isNaN {
                let v = m.values[r]
                if best.isNaN || (w.aggregate == .max ? v > best : v < best) { best = v }
            }
            // Days (weeks) without a row are zero for counts.
            if !m.isLevel && hi - lo < w.days / usage.rowDays {
                best = best.isNaN ? 0 : (w.aggregate == .max ? Swift.max(best, 0) : Swift.min(best, 0))
            }
            return best
        case .last:
            if m.isLevel {
                var r = hi - 1
                while r >= lo { if !m.values[r].isNaN { return m.values[r] }; r -= 1 }
                return .nan
            }
            // The row of the day (week) before the as-of date, if there is one.
            return hi > lo && usage.day[hi - 1] >= d - Int32(usage.rowDays) ? m.values[hi - 1] : 0
        case .daysActive: return Double(m.active(lo, hi, first: first))
        case .daysSinceActive: return .nan // not a window of rows: `value` computes it
        }
    }

    /// A window signal for observations that come account by account, days
    /// increasing within each of `runs`: the window's first and last rows only
    /// move forward, so each account's rows are walked once rather than
    /// binary-searched twice per observation. It is how the cohort population
    /// (every active account at every observation date, 20M observations on
    /// 40,000 accounts over 730 days) gets its base signals; same values as `value`.
    func sweptWindow(_ w: WindowSignal, _ m: MetricIndex, _ obs: [Observation], runs: [Range<Int>]) -> [Double] {
        let usage = history.usage
        return [Double](unsafeUninitializedCapacity: obs.count) { out, initialized in
            let base = out.baseAddress!
            let blocks = Parallel.blockCount(rows: runs.count, serialBelow: 256, perCore: 4)
            DispatchQueue.concurrentPerform(iterations: blocks) { b in
                for run in runs[Parallel.block(b, of: blocks, rows: runs.count)] where !run.isEmpty {
                    let a = Int(obs[run.lowerBound].account)
                    let first = usage.start[a], end = usage.start[a + 1]
                    var lo = first, hi = first
                    for k in run {
                        let d = obs[k].asOf.number, from = d - Int32(w.days)
                        while lo < end && usage.day[lo] < from { lo += 1 }
                        if hi < lo { hi = lo }
                        while hi < end && usage.day[hi] < d { hi += 1 }
                        (base + k).initialize(to: covered(a, from: from, to: d) ? windowValue(w, m, rows: lo..<hi, first: first, asOf: d) : .nan)
                    }
                }
            }
            initialized = obs.count
        }
    }

    func value(_ def: SignalDefinition, _ metric: MetricIndex?, _ o: Observation, _ k: Int, _ deps: [[Double]], _ medians: CohortMedians?) -> Double {
        let a = Int(o.account)
        let d = o.asOf.number
        let usage = history.usage
        switch def.kind {
        case let .window(w):
            let m = metric!
            let first = usage.start[a]
            if w.aggregate == .daysSinceActive {
                guard let start = historyStart(a), start.number <= d, covered(a, from: start.number, to: d) else { return .nan }
                var r = usage.firstRow(of: a, onOrAfter: d) - 1
                while r >= first { if m.isActive(r) { return Double(d - usage.day[r]) }; r -= 1 }
                return Double(d - start.number)
            }
            let from = d - Int32(w.days)
            guard covered(a, from: from, to: d) else { return .nan }
            let lo = usage.firstRow(of: a, onOrAfter: from), hi = usage.firstRow(of: a, onOrAfter: d)
            return windowValue(w, m, rows: lo..<hi, first: first, asOf: d)

        case let .trend(t):
            let m = metric!
            let first = usage.start[a]
            let split = d - Int32(t.recent), from = split - Int32(t.baseline)
            guard covered(a, from: d - Int32(t.requiredHistory), to: d) else { return .nan }
            let recent: Double, baseline: Double
            if t.statistic.isWeekly {
                // Week w covers the 7 days ending 7w days before the as-of date;
                // edge[w] is its first row after it (edge[0]: the as-of date's).
                // The weeks stop at the account's history (signup or the data's start). Only a
                // decline probability gets this far (`requiredHistory`): its baseline weeks before
                // the history are left out as empty weeks are, since a likelihood over fewer weeks
                // is weaker evidence, not a wrong one.
                let recentWeeks = t.recent / 7
                let weeks = Swift.min((t.recent + t.baseline) / 7, Int(d - historyStart(a)!.number) / 7)
                let edge = (0...weeks).map { usage.firstRow(of: a, onOrAfter: d - Int32(7 * $0)) }
                // A week the whole population went quiet in is left out, as an empty week is.
                let quietDays = t.skipsQuietWeeks ? quiet[t.metric] : nil
                func week(_ w: Int) -> Double {
                    if let quietDays, quietDays.anyQuiet(from: d - Int32(7 * (w + 1)), to: d - Int32(7 * w)) { return .nan }
                    let lo = edge[w + 1], hi = edge[w]
                    guard m.isLevel else { return m.sum(lo, hi, first: first) }
                    let n = m.present(lo, hi, first: first)
                    return n == 0 ? .nan : m.sum(lo, hi, first: first) / Double(n)
                }
                let recentValues = (0..<recentWeeks).map(week), baselineValues = (recentWeeks..<weeks).map(week)
                if t.statistic == .activeWeeks {
                    // A level's week without an answer is NaN, a count's without any use 0: both left out.
                    let baselineActive = baselineValues.filter(m.isActive(value:))
                    if t.form == .declineProbability { // counts only (validation); the recent weeks keep their place
                        let recentActive = recentValues.enumerated().filter { m.isActive(value: $0.element) }
                            .map { (weeksBefore: $0.offset, count: $0.element) }
                        return WeeklyComparison.declineProbability(recent: recentActive, recentWeeks: recentWeeks, baseline: baselineActive,
                                                                   to: t.declineTo, prior: t.prior)
                    }
                    let recentActive = recentValues.filter(m.isActive(value:))
                    if t.form == .t {
                        return WeeklyComparison.welchT(recent: recentActive, baseline: baselineActive, varianceAtLeastMean: !m.isLevel)
                    }
                    recent = WeeklyComparison.mean(recentActive)
                    baseline = WeeklyComparison.mean(baselineActive)
                } else {
                    recent = TelltaleSignals.median(recentValues)
                    baseline = TelltaleSignals.median(baselineValues)
                }
                guard !recent.isNaN, !baseline.isNaN else { return .nan }
            } else {
                let r0 = usage.firstRow(of: a, onOrAfter: from), r1 = usage.firstRow(of: a, onOrAfter: split)
                let r2 = usage.firstRow(of: a, onOrAfter: d)
                if m.isLevel {
                    let nr = m.present(r1, r2, first: first), nb = m.present(r0, r1, first: first)
                    guard nr > 0, nb > 0 else { return .nan }
                    recent = m.sum(r1, r2, first: first) / Double(nr)
                    baseline = m.sum(r0, r1, first: first) / Double(nb)
                } else {
                    recent = m.sum(r1, r2, first: first) / Double(t.recent)
                    baseline = m.sum(r0, r1, first: first) / Double(t.baseline)
                }
            }
            let ratio: Double
            if baseline == 0 { ratio = recent == 0 ? 1 : .nan } else { ratio = recent / baseline }
            switch t.form {
            case .ratio: return ratio
            case .drop: return (1 - ratio) * 100
            case .t, .declineProbability: return .nan // computed above; validation pairs them with active weeks
            }

        case let .milestone(ms):
            let m = metric!
            let signup = history.accounts.signup[a].number
            guard let coverage, signup >= coverage.lowerBound.number else { return .nan } // before the data: unknown
            let deadline = signup + Int32(ms.within)
            let end = Swift.min(deadline, d)
            let lo = usage.firstRow(of: a, onOrAfter: signup), hi = usage.firstRow(of: a, onOrAfter: end)
            let reached: Bool
            switch ms.aggregate {
            case .sum: reached = m.sum(lo, hi, first: usage.start[a]) >= ms.atLeast
            case .max: reached = (lo..<hi).contains { m.values[$0] >= ms.atLeast }
            }
            if reached { return 0 }
            return deadline <= d ? 1 : .nan // missed, or not yet due

        case .cohort:
            return CohortMedians.ratio(deps[0][k], median: medians?.median(day: o.asOf, segment: segmentIndex[a]))

        case .ratio:
            let x = deps[0][k], y = deps[1][k]
            return y == 0 || y.isNaN || x.isNaN ? .nan : x / y

        case let .flag(conditions):
            return conditions.allHold(deps, row: k) ? 1 : 0

        case .column, .category:
            return .nan // only a flat table has it; usage history cannot compute it
        }
    }
}

/// Medians of a signal per (as-of day, segment) over the accounts active then;
/// a segment with fewer than `minimumAccounts` known values uses the median
/// over all segments.
struct CohortMedians: Sendable {
    private var table: [Int32: [Double]] = [:] // day → per segment (last entry: population)

    init() {}

    /// Adds the medians of `days`, days that have none yet (the population of a
    /// block of days is every account active on them). Observation k is on
    /// `days[dayOf[k]]`: the days are known, so grouping by them is a counting
    /// sort, not a dictionary lookup per observation (which took most of the
    /// cohort signals' time on a 20M-observation population).
    mutating func add(population: [Observation], dayOf: [Int32], days: ArraySlice<Day>, values: [Double], segmentOf: [Int32],
                      segments: Int, minimumAccounts: Int) {
        // Group the known values by day (a counting sort), then by segment.
        var starts = [Int](repeating: 0, count: days.count + 1)
        for k in population.indices where !values[k].isNaN { starts[Int(dayOf[k]) + 1] += 1 }
        for d in 0..<days.count { starts[d + 1] += starts[d] }
        var next = starts
        var grouped = [Double](repeating: 0, count: starts[days.count])
        var groupedSegment = [Int32](repeating: 0, count: starts[days.count])
        for k in population.indices where !values[k].isNaN {
            let d = Int(dayOf[k]), slot = next[d]
            grouped[slot] = values[k]
            groupedSegment[slot] = segmentOf[Int(population[k].account)]
            next[d] += 1
        }
        // Each day's medians on its own, the days spread over the cores.
        let perDay = Parallel.map(days.count) { d -> [Double]? in
            guard starts[d + 1] > starts[d] else { return nil }
            return Self.segmentMedians(grouped[starts[d]..<starts[d + 1]], segmentOf: groupedSegment[starts[d]..<starts[d + 1]],
                                       segments: segments, minimumAccounts: minimumAccounts)
        }
        for (d, medians) in perDay.enumerated() { if let medians { table[days[days.startIndex + d].number] = medians } }
    }

    func median(day: Day, segment: Int32) -> Double? { table[day.number]?[Int(segment)] }

    /// One date's medians: per segment (a segment with fewer than
    /// `minimumAccounts` values gets the population's), then the population's.
    static func segmentMedians(_ values: ArraySlice<Double>, segmentOf: ArraySlice<Int32>, segments: Int,
                               minimumAccounts: Int) -> [Double] {
        var buckets = [[Double]](repeating: [], count: segments)
        for (v, s) in zip(values, segmentOf) { buckets[Int(s)].append(v) }
        let overall = TelltaleSignals.median(Array(values))
        return buckets.map { $0.count >= minimumAccounts ? TelltaleSignals.median($0) : overall } + [overall]
    }

    /// A value against its cohort's median: a zero median compares only a zero (as 1).
    @inline(__always) static func ratio(_ x: Double, median: Double?) -> Double {
        guard let median, !x.isNaN else { return .nan }
        if median == 0 { return x == 0 ? 1 : .nan }
        return x / median
    }
}

/// The median of the non-NaN values (mean of the middle two for an even
/// count); NaN when there are none.
/// - Complexity: O(n) expected (quickselect on a copy).
public func median(_ values: [Double]) -> Double {
    var v = values.filter { !$0.isNaN }
    guard !v.isEmpty else { return .nan }
    let n = v.count
    return v.withUnsafeMutableBufferPointer { b -> Double in
        let upper = select(b, n / 2)
        guard n % 2 == 0 else { return upper }
        // After selecting n/2, everything before it is <= it: the lower middle is their maximum.
        var lower = -Double.infinity
        for i in 0..<(n / 2) where b[i] > lower { lower = b[i] }
        return (lower + upper) / 2
    }
}

/// The q-quantile of the non-NaN values, interpolating linearly between order
/// statistics (numpy's default); NaN when there are none.
/// - Complexity: O(n) expected (quickselect on a copy).
public func quantile(_ values: [Double], _ q: Double) -> Double { quantiles(values, [q])[0] }

/// `quantile` at each of `qs`, from one copy of the values (a million
/// contract values were filtered and copied once per quantile before). In
/// ascending order, each selection searches only above the previous one.
public func quantiles(_ values: [Double], _ qs: [Double]) -> [Double] {
    // A copy, its missing values squeezed out in place (`filter` appended one
    // value at a time: 11 ms for a million).
    var v = values
    let count = v.withUnsafeMutableBufferPointer { b -> Int in
        var kept = 0
        for i in b.indices where !b[i].isNaN { b[kept] = b[i]; kept += 1 }
        return kept
    }
    v.removeLast(v.count - count)
    guard !v.isEmpty else { return qs.map { _ in .nan } }
    var out = qs.map { _ in Double.nan }
    v.withUnsafeMutableBufferPointer { b in
        var from = 0
        for j in qs.indices.sorted(by: { qs[$0] < qs[$1] }) {
            let pos = qs[j] * Double(b.count - 1)
            let lo = Int(pos.rounded(.down))
            let a: Double, next: Double
            if b.count >= 16_384, let pair = bracketedOrderStatistics(b, lo) {
                (a, next) = pair
            } else {
                // After selecting `from`, everything above it is >= it.
                a = lo >= from ? select(UnsafeMutableBufferPointer(rebasing: b[from...]), lo - from) : select(b, lo)
                from = max(from, lo)
                // After selecting lo, everything above it is >= it: the next order statistic is their minimum.
                var m = Double.infinity
                for i in (lo + 1)..<b.count where b[i] < m { m = b[i] }
                next = m
            }
            out[j] = lo + 1 < b.count && pos > Double(lo) ? a + (next - a) * (pos - Double(lo)) : a
        }
    }
    return out
}

/// The k-th and (k+1)-th smallest of many values (the second +∞ past the
/// end) without ordering them all: an even spread of 1,024 values brackets
/// rank k, one pass counts the values under the bracket and keeps those in
/// it, and only those are selected from. Nil when the bracket misses (the
/// caller selects from everything); the values are not reordered.
private func bracketedOrderStatistics(_ b: UnsafeMutableBufferPointer<Double>, _ k: Int) -> (Double, Double)? {
    let n = b.count, sampleCount = 1_024
    var sample = (0..<sampleCount).map { b[$0 * (n / sampleCount)] }
    sample.sort()
    // Rank k's place in the sample, widened by about four standard deviations of a sample rank.
    let centre = Double(k) / Double(n) * Double(sampleCount - 1)
    let margin = 4 * (Double(sampleCount) * 0.25).squareRoot() + 2
    let low = sample[max(0, Int(centre - margin))], high = sample[min(sampleCount - 1, Int(centre + margin) + 1)]
    var below = 0
    var kept: [Double] = []
    kept.reserveCapacity(n / 16)
    for i in 0..<n {
        let x = b[i]
        if x < low { below += 1 } else if x <= high { kept.append(x) }
    }
    // Rank k and k+1 must both fall among the kept values (k+1 may be past the end: +∞).
    guard below <= k, k < below + kept.count, k + 1 >= n || k + 1 < below + kept.count else { return nil }
    return kept.withUnsafeMutableBufferPointer { c in
        let a = select(c, k - below)
        guard k + 1 < n else { return (a, .infinity) }
        var next = Double.infinity
        for i in (k - below + 1)..<c.count where c[i] < next { next = c[i] }
        return (a, next)
    }
}

/// The k-th smallest element (0-based), partially ordering `b` around it (Hoare's quickselect).
private func select(_ b: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
    var lo = 0, hi = b.count - 1
    while lo < hi {
        let pivot = b[(lo + hi) >> 1]
        var i = lo, j = hi
        while i <= j {
            while b[i] < pivot { i += 1 }
            while b[j] > pivot { j -= 1 }
            if i <= j { b.swapAt(i, j); i += 1; j -= 1 }
        }
        if k <= j { hi = j } else if k >= i { lo = i } else { break }
    }
    return b[k]
}

extension Array where Element == Day {
    /// In a sorted array, the index of the first element for which `belongs` is false.
    func partitionPoint(_ belongs: (Day) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if belongs(self[mid]) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
