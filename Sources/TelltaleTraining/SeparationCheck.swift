import Foundation

/// One column that on its own splits churned from not-churned rows.
struct SeparatingColumn {
    var column: Int
    /// Complete: the classes do not overlap at all. Otherwise quasi-complete:
    /// they meet only at one value (e.g. a category level that always churned).
    var complete: Bool
    var positivesAbove: Bool
    var boundary: Double

    func describe(_ names: [String]) -> String {
        let name = names[column]
        let (hiClass, loClass) = positivesAbove ? ("1", "0") : ("0", "1")
        let b = CollinearityCheck.format(boundary)
        return complete
            ? "'\(name)' separates the outcome completely: every row with \(name) > \(b) has label \(hiClass), every other row \(loClass)"
            : "'\(name)' separates the outcome quasi-completely: rows with \(name) > \(b) all have label \(hiClass), rows below \(loClass); only rows at \(name) = \(b) mix"
    }
}

/// Detects separation, the case where the maximum-likelihood estimate does not
/// exist (some coefficient goes to infinity), so that the user hears which
/// column is responsible instead of seeing huge standard errors or NaN.
enum SeparationCheck {
    /// Columns whose ranges among label-1 and label-0 rows do not overlap
    /// (complete) or touch at a single value (quasi-complete). Rows with
    /// weight 0 do not count.
    static func univariate(_ stats: ColumnStatistics, candidates: [Int]) -> [SeparatingColumn] {
        var found: [SeparatingColumn] = []
        for j in candidates {
            let lo1 = stats.minimumPositive[j], hi1 = stats.maximumPositive[j]
            let lo0 = stats.minimumNegative[j], hi0 = stats.maximumNegative[j]
            if hi0 < lo1 { found.append(.init(column: j, complete: true, positivesAbove: true, boundary: hi0)) }
            else if hi1 < lo0 { found.append(.init(column: j, complete: true, positivesAbove: false, boundary: hi1)) }
            else if hi0 == lo1 { found.append(.init(column: j, complete: false, positivesAbove: true, boundary: hi0)) }
            else if hi1 == lo0 { found.append(.init(column: j, complete: false, positivesAbove: false, boundary: hi1)) }
        }
        return found
    }
}

/// What the user is told when the outcome is separated.
public struct SeparationReport: Equatable, Sendable {
    public var columns: [String]
    public var complete: Bool
    public var detail: [String]
}
