import TelltaleData

/// Days on which a whole usage population went quiet: a public holiday, the
/// week between Christmas and New Year, a company-wide shutdown. Such a week
/// says nothing about one account, yet a weekly trend read it as a fall: on
/// the simulated 730-day history of 10,000 accounts the planted decline's
/// `core_actions_decline_probability` ranked at ROC AUC 0.972 for renewals
/// with 24-31 December in its recent weeks, against 0.987 for the others, and
/// left out those weeks it ranks at 0.984.
///
/// A day is quiet when the metric's total over every account is under
/// `share` of the median total on the same weekday in the `weeks` weeks before
/// it, so it is judged by data dated up to itself and a weekend is compared
/// with weekends. A population of fewer than `minimumAccounts` accounts with
/// usage on those days is too small to tell a holiday from chance: no day is quiet.
/// Count metrics only: a level has no total. Weekly rows (dated by their week's
/// last day) are compared with the 8 weeks before, so a week is quiet when its
/// total is under half theirs (Christmas week is; a week with one holiday is not).
struct QuietDays: Sendable {
    let firstDay: Int32
    /// quietBefore[i]: quiet days among firstDay ..< firstDay + i.
    let quietBefore: [Int32]

    static let share = 0.5
    static let weeks = 8
    static let minimumAccounts = 30.0

    /// The quiet days of metric `m` of the usage table.
    init(usage: Usage, metric m: Int) {
        guard let range = usage.dateRange, !usage.isLevel[m] else {
            firstDay = 0; quietBefore = [0]; return
        }
        firstDay = range.lowerBound.number
        let days = Int(range.upperBound.number - firstDay) + 1
        var totals = [Double](repeating: 0, count: days), accounts = [Double](repeating: 0, count: days)
        let values = usage.values[m]
        for r in 0..<usage.count {
            let x = values[r]
            guard !x.isNaN else { continue }
            let i = Int(usage.day[r] - firstDay)
            totals[i] += x
            if x > 0 { accounts[i] += 1 }
        }
        var before = [Int32](repeating: 0, count: days + 1)
        for i in 0..<days {
            var quiet = false
            if i >= 7 * Self.weeks {
                let earlier = (1...Self.weeks).map { i - 7 * $0 }
                quiet = TelltaleSignals.median(earlier.map { accounts[$0] }) >= Self.minimumAccounts
                    && totals[i] < Self.share * TelltaleSignals.median(earlier.map { totals[$0] })
            }
            before[i + 1] = before[i] + (quiet ? 1 : 0)
        }
        quietBefore = before
    }

    /// The quiet days, as day numbers (for tests and reports).
    var days: [Int32] { quietBefore.indices.dropLast().filter { quietBefore[$0 + 1] > quietBefore[$0] }.map { firstDay + Int32($0) } }

    /// Whether any day of from ..< to (day numbers) is quiet.
    @inline(__always) func anyQuiet(from: Int32, to: Int32) -> Bool {
        let last = Int32(quietBefore.count - 1)
        let lo = Int(Swift.max(0, Swift.min(last, from - firstDay))), hi = Int(Swift.max(0, Swift.min(last, to - firstDay)))
        return quietBefore[hi] > quietBefore[lo]
    }


    /// The metrics whose quiet days some weekly trend of `definitions` leaves out, sorted.
    static func metrics(skippedBy definitions: [SignalDefinition]) -> [String] {
        Set(definitions.compactMap { def -> String? in
            if case let .trend(t) = def.kind, t.skipsQuietWeeks { return t.metric }
            return nil
        }).sorted()
    }

    /// Per metric of the usage table a weekly trend of `definitions` skips them
    /// for, the days the whole population went quiet on (what `check` shows an
    /// analyst, without the signal engine's indexes).
    static func byMetric(usage: Usage, definitions: [SignalDefinition]) -> [(metric: String, days: QuietDays)] {
        let names = metrics(skippedBy: definitions).filter(usage.metrics.contains)
        let found = Parallel.map(names.count) { i in QuietDays(usage: usage, metric: usage.metrics.firstIndex(of: names[i])!) }
        return Array(zip(names, found))
    }
}

extension Usage {
    /// Per metric a weekly trend of `definitions` reads and skips them for, the
    /// days the whole population went quiet on.
    public func quietDays(for definitions: [SignalDefinition]) -> [(metric: String, days: [Day])] {
        QuietDays.byMetric(usage: self, definitions: definitions).map { ($0.metric, $0.days.days.map { Day(number: $0) }) }
    }
}
