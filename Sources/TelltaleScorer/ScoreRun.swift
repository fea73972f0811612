import TelltaleAlerts
import TelltaleData
import TelltaleModel

/// One scored account: the row a CRM ingests (contract: "Score output columns").
public struct ScoredAccount: Equatable, Sendable {
    public var accountID: String
    public var segment: String
    public var owner: String?
    public var asOf: Day
    public var churnProbability: Double
    /// 0-100, higher is healthier.
    public var healthScore: Double
    public var band: Band
    /// The band at the latest earlier scoring run in the history database.
    public var previousBand: Band?
    /// Bands moved since then: −2 is two bands worse, +1 one better; nil without an earlier run.
    public var bandChange: Int?
    public var severity: Severity
    /// Alerts that fired (not held back), most important first.
    public var alertTypes: [AlertType]
    /// Plain-language reasons with values, most important first.
    public var reasons: Reasons
    /// Kept combined patterns the account matches, riskiest first.
    public var patterns: [String]
    public var playbook: String
    public var contractValue: Double?
    public var renewalDate: Day?
    public var daysToRenewal: Int?
    /// Alerts held back, as `type (why)`.
    public var suppressed: [String]
    /// The fired alert types that did not fire for the account at the previous
    /// run: what a daily feed should turn into a CSM's task, rather than the
    /// same alert every day. nil without a history to compare with.
    public var newAlertTypes: [AlertType]? = nil
    /// The alert types that fired for the account at the previous run and do
    /// not fire now: what a feed should close, as `newAlertTypes` is what it
    /// should open. A type held back now (dismissed, engaged, an open case)
    /// counts as ended, as a held-back type counts as not sent for
    /// `newAlertTypes`: so every opening has its closing, and
    /// `suppressed_alerts` says which ended by being held back. nil without a
    /// history to compare with.
    public var endedAlertTypes: [AlertType]? = nil
}

/// An account that could not be scored, and why. Rule-based alerts that need
/// no model (a missed onboarding milestone of a new account) still fire for it.
public struct RejectedAccount: Equatable, Sendable {
    public var accountID: String
    public var segment: String
    public var owner: String?
    public var asOf: Day?
    public var reason: String
    public var alertTypes: [AlertType]
    public var playbook: String
}

/// One alert of one account in a run, fired or held back.
public struct AlertRecord: Equatable, Sendable {
    public enum Status: String, Codable, Sendable { case fired, suppressed }
    public var accountID: String
    public var rule: String
    public var type: AlertType
    /// The rule's base severity (the account's severity is in its row).
    public var severity: Severity
    public var status: Status
    /// Why it was held back (`support case open`, `dismissed: seasonal`, `CSM engaged`).
    public var suppressedBecause: String?
    public var detail: String
}

/// What the history database knows before a run: earlier bands and the
/// CSMs' engagements and dismissals that hold alerts back.
public struct ScoringContext: Sendable {
    /// Account id → its band at the latest run before this as-of date.
    public var previousBands: [String: Band]
    /// Account id → alert type → reason code of a dismissal still in force.
    public var dismissed: [String: [AlertType: String]]
    /// Accounts a CSM engaged on recently enough to hold their alerts back.
    public var engaged: Set<String>
    /// The previous run's bands came from another model (a re-calibration):
    /// the summary says its band changes compare two models' cut points.
    public var previousBandsFromAnotherModel: Bool
    /// What band-drop alerts compare with; nil: none can fire in this run.
    public var bandDrop: BandDropBaseline?
    /// Account id → the alert types that fired for it at the previous run
    /// (empty with a history but no earlier run: every alert is new); nil
    /// without a history, when what is new is not known.
    public var previousAlerts: [String: Set<AlertType>]?
    /// The previous run's date, when there is one.
    public var previousRun: Day?

    public init(previousBands: [String: Band] = [:], dismissed: [String: [AlertType: String]] = [:], engaged: Set<String> = [],
                previousBandsFromAnotherModel: Bool = false, bandDrop: BandDropBaseline? = nil,
                previousAlerts: [String: Set<AlertType>]? = nil) {
        self.previousBands = previousBands
        self.dismissed = dismissed
        self.engaged = engaged
        self.previousBandsFromAnotherModel = previousBandsFromAnotherModel
        self.bandDrop = bandDrop
        self.previousAlerts = previousAlerts
    }
}

/// Everything one scoring run produced.
public struct ScoreRun: Sendable {
    public var asOf: Day
    public var rows: [ScoredAccount]
    public var rejects: [RejectedAccount]
    public var alerts: [AlertRecord]
    public var warnings: [String]
    /// Band changes are against a run scored with another model.
    public var bandsComparedAcrossModels = false
    /// The alert rules evaluated (0 on a flat table without the columns they read).
    public var alertRules = 0
    /// The history's previous run, which `newAlertTypes` compare with.
    public var previousRun: Day?
    /// The model's combined patterns the `patterns` column names, with how
    /// they churned in training, for the summary's Monday line.
    public var combinedPatterns: [CombinedPattern] = []

    public struct CombinedPattern: Sendable {
        public var name: String
        /// Its flags in words, with its segment ("... AND CSAT under 5 [SMB Annual]").
        public var description: String
        public var churnRate: Double
    }
}

extension RejectedAccount {
    /// Input rows the loader skipped (`data.on_problem: skip`) whose account
    /// is not in the accounts table (or its row there had a problem): one reject per such account id, so no
    /// account in the usage export silently disappears.
    public static func unknownAccounts(in problems: ProblemList) -> [RejectedAccount] {
        var order: [String] = [], first: [String: Problem] = [:], count: [String: Int] = [:]
        for p in problems.items where p.unknownAccount {
            if first[p.value] == nil { order.append(p.value); first[p.value] = p }
            count[p.value, default: 0] += 1
        }
        return order.map { id in
            let p = first[id]!, n = count[id]!
            return RejectedAccount(accountID: id, segment: "", owner: nil, asOf: nil,
                                   reason: "\(n) row\(n == 1 ? "" : "s") whose \(p.column) \(p.message) (first: \(p.file) line \(p.line))",
                                   alertTypes: [], playbook: "")
        }
    }
}
