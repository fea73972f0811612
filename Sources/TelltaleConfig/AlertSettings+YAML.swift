import TelltaleAlerts
import TelltaleScorer
import TelltaleSignals
import Yams

extension AlertSettings {
    static let keys = ["defaults", "rules", "disable", "grace_days", "grace_step_days", "support_metric", "open_case_days",
                       "engaged_days", "dismissed_days", "reason_codes", "pattern_min_lift", "band_drop_days", "severity"]
    static let ruleKeys = ["name", "type", "when", "severity", "grace", "label"]
    static let severityKeys = ["large_contract", "small_contract", "renewal_soon_days", "renewal_far_days", "compounding_alerts",
                               "strategic_column", "expansion_column", "large_expansion", "small_expansion"]

    /// The `alerts:` section (docs/config.md). Rules in `rules` replace a
    /// built-in rule of the same name or add to them; `disable` drops built-ins by name.
    init(_ node: Node, reader: NodeReader) throws {
        self.init()
        var useDefaults = true
        var custom: [AlertRule] = []
        var disabled: [(String, Int?)] = []
        for (key, value) in try reader.mapping(node, key: "alerts") {
            let name = "alerts.\(key.name)"
            func bad(_ message: String) -> ConfigError { .invalidValue(file: reader.file, key: name, line: value.mark?.line, message: message) }
            func days() throws -> Int { try reader.days(value, key: name) }
            switch key.name {
            case "defaults": useDefaults = try reader.bool(value, key: name)
            case "rules":
                guard case .sequence(let items) = value else { throw bad("expected a list of rules") }
                custom = try items.map { try Self.rule($0, reader: reader) }
                try reader.refuseRepeatedNames(custom.map(\.name), of: Array(items), list: name, keyPrefix: "alerts.rules.")
            case "disable":
                disabled = try reader.strings(value, key: name).map { ($0, value.mark?.line) }
            case "grace_days": graceDays = try days()
            case "grace_step_days":
                graceStepDays = try days()
                guard graceStepDays > 0 else { throw bad("must be at least 1 day") }
            case "support_metric": supportMetric = try reader.string(value, key: name)
            case "open_case_days": openCaseDays = try days()
            case "engaged_days": engagedDays = try days()
            case "dismissed_days": dismissedDays = try days()
            case "reason_codes":
                reasonCodes = try reader.strings(value, key: name)
                guard !reasonCodes.isEmpty else { throw bad("list at least one reason code") }
            case "pattern_min_lift":
                patternMinimumLift = try reader.number(value, key: name)
                guard patternMinimumLift >= 1 else { throw bad("must be at least 1 (a pattern churning above the base rate)") }
            case "band_drop_days": bandDropDays = try days()
            case "severity": try severity.read(value, reader: reader)
            default: throw reader.unknown(key, allowed: Self.keys)
            }
        }
        var rules = useDefaults ? AlertRule.defaults : []
        for (name, line) in disabled {
            guard rules.contains(where: { $0.name == name }) else {
                throw ConfigError.invalidValue(file: reader.file, key: "alerts.disable", line: line,
                                               message: "no built-in rule '\(name)' (rules: \(rules.map(\.name).joined(separator: ", ")))")
            }
            rules.removeAll { $0.name == name }
        }
        for rule in custom {
            if let i = rules.firstIndex(where: { $0.name == rule.name }) { rules[i] = rule } else { rules.append(rule) }
        }
        self.rules = rules
    }

    static func rule(_ node: Node, reader: NodeReader) throws -> AlertRule {
        var name: String?, type: AlertType?, conditions: [Condition] = [], severity = Severity.medium, grace: Bool?, label: String?
        for (key, value) in try reader.mapping(node, key: "alerts.rules") {
            let k = "alerts.rules.\(key.name)"
            func bad(_ message: String) -> ConfigError { .invalidValue(file: reader.file, key: k, line: value.mark?.line, message: message) }
            switch key.name {
            case "name":
                let n = try reader.string(value, key: k)
                guard !n.isEmpty, n.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw bad("a rule name is letters, digits and '_'") }
                name = n
            case "type":
                let t = try reader.string(value, key: k)
                let allowed = AlertType.allCases.filter { $0 != .bandDrop && $0 != .pattern }
                guard let v = AlertType(rawValue: t), allowed.contains(v) else {
                    throw bad("expected one of \(allowed.map(\.rawValue).joined(separator: ", ")), found '\(t)'")
                }
                type = v
            case "when":
                conditions = try reader.strings(value, key: k).map { text in
                    guard let c = Condition(parsing: text) else {
                        throw bad("'\(text)' is not a condition of the form 'signal OP number' (OP: <, <=, >, >=, ==, !=)")
                    }
                    return c
                }
            case "severity":
                let s = try reader.string(value, key: k)
                guard let v = Severity(name: s), v != .none else { throw bad("expected low, medium, high or critical, found '\(s)'") }
                severity = v
            case "grace": grace = try reader.bool(value, key: k)
            case "label": label = try reader.string(value, key: k)
            default: throw reader.unknown(key, allowed: Self.ruleKeys)
            }
        }
        func missing(_ what: String) -> ConfigError {
            .invalidValue(file: reader.file, key: "alerts.rules", line: node.mark?.line, message: "a rule needs \(what)")
        }
        guard let name else { throw missing("a name") }
        guard let type else { throw missing("a type") }
        guard !conditions.isEmpty else { throw missing("at least one condition under 'when'") }
        return AlertRule(name: name, type: type, conditions: conditions, severity: severity, grace: grace,
                         label: label ?? conditions.map(\.description).joined(separator: " and "))
    }
}

