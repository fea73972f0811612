import TelltaleSignals
import Yams

/// The `signals:` section: the lead time of training observations and the
/// signal definitions (docs/config.md, docs/signals.md).
public struct SignalSettings: Equatable, Sendable {
    /// Training rows are observed this many days before each renewal.
    public var leadDays = 60
    /// Start from the built-in set for the standard metrics (`SignalDefinition.defaults`).
    public var useDefaults = true
    /// Declared signals, after the defaults; one with a default's name replaces it.
    public var definitions: [SignalDefinition] = []

    public init() {}

    static let keys = ["lead_days", "defaults", "define"]
    static let definitionKeys = ["name", "window", "trend", "cohort", "milestone", "ratio", "flag", "transform", "missing", "label"]

    /// The definitions a run uses, for a usage table with these metrics.
    public func resolved(metrics: [String]) -> [SignalDefinition] {
        var out = useDefaults ? SignalDefinition.defaults(metrics: metrics) : []
        for def in definitions {
            if let i = out.firstIndex(where: { $0.name == def.name }) { out[i] = def } else { out.append(def) }
        }
        return out
    }

    init(_ node: Node, reader: NodeReader) throws {
        for (key, value) in try reader.mapping(node, key: "signals") {
            let name = "signals.\(key.name)"
            switch key.name {
            case "lead_days":
                leadDays = try reader.integer(value, key: name)
                guard leadDays >= 0 else {
                    throw ConfigError.invalidValue(file: reader.file, key: name, line: value.mark?.line, message: "must be 0 or more days, found \(leadDays)")
                }
            case "defaults": useDefaults = try reader.bool(value, key: name)
            case "define":
                guard case let .sequence(items) = value else {
                    throw reader.wrongType(value, key: name, expected: "a list of signal definitions (- name: ...)")
                }
                definitions = try items.map { try Self.definition($0, reader: reader) }
                try reader.refuseRepeatedNames(definitions.map(\.name), of: Array(items), list: name, keyPrefix: "signals.")
            default: throw reader.unknown(key, allowed: Self.keys)
            }
        }
    }

