import Foundation
import Testing
import TelltaleModel
import TelltaleSignals

let modelFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// Format 6 spells the model file as the config does: snake_case keys, and a
/// kind as one key holding its settings. Files of formats 1-5, which wrapped
/// settings in `{"_0": ...}` and had seven camelCase keys, are read as they
/// were meant. The fixtures are files the earlier telltale wrote: the bundled
/// sample's model (format 4) and a flat-table model with a text column and a
/// plain column (format 5).
@Suite struct ModelFormatTests {
    static let olderFiles = ["sample-model-format4.json", "flat-model-format5.json"]

    @Test(arguments: olderFiles)
    func anOlderFileReadsAsTheSameModel(file: String) throws {
        let path = modelFixtures.appendingPathComponent(file).path
        let model = try ChurnModel.read(path: path)
        let old = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        #expect(model.format == old["format"] as? Int && model.format < 6, "the file's own format is kept: \(model.format)")

        // Written again: the current format, and every value the old file held, under the
        // new spelling (the conversion below is generic, the reader's follows paths).
        let written = try JSONSerialization.jsonObject(with: model.jsonData()) as! [String: Any]
        #expect(written["format"] as? Int == ChurnModel.currentFormat)
        var expected = Self.respelled(old) as! [String: Any]
        expected["format"] = ChurnModel.currentFormat
        // Compared as canonical JSON (sorted keys), both sides through the same serializer.
        let canonical = { (object: Any) in String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) }
        #expect(try canonical(written) == canonical(expected), "\(file): re-written model differs from the old file's values")

