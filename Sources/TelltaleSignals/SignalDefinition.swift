import TelltaleData

/// One usage signal: how to compute it from the history as of a date, how
/// to transform it and what to do when it cannot be computed.
///
/// Definitions are values saved in the model file, so the scorer computes
/// exactly what training computed. A definition may refer to signals declared
/// before it (a cohort comparison of a window sum, a flag on a trend) and to
/// the built-in account signals (`AccountSignal`).
public struct SignalDefinition: Codable, Equatable, Sendable {
    public var name: String
    public var kind: SignalKind
    public var transform: SignalTransform
    public var missing: MissingPolicy
    /// Plain words for reports and reasons ("logins in the last 30 days").
    public var label: String

    public init(name: String, kind: SignalKind, transform: SignalTransform = .none,
                missing: MissingPolicy? = nil, label: String? = nil) {
        self.name = name
        self.kind = kind
        self.transform = transform
        self.missing = missing ?? kind.defaultMissingPolicy
        self.label = label ?? kind.defaultLabel
    }

    /// Signals this one reads (besides raw metrics).
    public var dependencies: [String] {
        switch kind {
        case .window, .trend, .milestone, .column, .category: return []
        case let .cohort(c): return [c.signal]
        case let .ratio(r): return [r.numerator, r.denominator]
        case let .flag(conditions): return conditions.map(\.signal)
        }
    }

    /// Metrics of the usage table this one reads directly.
    public var metrics: [String] {
        switch kind {
        case let .window(w): return [w.metric]
        case let .trend(t): return [t.metric]
        case let .milestone(m): return [m.metric]
        case .cohort, .ratio, .flag, .column, .category: return []
        }
    }

    public var isFlag: Bool { if case .flag = kind { return true } else { return false } }

    /// Read from a flat table's columns rather than computed from usage.
    public var isTableColumn: Bool {
        switch kind {
        case .column, .category: return true
        default: return false
        }
    }
}

/// What a signal computes.
public enum SignalKind: Codable, Equatable, Sendable {
    /// An aggregate of a metric over the `days` days before the as-of date.
    case window(WindowSignal)
    /// The recent window against the account's own baseline just before it.
    case trend(TrendSignal)
    /// An account's signal against its segment's median at the same date.
    case cohort(CohortSignal)
    /// An onboarding milestone: a metric reaching a level within N days of signup.
    case milestone(MilestoneSignal)
    /// One signal divided by another (active users per seat).
    case ratio(RatioSignal)
    /// 1 when every condition holds, else 0; the raw material of the pattern search.
    case flag([Condition])
    /// A value given by a flat table's column (`train --data`): nothing to compute.
    /// A column holding only 0 and 1 is a flag for the pattern search.
    case column
    /// 1 when a flat table's text column holds one level, else 0 (`train
    /// --data`): one-hot encoding with the most common level as reference. An
    /// empty cell or a level training never saw is missing, and missing
    /// counts as 0, i.e. as the most common level.
    case category(CategorySignal)

    var defaultMissingPolicy: MissingPolicy {
        switch self {
        case .window, .ratio, .column: return .median
        case let .trend(t): return .value(t.noChange)
        case .cohort: return .value(1)           // "like the segment"
        case .milestone, .flag: return .value(0) // "not missed", "not set"
        case .category: return .value(0)        // the reference level
        }
    }

    var defaultLabel: String {
        switch self {
        case let .window(w): return w.describe()
        case let .trend(t): return t.describe()
        case let .cohort(c): return "\(c.signal) against the segment median"
        case let .milestone(m): return "missed: \(m.metric) \(m.aggregate == .sum ? "total" : "daily maximum") of \(formatNumber(m.atLeast))+ within \(m.within) days of signup"
        case let .ratio(r): return "\(r.numerator) per \(r.denominator)"
        case let .flag(cs): return cs.map(\.description).joined(separator: " and ")
        case .column: return "column value"
        case let .category(c): return "\(c.column) is \(c.level)"
        }
    }
}

