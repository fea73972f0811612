// Times loading a usage file into typed columns (what every Telltale command
// does first) and reports peak memory against the size of those columns.
//
// usage: TelltaleBenchIngest ACCOUNTS.csv USAGE.csv REPEATS
// Prints one JSON object on stdout.
import Foundation
import TelltaleData
import TelltaleLinearAlgebra

// Starts as `telltale` does (huge pages for large allocations), so the figures are
// the product's.
HugePages.prepare()

let args = CommandLine.arguments
guard args.count == 4, let repeats = Int(args[3]) else {
    FileHandle.standardError.write(Data("usage: TelltaleBenchIngest ACCOUNTS.csv USAGE.csv REPEATS\n".utf8))
    exit(2)
}
var options = LoadOptions(accountsPath: args[1], usagePath: args[2], renewalsPath: nil)
options.progress = false
let loader = HistoryLoader(options: options)
var problems = ProblemList(keep: 10)
let accounts = try loader.loadAccounts(&problems)
let clock = ContinuousClock()
var times: [Double] = []
var rows = 0, typedBytes = 0
/// ru_maxrss in bytes so far.
func peakMemory() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}
// A command reads its usage once; later repeats also measure what the allocator keeps
// from the reads before (freed blocks it holds on to), so both peaks are reported.
var firstReadPeak = 0
for _ in 0..<repeats {
    let t0 = clock.now
    let (usage, _) = try loader.loadUsage(accounts, &problems)
    let d = clock.now - t0
    times.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
    rows = usage.count
    typedBytes = usage.typedBytes
    if firstReadPeak == 0 { firstReadPeak = peakMemory() }
}
let size = (try FileManager.default.attributesOfItem(atPath: args[2])[.size] as? Int) ?? 0
let result: [String: Any] = [
    "times": times, "median": times.sorted()[times.count / 2], "rows": rows, "file_bytes": size,
    "typed_bytes": typedBytes, "peak_rss_bytes": peakMemory(), "first_read_peak_rss_bytes": firstReadPeak,
    "problems": problems.total,
]
FileHandle.standardOutput.write(try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]))
FileHandle.standardOutput.write(Data("\n".utf8))
