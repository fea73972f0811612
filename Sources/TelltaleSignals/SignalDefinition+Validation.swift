/// A signal definition that cannot be computed, naming the signal and what to change.
public struct SignalError: Error, Equatable, CustomStringConvertible {
    public var signal: String
    public var message: String
    public init(signal: String, message: String) {
        self.signal = signal
        self.message = message
    }
    public var description: String { "signal '\(signal)': \(message)" }
}

extension SignalDefinition {
    /// Columns of a signal table that are not signals; no signal may take these names.
    public static let reservedNames: Set<String> = ["account_id", "segment", "as_of", "renewal_date", "churned", "owner"]

    /// Checks a list of definitions: names unique and usable as column names,
    /// every reference to a signal declared earlier (or built in), every
    /// metric present in the usage table, every window positive.
    /// `levels`: the metrics that are levels (CSAT) rather than counts.
    public static func validate(_ definitions: [SignalDefinition], metrics: [String], levels: Set<String> = []) throws {
        if let first = problems(definitions, metrics: metrics, levels: levels).first { throw first }
    }

    /// Every definition's first problem, in order (`validate` stops at the first of them;
    /// `check` lists them all, so an export's config is mended in one go). A definition with
    /// a problem still counts as defined for the ones after it, which would otherwise all
    /// report it missing.
    public static func problems(_ definitions: [SignalDefinition], metrics: [String], levels: Set<String> = []) -> [SignalError] {
        var seen = Set<String>(), found: [SignalError] = []
        for def in definitions {
            do { try check(def, among: definitions, seen: &seen, metrics: metrics, levels: levels) } catch {
                found.append(error)
                seen.insert(def.name)
            }
        }
        return found
    }

    private static func check(_ def: SignalDefinition, among definitions: [SignalDefinition], seen: inout Set<String>,
                              metrics: [String], levels: Set<String>) throws(SignalError) {
        let name = def.name
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !name.first!.isNumber else {
            throw SignalError(signal: name, message: "a name is letters, digits and '_', not starting with a digit")
        }
        guard !reservedNames.contains(name), AccountSignal.named(name) == nil else {
            throw SignalError(signal: name, message: "'\(name)' is a built-in column; choose another name")
        }
        guard seen.insert(name).inserted else { throw SignalError(signal: name, message: "defined twice") }
        for m in def.metrics where !metrics.contains(m) {
            throw SignalError(signal: name, message: "the usage table has no metric '\(m)' (metrics: \(metrics.joined(separator: ", ")))")
        }
        for d in def.dependencies where !seen.contains(d) || d == name {
            if AccountSignal.named(d) != nil { continue }
            let later = definitions.contains { $0.name == d } && d != name
            throw SignalError(signal: name, message: later
                ? "refers to '\(d)', which is defined after it; define '\(d)' first"
                : "refers to '\(d)', which is neither a signal defined before it nor a built-in (\(AccountSignal.allCases.map(\.rawValue).joined(separator: ", ")))"
                    + (closestName(to: d, among: seen.sorted() + AccountSignal.allCases.map(\.rawValue)).map { "; did you mean '\($0)'?" } ?? ""))
        }
        func positive(_ v: Int, _ what: String) throws(SignalError) {
            guard v > 0 else { throw SignalError(signal: name, message: "\(what) must be a positive number of days, found \(v)") }
        }
        switch def.kind {
        case let .window(w): try positive(w.days, "days")
        case let .trend(t):
            try positive(t.recent, "recent"); try positive(t.baseline, "baseline")
            if t.statistic.isWeekly, t.recent % 7 != 0 || t.baseline % 7 != 0 {
                throw SignalError(signal: name, message: "statistic \(t.statistic.rawValue) compares whole weeks: recent and baseline must be multiples of 7 days, found \(t.recent) and \(t.baseline)")
            }
            if t.form == .t || t.form == .declineProbability, t.statistic != .activeWeeks {
                throw SignalError(signal: name, message: "form \(t.form.rawValue) compares the two periods' weeks: it needs statistic active_weeks, found \(t.statistic.rawValue)")
            }
            if t.form == .declineProbability {
                guard !levels.contains(t.metric) else {
                    throw SignalError(signal: name, message: "form decline_probability models counts, and '\(t.metric)' is a level metric; use form t for a level")
                }
                guard t.declineTo > 0, t.declineTo < 1 else {
                    throw SignalError(signal: name, message: "to is the share of the baseline the decline reaches, between 0 and 1 (exclusive), found \(formatNumber(t.declineTo))")
                }
                guard t.prior > 0, t.prior < 1 else {
                    throw SignalError(signal: name, message: "prior is a probability between 0 and 1 (exclusive), found \(formatNumber(t.prior))")
                }
            }
        case let .milestone(m): try positive(m.within, "within")
        case let .cohort(c):
            guard c.minimumAccounts >= 1 else { throw SignalError(signal: name, message: "min_accounts must be at least 1") }
        case .ratio, .column, .category: break
        case let .flag(cs):
            guard !cs.isEmpty else { throw SignalError(signal: name, message: "a flag needs at least one condition") }
        }
    }
}

