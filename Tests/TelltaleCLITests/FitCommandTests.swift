import ArgumentParser
import Foundation
import Testing
@testable import TelltaleCLI

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let sampleTable = repositoryRoot.appendingPathComponent("notebooks-data/churn_table.csv").path

func temporaryCSV(_ text: String) -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-cli-\(UUID().uuidString).csv")
    try! Data(text.utf8).write(to: url)
    return url.path
}

/// A new, empty folder under the system's temporary one, named after the test's `label`.
func scratchDirectory(_ label: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs the built `telltale` executable, as a user or a scheduled job would.
func runTelltale(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
        Bundle.main.bundleURL.deletingLastPathComponent(),
        Bundle.main.bundleURL,
    ].map { $0.appendingPathComponent("telltale") }
    guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: candidates.map(\.path).joined(separator: ", ")])
    }
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

@Suite struct FitCommandInProcessTests {
    @Test func summaryTableShowsEveryCoefficientAndTheFitStatistics() throws {
        let command = try Telltale.parseAsRoot(["fit", "--data", sampleTable, "--label", "churned"]) as! FitCommand
        let text = try command.makeReport()
        for name in ["Intercept", "segment[T.SMB]", "logins", "support_cases", "csat", "seats_ratio", "noise"] {
            #expect(text.contains("\n" + name), "row for \(name)")
        }
        for heading in ["coef", "std err", "P>|z|", "[0.025", "odds ratio", "Log-likelihood:", "AIC / BIC:", "Converged:"] {
            #expect(text.contains(heading))
        }
        #expect(!text.lowercased().contains("nan"))
    }

    @Test func jsonCarriesTheSameNumbersAsTheTable() throws {
        let command = try Telltale.parseAsRoot(["fit", "--data", sampleTable, "--label", "churned", "--json"]) as! FitCommand
        let json = try JSONSerialization.jsonObject(with: Data(try command.makeReport().utf8)) as! [String: Any]
        let rows = json["coefficients"] as! [[String: Any]]
        let logins = rows.first { $0["name"] as? String == "logins" }!
        let table = try (Telltale.parseAsRoot(["fit", "--data", sampleTable, "--label", "churned"]) as! FitCommand).makeReport()
        let line = table.split(separator: "\n").first { $0.hasPrefix("logins") }!
        let shown = Double(line.split(separator: " ", omittingEmptySubsequences: true)[1])!
        #expect(abs((logins["estimate"] as! Double) - shown) < 5e-5)
        #expect(json["converged"] as? Bool == true)
        #expect(json["timing"] == nil, "default output has no timings, so it is reproducible")
    }

    @Test func excludedColumnsAndPenaltyAreApplied() throws {
        let command = try Telltale.parseAsRoot(["fit", "--data", sampleTable, "--label", "churned", "--exclude", "noise,csat", "--l2", "2", "--json"]) as! FitCommand
        let json = try JSONSerialization.jsonObject(with: Data(try command.makeReport().utf8)) as! [String: Any]
        let names = (json["coefficients"] as! [[String: Any]]).map { $0["name"] as! String }
        #expect(!names.contains("noise") && !names.contains("csat"))
        #expect(json["l2"] as? Double == 2)
    }

    @Test func negativePenaltyIsRejectedByName() {
        #expect(throws: (any Error).self) { try Telltale.parseAsRoot(["fit", "--data", "x.csv", "--label", "y", "--l2=-1"]) }
    }
}

@Suite struct ExecutableTests {
    @Test func versionAndHelpWork() throws {
        let v = try runTelltale(["--version"])
        #expect(v.status == 0 && v.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == Telltale.version)
        let h = try runTelltale(["fit", "--help"])
        #expect(h.status == 0 && h.stdout.contains("--label"))
    }

