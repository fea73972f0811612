/// A problem in the YAML configuration, naming the file, the key and its line.
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case cannotRead(file: String, reason: String)
    case syntax(file: String, line: Int?, message: String)
    case unknownKey(file: String, key: String, line: Int?, suggestion: String?, allowed: [String])
    case wrongType(file: String, key: String, line: Int?, expected: String, found: String)
    case invalidValue(file: String, key: String, line: Int?, message: String)
    case missing(file: String, key: String, hint: String)

    public var description: String {
        func at(_ line: Int?) -> String { line.map { ":\($0)" } ?? "" }
        switch self {
        case let .cannotRead(file, reason):
            return "\(file): cannot read the configuration: \(reason)"
        case let .syntax(file, line, message):
            return "\(file)\(at(line)): not valid YAML: \(message)"
        case let .unknownKey(file, key, line, suggestion, allowed):
            let hint = suggestion.map { " Did you mean '\($0)'?" } ?? " Known keys: \(allowed.joined(separator: ", "))."
            return "\(file)\(at(line)): unknown key '\(key)'.\(hint)"
        case let .wrongType(file, key, line, expected, found):
            return "\(file)\(at(line)): '\(key)' should be \(expected), found \(found)"
        case let .invalidValue(file, key, line, message):
            return "\(file)\(at(line)): '\(key)': \(message)"
        case let .missing(file, key, hint):
            return "\(file): '\(key)' is not set. \(hint)"
        }
    }
}
