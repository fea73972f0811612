import Foundation
import TelltaleAlerts
import TelltaleBacktest
import TelltaleModel
import TelltaleScorer
import TelltaleSignals
import Yams

/// Everything a Telltale run is told by its YAML file (`notebooks-data/telltale.yml`
/// is the documented example; `docs/config.md` documents every key).
///
/// Each section is validated as it is read, with errors naming the key and the line.
public struct Configuration: Sendable {
    /// The file it was read from ("<flags>" when built from options alone).
    public var file: String
    /// Relative input paths are resolved against the config file's folder.
    public var baseDirectory: String
    public var data: DataSettings
    public var signals: SignalSettings
    public var patterns: PatternSettings
    /// The `model:` and `bands:` sections.
    public var training = TrainingSettings()
    /// The `alerts:` section: rules, false-positive controls, severity.
    public var alerts = AlertSettings()
    /// The `scoring:` section: which accounts are scored at all.
    public var scoring = ScoringSettings()
    /// The `backtest:` section: horizon, cadence, alert budget, the sweep.
    public var backtest = BacktestSettings()

    public static let sectionNames = ["data", "signals", "patterns", "model", "bands", "alerts", "scoring", "backtest"]

    public init(file: String = "<flags>", baseDirectory: String = ".", data: DataSettings = DataSettings(),
                signals: SignalSettings = SignalSettings(), patterns: PatternSettings = PatternSettings()) {
        self.file = file
        self.baseDirectory = baseDirectory
        self.data = data
        self.signals = signals
        self.patterns = patterns
    }

    /// Reads and validates a configuration file.
    public static func load(path: String) throws -> Configuration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigError.cannotRead(file: path, reason: FileManager.default.fileExists(atPath: path) ? "\(error.localizedDescription)" : "no such file")
        }
        let base = (path as NSString).deletingLastPathComponent
        return try parse(text, file: path, baseDirectory: base.isEmpty ? "." : base)
    }

    public static func parse(_ text: String, file: String, baseDirectory: String) throws -> Configuration {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw ConfigError.syntax(file: file, line: Self.line(of: error), message: "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)")
        }
        var config = Configuration(file: file, baseDirectory: baseDirectory)
        guard let root else { return config } // an empty file: all defaults
        let reader = NodeReader(file: file)
        let top = try reader.mapping(root, key: "(top level)")
        for (key, value) in top {
            guard Self.sectionNames.contains(key.name) else {
                throw ConfigError.unknownKey(file: file, key: key.name, line: key.line,
                                             suggestion: closestName(to: key.name, among: Self.sectionNames), allowed: Self.sectionNames)
            }
            if key.name == "data" {
                config.data = try DataSettings(value, reader: reader)
            } else if key.name == "signals" {
                config.signals = try SignalSettings(value, reader: reader)
            } else if key.name == "patterns" {
                config.patterns = try PatternSettings(value, reader: reader)
            } else if key.name == "model" {
                try config.training.readModel(value, reader: reader)
            } else if key.name == "bands" {
                try config.training.readBands(value, reader: reader)
            } else if key.name == "alerts" {
                config.alerts = try AlertSettings(value, reader: reader)
            } else if key.name == "scoring" {
                config.scoring = try ScoringSettings(value, reader: reader)
            } else {
                config.backtest = try BacktestSettings(value, reader: reader)
            }
        }
        try config.checkSweptRules(top, reader: reader)
        return config
    }

    /// Every rule `backtest.sweep` names is an alert rule: a misspelt one was left out of the
    /// report with a warning, after the whole replay. Checked once both sections are read.
    func checkSweptRules(_ top: [(Key, Node)], reader: NodeReader) throws {
        guard let backtest = top.first(where: { $0.0.name == "backtest" })?.1 else { return }
        let rules = alerts.rules.map(\.name)
        for (key, value) in try reader.mapping(backtest, key: "backtest") where key.name == "sweep" {
            for (rule, _) in try reader.mapping(value, key: "backtest.sweep") where !rules.contains(rule.name) {
                let disabled = AlertRule.defaults.contains { $0.name == rule.name }
                throw ConfigError.invalidValue(file: file, key: "backtest.sweep", line: rule.line, message: disabled
                    ? "'\(rule.name)' is a built-in rule this config turns off (alerts.disable or alerts.defaults: false): nothing to sweep"
                    : "no alert rule '\(rule.name)'"
                        + (closestName(to: rule.name, among: rules).map { "; did you mean '\($0)'?" }
                            ?? (rules.isEmpty ? " (the config has none)" : " (rules: \(rules.joined(separator: ", ")))")))
            }
        }
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _), let .composer(_, _, mark, _):
            return mark.line
        default:
            return nil
        }
    }

    /// A path from the config, resolved against the config's folder.
    public func resolve(_ path: String) -> String {
        path.hasPrefix("/") || baseDirectory == "." ? path : (baseDirectory as NSString).appendingPathComponent(path)
    }
}