        // And the re-written file reads back to an equal model.
        let again = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-\(UUID().uuidString)-\(file)").path
        defer { try? FileManager.default.removeItem(atPath: again) }
        try model.write(to: again)
        var reread = try ChurnModel.read(path: again)
        #expect(reread.format == ChurnModel.currentFormat)
        reread.format = model.format
        #expect(reread == model)
    }

    @Test(arguments: olderFiles)
    func theCurrentFormatHasNoWrappersAndOnlySnakeCaseKeys(file: String) throws {
        let model = try ChurnModel.read(path: modelFixtures.appendingPathComponent(file).path)
        #expect(ChurnModel.currentFormat == 9)
        let written = try JSONSerialization.jsonObject(with: model.jsonData())
        var offending: [String] = []
        func walk(_ value: Any, _ path: String, namesAreKeys: Bool) {
            if let d = value as? [String: Any] {
                for (k, v) in d {
                    let snake = k.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" } && !k.hasPrefix("_")
                    if !namesAreKeys && !snake { offending.append(path + "/" + k) }
                    // Segment names and input roles are the user's, not the format's.
                    walk(v, path + "/" + k, namesAreKeys: k == "segments" || k == "fingerprints")
                }
            } else if let a = value as? [Any] {
                for v in a { walk(v, path + "[]", namesAreKeys: false) }
            }
        }
        walk(written, "", namesAreKeys: false)
        #expect(offending.isEmpty, "\(Set(offending).sorted())")
    }

    @Test func aKindIsOneKeyHoldingItsSettingsAsTheConfigWritesThem() throws {
        func json(_ s: SignalDefinition) throws -> String {
            let e = JSONEncoder()
            e.outputFormatting = [.sortedKeys]
            return String(decoding: try e.encode(s), as: UTF8.self)
        }
        let cohort = SignalDefinition(name: "c", kind: .cohort(CohortSignal(signal: "logins_30d", minimumAccounts: 5)), label: "l")
        #expect(try json(cohort) == #"{"kind":{"cohort":{"min_accounts":5,"signal":"logins_30d"}},"label":"l","missing":1,"name":"c","transform":"none"}"#)
        let milestone = SignalDefinition(name: "m", kind: .milestone(MilestoneSignal(metric: "logins", within: 14, atLeast: 5)),
                                         missing: .keep, label: "l")
        #expect(try json(milestone) == #"{"kind":{"milestone":{"aggregate":"sum","at_least":5,"metric":"logins","within":14}},"label":"l","missing":"keep","name":"m","transform":"none"}"#)
        let flag = SignalDefinition(name: "f", kind: .flag([Condition(signal: "days_since_login", op: .ge, value: 14)]), label: "l")
        #expect(try json(flag) == #"{"kind":{"flag":[{"op":">=","signal":"days_since_login","value":14}]},"label":"l","missing":0,"name":"f","transform":"none"}"#)
        let column = SignalDefinition(name: "x", kind: .column, label: "l")
        #expect(try json(column) == #"{"kind":{"column":{}},"label":"l","missing":"median","name":"x","transform":"none"}"#)
        let window = SignalDefinition(name: "w", kind: .window(WindowSignal(metric: "logins", days: 30, aggregate: .sum)), label: "l")
        #expect(try json(window) == #"{"kind":{"window":{"aggregate":"sum","days":30,"metric":"logins"}},"label":"l","missing":"median","name":"w","transform":"none"}"#)

        for s in [cohort, milestone, flag, column, window] {
            #expect(try JSONDecoder().decode(SignalDefinition.self, from: Data(json(s).utf8)) == s)
        }
        let feature = FeatureSpec(name: "logins_30d", kind: .signal("logins_30d"))
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        #expect(String(decoding: try e.encode(feature), as: UTF8.self) == #"{"kind":{"signal":"logins_30d"},"mean":0,"name":"logins_30d","scale":1}"#)
    }

    @Test func aMalformedKindOrMissingPolicySaysWhatIsAllowed() {
        let twoKinds = #"{"kind":{"column":{},"window":{"aggregate":"sum","days":30,"metric":"logins"}},"label":"l","missing":0,"name":"x","transform":"none"}"#
        #expect { try JSONDecoder().decode(SignalDefinition.self, from: Data(twoKinds.utf8)) } throws: { error in
            "\(error)".contains("a signal kind is one of window, trend, cohort, milestone, ratio, flag, column, category")
        }
        let badMissing = #"{"kind":{"column":{}},"label":"l","missing":"mean","name":"x","transform":"none"}"#
        #expect { try JSONDecoder().decode(SignalDefinition.self, from: Data(badMissing.utf8)) } throws: { error in
            "\(error)".contains(#"a missing-value policy is "keep", "median" or a number, not "mean""#)
        }
    }

    /// A format-8 file refitted the intercept alone at each distance: it reads
    /// with slope 1 everywhere, so it scores as it did, and is written again
    /// with the slopes spelled out.
    @Test func aFormat8FilesDistanceAnchorsReadWithSlopeOne() throws {
        let path = modelFixtures.appendingPathComponent("sample-model-format8.json").path
        let old = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        let anchors = (old["distance_calibration"] as! [String: Any])["anchors"] as! [[String: Any]]
        #expect(anchors.allSatisfy { $0["slope"] == nil } && anchors.count == 5)
        let model = try ChurnModel.read(path: path)
        let calibration = try #require(model.distanceCalibration)
        #expect(model.format == 8 && calibration.anchors.allSatisfy { $0.slope == 1 })
        // Written before the errors were clustered: no `std_errors`, read as model-based, and
        // `inspect` does not claim otherwise.
        #expect(old["std_errors"] == nil && model.standardErrors == nil && !model.summary().contains("clustered by"))
        // (JSONSerialization and the decoder may round the last digit differently.)
        #expect(zip(calibration.anchors.map(\.offset), anchors.map { $0["offset"] as! Double }).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(try #require(model.validation.distance).allSatisfy { $0.update == .intercept && $0.slope == 1 })
        // The probability 150 days out is the format-8 one: the offset added to the log-odds.
        let offset = anchors.first { $0["days"] as? Int == 150 }!["offset"] as! Double
        #expect(abs(calibration.adjust(0.2, daysToRenewal: 150) - 1 / (1 + exp(-(log(0.25) + offset)))) < 1e-15)
        let written = try JSONSerialization.jsonObject(with: model.jsonData()) as! [String: Any]
        let rewritten = (written["distance_calibration"] as! [String: Any])["anchors"] as! [[String: Any]]
        #expect(written["format"] as? Int == 9 && rewritten.allSatisfy { $0["slope"] as? Double == 1 })
    }

    /// The old spelling in the new, by rule rather than by path: a one-key
    /// `{"_0": x}` is x, `{"median": {}}` and `{"keep": {}}` under `missing` are
    /// the word, and a camelCase key is its snake_case (segment names and
    /// input roles, the user's, are left as they are).
    static func respelled(_ value: Any, key: String? = nil) -> Any {
        if let d = value as? [String: Any] {
            if d.count == 1, let inner = d["_0"] { return respelled(inner) }
            if key == "missing", d.count == 1, let (name, v) = d.first {
                return name == "value" ? respelled(v) : name
            }
            var out: [String: Any] = [:]
            for (k, v) in d {
                let userNames = key == "segments" || key == "fingerprints"
                out[userNames ? k : snakeCased(k)] = respelled(v, key: k)
            }
            return out
        }
        if let a = value as? [Any] { return a.map { respelled($0, key: key) } }
        return value
    }

    static func snakeCased(_ key: String) -> String {
        if key == "minimumAccounts" { return "min_accounts" } // the config's word for it
        return key.reduce(into: "") { out, c in
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
    }
}
