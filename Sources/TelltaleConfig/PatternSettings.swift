import TelltalePatterns
import Yams

/// The `patterns:` section: which flags the combined-pattern search uses and
/// how it searches (docs/patterns.md).
public struct PatternSettings: Equatable, Sendable {
    public var search = PatternSearchSettings()
    /// Flag (or milestone) signals to combine; nil: every flag and milestone.
    public var flags: [String]?
    /// Continuous signals to cut into a flag where churn changes most (on training rows).
    public var cut: [String] = []

    public init() {}

    static let keys = ["max_order", "min_support", "min_share", "alpha", "by_segment", "min_segment_rows",
                       "duplicate_overlap", "flags", "cut"]

    init(_ node: Node, reader: NodeReader) throws {
        for (key, value) in try reader.mapping(node, key: "patterns") {
            let name = "patterns.\(key.name)"
            func bad(_ message: String) -> ConfigError {
                .invalidValue(file: reader.file, key: name, line: value.mark?.line, message: message)
            }
            switch key.name {
            case "max_order":
                search.maxOrder = try reader.integer(value, key: name)
                guard (1...6).contains(search.maxOrder) else { throw bad("must be 1 to 6, found \(search.maxOrder)") }
            case "min_support":
                search.minSupport = try reader.integer(value, key: name)
                guard search.minSupport >= 1 else { throw bad("must be at least 1 row, found \(search.minSupport)") }
            case "min_share":
                search.minShare = try reader.number(value, key: name)
                guard (0..<1).contains(search.minShare) else { throw bad("must be a share from 0 to under 1, found \(search.minShare)") }
            case "alpha":
                search.alpha = try reader.number(value, key: name)
                guard search.alpha > 0 && search.alpha < 1 else { throw bad("must be more than 0 and less than 1, found \(search.alpha)") }
            case "by_segment": search.bySegment = try reader.bool(value, key: name)
            case "min_segment_rows":
                search.minSegmentRows = try reader.integer(value, key: name)
                guard search.minSegmentRows >= 1 else { throw bad("must be at least 1, found \(search.minSegmentRows)") }
            case "duplicate_overlap":
                search.duplicateOverlap = try reader.number(value, key: name)
                guard search.duplicateOverlap > 0 && search.duplicateOverlap <= 1 else { throw bad("must be in (0, 1], found \(search.duplicateOverlap)") }
            case "flags": flags = try reader.strings(value, key: name)
            case "cut": cut = try reader.strings(value, key: name)
            default: throw reader.unknown(key, allowed: Self.keys)
            }
        }
    }
}
