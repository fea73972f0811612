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
