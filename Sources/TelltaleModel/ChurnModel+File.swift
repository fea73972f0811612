import Foundation
import TelltaleData

/// Reading and writing the model file.
extension ChurnModel {
    /// Pretty JSON with sorted keys: the same model gives the same bytes.
    /// Always in the current format's spelling, so it says that format, also
    /// for a model read from an older file (whose `format` says the file's).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        var current = self
        current.format = Self.currentFormat
        var data = try encoder.encode(current)
        data.append(0x0A)
        return data
    }

    /// Writes atomically: a reader never sees half a model.
    public func write(to path: String) throws {
        try AtomicFile.write(try jsonData(), to: path)
    }

    /// Reads a model file, with a message that says what to do when it is not one.
    public static func read(path: String) throws -> ChurnModel {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError("\(path): no such model file. `telltale train --config FILE --out \(path)` makes one.")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        struct Header: Decodable { var format: Int? }
        guard let header = try? decoder.decode(Header.self, from: data), let format = header.format else {
            // A file train wrote starts with '{'; one that does and is no JSON was cut short (an
            // interrupted copy, a full disk) or damaged, which says more than "no 'format' field".
            let opens = data.first { !" \t\r\n".utf8.contains($0) } == UInt8(ascii: "{")
            if opens && (try? JSONSerialization.jsonObject(with: data)) == nil {
                throw ModelFileError("\(path): the model file is not valid JSON (\(data.count) bytes: cut short or damaged). "
                    + "Restore the file as train wrote it, or retrain it with `telltale train --config FILE --out \(path)`.")
            }
            throw ModelFileError("\(path): not a Telltale model file (no 'format' field)")
        }
        guard format <= currentFormat else {
            throw ModelFileError("\(path): model format \(format) is newer than this telltale reads (\(currentFormat)); upgrade telltale")
        }
        do {
            guard format < ModelFileMigration.currentSpellingSince else { return try decoder.decode(ChurnModel.self, from: data) }
            guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? [String: Any] else {
                throw ModelFileError("\(path): not a Telltale model file (not a JSON object)")
            }
            let current = try JSONSerialization.data(withJSONObject: ModelFileMigration.toCurrent(object))
            return try decoder.decode(ChurnModel.self, from: current)
        } catch let error as DecodingError {
            throw ModelFileError("\(path): the model file (format \(format)) is incomplete or damaged: \(Self.describe(error)). "
                + "Retrain it with `telltale train --config FILE --out \(path)`, or restore the file as train wrote it.")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [CodingKey]) -> String {
            path.isEmpty ? "the top level" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context):
            return "field '\(key.stringValue)' is missing at \(at(context.codingPath))"
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            // Foundation's descriptions end in a full stop, and the message goes on after them.
            var detail = context.debugDescription
            while detail.hasSuffix(".") { detail.removeLast() }
            return "\(at(context.codingPath)): \(detail)"
        @unknown default:
            return "\(error)"
        }
    }
}

public struct ModelFileError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
