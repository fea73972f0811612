import Foundation

/// A statsmodels-style text summary, built from the fit's data so the table,
/// the JSON and the model file can never disagree.
extension FittedLogisticRegression {
    public struct SummaryContext {
        public var dataFile: String
        public var label: String
        public var droppedRows: Int
        /// What the clusters of a clustered fit are (a column's name), for the header.
        public var clusterColumn: String?
        public init(dataFile: String, label: String, droppedRows: Int = 0, clusterColumn: String? = nil) {
            self.dataFile = dataFile
            self.label = label
            self.droppedRows = droppedRows
            self.clusterColumn = clusterColumn
        }
    }

    /// "model-based", or "clustered: account_id (900)" (the column, and how many clusters).
    public func errorsDescription(_ context: SummaryContext) -> String {
        switch errors {
        case .modelBased: return "model-based"
        case .clustered(let clusters): return "clustered: \(context.clusterColumn.map { $0 + " " } ?? "")(\(grouped(clusters)))"
        }
    }

    public func summary(_ context: SummaryContext) -> String {
        let width = 96
        let rule = String(repeating: "=", count: width)
        let thin = String(repeating: "-", count: width)
        func pair(_ l: String, _ lv: String, _ r: String, _ rv: String) -> String {
            let left = l.padding(toLength: 18, withPad: " ", startingAt: 0) + lv.leftPadded(28)
            return left + "    " + r.padding(toLength: 22, withPad: " ", startingAt: 0) + rv.leftPadded(24)
        }
        let rate = positives / totalWeight
        var out = [String]()
        out.append("Logistic regression".centered(width))
        out.append(rule)
        out.append(pair("Data:", context.dataFile.truncatedLeft(28), "Observations:", grouped(observations)))
        out.append(pair("Label:", context.label.truncatedLeft(28), "Churned (label 1):",
                        "\(grouped(Int(positives.rounded()))) (\(String(format: "%.1f", 100 * rate))%)"))
        out.append(pair("Method:", "Newton (IRLS)", "Parameters:", "\(parameterCount)"))
        out.append(pair("L2 penalty (λ):", settings.l2 == 0 ? "none (max. likelihood)" : fmt(settings.l2),
                        "Iterations:", "\(iterations)"))
        out.append(pair("Converged:", converged ? "yes" : "NO", "Log-likelihood:", fmt(logLikelihood)))
        out.append(pair("Rows left out:", "\(context.droppedRows)", "Null log-likelihood:", fmt(nullLogLikelihood)))
        out.append(pair("Deviance:", fmt(deviance), "Pseudo R² (McFadden):", String(format: "%.4f", pseudoRSquared)))
        out.append(pair("Null deviance:", fmt(nullDeviance), "AIC / BIC:", "\(fmt(aic)) / \(fmt(bic))"))
        out.append("Std. errors:".padding(toLength: 18, withPad: " ", startingAt: 0) + errorsDescription(context).truncatedLeft(28).leftPadded(28))
        out.append(rule)
        let nameWidth = max(12, min(36, coefficients.map(\.name.count).max() ?? 12))
        let header = "".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            + ["coef", "std err", "z", "P>|z|", "[0.025", "0.975]", "odds ratio"].map { $0.leftPadded(11) }.joined()
        out.append(header)
        out.append(thin)
        for c in coefficients {
            let name = c.name.count > nameWidth ? String(c.name.prefix(nameWidth - 1)) + "…" : c.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            if let why = c.dropped {
                out.append(name + "dropped (\(why))".leftPadded(11 * 7))
                continue
            }
            let cells = [c.estimate, c.standardError, c.z].map { cell($0) }
                + [c.pValue.map { String(format: "%.3f", $0) } ?? "n/a"]
                + [c.lower95, c.upper95, c.oddsRatio].map { cell($0) }
            out.append(name + cells.map { $0.leftPadded(11) }.joined())
        }
        out.append(rule)
        var notes = self.notes.map(\.description)
        if context.droppedRows > 0 {
            notes.append("\(context.droppedRows) row\(context.droppedRows == 1 ? "" : "s") with a missing value left out")
        }
        if settings.l2 > 0 {
            notes.append("standard errors under an L2 penalty come from the penalised Hessian: approximate, and shrunk like the estimates")
        }
        if !notes.isEmpty {
            out.append("Notes:")
            out += notes.map { "  - " + $0 }
        }
        return out.joined(separator: "\n") + "\n"
    }

    private func cell(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "n/a" }
        if v != 0 && (abs(v) >= 1e5 || abs(v) < 1e-3) { return String(format: "%.3e", v) }
        return String(format: "%.4f", v)
    }

    private func fmt(_ v: Double) -> String {
        if abs(v) >= 1e7 { return String(format: "%.4e", v) }
        return String(format: "%.4f", v)
    }

    private func grouped(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, ch) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
    func centered(_ width: Int) -> String {
        let pad = max(0, (width - count) / 2)
        return String(repeating: " ", count: pad) + self
    }
    func truncatedLeft(_ width: Int) -> String {
        count <= width ? self : "…" + String(suffix(width - 1))
    }
}
