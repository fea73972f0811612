import Foundation
import TelltaleAlerts
import TelltaleData
import TelltaleModel
import TelltaleReports
import TelltaleSignals

/// Per alert type, the dismissals CSMs recorded and how many they called false positives.
public struct DismissalFeedback: Equatable, Sendable {
    public var type: String
    public var dismissals: Int
    public var falsePositives: Int
    public init(type: String, dismissals: Int, falsePositives: Int) {
        self.type = type
        self.dismissals = dismissals
        self.falsePositives = falsePositives
    }
}

/// The figures of a backtest, ready for the report.
public struct BacktestSummary: Sendable {
    public var run: BacktestRun
    public var byRule: [AlertStats]
    /// The rules (then any alert) judged by each account's next renewal, however far.
    public var byRuleToRenewal: [TermStats]
    public var byType: [AlertStats]
    public var bySeverity: [AlertStats]
    public var bySegment: [AlertStats]
    /// Any alert, split by the account's band on the day.
    public var byBand: [AlertStats]
    public var anyAlert: AlertStats
    /// Single-signal rules, the model's bands and the combined patterns on the same history.
    public var comparison: [(kind: String, stats: AlertStats)]
    public var sweep: [SweepPoint]
    public var recommended: [String: SweepPoint]
    public var alertBudget: Double
    /// With `backtest.precision_target`: the setting catching most churn at that precision or better.
    public var recommendedForPrecision: [String: SweepPoint]
    public var precisionTarget: Double?
    public var bandRates: [(date: Day, bands: [(band: Band, decided: Int, renewalRate: Double?)])]
    public var calibration: [(date: Day, decided: Int, predicted: Double, observed: Double)]
    public var dismissals: [DismissalFeedback]
    public var warnings: [String]

    public init(run: BacktestRun, alerts: AlertSettings, settings: BacktestSettings, dismissals: [DismissalFeedback] = []) {
        self.run = run
        let ruleNames = run.rules.map(\.name) + ["band_drop"]
        byRule = BacktestMetrics.stats(run, names: ruleNames) { Set($0.rules) }
        byRuleToRenewal = BacktestMetrics.termStats(run, names: ruleNames + ["any alert"]) { o in
            o.rules.isEmpty ? [] : Set(o.rules + ["any alert"])
        }
        let types = AlertType.allCases.map(\.rawValue)
        byType = BacktestMetrics.stats(run, names: types) { Set($0.types.map(\.rawValue)) }.filter { $0.alerts > 0 }
        let levels: [Severity] = [.critical, .high, .medium, .low]
        bySeverity = BacktestMetrics.stats(run, names: levels.map { "\($0) or above" }) { o in
            Set(levels.filter { o.severity >= $0 }.map { "\($0) or above" })
        }
        let segments = Array(Set(run.observations.map(\.segment))).sorted()
        bySegment = BacktestMetrics.stats(run, names: segments) { o in o.rules.isEmpty ? [] : [o.segment] }
        anyAlert = BacktestMetrics.stats(run, names: ["any alert"]) { $0.rules.isEmpty ? [] : ["any alert"] }[0]
        byBand = BacktestMetrics.stats(run, names: Band.allCases.map(\.rawValue)) { o in o.rules.isEmpty ? [] : [o.band.rawValue] }
        // Single-signal rules against the model's bands and the combined patterns.
        let single = run.rules.filter { $0.conditions.count == 1 }.map(\.name)
        // A combined pattern "alerts" whenever the account matches it (whatever its lift).
        let patterns = Array(Set(run.observations.flatMap(\.patterns))).sorted().map { "pattern: " + $0 }
        let bandNames = ["band: red", "band: red or orange"]
        let all = BacktestMetrics.stats(run, names: single + bandNames + patterns + (patterns.isEmpty ? [] : ["any combined pattern"])) { o in
            var s = Set(o.rules)
            if o.band == .red { s.insert("band: red") }
            if o.band <= .orange { s.insert("band: red or orange") }
            for p in o.patterns { s.insert("pattern: " + p) }
            if !o.patterns.isEmpty { s.insert("any combined pattern") }
            return s
        }
        comparison = all.map { st in
            (single.contains(st.name) ? "single-signal rule" : bandNames.contains(st.name) ? "model band" : "combined pattern", st)
        }
        let sweepResult = ThresholdSweep.run(run, alerts: alerts, settings: settings)
        sweep = sweepResult.points
        recommended = ThresholdSweep.recommend(sweep, budget: settings.alertBudget)
        alertBudget = settings.alertBudget
        precisionTarget = settings.precisionTarget
        let points = sweepResult.points
        recommendedForPrecision = settings.precisionTarget.map { ThresholdSweep.recommend(points, precision: $0) } ?? [:]
        bandRates = BacktestMetrics.bandRenewalRates(run)
        calibration = BacktestMetrics.calibration(run)
        self.dismissals = dismissals
        warnings = run.warnings + sweepResult.warnings
    }

