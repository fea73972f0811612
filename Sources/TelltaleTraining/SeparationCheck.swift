import Foundation

/// One column that on its own splits rows with label 1 from rows with label 0.
public struct SeparatingColumn: Equatable, Codable, Sendable {
    public var name: String
    /// Complete: the classes do not overlap at all. Otherwise quasi-complete:
    /// they meet only at one value (e.g. a category level that always churned).
    public var complete: Bool
    public var positivesAbove: Bool
    /// On the fit's own scale: the highest value of the lower class.
    public var boundary: Double

    /// In the user's words: `rows` names what a row is, `positive` and
    /// `negative` the two outcomes ("has label 1"), and `value` maps the
    /// boundary back to the scale the user knows when the fit saw a
    /// transformed column.
    public func describe(rows: String = "row", positive: String = "has label 1", negative: String = "has label 0",
                         value: (Double) -> Double = { $0 }) -> String {
        let (above, below) = positivesAbove ? (positive, negative) : (negative, positive)
        let b = CollinearityCheck.format(value(boundary))
        return complete
            ? "'\(name)' separates the outcome completely: every \(rows) with \(name) > \(b) \(above), every other \(rows) \(below)"
            : "'\(name)' separates the outcome quasi-completely: every \(rows) with \(name) > \(b) \(above), every \(rows) below \(below); only \(rows)s at \(name) = \(b) mix"
    }
}

/// Detects separation, the case where the maximum-likelihood estimate does not
/// exist (some coefficient goes to infinity), so that the user hears which
/// column is responsible instead of seeing huge standard errors or NaN.
enum SeparationCheck {
    /// Columns whose ranges among label-1 and label-0 rows do not overlap
    /// (complete) or touch at a single value (quasi-complete). Rows with
    /// weight 0 do not count.
    static func univariate(_ stats: ColumnStatistics, candidates: [Int], names: [String]) -> [SeparatingColumn] {
        var found: [SeparatingColumn] = []
        for j in candidates {
            let name = names[j]
            let lo1 = stats.minimumPositive[j], hi1 = stats.maximumPositive[j]
            let lo0 = stats.minimumNegative[j], hi0 = stats.maximumNegative[j]
            if hi0 < lo1 { found.append(.init(name: name, complete: true, positivesAbove: true, boundary: hi0)) }
            else if hi1 < lo0 { found.append(.init(name: name, complete: true, positivesAbove: false, boundary: hi1)) }
            else if hi0 == lo1 { found.append(.init(name: name, complete: false, positivesAbove: true, boundary: hi0)) }
            else if hi1 == lo0 { found.append(.init(name: name, complete: false, positivesAbove: false, boundary: hi1)) }
        }
        return found
    }
}

/// What the user is told when the outcome is separated.
public struct SeparationReport: Equatable, Codable, Sendable {
    public var columns: [String]
    public var complete: Bool
    public var detail: [String]
    /// The single columns that separate, when one does (empty when only a combination does).
    public var separating: [SeparatingColumn] = []
}