    @Test func outFileIsWrittenWholeAndMatchesStdout() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-\(UUID().uuidString)/fit.json").path
        let r = try runTelltale(["fit", "--data", sampleTable, "--label", "churned", "--json", "--out", out])
        #expect(r.status == 0 && r.stdout.isEmpty)
        let direct = try runTelltale(["fit", "--data", sampleTable, "--label", "churned", "--json"])
        #expect(try String(contentsOfFile: out, encoding: .utf8) == direct.stdout)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (out as NSString).deletingLastPathComponent)
        #expect(leftovers == ["fit.json"], "no temporary file left behind")
    }

    @Test(arguments: [
        ("x,churned\n1,0\n2,1\n" + (3...40).map { "\($0),\($0 % 2)" }.joined(separator: "\n") + "\nabc,0\n", "churned", "line 42, column 'x': \"abc\" is not a number"),
        ("x,churned\n1,0\n", "label", "no column named 'label'"),
        ("", "churned", "the file is empty"),
        ("x,churned\n1,0\n2,1,3\n", "churned", "line 3: 3 fields but the header has 2"),
        ("x,churned\n1,0\n2,maybe\n3,1\n", "churned", "line 3, column 'churned': \"maybe\" is not a binary label"),
        ("x,churned\n1,0\n2,0\n3,1\n4,1\n", "churned", "complete separation"),
    ])
    func badInputExitsNonZeroWithAMessageNamingThePlace(csv: String, label: String, message: String) throws {
        let path = temporaryCSV(csv)
        let r = try runTelltale(["fit", "--data", path, "--label", label])
        #expect(r.status != 0)
        #expect(r.stderr.contains(message), "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(!r.stderr.contains("Fatal error"))
    }

    /// `--cluster account_id`: an account's rows count as related; the errors are
    /// statsmodels' cluster covariance (the training tests' fixture), and both the
    /// table and the JSON say which errors they show.
    @Test func clusteredErrorsAreNamedAndMatchStatsmodels() throws {
        let fixtures = repositoryRoot.appendingPathComponent("Tests/TelltaleTrainingTests/Fixtures")
        let data = fixtures.appendingPathComponent("clustered.csv").path
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("clustered.json"))) as! [String: Any]
        let se = ((reference["unpenalised"] as! [String: Any])["se"] as! [NSNumber]).map(\.doubleValue)
        let command = try Telltale.parseAsRoot(["fit", "--data", data, "--label", "churned", "--cluster", "account_id", "--json"]) as! FitCommand
        let json = try JSONSerialization.jsonObject(with: Data(try command.makeReport().utf8)) as! [String: Any]
        #expect(json["std_errors"] as? String == "clustered: account_id (900)")
        let rows = json["coefficients"] as! [[String: Any]]
        #expect(rows.count == se.count)
        for (row, expected) in zip(rows, se) { #expect(abs((row["std_error"] as! Double) / expected - 1) < 1e-6, "\(row)") }
        let table = try (Telltale.parseAsRoot(["fit", "--data", data, "--label", "churned", "--cluster", "account_id"]) as! FitCommand).makeReport()
        #expect(table.contains("\nStd. errors:") && table.contains("clustered: account_id (900)"))
        let plain = try (Telltale.parseAsRoot(["fit", "--data", data, "--label", "churned"]) as! FitCommand).makeReport()
        #expect(plain.split(separator: "\n").contains { $0.hasPrefix("Std. errors:") && $0.hasSuffix(" model-based") })
    }

    @Test func aRowWithoutAClusterLabelIsNamed() throws {
        let path = temporaryCSV("x,acct,churned\n1,a,0\n2,,1\n3,b,1\n4,b,0\n5,c,1\n6,c,0\n")
        let r = try runTelltale(["fit", "--data", path, "--label", "churned", "--cluster", "acct", "--exclude", "acct"])
        #expect(r.status != 0 && r.stderr.contains("line 3, column 'acct'") && r.stderr.contains("a cluster label (--cluster)"), "\(r.stderr)")
        let missing = try runTelltale(["fit", "--data", path, "--label", "churned", "--cluster", "acount"])
        #expect(missing.status != 0 && missing.stderr.contains("no column named 'acount'"), "\(missing.stderr)")
    }

    /// The weight is named as the file spells it ("-1", not "-1.0").
    @Test func aNegativeWeightIsNamedAsWritten() throws {
        let path = temporaryCSV("x,w,churned\n1,1,0\n2,-1,1\n3,2,1\n4,1,0\n")
        let r = try runTelltale(["fit", "--data", path, "--label", "churned", "--weights", "w"])
        #expect(r.status != 0 && r.stderr.contains("line 3, column 'w': \"-1\" is not a weight >= 0"), "\(r.stderr)")
    }

    @Test func aCategoricalColumnThatIsNotThereIsNamed() throws {
        let r = try runTelltale(["fit", "--data", sampleTable, "--label", "churned", "--categorical", "segmnt"])
        #expect(r.status != 0 && r.stderr.contains("no column named 'segmnt'"), "\(r.stderr)")
    }

    @Test func aMissingFileIsNamed() throws {
        let r = try runTelltale(["fit", "--data", "/nonexistent/t.csv", "--label", "y"])
        #expect(r.status != 0 && r.stderr.contains("/nonexistent/t.csv: cannot open"))
    }
}
