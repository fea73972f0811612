// Times the signal tables on a loaded history: the training table (one row
// per past renewal) and the scoring table (every active account as of one
// date), and writes the training table for the peer's cross-check.
//
// usage: TelltaleBenchSignals CONFIG.yml REPEATS TRAINING_OUT.csv
// Prints one JSON object on stdout.
import Foundation
import TelltaleConfig
import TelltaleData
import TelltaleSignals
import TelltaleLinearAlgebra

// Starts as `telltale` does (huge pages for large allocations), so the figures are
// the product's.
HugePages.prepare()

let args = CommandLine.arguments
guard args.count == 4, let repeats = Int(args[2]) else {
    FileHandle.standardError.write(Data("usage: TelltaleBenchSignals CONFIG.yml REPEATS TRAINING_OUT.csv\n".utf8))
    exit(2)
}
let clock = ContinuousClock()
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
func median(_ t: [Double]) -> Double { t.sorted()[t.count / 2] }

let config = try Configuration.load(path: args[1])
var options = try config.loadOptions(needRenewals: true)
options.progress = false
let t0 = clock.now
let history = try HistoryLoader(options: options).load()
let loadSeconds = seconds(clock.now - t0)
let definitions = config.signals.resolved(metrics: history.usage.metrics)

var trainTimes: [Double] = [], scoreTimes: [Double] = []
var training: SignalTable?
var scoringRows = 0
let asOf = history.usage.dateRange!.upperBound + 1
for _ in 0..<repeats {
    let t1 = clock.now
    let engine = try SignalEngine(history: history, definitions: definitions)
    let plan = history.trainingObservations(leadDays: config.signals.leadDays)
    training = engine.table(for: plan.observations)
    trainTimes.append(seconds(clock.now - t1))
    let t2 = clock.now
    let engine2 = try SignalEngine(history: history, definitions: definitions)
    let scoring = engine2.table(for: history.scoringObservations(asOf: asOf))
    scoreTimes.append(seconds(clock.now - t2))
    scoringRows = scoring.rowCount
}
try AtomicFile.write(training!.csv(), to: args[3])
let result: [String: Any] = [
    "load": loadSeconds, "training": median(trainTimes), "training_times": trainTimes, "scoring": median(scoreTimes),
    "training_rows": training!.rowCount, "scoring_rows": scoringRows, "signals": definitions.count,
    "usage_rows": history.usage.count, "as_of": asOf.description,
]
FileHandle.standardOutput.write(try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]))
FileHandle.standardOutput.write(Data("\n".utf8))
