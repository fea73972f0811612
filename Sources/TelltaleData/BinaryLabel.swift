/// Reads an outcome cell as churned (1) or not (0).
///
/// The contract accepts 1/0, true/false and yes/no in any case; `churned` and
/// `renewed` are accepted too because renewal exports carry them.
public enum BinaryLabel {
    public static let accepted = "1/0, true/false, yes/no or churned/renewed"

    public static func parse(_ text: String) -> Double? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "1.0", "true", "yes", "y", "t", "churned", "churn": return 1
        case "0", "0.0", "false", "no", "n", "f", "renewed", "retained": return 0
        default: return nil
        }
    }
}
