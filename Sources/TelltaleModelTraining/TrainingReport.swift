import Foundation
import TelltaleModel
import TelltalePatterns
import TelltaleSignals
import TelltaleTraining

/// The Markdown report the analyst reads after each calibration.
public enum TrainingReport {
    /// `todaysAccounts`: with `previous`, how today's accounts would move between bands.
    public static func markdown(_ outcome: ChurnTrainer.Outcome, previous: ChurnModel? = nil, todaysAccounts: TodaysAccounts? = nil) -> String {
        let m = outcome.model
        var out: [String] = []
        func pct(_ x: Double) -> String { x.isFinite ? String(format: "%.1f%%", 100 * x) : "-" }
        func num(_ x: Double?, _ d: Int = 3) -> String { x.map { $0.isFinite ? String(format: "%.\(d)f", $0) : "-" } ?? "-" }
        func signed(_ x: Double) -> String { x.isFinite ? String(format: "%+.3f", x) : "-" }
        out.append("# Telltale training report")
        out.append("")
        out.append("Trained \(m.trainedAt) with telltale \(m.toolVersion)" + (m.provenance.config.map { " from `\($0)`" } ?? "") + ".")
        out.append("")
        out.append("## Data")
        out.append("")
        out.append("- \(m.provenance.renewals) renewals, \(m.provenance.churned) churned (\(pct(Double(m.provenance.churned) / Double(max(1, m.provenance.renewals)))))")
        let span = "from \(m.provenance.firstObservation) to \(m.provenance.lastObservation)"
        out.append(m.provenance.usageEnd.isEmpty
            ? "- a flat table, " + (m.provenance.firstObservation.isEmpty ? "without observation dates" : "observed \(span)") // its rows say when; no lead time or usage of ours
            : "- observed \(m.leadDays) days before each renewal, \(span); usage data to \(m.provenance.usageEnd)")
        out.append("- input fingerprints: " + m.provenance.fingerprints.sorted { $0.key < $1.key }.map { "\($0.key) `\($0.value)`" }.joined(separator: ", "))
        out.append("")
        out.append(m.validation.isGrouped ? "## Validation (held-out accounts)" : "## Validation (out of time)")
        out.append("")
        let v = m.validation
        out.append(v.isGrouped
            ? "Fitted on the \(v.trainRows) renewals of the other accounts; scored on the \(v.holdoutRows) of the held-out accounts (every row of an account on one side). "
                + "Not out of time: the rows were not observed on several dates. L2 λ = \(formatNumber(v.chosenL2)) chosen by cross-validation grouped by account."
            : "Fitted on the \(v.trainRows) renewals decided before \(v.holdoutFrom); scored on the \(v.holdoutRows) observed from then on. "
                + "L2 λ = \(formatNumber(v.chosenL2)) chosen by time-ordered cross-validation.")
        out.append("")
        // One holdout measures an AUC only so precisely: the intervals say how much, and
        // whether the combined patterns' gain is more than the holdout's noise.
        let aucs = AUCComparison(scores: [outcome.holdoutPredictions, outcome.holdoutPredictionsWithoutPatterns], churned: outcome.holdoutChurned)
        out.append("| model | ROC AUC (95% interval) | PR AUC | top-10% lift | Brier | log loss | ECE |")
        out.append("|---|---|---|---|---|---|---|")
        for (k, name, x) in [(0, "with pattern features", v.withPatterns), (1, "without pattern features", v.withoutPatterns)] {
            let ci = aucs.interval95(k)
            out.append("| \(name) | \(num(x.rocAUC)) (\(ci.low.isNaN ? "-" : num(ci.low) + "-" + num(ci.high))) | \(num(x.prAUC)) | \(num(x.topDecileLift, 2)) | \(num(x.brier)) | \(num(x.logLoss)) | \(num(x.expectedCalibrationError)) |")
        }
        out.append("")
        if outcome.holdoutPredictions == outcome.holdoutPredictionsWithoutPatterns {
            out.append("The two models are the same: no combined pattern was kept as a feature on the development renewals alone.")
        } else {
            let d = aucs.difference(0, 1)
            out.append("Pattern features change the holdout ROC AUC by \(signed(d.estimate)) (95% interval \(signed(d.low)) to \(signed(d.high)), p \(d.pValue.isNaN ? "-" : d.pValue < 0.001 ? "< 0.001" : "= " + num(d.pValue)); "
                + "DeLong's test, both models scoring the same renewals).")
        }
        out.append("")
        out.append("Calibration on the holdout (deciles of predicted churn, with pattern features):")
        out.append("")
        out.append("| rows | mean predicted | observed |")
        out.append("|---|---|---|")
        for bin in v.withPatterns.calibration { out.append("| \(Int(bin[0])) | \(pct(bin[1])) | \(pct(bin[2])) |") }
        if !v.cvGrid.isEmpty {
            out.append("")
            out.append("Cross-validation (validation log loss per renewal, pooled over the folds, per λ): " + v.cvGrid.map { "λ \(formatNumber($0.l2)): \(num($0.logLoss, 4))" }.joined(separator: ", "))
        }
        out.append("")
        out.append("Renewal rate per band, development bands applied to the holdout's scores, against the development renewals banded the same way (each by its segment's cut points, on scores from models fitted without its account). p: two-proportion test of equal rates, and Holm's adjustment of it for the bands tested together; under 0.05 adjusted, the band did not hold up " + (v.isGrouped ? "on other accounts:" : "out of time:"))
        out.append("")
        out.append("| band | development renewals | renewal rate (95% interval) | holdout renewals | renewal rate (95% interval) | p | p, Holm |")
        out.append("|---|---|---|---|---|---|---|")
        let pairs = Array(zip(outcome.developmentBandStats, outcome.holdoutBandStats))
        let p = pairs.map { d, h in ProportionTest.twoSided(successes: h.renewed, of: h.rows, against: d.renewed, of: d.rows) }
        for ((d, h), (raw, adjusted)) in zip(pairs, zip(p, ProportionTest.holm(p))) {
            func rate(_ s: BandStat) -> String { s.rows > 0 ? "\(pct(s.renewalRate!)) (\(pct(s.ciLow))-\(pct(s.ciHigh)))" : "-" }
            out.append("| \(h.band.rawValue) | \(d.rows) | \(rate(d)) | \(h.rows) | \(rate(h)) | \(num(raw)) | \(num(adjusted)) |")
        }
        if let checks = v.distance, let calibration = m.distanceCalibration {
            out.append("")
            out.append("Churn probability by days to the renewal: the model learns from renewals \(m.leadDays) days away; `score` updates each account's log-odds η to offset + slope · η "
                + "by its distance, fitted at each distance on the same renewals observed there: the intercept, and the slope too where a likelihood-ratio test at 5% "
                + "rejects slope 1. Out of time: updates fitted with the development model on the development renewals, "
                + "applied to the holdout's renewals observed at the same distance:")
            out.append("")
            out.append("| days before the renewal | holdout renewals | churned | mean predicted, as fitted | updated | log loss, as fitted | updated | update (development) |")
            out.append("|---|---|---|---|---|---|---|---|")
            func update(_ c: DistanceCalibration.Check) -> String {
                switch c.update {
                case .intercept: return "offset " + signed(c.offset)
                case .interceptAndSlope: return "offset " + signed(c.offset) + ", slope " + num(c.slope)
                }
            }
            for c in checks {
                out.append("| \(c.days) | \(c.holdoutRenewals) | \(pct(c.holdoutChurnRate)) | \(pct(c.meanPredicted)) | \(pct(c.meanAdjusted)) | \(num(c.logLoss, 4)) | \(num(c.adjustedLogLoss, 4)) | \(update(c)) |")
            }
            let unchecked = calibration.anchors.map(\.days).filter { $0 != m.leadDays && !checks.map(\.days).contains($0) }
            if !unchecked.isEmpty {
                out.append("")
                out.append(unchecked.map { "\($0) days" }.joined(separator: ", ") + ": not checked, under \(ChurnTrainer.fewestDistanceOutcomes) churned or renewed development renewals observed there; the update is fitted on all renewals.")
            }
            out.append("")
            out.append("The saved model's updates (an offset added to the log-odds η, or offset + slope η), from all renewals: "
                + calibration.anchors.map { "\($0.days) days \(DistanceCalibration.formatted(offset: $0.offset, slope: $0.slope)) (\($0.renewals) renewals)" }.joined(separator: ", ")
                + "; linear between them, the nearest beyond. The health score and band stay on the \(m.leadDays)-day scale.")
        }
        out.append("")
        out.append("## Health bands per segment")
        out.append("")
        out.append("Health score = 100 × the model's renewal probability\(m.provenance.usageEnd.isEmpty ? "" : " at \(m.leadDays) days from the renewal, whatever the account's distance (it reads use, not the calendar)"). Targets: " + zip(Band.allCases, m.bands.targets).map { "\($0.rawValue) \(pct($1))" }.joined(separator: ", ") + "."
                   + (outcome.bandRowsLeftOut > 0 ? " \(outcome.bandRowsLeftOut) renewals whose usage history the data's start cuts short (accounts older than the export) are left out: their scores lack windows that today's accounts have." : ""))
        out.append("")
        out.append("| segment | red below | orange below | yellow below | red | orange | yellow | green |")
        out.append("|---|---|---|---|---|---|---|---|")
        for (segment, b) in [("all (population)", m.bands.population)] + m.bands.segments.sorted(by: { $0.key < $1.key }).map({ ($0.key + ($0.value.borrowed ? " (population cut points)" : ""), $0.value) }) {
            let cuts = b.cutPoints.map { $0 > 100 ? "-" : String(format: "%.1f", $0) }
            let cells = b.stats.map { $0.rows > 0 ? "\(pct($0.renewalRate ?? .nan)) of \($0.rows) (\(pct($0.ciLow))-\(pct($0.ciHigh)))" : "-" }
            out.append("| \(segment) | \(cuts.joined(separator: " | ")) | \(cells.joined(separator: " | ")) |")
        }
        out.append("")
        out.append("## Combined patterns")
        out.append("")
        let keptByTheSearch = (outcome.patternReport?.kept ?? []).map(\.definition)
        let kept = m.patterns.filter { keptByTheSearch.contains($0.definition) }, unkeptFeatures = m.patterns.filter { !keptByTheSearch.contains($0.definition) }
        if kept.isEmpty { out.append("No pattern was kept at the configured false discovery rate.") }
        if !m.patterns.isEmpty {
            out.append("A combination of two flags or more is a model feature when its renewals churn more than the signals alone predict "
                + "(a score test against the model without patterns, Holm-adjusted at patterns.alpha over every combination that churns above "
                + "its scope's rate; at most 20, the strongest first): two risks that only add up are left to their signals.")
            out.append("")
        }
        for p in kept.prefix(15) { out.append("- \(p.sentence) (lift \(num(p.lift, 2)), q \(String(format: "%.2g", p.qValue)))\(p.isFeature ? " - model feature" : "")") }
        if !unkeptFeatures.isEmpty {
            out.append("")
            out.append("Model features the search did not keep on its own (it asks each combination to beat each of its parts, at a false discovery rate over every test), for their joint effect beyond the signals:")
            out.append("")
            for p in unkeptFeatures { out.append("- \(p.sentence) (lift \(num(p.lift, 2)), q \(String(format: "%.2g", p.qValue)))") }
        }
        out.append("")
        out.append("## Coefficients")
        out.append("")
        out.append("Per standard deviation of each feature (odds ratio = exp(coefficient)). "
            + (m.standardErrors.map { "Standard errors are \($0.description)" + (m.l2 > 0 ? "; under the penalty they are approximate (the penalised Hessian, its likelihood part clustered)." : ".") }
               ?? "Standard errors take every renewal as independent" + (m.l2 > 0 ? " and come from the penalised Hessian: approximate." : ".")))
        out.append("")
        out.append("| feature | coefficient | std. error | p | odds ratio |")
        out.append("|---|---|---|---|---|")
        out.append("| intercept | \(num(m.intercept)) | | | |")
        for c in m.coefficients.sorted(by: { abs($0.estimate) > abs($1.estimate) }) {
            guard !c.wasDropped else { out.append("| \(c.name) | dropped (see the warnings) | | | |"); continue }
            out.append("| \(c.name) | \(num(c.estimate)) | \(num(c.stdError)) | \(c.pValue.map { String(format: "%.3g", $0) } ?? "-") | \(num(c.oddsRatio)) |")
        }
        out.append("")
        out.append("## Signal cohorts")
        out.append("")
        if let power = m.powerFeature { out.append("Power feature (the in-product signal whose top level renews most above its bottom level within the segments, weighted by their renewals): **\(power)**.") ; out.append("") }
        out.append("Renewal rate by quintile of each signal, all segments, strongest first:")
        out.append("")
        for c in strongestFirst(m.cohorts, segment: "all").prefix(10) { out.append("- " + cohortLine(c)) }
        out += segmentCohorts(m)
        if let previous {
            out.append("")
            out.append("## Changes since the previous model (\(previous.trainedAt))")
            out.append("")
            out.append("- holdout ROC AUC \(num(previous.validation.withPatterns.rocAUC)) -> \(num(v.withPatterns.rocAUC)) (this holdout measures it to ±\(num(aucs.margin95(0))))")
            out += m.changes(since: previous)
            out += todaysAccounts?.reportLines ?? []
        }
        if !m.warnings.isEmpty {
            out.append("")
            out.append("## Warnings")
            out.append("")
            for w in m.warnings { out.append("- \(w)") }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Two decimals, but two significant digits below 0.01, so that levels of a
    /// probability near 0 (a decline probability) do not all read "0 to 0";
    /// "to", not a hyphen ("-11.36--1.38" read as a typo); a level of one value is that value.
    static func levelRange(_ l: SignalCohort.Level) -> String {
        func value(_ x: Double) -> String {
            x != 0 && abs(x) < 0.01 ? String(format: "%.2g", x) : formatNumber((x * 100).rounded() / 100)
        }
        return l.from == l.to ? value(l.from) : "\(value(l.from)) to \(value(l.to))"
    }

    /// A segment's cohorts, the signals that sort renewals most first.
    static func strongestFirst(_ cohorts: [SignalCohort], segment: String) -> [SignalCohort] {
        cohorts.filter { $0.segment == segment }.sorted { abs($0.spread) > abs($1.spread) }
    }

    static func cohortLine(_ c: SignalCohort) -> String {
        "`\(c.signal)`: " + c.levels.map { levelRange($0) + ": " + String(format: "%.1f%%", 100 * $0.renewalRate) }.joined(separator: "; ")
    }

    /// Each segment's own power feature, level by level with the band its renewal
    /// rate means, and its strongest other signals: the levels behind a healthy
    /// account differ by segment (domain section 3), and the all-segment list
    /// hides that. A level's rate comes with its Wilson interval, since a small
    /// segment's quintile is a few dozen renewals.
    static func segmentCohorts(_ m: ChurnModel) -> [String] {
        let segments = Set(m.cohorts.map(\.segment)).subtracting(["all"]).sorted()
        guard !segments.isEmpty else { return [] }
        let mid = m.bands.boundaries.map { String(format: "%g%%", 100 * $0) }
        let powers = segments.map { SignalCohorts.powerFeature(m.cohorts, definitions: m.signals, segment: $0) }
        // A flat table's columns are not known to be product use: no power feature to name.
        let anyPower = powers.contains { $0 != nil }
        var out = ["", "### By segment", "",
                   (anyPower ? "Each segment's power feature by quintile, with the band its renewal rate falls in (red under \(mid[0]), "
                        + "orange under \(mid[1]), yellow under \(mid[2]): the band targets' midpoints, where the cut points are placed), "
                        + "then its three strongest other signals."
                    : "Each segment's three strongest signals (no power feature: the table's columns are not known to be product use).")
                   + " A segment with fewer than 50 renewals where a signal is known has no cohorts for it."]
        for (segment, power) in zip(segments, powers) {
            let cohorts = strongestFirst(m.cohorts, segment: segment)
            out += ["", "**\(segment)**", ""]
            if let power, let c = cohorts.first(where: { $0.signal == power }) {
                out.append("Power feature: **\(power)**" + (power == m.powerFeature ? " (as for all segments)." : "."))
                out.append("")
                out.append("| `\(power)` | renewals | renewal rate (95% interval) | band |")
                out.append("|---|---|---|---|")
                for l in c.levels {
                    let renewed = Int((l.renewalRate * Double(l.rows)).rounded())
                    let (low, high) = PatternStatistics.wilson(successes: renewed, n: l.rows)
                    out.append("| \(levelRange(l)) | \(l.rows) | " + String(format: "%.1f%% (%.1f%%-%.1f%%)", 100 * l.renewalRate, 100 * low, 100 * high)
                               + " | \(m.bands.band(renewalRate: l.renewalRate).rawValue) |")
                }
            } else if anyPower {
                out.append("No in-product signal has cohorts in this segment.")
            }
            let others = cohorts.filter { $0.signal != power }.prefix(3)
            if !others.isEmpty {
                if anyPower { out.append("") }
                for c in others { out.append("- " + cohortLine(c)) }
            }
        }
        return out
    }
}
