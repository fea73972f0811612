/// Why a logistic regression could not be fitted, in words a user can act on.
public enum FitError: Error, Equatable, CustomStringConvertible {
    case invalidSetting(String)
    case noRows
    case invalidLabel(row: Int, value: Double)
    case invalidWeight(row: Int, value: Double)
    case nonFiniteValue(row: Int, column: String)
    /// Every row has the same label: there is nothing to model.
    case singleClass(value: Double)
    /// The maximum-likelihood estimate does not exist.
    case separation(SeparationReport)

    public var description: String {
        switch self {
        case .invalidSetting(let message): return message
        case .noRows: return "no rows to fit"
        case let .invalidLabel(row, value): return "row \(row + 1): label \(value) is not 0 or 1"
        case let .invalidWeight(row, value): return "row \(row + 1): weight \(value) is not a finite number >= 0"
        case let .nonFiniteValue(row, column): return "row \(row + 1), column '\(column)': value is not finite"
        case .singleClass(let value):
            return "every row has label \(Int(value)); a churn model needs both churned and retained rows"
        case .separation(let report):
            let kind = report.complete ? "complete separation" : "quasi-complete separation"
            var lines = ["\(kind) of the outcome: no finite maximum-likelihood estimate exists"]
            lines += report.detail.map { "  - " + $0 }
            let cols = report.columns.map { "'\($0)'" }.joined(separator: ", ")
            lines.append("Fix: add a penalty (e.g. --l2 1) for finite, shrunk estimates, or drop or merge \(cols.isEmpty ? "the separating columns" : cols).")
            return lines.joined(separator: "\n")
        }
    }
}

/// Something about a successful fit the user should know.
public enum FitNote: Equatable, Codable, Sendable, CustomStringConvertible {
    /// Dropped: the column has one value, which the intercept already covers.
    case constantColumn(String, value: Double)
    /// An exact linear combination of other columns (dropped when unpenalised).
    case collinearColumn(String, combination: String)
    case notConverged(iterations: Int, lastStep: Double)
    /// Separation under an L2 penalty: the fit exists, but only because of the penalty.
    case separatedUnderPenalty(SeparationReport)

    public var description: String {
        switch self {
        case let .separatedUnderPenalty(report):
            let kind = report.complete ? "complete separation" : "quasi-complete separation"
            return "\(kind) of the outcome: " + report.detail.joined(separator: "; ")
                + ". Only the penalty keeps the estimates finite, so their size is set by λ, not by the data; "
                + "a column that foretells the outcome perfectly is often the outcome itself, recorded after the fact"
        case let .constantColumn(name, value):
            return "'\(name)' is constant (\(CollinearityCheck.format(value))) and was dropped"
        case let .collinearColumn(name, combination):
            return "'\(name)' is collinear: \(name) = \(combination)"
        case let .notConverged(iterations, lastStep):
            return "did not converge in \(iterations) iterations (last step \(String(format: "%.3g", lastStep))); estimates are not reliable"
        }
    }
}