/// In the model file a kind is one key naming it, holding its settings as the
/// config writes them: `{"window": {"metric": "logins", "days": 30, ...}}`,
/// `{"flag": [conditions]}`, `{"column": {}}`. (Model formats before 6 wrapped
/// the settings in `{"_0": ...}`; `ChurnModel.read` converts those.)
extension SignalKind {
    enum CodingKeys: String, CodingKey { case window, trend, cohort, milestone, ratio, flag, column, category }
    private struct Empty: Codable {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let key = try c.onlyKey(naming: "a signal kind")
        switch key {
        case .window: self = .window(try c.decode(WindowSignal.self, forKey: key))
        case .trend: self = .trend(try c.decode(TrendSignal.self, forKey: key))
        case .cohort: self = .cohort(try c.decode(CohortSignal.self, forKey: key))
        case .milestone: self = .milestone(try c.decode(MilestoneSignal.self, forKey: key))
        case .ratio: self = .ratio(try c.decode(RatioSignal.self, forKey: key))
        case .flag: self = .flag(try c.decode([Condition].self, forKey: key))
        case .column: _ = try c.decode(Empty.self, forKey: key); self = .column
        case .category: self = .category(try c.decode(CategorySignal.self, forKey: key))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .window(w): try c.encode(w, forKey: .window)
        case let .trend(t): try c.encode(t, forKey: .trend)
        case let .cohort(k): try c.encode(k, forKey: .cohort)
        case let .milestone(m): try c.encode(m, forKey: .milestone)
        case let .ratio(r): try c.encode(r, forKey: .ratio)
        case let .flag(conditions): try c.encode(conditions, forKey: .flag)
        case .column: try c.encode(Empty(), forKey: .column)
        case let .category(k): try c.encode(k, forKey: .category)
        }
    }
}

extension SignalKind.CodingKeys: CaseIterable {}

extension KeyedDecodingContainer where Key: CaseIterable {
    /// The one key of an object that names a case and holds its settings (the
    /// model file's spelling of an enum with a value, `{"window": {...}}`);
    /// `what` names the thing in the error ("a signal kind").
    public func onlyKey(naming what: String) throws -> Key {
        guard allKeys.count == 1, let key = allKeys.first else {
            let names = Key.allCases.map(\.stringValue).joined(separator: ", ")
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath,
                debugDescription: "\(what) is one of \(names), found \(allKeys.map(\.stringValue))"))
        }
        return key
    }
}

/// One level of a flat table's text column.
public struct CategorySignal: Codable, Equatable, Sendable {
    public var column: String
    public var level: String
    /// Every level training saw in the column, most common (the reference,
    /// which has no signal of its own) first: a scored cell outside them is
    /// unseen, which scoring reports rather than reading as "not this level".
    public var levels: [String]

    public init(column: String, level: String, levels: [String]) {
        self.column = column
        self.level = level
        self.levels = levels
    }
}

public enum WindowAggregate: String, Codable, CaseIterable, Sendable {
    case sum, mean, max, min, last
    case daysActive = "days_active"
    case daysSinceActive = "days_since_active"
}

public struct WindowSignal: Codable, Equatable, Sendable {
    public var metric: String
    public var days: Int
    public var aggregate: WindowAggregate
    public init(metric: String, days: Int, aggregate: WindowAggregate) {
        self.metric = metric
        self.days = days
        self.aggregate = aggregate
    }

    func describe() -> String {
        switch aggregate {
        case .sum: return "\(metric) in the last \(days) days"
        case .mean: return "\(metric) per day over the last \(days) days"
        case .max: return "highest daily \(metric) in the last \(days) days"
        case .min: return "lowest daily \(metric) in the last \(days) days"
        case .last: return "latest \(metric) (within \(days) days)"
        case .daysActive: return "days with \(metric) in the last \(days) days"
        case .daysSinceActive: return "days since the last \(metric)"
        }
    }
}