extension SeverityPolicy {
    mutating func read(_ node: Node, reader: NodeReader) throws {
        for (key, value) in try reader.mapping(node, key: "alerts.severity") {
            let name = "alerts.severity.\(key.name)"
            func bad(_ message: String) -> ConfigError { .invalidValue(file: reader.file, key: name, line: value.mark?.line, message: message) }
            switch key.name {
            case "large_contract": largeContract = try reader.number(value, key: name)
            case "small_contract": smallContract = try reader.number(value, key: name)
            case "renewal_soon_days": renewalSoonDays = try reader.integer(value, key: name)
            case "renewal_far_days": renewalFarDays = try reader.integer(value, key: name)
            case "strategic_column": strategicColumn = try reader.string(value, key: name)
            case "expansion_column": expansionColumn = try reader.string(value, key: name)
            case "large_expansion": largeExpansion = try reader.number(value, key: name)
            case "small_expansion": smallExpansion = try reader.number(value, key: name)
            case "compounding_alerts":
                compoundingAlerts = try reader.integer(value, key: name)
                guard compoundingAlerts >= 2 else { throw bad("must be at least 2") }
            default: throw reader.unknown(key, allowed: AlertSettings.severityKeys)
            }
        }
        if let l = largeContract, let s = smallContract, s >= l {
            throw ConfigError.invalidValue(file: reader.file, key: "alerts.severity", line: node.mark?.line,
                                           message: "small_contract (\(s)) must be below large_contract (\(l))")
        }
        if let l = largeExpansion, let s = smallExpansion, s >= l {
            throw ConfigError.invalidValue(file: reader.file, key: "alerts.severity", line: node.mark?.line,
                                           message: "small_expansion (\(s)) must be below large_expansion (\(l))")
        }
        if (largeExpansion != nil || smallExpansion != nil) && expansionColumn == nil {
            throw ConfigError.invalidValue(file: reader.file, key: "alerts.severity", line: node.mark?.line,
                                           message: "large_expansion and small_expansion need expansion_column, the accounts column they compare")
        }
        if let a = strategicColumn, a == expansionColumn {
            throw ConfigError.invalidValue(file: reader.file, key: "alerts.severity", line: node.mark?.line,
                                           message: "strategic_column and expansion_column both name '\(a)': one is yes/no, the other a number")
        }
        if renewalFarDays < renewalSoonDays {
            throw ConfigError.invalidValue(file: reader.file, key: "alerts.severity", line: node.mark?.line,
                                           message: "renewal_far_days must be at least renewal_soon_days")
        }
    }
}

extension ScoringSettings {
    static let keys = ["min_history_days", "max_imputed_share", "reasons"]

    init(_ node: Node, reader: NodeReader) throws {
        self.init()
        for (key, value) in try reader.mapping(node, key: "scoring") {
            let name = "scoring.\(key.name)"
            func bad(_ message: String) -> ConfigError { .invalidValue(file: reader.file, key: name, line: value.mark?.line, message: message) }
            switch key.name {
            case "min_history_days":
                minimumHistoryDays = try reader.integer(value, key: name)
                guard minimumHistoryDays >= 0 else { throw bad("must be 0 or more") }
            case "max_imputed_share":
                maximumImputedShare = try reader.number(value, key: name)
                guard (0...1).contains(maximumImputedShare) else { throw bad("must be between 0 and 1") }
            case "reasons":
                reasonCount = try reader.integer(value, key: name)
                guard (0...10).contains(reasonCount) else { throw bad("must be 0 to 10") }
            default: throw reader.unknown(key, allowed: Self.keys)
            }
        }
    }
}