    /// Fewer alert-days than this are too few to rank an alert by its precision.
    public static let minimumAlertDays = 10

    /// Among alerts with at least `minimumAlerts` firings: the best churn-per-alert of combined patterns and of single-signal rules.
    public func bestPrecision(kind: String, minimumAlerts: Int = minimumAlertDays) -> AlertStats? {
        comparison.filter { $0.kind == kind && $0.stats.alerts >= minimumAlerts }.map(\.stats).max { ($0.precision ?? 0) < ($1.precision ?? 0) }
    }

    /// Churn share of all account-dates (what precision is to be read against).
    public var baseRate: Double {
        let n = run.observations.count
        return n > 0 ? Double(run.observations.filter { $0.churned && $0.renewal != nil }.count) / Double(n) : 0
    }
}

/// The backtest report: Markdown, and a self-contained HTML page with inline SVG charts.
public enum BacktestReport {
    static func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", 100 * $0) } ?? "-" }
    static func num(_ x: Double) -> String { String(format: "%.2f", x) }

    /// What an observation is called: an account on a replayed date (a week, weekly).
    static func accountDates(_ r: BacktestRun) -> String { r.everyDays == 7 ? "account-weeks" : "account-dates" }

    public static func headline(_ s: BacktestSummary) -> [String] {
        let r = s.run
        guard let first = r.dates.first, let last = r.dates.last else { return ["No dates replayed."] }
        let a = s.anyAlert
        var lines = [
            "Replayed \(r.dates.count) as-of dates, every \(r.everyDays == 1 ? "day" : "\(r.everyDays) days") from \(first) to \(last), "
                + (r.trainings.isEmpty ? "with one fixed model. "
                    : r.trainings.count == 1 ? "with one model trained on the renewals decided before the first date. "
                    : "retraining \(r.trainings.count) times on the renewals decided before each date. ")
                + "An alert is right when the account churned at a renewal within \(r.horizonDays) days.",
            "The configured alerts would have raised \(a.episodes) new alerts (\(num(a.perCSMWeek)) per CSM per week) and fired before "
                + "\(a.churnsCaught) of \(a.churns) churns (\(pct(a.recall))), a median of \(a.medianLead.map { "\(Int($0))" } ?? "-") days ahead; "
                + "\(pct(a.precision)) of alerted \(accountDates(r)) churned within the horizon, against \(pct(s.baseRate)) of all.",
        ]
        let least = BacktestSummary.minimumAlertDays
        if let p = s.bestPrecision(kind: "combined pattern", minimumAlerts: least), let q = s.bestPrecision(kind: "single-signal rule", minimumAlerts: least) {
            let better = (p.precision ?? 0) > (q.precision ?? 0)
            lines.append("Combined patterns \(better ? "beat" : "did not beat") every single-signal rule on churn caught per alert: "
                + "best pattern \(pct(p.precision)) (\(p.name), \(p.alerts) alert-days), best single-signal rule \(pct(q.precision)) (\(q.name)); "
                + "comparisons need \(least) alert-days or more.")
        }
        if let line = earlyAlertsLine(s) { lines.append(line) }
        for (rule, p) in s.recommended.sorted(by: { $0.key < $1.key }) {
            lines.append("Within \(num(s.alertBudget)) new alerts per CSM per week, `\(rule)` catches most churn at threshold "
                + "\(formatCell(p.threshold)) with a \(p.graceDays)-day grace period (\(p.stats.churnsCaught) churns, \(num(p.stats.perCSMWeek)) per CSM per week, precision \(pct(p.stats.precision)))"
                + (p.isCurrent ? ": the current setting." : "."))
        }
        for (rule, p) in s.recommendedForPrecision.sorted(by: { $0.key < $1.key }) {
            lines.append("At \(pct(s.precisionTarget)) precision or better, `\(rule)` catches most churn at threshold \(formatCell(p.threshold)) "
                + "with a \(p.graceDays)-day grace period (\(p.stats.churnsCaught) churns, \(num(p.stats.perCSMWeek)) per CSM per week).")
        }
        return lines
    }

