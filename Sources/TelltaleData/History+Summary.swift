import Foundation

/// The data summary `telltale check` prints: what a user reads first on a new export.
extension History {
    public func summary(accountsFile: String, usageFile: String, renewalsFile: String?) -> String {
        var out: [String] = []
        func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        // Name columns as wide as their longest name (26 at least): cut at a fixed
        // width, "Mid-Market Annual EMEA" and "Mid-Market Annual APAC" could read alike.
        let metricWidth = max(26, (usage.metrics.map(\.count).max() ?? 0) + 1)
        func name(_ s: String, _ width: Int) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }
        func grouped(_ n: Int) -> String {
            let f = NumberFormatter()
            f.numberStyle = .decimal
            f.groupingSeparator = ","
            f.locale = Locale(identifier: "en_US_POSIX")
            return f.string(from: NSNumber(value: n)) ?? String(n)
        }
        out.append("Accounts  \(accountsFile): \(grouped(accounts.count)) accounts")
        var bySegment: [String: (Int, Double)] = [:]
        for a in 0..<accounts.count {
            let e = bySegment[accounts.segment[a], default: (0, 0)]
            bySegment[accounts.segment[a]] = (e.0 + 1, e.1 + accounts.contractValue[a])
        }
        let segmentWidth = max(26, (bySegment.keys.map(\.count).max() ?? 0) + 1)
        out.append("  " + name("segment", segmentWidth) + "accounts".leftAligned(10) + "contract value".leftAligned(18))
        for (segment, (n, value)) in bySegment.sorted(by: { $0.key < $1.key }) {
            out.append("  " + name(segment, segmentWidth) + grouped(n).leftAligned(10) + grouped(Int(value)).leftAligned(18))
        }
        if let signups = accounts.signup.min(), let last = accounts.signup.max() {
            out.append("  signups from \(signups) to \(last)")
        }
        // The severity's columns (alerts.severity), so a typo'd "yes" or an all-empty column shows here first.
        for (column, values) in accounts.flags.sorted(by: { $0.key < $1.key }) {
            let yes = values.filter { $0 == true }.count, empty = values.filter { $0 == nil }.count
            out.append("  \(column) (strategic, yes/no): \(grouped(yes)) yes, \(grouped(values.count - yes - empty)) no, \(grouped(empty)) empty")
        }
        for (column, values) in accounts.numbers.sorted(by: { $0.key < $1.key }) {
            let known = values.compactMap { $0 }.sorted()
            let spread = known.isEmpty ? "" : String(format: ", median %.6g, from %.6g to %.6g", (known[(known.count - 1) / 2] + known[known.count / 2]) / 2, known.first!, known.last!)
            out.append("  \(column) (expansion potential): \(grouped(known.count)) values\(spread), \(grouped(values.count - known.count)) empty")
        }

        out.append("")
        let withUsage = (0..<accounts.count).filter { usage.start[$0 + 1] > usage.start[$0] }.count
        let range = usage.dateRange.map { "\($0.lowerBound) to \($0.upperBound)" } ?? "no rows"
        out.append("Usage     \(usageFile): \(grouped(usage.count)) rows, \(range), \(grouped(withUsage)) accounts with usage")
        out.append("  " + name("metric", metricWidth) + "kind".padding(toLength: 8, withPad: " ", startingAt: 0) + "missing".leftAligned(10)
            + "mean".leftAligned(12) + "min".leftAligned(10) + "max".leftAligned(10))
        var negativeCounts: [String] = []
        for (m, metricName) in usage.metrics.enumerated() {
            let values = usage.values[m]
            var missing = 0, sum = 0.0, low = Double.infinity, high = -Double.infinity
            var negatives = 0, firstNegative = -1
            for (r, v) in values.enumerated() {
                if v.isNaN { missing += 1; continue }
                sum += v
                low = min(low, v); high = max(high, v)
                if v < 0 { negatives += 1; if firstNegative < 0 { firstNegative = r } }
            }
            let present = values.count - missing
            func number(_ x: Double) -> String { present > 0 ? String(format: "%.3g", x) : "n/a" }
            func extreme(_ x: Double) -> String { present > 0 && x == x.rounded() && abs(x) < 1e9 ? String(Int(x)) : number(x) }
            out.append("  " + name(metricName, metricWidth)
                + (usage.isLevel[m] ? "level" : "count").padding(toLength: 8, withPad: " ", startingAt: 0)
                + pct(values.isEmpty ? 0 : Double(missing) / Double(values.count)).leftAligned(10)
                + number(sum / Double(max(present, 1))).leftAligned(12) + extreme(low).leftAligned(10) + extreme(high).leftAligned(10))
            // A count below 0 is most often an export's -1 for "unknown": summed into windows
            // it lowers them without a word. Not a problem (a signed metric may be meant).
            if negatives > 0 && !usage.isLevel[m] {
                negativeCounts.append("\(metricName) has \(grouped(negatives)) negative value\(negatives == 1 ? "" : "s") (first: line \(usage.line[firstNegative]), "
                    + "\(String(format: "%g", values[firstNegative])))")
            }
        }
        if !negativeCounts.isEmpty {
            out.append("  note: " + negativeCounts.joined(separator: "; ") + ". Counts are 0 or more and are summed into windows; "
                + "a -1 meaning unknown belongs in an empty cell (missing, not zero)")
        }
        if !ignoredUsageColumns.isEmpty {
            out.append("  not read as metrics (\(ignoredUsageReason)): \(ignoredUsageColumns.joined(separator: ", "))")
        }

        if let renewalsFile {
            out.append("")
            let churned = renewals.churned.filter { $0 }.count
            out.append("Renewals  \(renewalsFile): \(grouped(renewals.count)) decisions, \(grouped(churned)) churned"
                + (renewals.count > 0 ? " (\(pct(Double(churned) / Double(renewals.count))))" : ""))
            var cells: [String: [Int: (Int, Int)]] = [:]
            for r in 0..<renewals.count {
                let seg = accounts.segment[Int(renewals.account[r])]
                let year = renewals.date[r].components.year
                let e = cells[seg, default: [:]][year, default: (0, 0)]
                cells[seg, default: [:]][year] = (e.0 + 1, e.1 + (renewals.churned[r] ? 1 : 0))
            }
            out.append("  " + name("segment", segmentWidth) + "year".leftAligned(6) + "renewals".leftAligned(10) + "churned".leftAligned(9) + "churn rate".leftAligned(12))
            for (seg, years) in cells.sorted(by: { $0.key < $1.key }) {
                for (year, (n, c)) in years.sorted(by: { $0.key < $1.key }) {
                    out.append("  " + name(seg, segmentWidth) + String(year).leftAligned(6)
                        + grouped(n).leftAligned(10) + grouped(c).leftAligned(9) + pct(Double(c) / Double(n)).leftAligned(12))
                }
            }
        }
        out.append("")
        if problems.isEmpty {
            out.append("Problems: none")
        } else {
            out.append("Problems: \(grouped(problems.total))")
            out.append(problems.render())
        }
        return out.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// Right-aligned in a field of `width` (for number columns).
    func leftAligned(_ width: Int) -> String {
        count >= width ? " " + self : String(repeating: " ", count: width - count) + self
    }
}
