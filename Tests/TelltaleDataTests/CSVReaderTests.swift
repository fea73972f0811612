import Foundation
import Testing
@testable import TelltaleData

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ text: String, name: String = "t.csv") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try! Data(text.utf8).write(to: url)
    return url.path
}

func records(_ path: String) throws -> [(Int, [String])] {
    var out: [(Int, [String])] = []
    try CSVReader(path: path).forEachRecord { out.append(($0.line, $0.strings)) }
    return out
}

@Suite struct CSVReaderTests {
    /// The one-word reading of short decimals gives what the general number
    /// parser gives, and takes every plain decimal it should: random fields of
    /// digits, points, signs, spaces and letters, read by the copying parser
    /// and in place (where the bytes before a field are the previous fields).
    @Test func shortDecimalsReadAsTheGeneralNumberParserReadsThem() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789000000.-+ eE".utf8)
        var fields: [String] = []
        for _ in 0..<20_000 {
            let length = Int.random(in: 1...10, using: &rng)
            fields.append(String(decoding: (0..<length).map { _ in alphabet.randomElement(using: &rng)! }, as: UTF8.self))
        }
        fields += ["0", "7", "-0", "-0.0", "1.", ".5", "-.5", ".", "-", "--1", "1..2", "12345678", "1234567.", "-1234567",
                   "0.000001", "9999.999", "99999999", "123456789"]
        let text = "pad,x,tail\n" + fields.map { "padding,\($0),z\n" }.joined()
        let plain = try Regex("^-?[0-9]*\\.?[0-9]*$")
        func check(_ rec: CSVRecord) {
            guard rec.line > 1 else { return }
            let field = fields[rec.line - 2]
            let expected = NumberParsing.parseDouble(field)
            let got = rec.shortDecimal(1)
            if let got { #expect(got.bitPattern == expected?.bitPattern, "'\(field)': \(got) against \(String(describing: expected))") }
            if field.utf8.count <= 8, field.contains(where: \.isNumber), field.wholeMatch(of: plain) != nil {
                #expect(got != nil, "'\(field)' is a plain decimal of at most 8 bytes")
            }
            // The first field has no eight bytes before its end here: left to the general parser.
            #expect(rec.shortDecimal(0) == nil)
        }
        try CSVReader(path: temporaryFile(text)).forEachRecord(check)
        try text.utf8CString.withUnsafeBufferPointer { b in
            try b.withMemoryRebound(to: UInt8.self) { u in
                try CSVReader.forEachRecordInPlace(u.baseAddress!, u.count - 1, firstLine: 1, check)
            }
        }
    }

    @Test func quotedFieldsKeepCommasQuotesAndNewlines() throws {
        let path = temporaryFile("id,note,n\n1,\"a, b\",2\n2,\"say \"\"hi\"\"\",3\n3,\"two\nlines\",4\n4,,5\n")
        let r = try records(path)
        #expect(r.map(\.1) == [["id", "note", "n"], ["1", "a, b", "2"], ["2", "say \"hi\"", "3"], ["3", "two\nlines", "4"], ["4", "", "5"]])
        #expect(r.map(\.0) == [1, 2, 3, 4, 6], "a record's line is where it starts")
    }

    @Test func crlfBomAndBlankLinesAreHandled() throws {
        let path = temporaryFile("\u{FEFF}a,b\r\n1,2\r\n\r\n3,\"x\r\ny\"\r\n")
        let r = try records(path)
        #expect(r.map(\.1) == [["a", "b"], ["1", "2"], ["3", "x\r\ny"]])
        #expect(r.map(\.0) == [1, 2, 4])
    }

    @Test func lastRecordWithoutNewlineAndQuotedEmptyField() throws {
        let r = try records(temporaryFile("a,b\n1,\"\""))
        #expect(r.map(\.1) == [["a", "b"], ["1", ""]])
    }

