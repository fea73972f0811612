import TelltaleModel
import Yams

extension TrainingSettings {
    static let modelKeys = ["l2", "holdout_share", "folds", "class_weight", "pattern_features", "validation", "distance_calibration"]
    static let bandKeys = ["targets", "min_rows", "min_segment_rows"]

    mutating func readModel(_ node: Node, reader: NodeReader) throws {
        for (key, value) in try reader.mapping(node, key: "model") {
            let name = "model.\(key.name)"
            func bad(_ message: String) -> ConfigError { .invalidValue(file: reader.file, key: name, line: value.mark?.line, message: message) }
            switch key.name {
            case "l2":
                let values: [Double]
                if case .sequence(let items) = value { values = try items.map { try reader.number($0, key: name) } }
                else { values = [try reader.number(value, key: name)] }
                guard !values.isEmpty, values.allSatisfy({ $0 >= 0 }) else { throw bad("expected a number >= 0 or a list of them") }
                l2Grid = values
            case "holdout_share":
                holdoutShare = try reader.number(value, key: name)
                guard holdoutShare > 0 && holdoutShare < 0.8 else { throw bad("must be more than 0 and less than 0.8, found \(holdoutShare)") }
            case "folds":
                folds = try reader.integer(value, key: name)
                guard (2...20).contains(folds) else { throw bad("must be 2 to 20, found \(folds)") }
            case "class_weight":
                let v = try reader.string(value, key: name).lowercased()
                guard v == "none" || v == "balanced" else { throw bad("expected none or balanced, found '\(v)'") }
                balanceClasses = v == "balanced"
            case "pattern_features": patternFeatures = try reader.bool(value, key: name)
            case "validation":
                let v = try reader.string(value, key: name)
                guard let method = Validation.named(v) else {
                    throw bad("expected \(Validation.allCases.map(\.rawValue).joined(separator: ", ")), found '\(v)'")
                }
                validation = method
            case "distance_calibration":
                // `false` or `none` (or an empty list) turns it off.
                if case .scalar(let scalar) = value, ["false", "none", "off"].contains(scalar.string.lowercased()) { distanceDays = []; break }
                guard case .sequence(let items) = value else { throw bad("expected a list of days before the renewal, e.g. [15, 150, 240, 330], or none") }
                let days = try items.map { try reader.integer($0, key: name) }
                guard days.allSatisfy({ (1...3650).contains($0) }), Set(days).count == days.count else {
                    throw bad("expected distinct days from 1 to 3650, found \(days.map(String.init).joined(separator: ", "))")
                }
                distanceDays = days.sorted()
            default: throw reader.unknown(key, allowed: Self.modelKeys)
            }
        }
    }

    mutating func readBands(_ node: Node, reader: NodeReader) throws {
        for (key, value) in try reader.mapping(node, key: "bands") {
            let name = "bands.\(key.name)"
            func bad(_ message: String) -> ConfigError { .invalidValue(file: reader.file, key: name, line: value.mark?.line, message: message) }
            switch key.name {
            case "targets":
                guard case .sequence(let items) = value else { throw bad("expected four renewal rates [red, orange, yellow, green]") }
                let t = try items.map { try reader.number($0, key: name) }
                guard t.count == 4, t.allSatisfy({ $0 > 0 && $0 < 1 }), zip(t, t.dropFirst()).allSatisfy({ $0 < $1 }) else {
                    throw bad("expected four increasing renewal rates between 0 and 1, e.g. [0.5, 0.6, 0.7, 0.8]")
                }
                bandTargets = t
            case "min_rows":
                minimumBandRows = try reader.integer(value, key: name)
                guard minimumBandRows >= 1 else { throw bad("must be at least 1") }
            case "min_segment_rows":
                minimumSegmentRows = try reader.integer(value, key: name)
                guard minimumSegmentRows >= 1 else { throw bad("must be at least 1") }
            default: throw reader.unknown(key, allowed: Self.bandKeys)
            }
        }
    }
}
