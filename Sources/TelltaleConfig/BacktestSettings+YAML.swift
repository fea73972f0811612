import TelltaleBacktest
import Yams

extension BacktestSettings {
    static let keys = ["horizon_days", "every_days", "retrain_days", "alert_budget", "precision_target", "sweep", "sweep_grace_days"]

    /// The `backtest:` section (docs/backtest.md).
    init(_ node: Node, reader: NodeReader) throws {
        self.init()
        for (key, value) in try reader.mapping(node, key: "backtest") {
            let name = "backtest.\(key.name)"
            func bad(_ message: String) -> ConfigError { .invalidValue(file: reader.file, key: name, line: value.mark?.line, message: message) }
            func days() throws -> Int { try reader.days(value, key: name, minimum: 1) }
            switch key.name {
            case "horizon_days": horizonDays = try days()
            case "every_days": everyDays = try days()
            case "retrain_days": retrainDays = try days()
            case "alert_budget":
                alertBudget = try reader.number(value, key: name)
                guard alertBudget > 0 else { throw bad("must be above 0 alerts per CSM per week") }
            case "precision_target":
                let v = try reader.number(value, key: name)
                guard v > 0 && v < 1 else { throw bad("must be a share between 0 and 1, e.g. 0.2") }
                precisionTarget = v
            case "sweep":
                var out: [String: [Double]] = [:]
                for (rule, values) in try reader.mapping(value, key: name) {
                    guard case .sequence(let items) = values else { throw bad("expected rule: [thresholds...]") }
                    out[rule.name] = try items.map { try reader.number($0, key: "\(name).\(rule.name)") }
                }
                sweep = out
            case "sweep_grace_days":
                guard case .sequence(let items) = value else { throw bad("expected a list of days") }
                sweepGraceDays = try items.map { try reader.integer($0, key: name) }
                guard sweepGraceDays.allSatisfy({ $0 >= 0 }) else { throw bad("days must be 0 or more") }
            default: throw reader.unknown(key, allowed: Self.keys)
            }
        }
    }
}
