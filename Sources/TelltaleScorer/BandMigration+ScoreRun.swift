import TelltaleAlerts
import TelltaleModel

extension BandMigration {
    /// Two runs of the same accounts on the same date, one per model, matched by account id.
    public init(previous: ScoreRun, new: ScoreRun) {
        func scores(_ run: ScoreRun) -> [Score] {
            run.rows.map { Score(accountID: $0.accountID, band: $0.band, churnProbability: $0.churnProbability) }
        }
        self.init(asOf: new.asOf, previous: scores(previous), new: scores(new))
    }
}

extension AccountScorer {
    /// A scorer for bands and probabilities alone, as a model comparison needs
    /// them: no alert rule and no open-case window is computed (nor a rule a
    /// snapshot prepared by another scorer carries).
    public static func bandsOnly(model: ChurnModel, settings: ScoringSettings) -> AccountScorer {
        var alerts = AlertSettings()
        alerts.rules = []
        alerts.openCaseDays = 0
        return AccountScorer(model: model, alerts: alerts, settings: settings)
    }
}