public struct TrendSignal: Codable, Equatable, Sendable {
    public enum Form: String, Codable, CaseIterable, Sendable {
        /// recent mean / baseline mean: 0.67 is a 33% drop.
        case ratio
        /// (1 − ratio) × 100: 33 is a 33% drop, negative is growth.
        case drop
        /// Welch's t of the recent weeks against the baseline weeks: how many
        /// standard errors the recent weekly mean lies above (positive) or
        /// below the baseline's. A count's weekly variance is taken as at least
        /// its mean (Poisson), so few events make weak evidence. Needs
        /// `statistic: active_weeks`.
        case t
        /// The probability that the metric is on a steady decline rather than
        /// level: Bayes' rule, with prior `prior`, on a quasi-Poisson
        /// likelihood ratio of the active weeks, "falling linearly over the
        /// recent weeks to `to` of the baseline" against "level at the baseline".
        /// Counts only; needs `statistic: active_weeks`. Unlike other trends it
        /// needs only the recent period inside the account's history: baseline
        /// weeks before it are left out, as empty weeks are.
        case declineProbability = "decline_probability"
    }
    /// What stands for each period.
    public enum Statistic: String, Codable, CaseIterable, Sendable {
        /// The mean day.
        case mean
        /// The median week (weekly totals): a two-week vacation or a holiday
        /// week moves it little, where it cuts a 30-day mean by half, so a
        /// drop means most weeks fell. Periods in whole weeks.
        case weeklyMedian = "weekly_median"
        /// The mean of the weeks with any of the metric (weekly totals; for
        /// levels, the week's mean answer): weeks without any, a vacation, a
        /// holiday week, a pause, are left out rather than counted as zero.
        /// Periods in whole weeks.
        case activeWeeks = "active_weeks"

        /// Whether each period is summarised from its weeks (so periods are whole weeks).
        public var isWeekly: Bool { self != .mean }
    }
    /// What a weekly statistic does with a week in which the whole population
    /// went quiet (`QuietDays`: a public holiday, a shutdown).
    public enum QuietWeeks: String, Codable, CaseIterable, Sendable {
        /// Left out, as an empty week is: the holiday says nothing about the account.
        case skip
        /// Counted like any other week (model files before format 7).
        case keep
    }
    public var metric: String
    public var recent: Int
    public var baseline: Int
    public var form: Form
    public var statistic: Statistic
    /// Form `decline_probability`: the share of the baseline level the
    /// declining path reaches at the as-of date.
    public var declineTo: Double
    /// Form `decline_probability`: the share of accounts in such a decline
    /// before looking at their usage.
    public var prior: Double
    /// Weekly statistics: whether the population's quiet weeks are left out
    /// (the default) or counted. A mean-day trend counts every day.
    public var quietWeeks: QuietWeeks
    public static let defaultDeclineTo = 1.0 / 3, defaultPrior = 0.1

    public init(metric: String, recent: Int = 30, baseline: Int = 90, form: Form = .ratio, statistic: Statistic = .mean,
                declineTo: Double = TrendSignal.defaultDeclineTo, prior: Double = TrendSignal.defaultPrior,
                quietWeeks: QuietWeeks? = nil) {
        self.metric = metric
        self.recent = recent
        self.baseline = baseline
        self.form = form
        self.statistic = statistic
        self.declineTo = declineTo
        self.prior = prior
        self.quietWeeks = statistic.isWeekly ? quietWeeks ?? .skip : .keep
    }

    /// Whether a week the population went quiet in is left out.
    public var skipsQuietWeeks: Bool { statistic.isWeekly && quietWeeks == .skip }

    /// The value that says "no change", what a missing trend is filled with by
    /// default: a ratio of 1, a drop or t of 0, and for a decline probability
    /// the prior (no evidence either way).
    public var noChange: Double {
        switch form {
        case .ratio: return 1
        case .drop, .t: return 0
        case .declineProbability: return prior
        }
    }

    /// Days before the as-of date that must lie in the account's history for
    /// the trend to be computed: both periods, but for a decline probability
    /// only the recent one (it weighs the baseline weeks it has).
    public var requiredHistory: Int { form == .declineProbability ? recent : recent + baseline }

