import Testing
import TelltaleModel
import TelltaleSignals

/// A model file says the oldest format that holds it: a format-1 reader
/// would compute a weekly-median trend as a mean trend without a word, so
/// such models are format 2 (which that reader refuses), an active-weeks
/// trend (which a format-2 reader cannot decode) makes format 3, a decline
/// probability (which a format-3 reader cannot decode) format 4, a flat
/// table's text column (which a format-4 reader cannot decode) format 5, and
/// models with none of them stay format 1, readable by older versions.
@Suite struct ModelFormatTests {
    @Test func aModelNeedsTheFormatOfItsNewestTrend() {
        let standard = ["logins", "active_users", "features_used", "core_actions", "session_minutes", "support_cases", "csat"]
        let defaults = SignalDefinition.defaults(metrics: standard)
        #expect(ChurnModel.format(for: defaults) == 4)
        let withoutDecline = defaults.filter { $0.name != "core_actions_decline_probability" }
        #expect(ChurnModel.format(for: withoutDecline) == 3)
        #expect(ChurnModel.format(for: withoutDecline.filter { $0.name != "core_actions_weekly_t" }) == 2)
        #expect(ChurnModel.format(for: withoutDecline.filter { $0.name != "core_actions_weekly_trend" }) == 3)
        #expect(ChurnModel.format(for: withoutDecline.filter { !$0.name.hasPrefix("core_actions_weekly") }) == 1)
        #expect(ChurnModel.format(for: SignalDefinition.defaults(metrics: ["logins"])) == 1)
        let activeRatio = SignalDefinition(name: "r", kind: .trend(TrendSignal(metric: "logins", recent: 28, baseline: 56, statistic: .activeWeeks)))
        #expect(ChurnModel.format(for: [activeRatio]) == 3)
        let plan = SignalDefinition(name: "plan=pro", kind: .category(CategorySignal(column: "plan", level: "pro", levels: ["team", "pro"])))
        #expect(ChurnModel.format(for: [SignalDefinition(name: "x", kind: .column), plan]) == 5)
        #expect(ChurnModel.format(for: [SignalDefinition(name: "x", kind: .column)]) == 1)
        #expect(ChurnModel.currentFormat == 5)
    }
}
