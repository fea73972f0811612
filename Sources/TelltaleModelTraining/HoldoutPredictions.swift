import TelltaleData
import TelltaleModel
import TelltaleSignals

extension ChurnTrainer.Outcome {
    /// The holdout (out of time, or the held-out accounts) renewal by renewal, as the development model
    /// scored it: what the report's validation figures and holdout band table
    /// are computed from, so an analyst can recompute or slice them in a
    /// notebook (`telltale train --holdout-predictions FILE.csv`).
    ///
    /// Columns: `account_id, segment, as_of, renewal_date, churned` (1/0),
    /// `churn_probability`, `churn_probability_without_patterns`,
    /// `health_score`, `band` (the development bands, each renewal by its
    /// segment's cut points) and `in_band_check` (0 when the data's start cuts
    /// the renewal's history short and the report's band table leaves it out).
    /// `table` is the table that was trained on.
    public func holdoutCSV(table: SignalTable) -> String {
        var out = "account_id,segment,as_of,renewal_date,churned,churn_probability,churn_probability_without_patterns,health_score,band,in_band_check\n"
        for (i, r) in holdoutRows.enumerated() {
            let o = table.observations[r]
            let account = Int(o.account), segment = table.segment(ofRow: r)
            let health = ChurnModel.healthScore(churnProbability: holdoutPredictions[i])
            let fields = [csvField(table.accountIDs[account]), csvField(segment), table.undated ? "" : o.asOf.description,
                          table.undated ? "" : o.renewal?.description ?? "",
                          holdoutChurned[i] ? "1" : "0", "\(holdoutPredictions[i])", "\(holdoutPredictionsWithoutPatterns[i])",
                          "\(health)", developmentBands.band(health: health, segment: segment).band.rawValue,
                          holdoutInBandCheck[i] ? "1" : "0"]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }
}
