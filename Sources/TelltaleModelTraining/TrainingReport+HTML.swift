import Foundation
import TelltaleReports
import TelltaleModel
import TelltaleSignals

/// The training report as one self-contained HTML page: the Markdown report's
/// content, plus inline SVG charts (calibration, cumulative gains, band renewal
/// rates). No scripts, fonts or network: it opens the same offline and in a year.
extension TrainingReport {
    public static func html(_ outcome: ChurnTrainer.Outcome, previous: ChurnModel? = nil, todaysAccounts: TodaysAccounts? = nil) -> String {
        let m = outcome.model
        // The Markdown's title and "Trained ... from CONFIG" line go above the charts, its sections below.
        let md = markdown(outcome, previous: previous, todaysAccounts: todaysAccounts)
        let firstSection = md.range(of: "\n## ")?.lowerBound ?? md.endIndex
        var body = "<h1>Telltale training report</h1>\n" + ReportHTML.markdownTables(String(md[..<firstSection]))
        body += "<h2>Holdout: calibration and gains</h2>\n<div class=\"charts\">\n"
        body += calibrationChart(m.validation.withPatterns.calibration)
        body += gainsChart(p: outcome.holdoutPredictions, churned: outcome.holdoutChurned)
        body += "</div>\n<h2>Band renewal rates</h2>\n<div class=\"charts\">\n"
        body += bandChart("All segments (training renewals)", m.bands.population.stats, targets: m.bands.targets)
        body += bandChart("Holdout, development bands", outcome.holdoutBandStats, targets: m.bands.targets)
        for (segment, b) in m.bands.segments.sorted(by: { $0.key < $1.key }) {
            body += bandChart(segment + (b.borrowed ? " (population cut points)" : ""), b.stats, targets: m.bands.targets)
        }
        body += "</div>\n"
        body += ReportHTML.markdownTables(String(md[firstSection...]))
        return ReportHTML.page(title: "Telltale training report", body: body)
    }

    /// Predicted against observed churn per decile of the holdout, with the diagonal of perfect calibration.
    static func calibrationChart(_ bins: [[Double]]) -> String {
        let top = max(0.1, (bins.flatMap { [$0[1], $0[2]] }.max() ?? 0.5) * 1.1)
        let scale = min(1, (top * 10).rounded(.up) / 10)
        return ReportHTML.frame(title: "Calibration (holdout deciles)", xLabel: "predicted churn", yLabel: "observed churn",
                     xMax: scale, yMax: scale) { point in
            let (x0, y0) = point(0, 0), (x1, y1) = point(1, 1)
            var s = "<line x1=\"\(f(x0))\" y1=\"\(f(y0))\" x2=\"\(f(x1))\" y2=\"\(f(y1))\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n"
            for b in bins {
                let (x, y) = point(b[1] / scale, min(1, b[2] / scale))
                s += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(2 + min(6, b[0].squareRoot() / 3)))\" fill=\"#1f77b4\" fill-opacity=\"0.75\"><title>\(Int(b[0])) renewals: predicted \(String(format: "%.1f", 100 * b[1]))%, observed \(String(format: "%.1f", 100 * b[2]))%</title></circle>\n"
            }
            return s
        }
    }

    /// Cumulative gains: share of churners among the top x% of scores, against random.
    static func gainsChart(p: [Double], churned: [Bool]) -> String {
        let order = p.indices.sorted { p[$0] > p[$1] }
        let total = max(1, churned.filter { $0 }.count)
        return ReportHTML.frame(title: "Cumulative gains (holdout)", xLabel: "accounts contacted, highest risk first", yLabel: "churners caught") { point in
            let (x0, y0) = point(0, 0), (x1, y1) = point(1, 1)
            var s = "<line x1=\"\(f(x0))\" y1=\"\(f(y0))\" x2=\"\(f(x1))\" y2=\"\(f(y1))\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n"
            var caught = 0
            var path = "M\(f(x0)) \(f(y0))"
            for (k, i) in order.enumerated() {
                if churned[i] { caught += 1 }
                let (x, y) = point(Double(k + 1) / Double(order.count), Double(caught) / Double(total))
                path += " L\(f(x)) \(f(y))"
            }
            s += "<path d=\"\(path)\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n"
            let tenth = max(1, order.count / 10)
            let topCaught = order.prefix(tenth).filter { churned[$0] }.count
            let (tx, ty) = point(0.1, Double(topCaught) / Double(total))
            s += "<circle cx=\"\(f(tx))\" cy=\"\(f(ty))\" r=\"3\" fill=\"#d62728\"/><text x=\"\(f(tx + 6))\" y=\"\(f(ty + 12))\">top 10%: \(Int((100 * Double(topCaught) / Double(total)).rounded()))% of churners</text>\n"
            return s
        }
    }

    /// Renewal rate per band with its Wilson interval, and the target rates as ticks.
    static func bandChart(_ title: String, _ stats: [BandStat], targets: [Double]) -> String {
        let colours: [Band: String] = [.red: "#d62728", .orange: "#ff7f0e", .yellow: "#e5c400", .green: "#2ca02c"]
        return ReportHTML.frame(title: title, xLabel: "band (renewals in it; dotted: target)", yLabel: "renewal rate, 95% interval", width: 300,
                     categories: stats.map(\.band.rawValue)) { point in
            var s = ""
            for (k, stat) in stats.enumerated() {
                let centre = (Double(k) + 0.5) / Double(stats.count)
                let half = 0.3 / Double(stats.count)
                let (lx, _) = point(centre - half, 0), (rx, _) = point(centre + half, 0), (_, base) = point(0, 0)
                if let rate = stat.renewalRate {
                    let (_, y) = point(0, rate), (_, lo) = point(0, stat.ciLow), (_, hi) = point(0, stat.ciHigh)
                    let (cx, _) = point(centre, 0)
                    s += "<rect x=\"\(f(lx))\" y=\"\(f(y))\" width=\"\(f(rx - lx))\" height=\"\(f(base - y))\" fill=\"\(colours[stat.band]!)\" fill-opacity=\"0.8\"><title>\(stat.band.rawValue): \(stat.renewed) of \(stat.rows) renewed</title></rect>"
                    s += "<line x1=\"\(f(cx))\" y1=\"\(f(lo))\" x2=\"\(f(cx))\" y2=\"\(f(hi))\" stroke=\"#222\"/>"
                    s += "<line x1=\"\(f(cx - 4))\" y1=\"\(f(lo))\" x2=\"\(f(cx + 4))\" y2=\"\(f(lo))\" stroke=\"#222\"/><line x1=\"\(f(cx - 4))\" y1=\"\(f(hi))\" x2=\"\(f(cx + 4))\" y2=\"\(f(hi))\" stroke=\"#222\"/>\n"
                }
                if k < targets.count {
                    let (_, ty) = point(0, targets[k])
                    s += "<line x1=\"\(f(lx - 3))\" y1=\"\(f(ty))\" x2=\"\(f(rx + 3))\" y2=\"\(f(ty))\" stroke=\"#000\" stroke-dasharray=\"2 2\"><title>target \(Int(targets[k] * 100))%</title></line>\n"
                }
                let (cx, _) = point(centre, 0)
                s += "<text x=\"\(f(cx))\" y=\"\(f(base - 4))\" text-anchor=\"middle\" fill=\"#fff\">\(stat.rows)</text>\n"
            }
            return s
        }
    }

    static let f = ReportHTML.f
}