    @Test func unterminatedQuoteNamesTheLineWhereItOpened() {
        let path = temporaryFile("a,b\n1,2\n3,\"oops\n4,5\n")
        #expect(throws: DataError.unterminatedQuote(file: path, line: 3)) { try records(path) }
    }

    @Test func recordsLongerThanAChunkSurvive() throws {
        let long = String(repeating: "x", count: CSVReader.chunkSize + 17)
        let r = try records(temporaryFile("a,b\n\"\(long)\",1\n2,3\n"))
        #expect(r[1].1[0].count == long.count)
        #expect(r[2].1 == ["2", "3"])
    }

    @Test func gzipFilesAreReadTransparently() throws {
        let plain = temporaryFile("a,b\n1,2\n3,4\n")
        let gz = plain + ".gz"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -c '\(plain)' > '\(gz)'"]
        try p.run(); p.waitUntilExit()
        #expect(try records(gz).map(\.1) == [["a", "b"], ["1", "2"], ["3", "4"]])
    }

    @Test func aMissingFileIsACleanError() {
        #expect(throws: DataError.cannotOpen(file: "/nonexistent/x.csv", reason: "no such file")) {
            try records("/nonexistent/x.csv")
        }
    }
}

@Suite struct NumberParsingTests {
    @Test(arguments: ["0", "-0", "12", "-3.5", "1e6", "1E-7", "+4.25", " 7 ", "0.1", "123456789012345678901234",
                      "2.2250738585072014e-308", "1.7976931348623157e308", "9007199254740993", "0.30000000000000004",
                      "4.9e-324", "1.", ".5", "3.14159265358979323846"])
    func parsesLikeTheStandardLibrary(text: String) {
        let expected = Double(text.trimmingCharacters(in: .whitespaces))!
        let got = NumberParsing.parseDouble(text)
        #expect(got == expected)
        #expect(got?.sign == expected.sign)
    }

    @Test(arguments: ["", " ", "abc", "1.2.3", "1e", "--1", "12a", "0x10", "1,5", "e5", "."])
    func rejectsNonNumbers(text: String) {
        #expect(NumberParsing.parseDouble(text) == nil)
    }

    @Test func randomDecimalsRoundTripExactly() {
        var s: UInt64 = 42
        for _ in 0..<20_000 {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            let v = Double(bitPattern: (s >> 2) & 0x3FFF_FFFF_FFFF_FFFF) // positive finite-ish
            guard v.isFinite else { continue }
            for text in [v.description, String(format: "%.6f", v / 1e300), String(format: "%.3e", v)] {
                #expect(NumberParsing.parseDouble(text) == Double(text), "\(text)")
            }
        }
    }
}

@Suite struct ParallelCSVReadingTests {
    /// Records of every part, in file order, with their lines.
    func parallelRecords(_ path: String, minimumBytes: Int = 0) throws -> (parts: Int?, header: [String], rows: [(Int, [String])]) {
        let lock = NSLock()
        var header: [String] = []
        var byPart: [Int: [(Int, [String])]] = [:]
        let parts = try CSVReader(path: path).forEachRecordInParallel(minimumBytes: minimumBytes, header: { header = $0.strings }) { k, rec in
            let row = (rec.line, rec.strings)
            lock.lock(); byPart[k, default: []].append(row); lock.unlock()
        }
        return (parts, header, byPart.keys.sorted().flatMap { byPart[$0]! })
    }

    @Test func aQuoteFreeFileReadInPartsGivesTheSameRecordsAndLinesAsOnePass() throws {
        var text = "\u{FEFF}id,x,y\r\n"
        for i in 0..<5000 { text += "A\(i),\(i % 7),\(Double(i) / 3)" + (i % 1000 == 0 ? "\r\n\r\n" : "\r\n") }
        let path = temporaryFile(text)
        let sequential = try records(path)
        let parallel = try parallelRecords(path)
        #expect(parallel.parts == ProcessInfo.processInfo.activeProcessorCount || ProcessInfo.processInfo.activeProcessorCount < 2)
        guard parallel.parts != nil else { return }
        #expect(parallel.header == sequential[0].1)
        #expect(parallel.rows.count == sequential.count - 1)
        #expect(zip(parallel.rows, sequential.dropFirst()).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }, "same records on the same lines")
    }

