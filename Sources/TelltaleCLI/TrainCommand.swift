import ArgumentParser
import Foundation
import TelltaleConfig
import TelltaleData
import TelltaleModel
import TelltaleModelTraining
import TelltaleScorer
import TelltaleSignals

/// `telltale train`: the quarterly calibration, saved as one model file.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the churn model: signals, patterns, validated logistic model and health bands, saved as one file.",
        discussion: """
        Validates out of time (the latest renewals are held out), chooses the L2 strength by \
        time-ordered cross-validation, derives red/orange/yellow/green bands per segment from \
        renewal rates, then refits on everything and writes the model atomically. \
        With --data, a flat table (one row per observation, the label, optionally an as_of date) \
        stands in for the three tables: its numeric columns are the signals, 0/1 columns also flags, \
        and a text column of up to 20 levels one 0/1 signal per level but the most common. Rows \
        observed on one date (or without as_of) are validated on a held-out share of the accounts \
        instead (--validation). \
        See docs/training.md and docs/model-file.md.
        """
    )

    @OptionGroup var input: InputOptions

    @Option(name: .long, help: ArgumentHelp("A flat table to train on instead of the three tables.", valueName: "TABLE.csv"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("With --data: the outcome column.", valueName: "COL"))
    var label: String = "churned"

    @Option(name: .long, help: ArgumentHelp("With --data: the segment column.", valueName: "COL"))
    var segment: String = "segment"

    @Option(name: .long, help: ArgumentHelp("Where to write the model.", valueName: "FILE"))
    var out: String = "models/churn.json"

    @Option(name: .long, help: ArgumentHelp("Write the training report here: HTML with charts for .html, else Markdown.", valueName: "FILE"))
    var report: String?

    @Option(name: .long, help: ArgumentHelp("Write the holdout's renewals (out of time, or the held-out accounts) with the development model's churn probabilities and bands (CSV): what the validation figures are computed from.", valueName: "FILE.csv"))
    var holdoutPredictions: String?

    @Option(name: .long, help: ArgumentHelp("auto (default: out of time when the rows were observed on several dates, else held-out accounts), out_of_time or grouped; overrides model.validation.", valueName: "METHOD"))
    var validation: String?

    @Option(name: .long, help: ArgumentHelp("A previous model: the report says what changed.", valueName: "FILE"))
    var compare: String?

    @Option(name: .long, help: ArgumentHelp("The training date recorded in the model (default today): fix it for reproducible files.", valueName: "DATE"))
    var trainedAt: String?

    func validate() throws {
        if data == nil { try input.requireTables() }
        if let trainedAt, Day.parse(trainedAt) == nil { throw ValidationError("--trained-at must be a date YYYY-MM-DD, got '\(trainedAt)'") }
        if let validation, TrainingSettings.Validation.named(validation) == nil {
            throw ValidationError("--validation must be one of \(TrainingSettings.Validation.allCases.map(\.rawValue).joined(separator: ", ")), got '\(validation)'")
        }
    }

    func run() throws {
        let config = try input.configuration()
        let previous = try compare.map { try ChurnModel.read(path: $0) }
        var fingerprints: [String: String] = [:]
        let table: SignalTable
        var distanceTables: [ChurnTrainer.DistanceTable] = []
        var usageEnd = "", rowDays = 1, levelMetrics: [String]?
        var history: History?
        if let data {
            let (flat, unused) = try SignalTable.training(from: FlatTable.read(path: data, textColumns: [label]), label: label, segmentColumn: segment)
            if !unused.isEmpty { printError("text columns not used: \(unused.joined(separator: "; "))") }
            table = flat
            fingerprints["data"] = try FileFingerprint.fnv1a64(path: data)
        } else {
            let training = try TrainingTable.load(config: config, overrides: input.overrides, distanceDays: config.training.distanceDays)
            _ = try training.flags(config.patterns) // names every unknown flag or cut signal before any fitting
            let options = training.options
            for (role, path) in [("accounts", options.accountsPath), ("usage", options.usagePath), ("renewals", options.renewalsPath!)] {
                fingerprints[role] = try FileFingerprint.fnv1a64(path: path)
            }
            table = training.table
            distanceTables = training.distanceTables
            history = training.history
            let usage = training.history.usage
            usageEnd = usage.dateRange?.upperBound.description ?? ""
            rowDays = usage.rowDays
            levelMetrics = usage.metrics.indices.filter { usage.isLevel[$0] }.map { usage.metrics[$0] }
        }
        if config.file != "<flags>" { fingerprints["config"] = try FileFingerprint.fnv1a64(path: config.file) }
        let dates = table.undated ? [] : table.observations.map(\.asOf)
        let provenance = ChurnModel.Provenance(
            fingerprints: fingerprints, config: config.file == "<flags>" ? nil : (config.file as NSString).lastPathComponent,
            renewals: table.rowCount, churned: table.observations.filter { $0.churned == true }.count,
            firstObservation: dates.min()?.description ?? "", lastObservation: dates.max()?.description ?? "",
            usageEnd: usageEnd)
        var settings = config.training
        if let method = validation.flatMap(TrainingSettings.Validation.named) { settings.validation = method }
        let trainer = ChurnTrainer(settings: settings, patternSearch: config.patterns.search, patternFlags: config.patterns.flags,
                                   cutSignals: config.patterns.cut, leadDays: config.signals.leadDays)
        var outcome: ChurnTrainer.Outcome
        do {
            outcome = try trainer.train(table: table, toolVersion: Telltale.version, trainedAt: trainedAt ?? Day.today().description,
                                        provenance: provenance, distanceTables: distanceTables)
        } catch let error as TrainError { throw CommandError(error.message) }
        outcome.model.usageRowDays = rowDays == 1 ? nil : rowDays
        let read = Set(outcome.model.signals.flatMap(\.metrics))
        outcome.model.levelMetrics = levelMetrics?.filter(read.contains).sorted()
        let todaysAccounts = previous.map { Self.todaysAccounts(previous: $0, new: outcome.model, history: history, scoring: config.scoring) }
        try outcome.model.write(to: out)
        if let report {
            let html = report.lowercased().hasSuffix(".html") || report.lowercased().hasSuffix(".htm")
            try AtomicFile.write(html ? TrainingReport.html(outcome, previous: previous, todaysAccounts: todaysAccounts)
                                      : TrainingReport.markdown(outcome, previous: previous, todaysAccounts: todaysAccounts), to: report)
        }
        if let holdoutPredictions { try AtomicFile.write(outcome.holdoutCSV(table: table), to: holdoutPredictions) }
        let v = outcome.model.validation
        printError("wrote \(out): \(outcome.model.features.count) features, λ = \(v.chosenL2); holdout ROC AUC "
            + String(format: "%.3f (%.3f without patterns)", v.withPatterns.rocAUC, v.withoutPatterns.rocAUC)
            + (report.map { "; report \($0)" } ?? "") + (holdoutPredictions.map { "; holdout predictions \($0)" } ?? ""))
        for w in outcome.model.warnings { printError("warning: \(w)") }
        if case .compared(let migration) = todaysAccounts { printError(migration.summaryLine) }
    }

    /// Today's accounts scored by both models as `telltale score` would score
    /// them by default (as of the day after the usage data ends), for the
    /// report's comparison. Only bands and probabilities are compared, so no
    /// alert rule is evaluated.
    static func todaysAccounts(previous: ChurnModel, new: ChurnModel, history: History?, scoring: ScoringSettings) -> TodaysAccounts {
        guard let history else { return .notCompared("a flat table has no accounts of today to score") }
        guard let end = history.usage.dateRange?.upperBound else { return .notCompared("the usage table has no rows") }
        func run(_ model: ChurnModel) throws -> ScoreRun { try AccountScorer.bandsOnly(model: model, settings: scoring).score(history: history, asOf: end + 1) }
        let before: ScoreRun
        do { before = try run(previous) } catch { return .notCompared("the previous model cannot score these tables (\(error))") }
        do { return .compared(BandMigration(previous: before, new: try run(new))) } catch {
            return .notCompared("this model cannot score these tables (\(error))")
        }
    }
}

/// `telltale inspect`: a saved model's summary.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a saved model's summary (or the model itself as JSON)."
    )

    @Argument(help: ArgumentHelp("The model file.", valueName: "MODEL"))
    var model: String

    @Flag(name: .long, help: "Print the model as JSON (the file's content, normalised).")
    var json = false

    func run() throws {
        let m: ChurnModel
        do { m = try ChurnModel.read(path: model) } catch let e as ModelFileError { throw CommandError(e.message) }
        if json {
            FileHandle.standardOutput.write(try m.jsonData())
        } else {
            print(m.summary(), terminator: "")
        }
    }
}
