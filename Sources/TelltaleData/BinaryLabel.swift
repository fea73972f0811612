/// Reads an outcome cell as churned (1) or not (0).
///
/// The contract accepts 1/0, true/false and yes/no in any case; `churned` and
/// `renewed` are accepted too because renewal exports carry them.
public enum BinaryLabel {
    public static let accepted = "1/0, true/false, yes/no or churned/renewed"
    /// What a yes/no column (not an outcome) accepts, for its error messages.
    public static let yesNo = "yes/no, true/false or 1/0"

    public static func parse(_ text: String) -> Double? {
        // The usual spellings first: trimming and lowering every cell of a label column
        // through Foundation cost more than reading the rest of a wide table.
        switch text {
        case "1": return 1
        case "0": return 0
        default: break
        }
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "churned", "churn": return 1
        case "renewed", "retained": return 0
        default: return parseYesNo(text).map { $0 ? 1 : 0 }
        }
    }

    /// A yes/no cell that is not an outcome (a strategic-account column):
    /// `yes`, `true`, `1` (and `y`, `t`) or their opposites, in any case.
    public static func parseYesNo(_ text: String) -> Bool? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "1.0", "true", "yes", "y", "t": return true
        case "0", "0.0", "false", "no", "n", "f": return false
        default: return nil
        }
    }
}