    enum CodingKeys: String, CodingKey { case metric, recent, baseline, form, statistic, declineTo = "to", prior, quietWeeks = "quiet_weeks" }

    // `statistic` is written only when it is not the mean, `to` and `prior`
    // only for a decline probability, and `quiet_weeks` only when it is `skip`,
    // so model files of earlier versions (which have no such keys) read as
    // they were meant: a weekly trend without `quiet_weeks` kept those weeks.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(metric: try c.decode(String.self, forKey: .metric), recent: try c.decode(Int.self, forKey: .recent),
                  baseline: try c.decode(Int.self, forKey: .baseline), form: try c.decode(Form.self, forKey: .form),
                  statistic: try c.decodeIfPresent(Statistic.self, forKey: .statistic) ?? .mean,
                  declineTo: try c.decodeIfPresent(Double.self, forKey: .declineTo) ?? Self.defaultDeclineTo,
                  prior: try c.decodeIfPresent(Double.self, forKey: .prior) ?? Self.defaultPrior,
                  quietWeeks: try c.decodeIfPresent(QuietWeeks.self, forKey: .quietWeeks) ?? .keep)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metric, forKey: .metric)
        try c.encode(recent, forKey: .recent)
        try c.encode(baseline, forKey: .baseline)
        try c.encode(form, forKey: .form)
        if statistic != .mean { try c.encode(statistic, forKey: .statistic) }
        if skipsQuietWeeks { try c.encode(quietWeeks, forKey: .quietWeeks) }
        if form == .declineProbability {
            try c.encode(declineTo, forKey: .declineTo)
            try c.encode(prior, forKey: .prior)
        }
    }

    func describe() -> String {
        switch form {
        case .t:
            return "change in \(metric) per active week, last \(recent / 7) weeks against the \(baseline / 7) before, in standard errors"
        case .declineProbability:
            let percent = { (share: Double) in formatNumber((share * 1000).rounded() / 10) + "%" }
            return "chance of a steady decline in \(metric) per active week (to \(percent(declineTo)) over the last \(recent / 7) weeks "
                + "from the \(baseline / 7) before; prior \(percent(prior)))"
        case .ratio, .drop: break
        }
        let what: String
        switch statistic {
        case .mean: what = "\(metric) in the last \(recent) days against the \(baseline) days before"
        case .weeklyMedian: what = "median week of \(metric) in the last \(recent / 7) weeks against the \(baseline / 7) weeks before"
        case .activeWeeks: what = "\(metric) per active week in the last \(recent / 7) weeks against the \(baseline / 7) weeks before"
        }
        return what + (form == .drop ? " (% drop)" : " (ratio)")
    }
}

public struct CohortSignal: Codable, Equatable, Sendable {
    /// The signal compared (declared earlier).
    public var signal: String
    /// A segment with fewer active accounts than this at the date is compared
    /// with the whole population instead (a median of three is noise).
    public var minimumAccounts: Int
    enum CodingKeys: String, CodingKey { case signal, minimumAccounts = "min_accounts" }
    public init(signal: String, minimumAccounts: Int = 10) {
        self.signal = signal
        self.minimumAccounts = minimumAccounts
    }
}

public struct MilestoneSignal: Codable, Equatable, Sendable {
    public enum Aggregate: String, Codable, CaseIterable, Sendable {
        /// The metric's total since signup reaches the level.
        case sum
        /// The metric reaches the level on some day.
        case max
    }
    public var metric: String
    public var within: Int
    public var atLeast: Double
    public var aggregate: Aggregate
    enum CodingKeys: String, CodingKey { case metric, within, atLeast = "at_least", aggregate }
    public init(metric: String, within: Int, atLeast: Double, aggregate: Aggregate = .sum) {
        self.metric = metric
        self.within = within
        self.atLeast = atLeast
        self.aggregate = aggregate
    }
}

public struct RatioSignal: Codable, Equatable, Sendable {
    public var numerator: String
    public var denominator: String
    public init(numerator: String, denominator: String) {
        self.numerator = numerator
        self.denominator = denominator
    }
}