    @Test func recordsReadInPlaceMatchTheStreamingReaderOnAwkwardLines() throws {
        // Wide rows (more fields than the first ends buffer), a line longer than a
        // 64 KB block, empty and trailing fields, LF and CRLF mixed, blank lines,
        // no line end at the very end; then the same with a lone CR (old Mac line
        // ends), which is read in one pass (the line count of the parts would be off).
        var text = "id,a,b\n"
        for i in 0..<3000 {
            switch i % 500 {
            case 7: text += "W\(i)," + (0..<150).map { String($0) }.joined(separator: ",") + "\r\n"
            case 8: text += "L\(i)," + String(repeating: "z", count: 70_000) + ",\n"
            case 9: text += "\n\r\n"
            default: text += "A\(i),\(i % 3 == 0 ? "" : String(i)),\(i % 5)" + (i % 2 == 0 ? "\n" : "\r\n")
            }
        }
        text += "last,1,"
        for variant in [text, text.replacingOccurrences(of: "A1001,1001,1\r\n", with: "A1001,1001,1\r")] {
            let path = temporaryFile(variant)
            let sequential = try records(path)
            let parallel = try parallelRecords(path)
            #expect((parallel.parts == nil) == (variant != text) || ProcessInfo.processInfo.activeProcessorCount < 2)
            #expect(parallel.parts != nil || parallel.header.isEmpty, "nothing is read, not even the header, when the file is left to the one-pass reader")
            guard parallel.parts != nil else { continue }
            #expect(parallel.rows.count == sequential.count - 1)
            let first = zip(parallel.rows, sequential.dropFirst()).first { !($0.0 == $1.0 && $0.1 == $1.1) }
            #expect(first == nil, "same records on the same lines; first difference: \(first.map { "\($0.0.0) \($0.0.1.prefix(4)) vs \($0.1.0) \($0.1.1.prefix(4))" } ?? "")")
        }
        #expect(CSVReader.hasLoneCarriageReturn("a\rb", 3) && !CSVReader.hasLoneCarriageReturn("a\r\nb", 4))
        #expect(CSVReader.hasLoneCarriageReturn("ab\r", 3), "a CR at the very end is alone too")
    }

    @Test func aFileWithAQuoteOrCompressionIsLeftToTheStreamingReader() throws {
        let quoted = temporaryFile("id,note\n1,\"a, b\"\n")
        let quotedRead = try parallelRecords(quoted)
        #expect(quotedRead.parts == nil && quotedRead.header.isEmpty)
        #expect(try parallelRecords(temporaryFile("id,n\n1,2\n"), minimumBytes: 1 << 20).parts == nil, "small files stay on one core")
    }

    /// printf's digits, except that a negative number rounding to zero is written "0.00", not "-0.00".
    func printf(_ x: Double, _ digits: Int) -> String {
        let s = String(format: "%.\(digits)f", x)
        return s.hasPrefix("-") && s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) ? String(s.dropFirst()) : s
    }

    @Test func fixedDecimalsMatchPrintfDigitForDigit() {
        var state: UInt64 = 42
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        for _ in 0..<20_000 {
            let x = (next() - 0.5) * pow(10, Double(Int(next() * 12) - 4))
            for digits in [0, 1, 2, 4] {
                #expect(formatFixed(x, digits: digits) == printf(x, digits), "\(x) with \(digits) decimals")
            }
        }
        // Ties in binary: 0.125 → "0.12" (to even), 1.285 (really 1.28499...) → "1.28", 2.675 → "2.67".
        for (x, d) in [(0.125, 2), (1.285, 2), (2.675, 2), (0.5, 0), (1.5, 0), (-0.0001, 2), (123456.789, 1)] {
            #expect(formatFixed(x, digits: d) == printf(x, d))
        }
    }
}
