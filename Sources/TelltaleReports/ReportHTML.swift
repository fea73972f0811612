import Foundation

/// What the HTML reports share: escaping, a charting frame drawn as inline
/// SVG (the pages work offline), the small Markdown-to-HTML converter, and the page shell.
public enum ReportHTML {
    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A plot area with labelled percentage axes; `body` draws in unit coordinates through `point`.
    /// Axes run from 0 to `xMax` and `yMax` (shares, labelled in percent); `categories` replaces the x ticks
    /// with labels centred in equal bins, `xTicks` labels the six ticks (a time axis).
    public static func frame(title: String, xLabel: String, yLabel: String, width: Double = 340, height: Double = 280,
                             xMax: Double = 1, yMax: Double = 1, categories: [String]? = nil, xPercent: Bool = true, xTicks: [String]? = nil,
                      _ body: ((Double, Double) -> (Double, Double)) -> String) -> String {
        let left = 50.0, right = 15.0, top = 28.0, bottom = 42.0
        let w = width - left - right, h = height - top - bottom
        func point(_ x: Double, _ y: Double) -> (Double, Double) { (left + x * w, top + (1 - y) * h) }
        var svg = "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\">\n"
        svg += "<text x=\"\(Int(width / 2))\" y=\"16\" text-anchor=\"middle\" font-weight=\"bold\">\(escape(title))</text>\n"
        for k in 0...5 {
            let v = Double(k) / 5
            let (x, _) = point(v, 0), (_, y) = point(0, v)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + w))\" y2=\"\(f(y))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(left - 5))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Int((v * yMax * 100).rounded()))%</text>"
            if categories == nil {
                let label = xTicks.map { $0[min(k, $0.count - 1)] } ?? (xPercent ? "\(Int((v * xMax * 100).rounded()))%" : ReportHTML.short(v * xMax))
                svg += "<text x=\"\(f(x))\" y=\"\(f(top + h + 15))\" text-anchor=\"middle\">\(label)</text>"
            }
            svg += "\n"
        }
        for (k, name) in (categories ?? []).enumerated() {
            let (x, _) = point((Double(k) + 0.5) / Double(categories!.count), 0)
            svg += "<text x=\"\(f(x))\" y=\"\(f(top + h + 15))\" text-anchor=\"middle\">\(escape(name))</text>\n"
        }
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(w))\" height=\"\(f(h))\" fill=\"none\" stroke=\"#888\"/>\n"
        svg += "<text x=\"\(f(left + w / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(13 \(f(top + h / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        svg += body(point)
        return svg + "</svg>\n"
    }

    public static func f(_ x: Double) -> String { String(format: "%.1f", x) }


    /// 0.25 → "0.25", 3 → "3", 12.5 → "12.5".
    public static func short(_ x: Double) -> String {
        if x == x.rounded() { return String(Int(x)) }
        return x < 10 ? String(format: "%.2f", x) : String(format: "%.1f", x)
    }

    /// The Markdown report's tables and lists as HTML (a small converter for the report's own subset).
    public static func markdownTables(_ md: String) -> String {
        var out = "", inTable = false, inList = false
        func inline(_ s: String) -> String {
            var t = escape(s)
            while let open = t.range(of: "`"), let close = t.range(of: "`", range: open.upperBound..<t.endIndex) {
                t = t.replacingCharacters(in: open.lowerBound..<close.upperBound, with: "<code>" + t[open.upperBound..<close.lowerBound] + "</code>")
            }
            while let open = t.range(of: "**"), let close = t.range(of: "**", range: open.upperBound..<t.endIndex) {
                t = t.replacingCharacters(in: open.lowerBound..<close.upperBound, with: "<b>" + t[open.upperBound..<close.lowerBound] + "</b>")
            }
            return t
        }
        for line in md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("|") {
                if line.hasPrefix("|---") { continue }
                let cells = line.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false).map { inline($0.trimmingCharacters(in: .whitespaces)) }
                if !inTable { out += "<table>\n<tr>" + cells.map { "<th>\($0)</th>" }.joined() + "</tr>\n"; inTable = true }
                else { out += "<tr>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>\n" }
                continue
            }
            if inTable { out += "</table>\n"; inTable = false }
            if line.hasPrefix("- ") {
                if !inList { out += "<ul>\n"; inList = true }
                out += "<li>\(inline(String(line.dropFirst(2))))</li>\n"
                continue
            }
            if inList { out += "</ul>\n"; inList = false }
            if line.hasPrefix("# ") { continue } // the page has its own title
            if line.hasPrefix("## ") { out += "<h2>\(inline(String(line.dropFirst(3))))</h2>\n" }
            else if line.hasPrefix("### ") { out += "<h3>\(inline(String(line.dropFirst(4))))</h3>\n" }
            else if !line.isEmpty { out += "<p>\(inline(line))</p>\n" }
        }
        if inTable { out += "</table>\n" }
        if inList { out += "</ul>\n" }
        return out
    }

    /// A whole self-contained page.
    public static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>
        body { font: 14px/1.45 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; padding: 0 1em; }
        table { border-collapse: collapse; margin: 0.8em 0; } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
        td:first-child, th:first-child { text-align: left; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
        .charts { display: flex; flex-wrap: wrap; gap: 16px; } svg { background: #fff; border: 1px solid #ddd; }
        svg text { font: 11px system-ui, sans-serif; fill: #333; } code { background: #f3f3f3; padding: 0 3px; }
        </style></head><body>
        \(body)
        </body></html>

        """
    }
}
