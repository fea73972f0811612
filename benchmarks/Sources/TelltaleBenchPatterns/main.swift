// Times the combined-pattern search on a binary flag matrix: the whole
// search as `telltale patterns` runs it (enumeration, Fisher tests against
// every sub-pattern, BH, duplicate collapse) and writes every tested pattern's
// counts for the peer's cross-check.
//
// usage: TelltaleBenchPatterns FLAGS.bin MAX_ORDER MIN_SHARE REPEATS COUNTS_OUT.csv
// FLAGS.bin: int64 rows, int64 columns, then rows x columns bytes (0/1), the
// last column being the churn label. Prints one JSON object on stdout.
import Foundation
import TelltalePatterns
import TelltaleLinearAlgebra

// Starts as `telltale` does (huge pages for large allocations), so the figures are
// the product's.
HugePages.prepare()

let args = CommandLine.arguments
guard args.count == 6, let maxOrder = Int(args[2]), let minShare = Double(args[3]), let repeats = Int(args[4]) else {
    FileHandle.standardError.write(Data("usage: TelltaleBenchPatterns FLAGS.bin MAX_ORDER MIN_SHARE REPEATS COUNTS_OUT.csv\n".utf8))
    exit(2)
}
let data = FileManager.default.contents(atPath: args[1])!
let (rows, cols) = data.withUnsafeBytes { raw in (Int(raw.load(fromByteOffset: 0, as: Int64.self)), Int(raw.load(fromByteOffset: 8, as: Int64.self))) }
let clock = ContinuousClock()
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

var flags = FlagMatrix(rows: rows)
var churned = [Bool](repeating: false, count: rows)
data.withUnsafeBytes { raw in
    let bytes = raw.baseAddress!.advanced(by: 16).assumingMemoryBound(to: UInt8.self)
    for c in 0..<(cols - 1) { flags.add(name: "f\(c)", label: "f\(c)") { bytes[$0 * cols + c] != 0 } }
    for r in 0..<rows { churned[r] = bytes[r * cols + cols - 1] != 0 }
}
var settings = PatternSearchSettings()
settings.maxOrder = maxOrder
settings.minShare = minShare
settings.minSupport = 1
settings.bySegment = false
var times: [Double] = []
var report: PatternReport?
for _ in 0..<repeats {
    let t0 = clock.now
    report = PatternFinder(settings: settings).run(flags: flags, churned: churned)
    times.append(seconds(clock.now - t0))
}
var csv = "pattern,n,churned\n"
for r in report!.results { csv += "\(r.definition.flags.map { String($0.dropFirst()) }.joined(separator: " ")),\(r.accounts),\(r.churned)\n" }
try csv.write(toFile: args[5], atomically: true, encoding: .utf8)
let result: [String: Any] = ["median": times.sorted()[times.count / 2], "times": times, "tested": report!.testedCount,
                             "kept": report!.kept.count, "rows": rows, "flags": cols - 1]
FileHandle.standardOutput.write(try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]))
FileHandle.standardOutput.write(Data("\n".utf8))
