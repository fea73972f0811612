import TelltaleAlerts
import TelltaleData
import TelltaleScorer
import TelltaleSignals

/// One setting of one rule, replayed.
public struct SweepPoint: Equatable, Sendable {
    public var rule: String
    /// The value of the rule's first condition.
    public var threshold: Double
    public var graceDays: Int
    public var stats: AlertStats
    /// The configured setting.
    public var isCurrent: Bool
}

/// The trade-off between alert volume and churn caught as rule thresholds and
/// the grace period vary, evaluated on the signal tables the walk forward
/// kept (no signal is recomputed), with the same support-case suppression.
public enum ThresholdSweep {
    public static func run(_ run: BacktestRun, alerts: AlertSettings, settings: BacktestSettings) -> (points: [SweepPoint], warnings: [String]) {
        var points: [SweepPoint] = [], warnings: [String] = []
        guard !run.snapshots.isEmpty else { return ([], ["the threshold sweep needs the walk forward's signal tables"]) }
        let step = max(1, alerts.graceStepDays)
        let columns = Set(run.snapshots[0].tables[0].definitions.map(\.name))
        for (name, values) in settings.sweep.sorted(by: { $0.key < $1.key }) {
            guard let rule = run.rules.first(where: { $0.name == name }) else {
                warnings.append("sweep: no rule '\(name)' among the rules the backtest ran (\(run.rules.map(\.name).joined(separator: ", "))); left out")
                continue
            }
            guard rule.signals.allSatisfy(columns.contains) else {
                warnings.append("sweep: rule '\(name)' reads a built-in (\(rule.signals.filter { !columns.contains($0) }.joined(separator: ", "))), which the sweep cannot vary; left out")
                continue
            }
            let current = rule.conditions[0].value
            var settingsTried: [(Double, Int)] = values.map { ($0, alerts.graceDays) }
            if rule.grace { settingsTried += settings.sweepGraceDays.filter { $0 != alerts.graceDays }.map { (current, $0) } }
            for (value, grace) in settingsTried {
                var conditions = rule.conditions
                conditions[0].value = value
                let offsets = rule.grace && grace > 0 ? Array(Set(Array(stride(from: 0, through: grace, by: step)) + [grace])).sorted() : [0]
                let fires = firing(run, conditions: conditions, offsets: offsets, usage: rule.type.isUsageAlert)
                let label = "\(name) \(conditions[0].op.rawValue) \(formatNumber(value)), grace \(grace)d"
                let stats = BacktestMetrics.stats(run, names: [label]) { o in fires.contains(Key(account: o.account, date: o.date)) ? [label] : [] }[0]
                points.append(SweepPoint(rule: name, threshold: value, graceDays: grace, stats: stats,
                                         isCurrent: value == current && grace == alerts.graceDays))
            }
        }
        return (points, warnings)
    }

    struct Key: Hashable { var account: Int32; var date: Day }

    /// The account-dates on which the conditions held at every offset (and no support case was open, for a usage rule).
    static func firing(_ run: BacktestRun, conditions: [Condition], offsets: [Int], usage: Bool) -> Set<Key> {
        var out = Set<Key>()
        for snapshot in run.snapshots {
            let tables = offsets.compactMap { o in snapshot.offsets.firstIndex(of: o).map { snapshot.tables[$0] } }
            guard tables.count == offsets.count else { continue }
            let columns = tables.map { t in conditions.map { t.column($0.signal)! } }
            let openCase = snapshot.tables[0].column(AccountScorer.openCaseSignal)
            for (i, account) in snapshot.accounts.enumerated() {
                if usage, let open = openCase, open[i] > 0 { continue }
                if columns.allSatisfy({ conditions.allHold($0, row: i) }) {
                    out.insert(Key(account: account, date: snapshot.asOf))
                }
            }
        }
        return out
    }

    /// The setting that catches most churn within the alert budget (new alerts per CSM per week), per rule.
    public static func recommend(_ points: [SweepPoint], budget: Double) -> [String: SweepPoint] {
        best(points.filter { $0.stats.perCSMWeek <= budget })
    }

    /// The setting that catches most churn with at least the given precision, per rule.
    public static func recommend(_ points: [SweepPoint], precision: Double) -> [String: SweepPoint] {
        best(points.filter { ($0.stats.precision ?? 0) >= precision })
    }

    /// A setting that catches no churn is no recommendation, however quiet.
    static func best(_ points: [SweepPoint]) -> [String: SweepPoint] {
        var best: [String: SweepPoint] = [:]
        for p in points where p.stats.churnsCaught > 0 {
            if let b = best[p.rule], (b.stats.churnsCaught, b.stats.precision ?? 0) >= (p.stats.churnsCaught, p.stats.precision ?? 0) { continue }
            best[p.rule] = p
        }
        return best
    }
}
