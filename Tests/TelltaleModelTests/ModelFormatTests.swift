import Testing
import TelltaleModel
import TelltaleSignals

/// A model file says the oldest format that holds it: a format-1 reader
/// would compute a weekly-median trend as a mean trend without a word, so
/// such models are format 2 (which that reader refuses), and models without
/// one stay format 1, readable by older versions.
@Suite struct ModelFormatTests {
    @Test func onlyModelsWithAWeeklyMedianTrendNeedFormatTwo() {
        let standard = ["logins", "active_users", "features_used", "core_actions", "session_minutes", "support_cases", "csat"]
        let defaults = SignalDefinition.defaults(metrics: standard)
        #expect(ChurnModel.format(for: defaults) == 2)
        #expect(ChurnModel.format(for: defaults.filter { $0.name != "core_actions_weekly_trend" }) == 1)
        #expect(ChurnModel.format(for: SignalDefinition.defaults(metrics: ["logins"])) == 1)
        #expect(ChurnModel.currentFormat >= 2)
    }
}
