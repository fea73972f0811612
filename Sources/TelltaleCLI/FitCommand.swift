import ArgumentParser
import Foundation
import TelltaleData
import TelltaleLinearAlgebra
import TelltaleTraining
import TelltaleSignals

/// `telltale fit`: the analyst's quick look at a flat table.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a logistic regression on a flat table and print the coefficient table.",
        discussion: """
        Numeric columns are used as they are; text columns are one-hot encoded against their \
        first level in sorted order. `account_id` and `as_of` are identifiers and never features. \
        Rows with a missing value in a used column are left out and counted (see --missing).
        """
    )

    enum MissingPolicy: String, ExpressibleByArgument, CaseIterable {
        case drop, error
    }

    @Option(name: .long, help: ArgumentHelp("The flat table (CSV or .csv.gz).", valueName: "TABLE.csv"))
    var data: String

    @Option(name: .long, help: ArgumentHelp("The outcome column: 1/0, true/false, yes/no or churned/renewed.", valueName: "COL"))
    var label: String

    @Option(name: .long, help: ArgumentHelp("L2 penalty λ on the coefficients (scikit-learn's C = 1/λ); 0 = maximum likelihood.", valueName: "X"))
    var l2: Double = 0

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Columns to leave out (repeat, or separate with commas).", valueName: "COLS"))
    var exclude: [String] = []

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("Columns to treat as categories even if they hold numbers.", valueName: "COLS"))
    var categorical: [String] = []

    @Option(name: .long, help: ArgumentHelp("A column of non-negative frequency weights.", valueName: "COL"))
    var weights: String?

    @Option(name: .long, help: ArgumentHelp("Rows with the same value here belong together (e.g. account_id, for an account's renewals): standard errors clustered on it.", valueName: "COL"))
    var cluster: String?

    @Option(name: .long, help: "What to do with rows that have a missing value.")
    var missing: MissingPolicy = .drop

    @Option(name: .long, help: "Newton iteration cap.")
    var maxIterations: Int = 100

    @Flag(name: .long, help: "Print JSON with the same numbers instead of the table.")
    var json = false

    @Flag(name: .long, help: "Add read and fit times and the BLAS kernels in use (JSON only).")
    var timing = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard l2.isFinite, l2 >= 0 else { throw ValidationError("--l2 must be a number >= 0, got \(l2)") }
        guard maxIterations >= 1 else { throw ValidationError("--max-iterations must be at least 1, got \(maxIterations)") }
    }

    func run() throws {
        try output.emit(try makeReport())
    }

    /// The command's whole result as text; separated from `run` for in-process tests.
    func makeReport() throws -> String {
        let split = { (list: [String]) in list.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } }
        let clock = ContinuousClock()
        let readStart = clock.now
        // The label as text, so that a cell such as "maybe" is named as not an outcome, not as not a number.
        let table = try FlatTable.read(path: data, textColumns: Set(split(categorical) + [label]))
        // As for --exclude and --weights: a misspelt name would otherwise leave the column numeric without a word.
        for name in split(categorical) where table.column(named: name) == nil {
            throw DataError.missingColumn(file: data, column: name, available: table.columnNames)
        }
        var excluded = split(exclude)
        var weightValues: [Double]?
        if let weights {
            guard table.column(named: weights) != nil else {
                throw DataError.missingColumn(file: data, column: weights, available: table.columnNames)
            }
            excluded.append(weights)
        }
        let design = try DesignMatrix(table: table, label: label, exclude: excluded)
        if missing == .error, let first = design.droppedRows.first {
            throw DataError.badValue(file: data, line: first.line, column: first.column, value: "",
                                     expected: "a value (--missing error; \(design.droppedRows.count) rows have missing values)")
        }
        // The table's row behind each design row (rows with a missing value are not in the
        // design), for the columns read beside it; a million-row fit without them skips the map.
        let tableRows: [Int] = weights == nil && cluster == nil ? [] : {
            let lineToRow = Dictionary(uniqueKeysWithValues: table.lines.enumerated().map { ($1, $0) })
            return design.lines.map { lineToRow[$0]! }
        }()
        if let weights, case let .numeric(all)? = table.column(named: weights)?.values {
            var problems = ProblemLog(file: data)
            weightValues = zip(design.lines, tableRows).map { line, row in
                let w = all[row]
                if !(w >= 0) { problems.record(.badValue(file: data, line: line, column: weights, value: w.isNaN ? "" : formatNumber(w), expected: "a weight >= 0")) }
                return w
            }
            try problems.throwIfAny()
        } else if let weights {
            throw DataError.invalid(file: data, message: "weight column '\(weights)' must hold numbers")
        }
        let clusters = try cluster.map { try Self.clusters(column: $0, table: table, lines: design.lines, rows: tableRows, file: data) }
        let readSeconds = (clock.now - readStart).seconds

        let fitStart = clock.now
        let model = LogisticRegression(l2: l2, maxIterations: maxIterations)
        let fit = try model.fit(x: design.values, y: design.labels, names: design.names, weights: weightValues, clusters: clusters)
        let fitSeconds = (clock.now - fitStart).seconds

        let context = FittedLogisticRegression.SummaryContext(dataFile: data, label: label, droppedRows: design.droppedRows.count, clusterColumn: cluster)
        if !fit.converged { printError("warning: the fit did not converge in \(fit.iterations) iterations") }
        if json {
            var report = fit.report(context)
            if timing {
                report.timing = .init(readSeconds: readSeconds, fitSeconds: fitSeconds,
                                      blasKernels: KernelSelection.note, threads: model.threads)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
        }
        return fit.summary(context)
    }

    /// Each design row's cluster label (`rows`: the table's row behind each, on `lines`
    /// of the file); a row without one is an error naming its line.
    static func clusters(column name: String, table: FlatTable, lines: [Int], rows: [Int], file: String) throws -> Clusters {
        guard let column = table.column(named: name) else {
            throw DataError.missingColumn(file: file, column: name, available: table.columnNames)
        }
        var problems = ProblemLog(file: file)
        let labels = zip(lines, rows).map { line, row -> String in
            let label: String?
            switch column.values {
            case .numeric(let v): label = v[row].isNaN ? nil : formatNumber(v[row])
            case .text(let v): label = v[row]
            }
            if label == nil { problems.record(.badValue(file: file, line: line, column: name, value: "", expected: "a cluster label (--cluster)")) }
            return label ?? ""
        }
        try problems.throwIfAny()
        return Clusters(labels)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 as Double }
}