    /// Rules the horizon finds no better than no alert at all, though the accounts they
    /// alerted churned at their next renewal more than the rest (an onboarding milestone
    /// comes months ahead): read alone, the horizon's figures would have them switched off.
    static func earlyAlertsLine(_ s: BacktestSummary) -> String? {
        guard let base = s.byRuleToRenewal.first?.baseRate else { return nil }
        let early = s.byRuleToRenewal.filter { t in
            guard t.terms >= 10, (t.precision ?? 0) > base, let soon = s.byRule.first(where: { $0.name == t.name }) else { return false }
            return (soon.precision ?? 0) <= s.baseRate && 2 * t.beyondHorizon > t.terms
        }
        guard !early.isEmpty else { return nil }
        let names = early.map { "`\($0.name)`" }.joined(separator: ", ")
        let rates = early.map { "\(pct($0.precision)) of \($0.terms)" }.joined(separator: ", ")
        return "\(names) fire\(early.count == 1 ? "s" : "") mostly more than \(s.run.horizonDays) days before the renewal, and within "
            + "\(s.run.horizonDays) days \(early.count == 1 ? "it is" : "they are") no more often right than \(pct(s.baseRate)) of all \(accountDates(s.run)); "
            + "yet of the accounts \(early.count == 1 ? "it" : "they") alerted, \(rates)\(early.count == 1 ? "" : " respectively") churned at their next renewal (all accounts: \(pct(base))): "
            + "judge \(early.count == 1 ? "it" : "them") by the section \"Judged by the next renewal, however far\"."
    }

    static func table(_ stats: [AlertStats], first: String = "alert") -> String {
        var out = "| \(first) | alert-days | new alerts | per CSM per week | precision | churns caught | recall | false-positive rate | median lead (days) |\n"
        out += "|---|---|---|---|---|---|---|---|---|\n"
        for s in stats {
            out += "| \(s.name) | \(s.alerts) | \(s.episodes) | \(num(s.perCSMWeek)) | \(pct(s.precision)) | \(s.churnsCaught) of \(s.churns) | \(pct(s.recall)) | \(pct(s.falsePositiveRate)) | \(s.medianLead.map { String(Int($0)) } ?? "-") |\n"
        }
        return out
    }

