import Foundation

/// Model files of formats 1-5 in the spelling of format 6.
///
/// Up to format 5 the file kept Swift's default coding of enums with a value
/// (`"kind": {"window": {"_0": {...}}}`, `"missing": {"value": {"_0": 0}}`)
/// and seven camelCase keys among the snake_case ones. A notebook reading the
/// file had to know both; format 6 spells them as the config does. A saved
/// model outlives the telltale that wrote it (the scheduled job keeps scoring
/// with last quarter's file), so older files are converted on reading rather
/// than refused. The conversion follows the known paths only: segment and
/// signal names are the user's and may be anything, so no key is renamed or
/// unwrapped by its spelling alone.
enum ModelFileMigration {
    /// The first format in the current spelling; files older than it are converted.
    static let currentSpellingSince = 6

    /// The format-6 JSON of a format 1-5 model's top-level object.
    static func toCurrent(_ model: [String: Any]) -> [String: Any] {
        var m = model
        if var provenance = m["provenance"] as? [String: Any] {
            rename(&provenance, ["firstObservation": "first_observation", "lastObservation": "last_observation", "usageEnd": "usage_end"])
            m["provenance"] = provenance
        }
        if var bands = m["bands"] as? [String: Any] {
            if var population = bands["population"] as? [String: Any] {
                rename(&population, ["cutPoints": "cut_points"])
                bands["population"] = population
            }
            if let segments = bands["segments"] as? [String: Any] {
                bands["segments"] = segments.mapValues { value -> Any in
                    guard var s = value as? [String: Any] else { return value }
                    rename(&s, ["cutPoints": "cut_points"])
                    return s
                }
            }
            m["bands"] = bands
        }
        if var validation = m["validation"] as? [String: Any], let grid = validation["cv_grid"] as? [Any] {
            validation["cv_grid"] = grid.map { point -> Any in
                guard var p = point as? [String: Any] else { return point }
                rename(&p, ["logLoss": "log_loss"])
                return p
            }
            m["validation"] = validation
        }
        if let signals = m["signals"] as? [Any] {
            m["signals"] = signals.map { value -> Any in
                guard var signal = value as? [String: Any] else { return value }
                if let kind = signal["kind"] { signal["kind"] = unwrapped(kind, renaming: ["minimumAccounts": "min_accounts", "atLeast": "at_least"]) }
                if let missing = signal["missing"] { signal["missing"] = missingPolicy(missing) }
                return signal
            }
        }
        if let features = m["features"] as? [Any] {
            m["features"] = features.map { value -> Any in
                guard var feature = value as? [String: Any], let kind = feature["kind"] else { return value }
                feature["kind"] = unwrapped(kind, renaming: [:])
                return feature
            }
        }
        return m
    }

    /// `{"case": {"_0": payload}}` -> `{"case": payload}`, renaming the payload's keys.
    private static func unwrapped(_ kind: Any, renaming names: [String: String]) -> Any {
        guard let k = kind as? [String: Any], k.count == 1, let (name, value) = k.first else { return kind }
        var payload = value
        if let wrapper = value as? [String: Any], wrapper.count == 1, let inner = wrapper["_0"] { payload = inner }
        if var settings = payload as? [String: Any] {
            rename(&settings, names)
            payload = settings
        }
        return [name: payload]
    }

    /// `{"median": {}}` -> `"median"`, `{"keep": {}}` -> `"keep"`, `{"value": {"_0": x}}` -> x.
    private static func missingPolicy(_ missing: Any) -> Any {
        guard let m = missing as? [String: Any], m.count == 1, let (name, value) = m.first else { return missing }
        if name == "value", let wrapper = value as? [String: Any], let x = wrapper["_0"] { return x }
        return name == "median" || name == "keep" ? name : missing
    }

    private static func rename(_ object: inout [String: Any], _ names: [String: String]) {
        for (old, new) in names {
            if let value = object.removeValue(forKey: old) { object[new] = value }
        }
    }
}
