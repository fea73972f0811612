import TelltaleSignals

/// What a CSM should do about an alert (domain section 7). The wording is
/// deliberately an instruction, because the CRM shows it next to the account.
public enum Playbook {
    public static func forType(_ type: AlertType) -> String {
        switch type {
        case .cohort, .abandonment:
            return "re-engagement: a low-friction email first; CSM outreach if nothing changes within a week"
        case .adoption:
            return "feature adoption: targeted training, a walkthrough or an onboarding session"
        case .milestone:
            return "onboarding: dedicated implementation help, at once"
        case .trend, .combined, .bandDrop, .pattern:
            return "usage decline: a consultative business review about their goals, not 'why aren't you logging in'"
        case .singleUser:
            return "single-user dependency: map the organisation and get introduced to other teams"
        }
    }

    /// For a critical account whose renewal is near, whatever the alert.
    public static let criticalNearRenewal =
        "critical near renewal: executive outreach, dedicated resources, contract flexibility"
}

extension Playbook {
    /// For an account the model puts at risk (the red band) while no alert
    /// fired and no reason points to a playbook: an empty cell next to a
    /// `high` severity in the CRM left the CSM with nothing to do.
    public static let reviewReasons =
        "at risk with no alert: go through the reasons with the account team and agree a plan before the renewal"
}

/// Which alert type's playbook a model input points to, for an account at
/// risk with no alert fired: its first reason that has one decides.
///
/// The config's rules decide first, so a signal reads as the alerts on it
/// do: a signal a rule reads gets that rule's type; a trend is a usage
/// decline; a signal built on others (a cohort comparison, a ratio, a flag)
/// takes theirs; any other signal takes the type of the first rule that reads
/// the same usage metric (`core_actions_30d` low is the usage decline of
/// `core_actions_drop_33pct`). A missed onboarding milestone goes by its
/// metric too: its own rule did not fire, so the account is past onboarding
/// (the default rules stop at 120 days of tenure), and "implementation help,
/// at once" no longer fits; a second feature never used is feature adoption.
/// Support and CSAT signals point nowhere (the domain has no playbook for
/// them), so the next reason decides.
public struct PlaybookTypes: Sendable {
    let rules: [AlertRule]
    let definitions: [String: SignalDefinition]

    public init(rules: [AlertRule], definitions: [SignalDefinition]) {
        self.rules = rules
        var byName: [String: SignalDefinition] = [:]
        for d in definitions + SignalDefinition.ruleOnly where byName[d.name] == nil { byName[d.name] = d }
        self.definitions = byName
    }

    /// The alert type whose playbook fits `signal`, nil when none does.
    public func type(ofSignal signal: String) -> AlertType? {
        var visiting: Set<String> = []
        return type(of: signal, visiting: &visiting)
    }

    func type(of signal: String, visiting: inout Set<String>) -> AlertType? {
        guard visiting.insert(signal).inserted else { return nil }
        let definition = definitions[signal]
        if let definition, case .milestone = definition.kind { return byMetric(signal) }
        if let rule = rules.first(where: { $0.signals.contains(signal) }) { return rule.type }
        guard let definition else { return nil }
        switch definition.kind {
        case .trend: return .trend
        case let .cohort(c): return type(of: c.signal, visiting: &visiting) ?? .cohort
        case let .flag(conditions):
            // A flag that is a rule's conditions (`low_and_declining`) is that rule, also
            // where the rule reads a trend against the segment's and the flag the trend.
            let reads = Set(conditions.map { trendCompared($0.signal) })
            if let rule = rules.first(where: { Set($0.signals.map(trendCompared)) == reads }) { return rule.type }
            for d in definition.dependencies { if let t = type(of: d, visiting: &visiting) { return t } }
            return nil
        case .ratio:
            for d in definition.dependencies { if let t = type(of: d, visiting: &visiting) { return t } }
            return nil
        case .window: return byMetric(signal)
        case .milestone, .column, .category: return nil
        }
    }

    /// The trend a cohort signal compares with the segment's, else the signal itself.
    func trendCompared(_ signal: String) -> String {
        guard case let .cohort(c)? = definitions[signal]?.kind, case .trend? = definitions[c.signal]?.kind else { return signal }
        return c.signal
    }

    /// The first rule (not a milestone's) that reads the same usage metric.
    func byMetric(_ signal: String) -> AlertType? {
        let wanted = metrics(of: signal)
        guard !wanted.isEmpty else { return nil }
        return rules.first { rule in
            rule.type != .milestone && rule.signals.contains { !metrics(of: $0).isDisjoint(with: wanted) }
        }?.type
    }

    /// The usage metrics a signal reads, through the signals it is built on.
    func metrics(of signal: String) -> Set<String> {
        var seen: Set<String> = [], out: Set<String> = []
        var stack = [signal]
        while let s = stack.popLast() {
            guard seen.insert(s).inserted, let d = definitions[s] else { continue }
            out.formUnion(d.metrics)
            stack += d.dependencies
        }
        return out
    }
}