    public static func markdown(_ s: BacktestSummary) -> String {
        let r = s.run
        var md = "# Telltale threshold and band backtest\n\n"
        for line in headline(s) { md += "- " + line + "\n" }
        md += "\n## Alerts by rule\n\nPrecision: share of alert-days on which the account churned within \(r.horizonDays) days. "
            + "Recall: churns preceded by the alert within the horizon. New alerts: the alert fired after not firing on the account's previous date.\n\n"
        md += table(s.byRule, first: "rule")
        md += toRenewalSection(s)
        md += "\n## By alert type\n\n" + table(s.byType, first: "type")
        md += "\n## By severity\n\n" + table(s.bySeverity, first: "severity")
        md += "\n## By band on the day (any alert)\n\n" + table(s.byBand, first: "band")
        md += "\n## By segment (any alert)\n\n" + table(s.bySegment, first: "segment")
        md += "\n## Single-signal rules, model bands and combined patterns\n\nOn the same history, ranked by churn caught per alert; "
            + "those under \(BacktestSummary.minimumAlertDays) alert-days after the rest, too few to rank.\n\n"
        var rows = "| kind | alert | alert-days | precision | churns caught | recall |\n|---|---|---|---|---|---|\n"
        func rankable(_ st: AlertStats) -> Bool { st.alerts >= BacktestSummary.minimumAlertDays }
        for (kind, st) in s.comparison.sorted(by: { a, b in
            rankable(a.stats) != rankable(b.stats) ? rankable(a.stats) : (a.stats.precision ?? 0) > (b.stats.precision ?? 0)
        }) {
            rows += "| \(kind) | \(st.name) | \(st.alerts) | \(pct(st.precision)) | \(st.churnsCaught) of \(st.churns) | \(pct(st.recall)) |\n"
        }
        md += rows
        md += "\n## Threshold sweep\n\nAlert budget: \(num(s.alertBudget)) new alerts per CSM per week.\n\n"
        md += "| rule | threshold | grace (days) | per CSM per week | churns caught | recall | precision | |\n|---|---|---|---|---|---|---|---|\n"
        for p in s.sweep {
            let mark = (s.recommended[p.rule] == p ? "recommended" : "") + (p.isCurrent ? (s.recommended[p.rule] == p ? ", current" : "current") : "")
            md += "| \(p.rule) | \(formatCell(p.threshold)) | \(p.graceDays) | \(num(p.stats.perCSMWeek)) | \(p.stats.churnsCaught) | \(pct(p.stats.recall)) | \(pct(p.stats.precision)) | \(mark) |\n"
        }
        md += "\n## Lead time (any alert)\n\n"
        let lead = s.anyAlert.leadDays
        if lead.isEmpty { md += "No churn was caught.\n" } else {
            md += "Days from the first alert to the churned renewal, over \(lead.count) caught churns: "
                + "quartiles \(lead[lead.count / 4]), \(lead[lead.count / 2]), \(lead[min(lead.count - 1, 3 * lead.count / 4)]) days.\n"
        }
        md += "\n## Band renewal rates over time\n\nAccounts whose next renewal was decided within \(r.horizonDays) days of each date.\n\n"
        md += "| date | red | orange | yellow | green |\n|---|---|---|---|---|\n"
        for (date, bands) in s.bandRates where bands.contains(where: { $0.decided > 0 }) {
            md += "| \(date) | " + bands.map { "\(pct($0.renewalRate)) (\($0.decided))" }.joined(separator: " | ") + " |\n"
        }
        md += "\n## Calibration over time\n\n| date | decided | mean predicted churn | observed churn |\n|---|---|---|---|\n"
        for c in s.calibration { md += "| \(c.date) | \(c.decided) | \(pct(c.predicted)) | \(pct(c.observed)) |\n" }
        md += "\nBy days to the next renewal, however far (account-dates whose next renewal is decided):\n\n"
        md += "| days to the renewal | account-dates | mean predicted churn | churned at the renewal |\n|---|---|---|---|\n"
        for c in BacktestMetrics.calibrationByDistance(r) {
            md += "| \(c.upTo.map { "\(c.from)-\($0)" } ?? "over \(c.from - 1)") | \(c.decided) | \(pct(c.predicted)) | \(pct(c.observed)) |\n"
        }
        md += "\n## Dismissal feedback\n\n"
        if s.dismissals.isEmpty { md += "No dismissals in the history database.\n" } else {
            md += "| alert type | dismissals | called false positive | false-positive share |\n|---|---|---|---|\n"
            for d in s.dismissals {
                md += "| \(d.type) | \(d.dismissals) | \(d.falsePositives) | \(pct(d.dismissals > 0 ? Double(d.falsePositives) / Double(d.dismissals) : nil)) |\n"
            }
        }
        if !r.trainings.isEmpty {
            md += "\n## Models\n\n" + r.trainings.map { t in
                "- \(t.date): trained on \(t.renewals) renewals decided before it" + (t.migration.map { m in
                    "; that date's accounts by band, the model before -> this one: \(m.bandCounts) (\(m.moves))"
                } ?? "")
            }.joined(separator: "\n") + "\n"
        }
        if !s.warnings.isEmpty { md += "\n## Warnings\n\n" + s.warnings.map { "- " + $0 }.joined(separator: "\n") + "\n" }
        return md
    }