    static func definition(_ node: Node, reader: NodeReader) throws -> SignalDefinition {
        let fields = try reader.mapping(node, key: "signals.define")
        var map: [String: (Key, Node)] = [:]
        for (k, v) in fields {
            guard definitionKeys.contains(k.name) else { throw reader.unknown(k, allowed: definitionKeys) }
            map[k.name] = (k, v)
        }
        guard let nameNode = map["name"]?.1 else {
            throw ConfigError.invalidValue(file: reader.file, key: "signals.define", line: node.mark?.line, message: "every signal needs a name")
        }
        let name = try reader.string(nameNode, key: "signals.define.name")
        let key = "signals.\(name)"
        let kinds = ["window", "trend", "cohort", "milestone", "ratio", "flag"].filter { map[$0] != nil }
        guard kinds.count == 1 else {
            throw ConfigError.invalidValue(file: reader.file, key: key, line: node.mark?.line,
                                           message: kinds.isEmpty ? "say what the signal is: one of window, trend, cohort, milestone, ratio, flag"
                                                                  : "give one kind, not \(kinds.joined(separator: " and "))")
        }
        let kindName = kinds[0]
        let spec = map[kindName]!.1
        let specKey = "\(key).\(kindName)"
        let kind: SignalKind
        switch kindName {
        case "window":
            let f = try fieldsOf(spec, key: specKey, allowed: ["metric", "days", "aggregate"], required: ["metric", "days"], reader: reader)
            kind = .window(WindowSignal(metric: try reader.string(f["metric"]!, key: "\(specKey).metric"),
                                        days: try reader.integer(f["days"]!, key: "\(specKey).days"),
                                        aggregate: try f["aggregate"].map { try choice($0, key: "\(specKey).aggregate", WindowAggregate.self, reader) } ?? .sum))
        case "trend":
            let f = try fieldsOf(spec, key: specKey, allowed: ["metric", "recent", "baseline", "form", "statistic", "to", "prior", "quiet_weeks"],
                                 required: ["metric"], reader: reader)
            let form = try f["form"].map { try choice($0, key: "\(specKey).form", TrendSignal.Form.self, reader) } ?? .ratio
            for only in ["to", "prior"] where form != .declineProbability {
                if let node = f[only] {
                    throw ConfigError.invalidValue(file: reader.file, key: "\(specKey).\(only)", line: node.mark?.line,
                                                   message: "\(only) belongs to form decline_probability; this trend's form is \(form.rawValue)")
                }
            }
            let statistic = try f["statistic"].map { try choice($0, key: "\(specKey).statistic", TrendSignal.Statistic.self, reader) } ?? .mean
            if let node = f["quiet_weeks"], !statistic.isWeekly {
                throw ConfigError.invalidValue(file: reader.file, key: "\(specKey).quiet_weeks", line: node.mark?.line,
                                               message: "quiet_weeks belongs to a weekly statistic (weekly_median, active_weeks); this trend's is mean, which counts every day")
            }
            kind = .trend(TrendSignal(metric: try reader.string(f["metric"]!, key: "\(specKey).metric"),
                                      recent: try f["recent"].map { try reader.integer($0, key: "\(specKey).recent") } ?? 30,
                                      baseline: try f["baseline"].map { try reader.integer($0, key: "\(specKey).baseline") } ?? 90,
                                      form: form,
                                      statistic: statistic,
                                      declineTo: try f["to"].map { try reader.number($0, key: "\(specKey).to") } ?? TrendSignal.defaultDeclineTo,
                                      prior: try f["prior"].map { try reader.number($0, key: "\(specKey).prior") } ?? TrendSignal.defaultPrior,
                                      quietWeeks: try f["quiet_weeks"].map { try choice($0, key: "\(specKey).quiet_weeks", TrendSignal.QuietWeeks.self, reader) }))
        case "cohort":
            let f = try fieldsOf(spec, key: specKey, allowed: ["signal", "min_accounts"], required: ["signal"], reader: reader)
            kind = .cohort(CohortSignal(signal: try reader.string(f["signal"]!, key: "\(specKey).signal"),
                                        minimumAccounts: try f["min_accounts"].map { try reader.integer($0, key: "\(specKey).min_accounts") } ?? 10))
        case "milestone":
            let f = try fieldsOf(spec, key: specKey, allowed: ["metric", "within", "at_least", "aggregate"], required: ["metric", "within", "at_least"], reader: reader)
            kind = .milestone(MilestoneSignal(metric: try reader.string(f["metric"]!, key: "\(specKey).metric"),
                                              within: try reader.integer(f["within"]!, key: "\(specKey).within"),
                                              atLeast: try reader.number(f["at_least"]!, key: "\(specKey).at_least"),
                                              aggregate: try f["aggregate"].map { try choice($0, key: "\(specKey).aggregate", MilestoneSignal.Aggregate.self, reader) } ?? .sum))
        case "ratio":
            let f = try fieldsOf(spec, key: specKey, allowed: ["numerator", "denominator"], required: ["numerator", "denominator"], reader: reader)
            kind = .ratio(RatioSignal(numerator: try reader.string(f["numerator"]!, key: "\(specKey).numerator"),
                                      denominator: try reader.string(f["denominator"]!, key: "\(specKey).denominator")))
        default: // flag
            let texts = try reader.strings(spec, key: specKey)
            kind = .flag(try texts.map { text in
                guard let c = Condition(parsing: text) else {
                    throw ConfigError.invalidValue(file: reader.file, key: specKey, line: spec.mark?.line,
                                                   message: "'\(text)' is not a condition of the form 'signal OP number' (OP: <, <=, >, >=, ==, !=)")
                }
                return c
            })
        }
        let transform = try map["transform"].map { try choice($0.1, key: "\(key).transform", SignalTransform.self, reader) } ?? .none
        var missing: MissingPolicy?
        if let (_, m) = map["missing"] {
            let text = try reader.string(m, key: "\(key).missing")
            switch text.lowercased() {
            case "keep": missing = .keep
            case "median": missing = .median
            default:
                guard let v = Double(text), v.isFinite else {
                    throw ConfigError.invalidValue(file: reader.file, key: "\(key).missing", line: m.mark?.line,
                                                   message: "expected keep, median or a number, found '\(text)'")
                }
                missing = .value(v)
            }
        }
        let label = try map["label"].map { try reader.string($0.1, key: "\(key).label") }
        return SignalDefinition(name: name, kind: kind, transform: transform, missing: missing, label: label)
    }

    private static func fieldsOf(_ node: Node, key: String, allowed: [String], required: [String], reader: NodeReader) throws -> [String: Node] {
        var out: [String: Node] = [:]
        for (k, v) in try reader.mapping(node, key: key) {
            guard allowed.contains(k.name) else { throw reader.unknown(k, allowed: allowed) }
            out[k.name] = v
        }
        for r in required where out[r] == nil {
            throw ConfigError.invalidValue(file: reader.file, key: key, line: node.mark?.line, message: "'\(r)' is required (keys: \(allowed.joined(separator: ", ")))")
        }
        return out
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ node: Node, key: String, _: T.Type, _ reader: NodeReader) throws -> T where T.RawValue == String {
        let text = try reader.string(node, key: key)
        guard let v = T(rawValue: text.lowercased()) else {
            throw ConfigError.invalidValue(file: reader.file, key: key, line: node.mark?.line,
                                           message: "expected one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), found '\(text)'")
        }
        return v
    }
}
