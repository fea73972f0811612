import Foundation
import Testing
@testable import TelltaleConfig

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct ConfigurationTests {
    @Test func theBundledSampleConfigIsValidAndPointsAtExistingFiles() throws {
        let path = repositoryRoot.appendingPathComponent("notebooks-data/telltale.yml").path
        let config = try Configuration.load(path: path)
        let options = try config.loadOptions(needRenewals: true)
        for file in [options.accountsPath, options.usagePath, options.renewalsPath!] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
        }
    }

    @Test func anUnknownKeyIsNamedWithItsLineAndASuggestion() {
        let yaml = "data:\n  accounts: a.csv\n  usgae: u.csv\n"
        #expect(throws: ConfigError.unknownKey(file: "t.yml", key: "usgae", line: 3, suggestion: "usage", allowed: DataSettings.keys)) {
            try Configuration.parse(yaml, file: "t.yml", baseDirectory: ".")
        }
        #expect(throws: ConfigError.self) { try Configuration.parse("dta:\n  x: 1\n", file: "t.yml", baseDirectory: ".") }
    }

    @Test func wrongTypesAndValuesNameTheKey() throws {
        #expect(throws: ConfigError.invalidValue(file: "t.yml", key: "data.on_problem", line: 2, message: "expected error or skip, found 'ignore'")) {
            try Configuration.parse("data:\n  on_problem: ignore\n", file: "t.yml", baseDirectory: ".")
        }
        #expect(throws: ConfigError.wrongType(file: "t.yml", key: "data.columns", line: 2, expected: "a mapping (key: value lines)", found: "'x'")) {
            try Configuration.parse("data:\n  columns: x\n", file: "t.yml", baseDirectory: ".")
        }
        // An open range says so: 0.8 itself is refused, and the message must not say "between".
        #expect(throws: ConfigError.invalidValue(file: "t.yml", key: "model.holdout_share", line: 2, message: "must be more than 0 and less than 0.8, found 0.8")) {
            try Configuration.parse("model:\n  holdout_share: 0.8\n", file: "t.yml", baseDirectory: ".")
        }
        #expect(throws: ConfigError.invalidValue(file: "t.yml", key: "model.validation", line: 2, message: "expected auto, out_of_time, grouped, found 'random'")) {
            try Configuration.parse("model:\n  validation: random\n", file: "t.yml", baseDirectory: ".")
        }
        #expect(try Configuration.parse("model:\n  validation: Grouped\n", file: "t.yml", baseDirectory: ".").training.validation == .grouped)
        // Days before the renewal for the probability's offsets: a list, sorted; none turns them off.
        #expect(try Configuration.parse("model:\n  validation: auto\n", file: "t.yml", baseDirectory: ".").training.distanceDays == [15, 150, 240, 330])
        #expect(try Configuration.parse("model:\n  distance_calibration: [300, 30]\n", file: "t.yml", baseDirectory: ".").training.distanceDays == [30, 300])
        #expect(try Configuration.parse("model:\n  distance_calibration: none\n", file: "t.yml", baseDirectory: ".").training.distanceDays.isEmpty)
        #expect(try Configuration.parse("model:\n  distance_calibration: []\n", file: "t.yml", baseDirectory: ".").training.distanceDays.isEmpty)
        #expect(throws: ConfigError.invalidValue(file: "t.yml", key: "model.distance_calibration", line: 2, message: "expected distinct days from 1 to 3650, found 150, 0")) {
            try Configuration.parse("model:\n  distance_calibration: [150, 0]\n", file: "t.yml", baseDirectory: ".")
        }
        #expect(throws: ConfigError.invalidValue(file: "t.yml", key: "model.distance_calibration", line: 2,
                                                 message: "expected a list of days before the renewal, e.g. [15, 150, 240, 330], or none")) {
            try Configuration.parse("model:\n  distance_calibration: 150\n", file: "t.yml", baseDirectory: ".")
        }
        #expect(try Configuration.parse("alerts:\n  band_drop_days: 0\n", file: "t.yml", baseDirectory: ".").alerts.bandDropDays == 0)
    }

    /// The severity's account columns are read by every command that loads the accounts,
    /// and their thresholds make sense only together with a column.
    @Test func theSeverityAccountColumnsGoToTheLoaderAndTheirThresholdsAreChecked() throws {
        let yaml = "data:\n  accounts: a.csv\n  usage: u.csv\nalerts:\n  severity:\n    strategic_column: key_account\n"
            + "    expansion_column: upsell\n    large_expansion: 50000\n"
        let config = try Configuration.parse(yaml, file: "t.yml", baseDirectory: ".")
        #expect(config.alerts.severity.strategicColumn == "key_account" && config.alerts.severity.expansionColumn == "upsell")
        #expect(config.alerts.severity.largeExpansion == 50_000 && config.alerts.severity.smallExpansion == nil)
        let options = try config.loadOptions(needRenewals: false)
        #expect(options.accountFlags == ["key_account"] && options.accountNumbers == ["upsell"])
        #expect(try Configuration.parse("data:\n  accounts: a.csv\n  usage: u.csv\n", file: "t.yml", baseDirectory: ".")
            .loadOptions(needRenewals: false).accountFlags.isEmpty)

        #expect(throws: ConfigError.invalidValue(file: "t.yml", key: "alerts.severity", line: 3,
                                                 message: "large_expansion and small_expansion need expansion_column, the accounts column they compare")) {
            try Configuration.parse("alerts:\n  severity:\n    small_expansion: 10\n", file: "t.yml", baseDirectory: ".")
        }
        #expect(throws: ConfigError.invalidValue(file: "t.yml", key: "alerts.severity", line: 3,
                                                 message: "small_expansion (10.0) must be below large_expansion (5.0)")) {
            try Configuration.parse("alerts:\n  severity:\n    expansion_column: x\n    small_expansion: 10\n    large_expansion: 5\n",
                                    file: "t.yml", baseDirectory: ".")
        }
        #expect(throws: ConfigError.invalidValue(file: "t.yml", key: "alerts.severity", line: 3,
                                                 message: "strategic_column and expansion_column both name 'x': one is yes/no, the other a number")) {
            try Configuration.parse("alerts:\n  severity:\n    expansion_column: x\n    strategic_column: x\n", file: "t.yml", baseDirectory: ".")
        }
    }

    /// A signal defined twice in one list had the first silently replaced by the second.
    @Test func aSignalDefinedTwiceInOneListIsRefusedWithBothLines() {
        let yaml = "signals:\n  define:\n    - name: x1\n      window: {metric: logins, days: 30}\n    - name: x1\n      window: {metric: logins, days: 60}\n"
        #expect(throws: ConfigError.invalidValue(file: "t.yml", key: "signals.x1", line: 5,
                                                 message: "is defined twice in signals.define (first on line 3); give one of them another name")) {
            try Configuration.parse(yaml, file: "t.yml", baseDirectory: ".")
        }
        let rules = "alerts:\n  rules:\n    - name: r1\n      type: trend\n      when: [\"logins_30d <= 3\"]\n    - name: r1\n      type: trend\n      when: [\"logins_30d <= 5\"]\n"
        #expect(throws: ConfigError.invalidValue(file: "t.yml", key: "alerts.rules.r1", line: 6,
                                                 message: "is defined twice in alerts.rules (first on line 3); give one of them another name")) {
            try Configuration.parse(rules, file: "t.yml", baseDirectory: ".")
        }
    }

    @Test func yamlSyntaxErrorsCarryALine() {
        #expect {
            try Configuration.parse("data:\n  accounts: [a.csv\n  usage: b\n", file: "t.yml", baseDirectory: ".")
        } throws: { error in
            guard case let ConfigError.syntax(_, line, _) = error else { return false }
            return line != nil
        }
    }

    @Test func pathsAreResolvedAgainstTheConfigFolderAndFlagsOverride() throws {
        let config = try Configuration.parse("data:\n  accounts: a.csv\n  usage: /abs/u.csv\n", file: "d/t.yml", baseDirectory: "d")
        let options = try config.loadOptions(InputOverrides(accounts: "x.csv"), needRenewals: false)
        #expect(options.accountsPath == "x.csv" && options.usagePath == "/abs/u.csv")
        #expect(throws: ConfigError.self) { try config.loadOptions(needRenewals: true) }
    }

    @Test func everySectionIsParsedAndAnUnknownKeyInOneIsNamed() throws {
        let config = try Configuration.parse("signals:\n  lead_days: 61\nbands:\n  targets: [0.4, 0.6, 0.7, 0.9]\nbacktest:\n  horizon_days: 120\n  sweep: {logins_drop_33pct: [0.5, 0.7]}\n",
                                             file: "t.yml", baseDirectory: ".")
        #expect(config.backtest.horizonDays == 120 && config.backtest.sweep == ["logins_drop_33pct": [0.5, 0.7]])
        #expect { try Configuration.parse("backtest:\n  horizon: 3\n", file: "t.yml", baseDirectory: ".") } throws: { "\($0)".contains("t.yml:2: unknown key 'horizon'") }
        #expect(config.signals.leadDays == 61)
        #expect(config.training.bandTargets == [0.4, 0.6, 0.7, 0.9])
        #expect(throws: ConfigError.self) { try Configuration.parse("bands:\n  targets: [0.5, 0.6]\n", file: "t.yml", baseDirectory: ".") }
    }

    /// A misspelt rule under `backtest.sweep` was left out of the report with a warning after
    /// the whole replay; a rule of the config's own counts, in whichever order the sections come.
    @Test func aSweptRuleMustBeAnAlertRule() throws {
        #expect(throws: ConfigError.invalidValue(file: "t.yml", key: "backtest.sweep", line: 4,
                                                 message: "no alert rule 'logins_drop_33pc'; did you mean 'logins_drop_33pct'?")) {
            try Configuration.parse("backtest:\n  sweep:\n    logins_drop_33pct: [0.5]\n    logins_drop_33pc: [0.6]\n", file: "t.yml", baseDirectory: ".")
        }
        let own = try Configuration.parse("backtest:\n  sweep: {quiet: [1, 2]}\nalerts:\n  rules:\n    - {name: quiet, type: trend, when: [\"logins_30d < 1\"]}\n",
                                          file: "t.yml", baseDirectory: ".")
        #expect(own.backtest.sweep == ["quiet": [1, 2]])
        #expect { try Configuration.parse("alerts:\n  disable: [logins_drop_33pct]\nbacktest:\n  sweep: {logins_drop_33pct: [0.5]}\n", file: "t.yml", baseDirectory: ".") }
            throws: { "\($0)".contains("'logins_drop_33pct' is a built-in rule this config turns off (alerts.disable or alerts.defaults: false): nothing to sweep") }
        #expect { try Configuration.parse("alerts:\n  defaults: false\nbacktest:\n  sweep: {zzz: [0.5]}\n", file: "t.yml", baseDirectory: ".") }
            throws: { "\($0)".contains("no alert rule 'zzz' (the config has none)") }
    }
}