    static func toRenewalSection(_ s: BacktestSummary) -> String {
        let all = s.byRuleToRenewal.first
        var md = "\n## Judged by the next renewal, however far\n\n"
        md += "A term: an account from a replayed date up to its next renewal. Of the \(all?.allTerms ?? 0) terms whose renewal the data has decided, "
            + "\(all?.allChurned ?? 0) churned (\(pct(all?.baseRate))). Per rule: the decided terms it fired on, the share that churned at the renewal "
            + "(lift: against all terms), the churned terms it fired on (recall), the days from its first alert to a churned renewal, and the terms it "
            + "first fired on more than \(s.run.horizonDays) days before the renewal, which the table above does not credit. Terms not yet decided are left out.\n\n"
        md += "| rule | terms alerted | churned at the renewal | lift | recall | median lead (days) | first alert beyond \(s.run.horizonDays) days | not yet decided |\n"
        md += "|---|---|---|---|---|---|---|---|\n"
        for t in s.byRuleToRenewal {
            md += "| \(t.name) | \(t.terms) | \(t.churned) (\(pct(t.precision))) | \(t.lift.map(num) ?? "-") | \(pct(t.recall)) | "
                + "\(t.medianLead.map { String(Int($0)) } ?? "-") | \(t.beyondHorizon) | \(t.undecided) |\n"
        }
        return md
    }