/// A mapping key with the line it is on.
struct Key { var name: String; var line: Int? }

/// Typed access to YAML nodes with errors that name the key and the line.
struct NodeReader {
    let file: String

    func mapping(_ node: Node, key: String) throws -> [(Key, Node)] {
        guard case let .mapping(m) = node else { throw wrongType(node, key: key, expected: "a mapping (key: value lines)") }
        return try m.map { k, v in
            guard let name = k.string else { throw wrongType(k, key: key, expected: "text keys") }
            return (Key(name: name, line: k.mark?.line), v)
        }
    }

    func string(_ node: Node, key: String) throws -> String {
        guard case let .scalar(s) = node else { throw wrongType(node, key: key, expected: "a text value") }
        return s.string
    }

    func strings(_ node: Node, key: String) throws -> [String] {
        if case .scalar = node { return [try string(node, key: key)] }
        guard case let .sequence(seq) = node else { throw wrongType(node, key: key, expected: "a list") }
        return try seq.map { try string($0, key: key) }
    }

    func number(_ node: Node, key: String) throws -> Double {
        guard case let .scalar(s) = node, let v = Double(s.string), v.isFinite else {
            throw wrongType(node, key: key, expected: "a number")
        }
        return v
    }

    func bool(_ node: Node, key: String) throws -> Bool {
        guard case let .scalar(s) = node else { throw wrongType(node, key: key, expected: "true or false") }
        switch s.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw wrongType(node, key: key, expected: "true or false")
        }
    }

    /// A whole number of days, at least `minimum`.
    func days(_ node: Node, key: String, minimum: Int = 0) throws -> Int {
        let v = try integer(node, key: key)
        guard v >= minimum else {
            throw ConfigError.invalidValue(file: file, key: key, line: node.mark?.line, message: "must be at least \(minimum) day\(minimum == 1 ? "" : "s"), found \(v)")
        }
        return v
    }

    func integer(_ node: Node, key: String) throws -> Int {
        guard case let .scalar(s) = node, let v = Int(s.string) else { throw wrongType(node, key: key, expected: "a whole number") }
        return v
    }

    func wrongType(_ node: Node, key: String, expected: String) -> ConfigError {
        let found: String
        switch node {
        case .scalar(let s): found = "'\(s.string)'"
        case .mapping: found = "a mapping"
        case .sequence: found = "a list"
        case .alias: found = "an alias"
        }
        return .wrongType(file: file, key: key, line: node.mark?.line, expected: expected, found: found)
    }

    func unknown(_ key: Key, allowed: [String]) -> ConfigError {
        .unknownKey(file: file, key: key.name, line: key.line, suggestion: closestName(to: key.name, among: allowed), allowed: allowed)
    }
}

extension NodeReader {
    /// A name twice in one list (`signals.define`, `alerts.rules`) is a
    /// copy-paste slip: the later entry would silently replace the earlier.
    /// The error's key is `keyPrefix` and the name ("signals.x1").
    func refuseRepeatedNames(_ names: [String], of items: [Node], list: String, keyPrefix: String) throws {
        var firstLine: [String: Int] = [:]
        for (name, item) in zip(names, items) {
            if let first = firstLine[name] {
                throw ConfigError.invalidValue(file: file, key: keyPrefix + name, line: item.mark?.line,
                                               message: "is defined twice in \(list) (first on line \(first)); give one of them another name")
            }
            firstLine[name] = item.mark?.line ?? 0
        }
    }
}