/// `signal OP value`, e.g. `days_since_login >= 14`.
public struct Condition: Codable, Equatable, Sendable, CustomStringConvertible {
    public enum Operator: String, Codable, CaseIterable, Sendable {
        case lt = "<", le = "<=", gt = ">", ge = ">=", eq = "==", ne = "!="
    }
    public var signal: String
    public var op: Operator
    public var value: Double

    public init(signal: String, op: Operator, value: Double) {
        self.signal = signal
        self.op = op
        self.value = value
    }

    /// Parses `name OP number`; nil when the text is not of that form.
    public init?(parsing text: String) {
        let ops: [Operator] = [.le, .ge, .eq, .ne, .lt, .gt] // two-character operators first
        for op in ops {
            guard let r = text.range(of: op.rawValue) else { continue }
            let name = text[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
            let number = text[r.upperBound...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(" "), let v = Double(number), v.isFinite else { return nil }
            self.init(signal: name, op: op, value: v)
            return
        }
        return nil
    }

    /// False for a missing value: a flag is set only when the signal is known.
    public func holds(_ x: Double) -> Bool {
        guard !x.isNaN else { return false }
        switch op {
        case .lt: return x < value
        case .le: return x <= value
        case .gt: return x > value
        case .ge: return x >= value
        case .eq: return x == value
        case .ne: return x != value
        }
    }

    public var description: String { "\(signal) \(op.rawValue) \(formatNumber(value))" }
}

/// Applied after the signal is computed; the fitted model sees the transformed value.
public enum SignalTransform: String, Codable, CaseIterable, Sendable {
    case none
    /// log(1 + x), for skewed counts (negative values become missing).
    case log1p
    /// asinh(x) = log(x + √(x² + 1)): like log for large x, defined everywhere.
    case asinh

    public func apply(_ x: Double) -> Double {
        switch self {
        case .none: return x
        case .log1p: return x > -1 ? Foundation.log1p(x) : .nan
        case .asinh: return Foundation.asinh(x)
        }
    }

    /// The signal's own value behind a transformed one (both transforms rise
    /// strictly), so that a boundary the fit found can be said in its units.
    public func inverse(_ y: Double) -> Double {
        switch self {
        case .none: return y
        case .log1p: return Foundation.expm1(y)
        case .asinh: return Foundation.sinh(y)
        }
    }
}

/// What a missing value (too little history, no CSAT answer, a zero
/// denominator) becomes when the signal feeds a model.
public enum MissingPolicy: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Left missing: the row is left out of a fit and reported.
    case keep
    /// The median of the training rows (saved with the model).
    case median
    /// A fixed value.
    case value(Double)

    public var description: String {
        switch self {
        case .keep: return "keep"
        case .median: return "median"
        case let .value(v): return formatNumber(v)
        }
    }
}

/// In the model file as in the config: `"keep"`, `"median"` or the number.
extension MissingPolicy {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let v = try? c.decode(Double.self) { self = .value(v); return }
        switch try c.decode(String.self) {
        case "keep": self = .keep
        case "median": self = .median
        case let other:
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath,
                debugDescription: "a missing-value policy is \"keep\", \"median\" or a number, not \"\(other)\""))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .keep: try c.encode("keep")
        case .median: try c.encode("median")
        case let .value(v): try c.encode(v)
        }
    }
}

/// Shortest plain rendering of a number (14, 0.6, 1e+06).
public func formatNumber(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
    var s = String(format: "%.6g", v)
    if s.contains(".") && !s.contains("e") {
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
    }
    return s
}

import Foundation

extension Array where Element == Condition {
    /// Whether every condition holds on one row, condition i reading `columns[i]`
    /// (a flag, an alert rule, a swept rule: all conjunctions of conditions).
    @inlinable public func allHold(_ columns: [[Double]], row: Int) -> Bool {
        for i in indices where !self[i].holds(columns[i][row]) { return false }
        return true
    }
}