    public static func html(_ s: BacktestSummary) -> String {
        var body = "<h1>Telltale threshold and band backtest</h1>\n<ul>\n"
        for line in headline(s) { body += "<li>\(ReportHTML.markdownTables(line).replacingOccurrences(of: "<p>", with: "").replacingOccurrences(of: "</p>\n", with: ""))</li>\n" }
        body += "</ul>\n<div class=\"charts\">\n" + tradeOffChart(s) + leadChart(s) + bandChart(s) + calibrationChart(s) + "</div>\n"
        var md = markdown(s)
        if let cut = md.range(of: "\n## Alerts by rule") { md = String(md[cut.lowerBound...]) }
        body += ReportHTML.markdownTables(md)
        return ReportHTML.page(title: "Telltale backtest", body: body)
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    static let f = ReportHTML.f

    /// Churn caught against alert volume, one line per swept rule; the budget as a dashed line.
    static func tradeOffChart(_ s: BacktestSummary) -> String {
        let rules = Array(Set(s.sweep.map(\.rule))).sorted()
        let xMax = max(1, (s.sweep.map(\.stats.perCSMWeek).max() ?? 1) * 1.1, s.alertBudget * 1.2)
        return ReportHTML.frame(title: "Threshold trade-off", xLabel: "new alerts per CSM per week (large dot: current setting)", yLabel: "churns caught (recall)",
                                width: 420, height: 300, xMax: xMax, yMax: 1, xPercent: false) { point in
            var svg = ""
            let (bx, by0) = point(s.alertBudget / xMax, 0), (_, by1) = point(0, 1)
            svg += "<line x1=\"\(f(bx))\" y1=\"\(f(by0))\" x2=\"\(f(bx))\" y2=\"\(f(by1))\" stroke=\"#555\" stroke-dasharray=\"5 3\"><title>alert budget</title></line>\n"
            svg += "<text x=\"\(f(bx + 3))\" y=\"\(f(by1 + 12))\">budget \(ReportHTML.short(s.alertBudget))</text>\n"
            for (k, rule) in rules.enumerated() {
                let pts = s.sweep.filter { $0.rule == rule && $0.graceDays == s.sweep.first { $0.rule == rule && $0.isCurrent }?.graceDays }
                    .sorted { $0.stats.perCSMWeek < $1.stats.perCSMWeek }
                let colour = palette[k % palette.count]
                var path = ""
                for (i, p) in pts.enumerated() {
                    let (x, y) = point(p.stats.perCSMWeek / xMax, p.stats.recall ?? 0)
                    path += (i == 0 ? "M" : " L") + "\(f(x)) \(f(y))"
                    svg += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(p.isCurrent ? 5 : 3)\" fill=\"\(colour)\"><title>\(ReportHTML.escape(rule)) at \(formatCell(p.threshold)): \(ReportHTML.short(p.stats.perCSMWeek)) per CSM per week, \(p.stats.churnsCaught) churns caught</title></circle>\n"
                }
                svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>\n"
                let (lx, ly) = point(0.98, 0.04 + 0.07 * Double(rules.count - 1 - k))
                svg += "<text x=\"\(f(lx))\" y=\"\(f(ly))\" text-anchor=\"end\" fill=\"\(colour)\">\(ReportHTML.escape(rule))</text>\n"
            }
            return svg
        }
    }

    /// How early alerts came: caught churns by days of warning, in 15-day bins.
    static func leadChart(_ s: BacktestSummary) -> String {
        let lead = s.anyAlert.leadDays
        let bins = max(1, (s.run.horizonDays + 14) / 15)
        var counts = [Int](repeating: 0, count: bins)
        for d in lead { counts[min(bins - 1, max(0, (d - 1) / 15))] += 1 }
        let top = Double(max(1, counts.max() ?? 1))
        let labels = (0..<bins).map { "\($0 * 15 + 1)-\(($0 + 1) * 15)" }
        return ReportHTML.frame(title: "Lead time (any alert)", xLabel: "days from first alert to churned renewal",
                                yLabel: "share of caught churns (max \(Int(top)) churns)", width: 420, height: 300,
                                yMax: top / Double(max(1, lead.count)), categories: labels) { point in
            var svg = ""
            for (k, c) in counts.enumerated() {
                let (x0, base) = point(Double(k) / Double(bins) + 0.1 / Double(bins), 0)
                let (x1, y) = point(Double(k + 1) / Double(bins) - 0.1 / Double(bins), Double(c) / top)
                svg += "<rect x=\"\(f(x0))\" y=\"\(f(y))\" width=\"\(f(x1 - x0))\" height=\"\(f(base - y))\" fill=\"#1f77b4\"><title>\(c) churns</title></rect>\n"
            }
            return svg
        }
    }

    /// Six tick labels (YY-MM) spread over the dates.
    static func dateTicks(_ dates: [Day]) -> [String] {
        guard !dates.isEmpty else { return [] }
        return (0...5).map { k in String(dates[min(dates.count - 1, k * (dates.count - 1) / 5)].description.dropFirst(2).prefix(5)) }
    }

    /// Renewal rate of each band, date by date.
    static func bandChart(_ s: BacktestSummary) -> String {
        let colours: [Band: String] = [.red: "#d62728", .orange: "#ff7f0e", .yellow: "#e5c400", .green: "#2ca02c"]
        let dates = s.bandRates
        return ReportHTML.frame(title: "Band renewal rates over time", xLabel: "as-of date (lines: red, orange, yellow, green band)",
                                yLabel: "renewal rate within \(s.run.horizonDays) days", width: 420, height: 300,
                                xTicks: dateTicks(dates.map(\.date))) { point in
            var svg = ""
            for band in Band.allCases {
                var path = ""
                for (k, d) in dates.enumerated() {
                    guard let cell = d.bands.first(where: { $0.band == band }), let rate = cell.renewalRate, cell.decided >= 5 else { continue }
                    let (x, y) = point(dates.count > 1 ? Double(k) / Double(dates.count - 1) : 0.5, rate)
                    path += (path.isEmpty ? "M" : " L") + "\(f(x)) \(f(y))"
                }
                if !path.isEmpty { svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(colours[band]!)\" stroke-width=\"2\"><title>\(band.rawValue)</title></path>\n" }
            }
            return svg
        }
    }

    /// Mean predicted against observed churn, date by date.
    static func calibrationChart(_ s: BacktestSummary) -> String {
        let c = s.calibration
        let top = min(1, max(0.1, (c.flatMap { [$0.predicted, $0.observed] }.max() ?? 0.5) * 1.2))
        return ReportHTML.frame(title: "Calibration over time", xLabel: "as-of date (blue: predicted, red: observed)",
                                yLabel: "churn within \(s.run.horizonDays) days", width: 420, height: 300, yMax: top,
                                xTicks: dateTicks(c.map(\.date))) { point in
            var svg = ""
            for (values, colour) in [(c.map(\.predicted), "#1f77b4"), (c.map(\.observed), "#d62728")] {
                var path = ""
                for (k, v) in values.enumerated() {
                    let (x, y) = point(c.count > 1 ? Double(k) / Double(c.count - 1) : 0.5, v / top)
                    path += (k == 0 ? "M" : " L") + "\(f(x)) \(f(y))"
                }
                svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            }
            return svg
        }
    }
}
