import Foundation
import TelltaleData

/// Locates the committed reference data (see `Fixtures/README.md`).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static let reference: [String: Any] = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("reference.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static func numbers(_ section: String, _ key: String) -> [Double] {
        ((reference[section] as! [String: Any])[key] as! [NSNumber]).map(\.doubleValue)
    }

    static func number(_ section: String, _ key: String) -> Double {
        ((reference[section] as! [String: Any])[key] as! NSNumber).doubleValue
    }

    static func design(_ file: String, label: String, exclude: [String] = []) throws -> DesignMatrix {
        try DesignMatrix(table: FlatTable.read(path: path(file)), label: label, exclude: exclude)
    }
}

/// |a − b| <= tol · max(1, |b|): relative for large values, absolute near 0.
func close(_ a: Double?, _ b: Double, _ tol: Double) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tol * max(1, abs(b))
}

func relativeClose(_ a: Double?, _ b: Double, _ tol: Double) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= tol * abs(b)
}
