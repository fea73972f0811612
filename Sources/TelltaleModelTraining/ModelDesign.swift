import Foundation
import TelltaleData
import TelltaleModel
import TelltalePatterns
import TelltaleSignals
import TelltaleTraining

/// Everything learned from a set of training rows before the fit itself:
/// fill values, data-driven cuts, the kept patterns that become features,
/// and the standardisation. Fitted on those rows only, so a validation row
/// never shapes the features it is scored with.
struct ModelDesign {
    var preparation: SignalPreparation
    var cuts: [DataDrivenCut]
    var specs: [FeatureSpec]
    var patternReport: PatternReport?
    /// Row-major standardised features of the design's own rows.
    var x: [Double]
    var y: [Double]

    struct Options {
        var patternSearch: PatternSearchSettings
        var patternFlags: [String]?
        var cutSignals: [String]
        var withPatterns: Bool
        /// Most pattern features a model takes (those with the strongest joint effect, `PatternSelection`).
        var maximumPatternFeatures = 20
    }

    init(table: SignalTable, options: Options) throws {
        let churned = table.observations.map { $0.churned ?? false }
        let segments = table.rowSegments
        preparation = SignalPreparation.fit(table)
        // Same flags and cuts as `telltale patterns` would search on these rows; the
        // command has already checked the names, so this cannot throw there.
        let search = try SearchFlags(table: table, settings: options.patternSearch, cutSignals: options.cutSignals, flags: options.patternFlags)
        cuts = search.cuts
        y = churned.map { $0 ? 1 : 0 }
        // Signals, then (below) pattern features, then segment indicators against the largest segment.
        var counts: [String: Int] = [:]
        for s in segments { counts[s, default: 0] += 1 }
        let reference = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        let signalCount = table.definitions.count
        var specs = table.definitions.map { FeatureSpec(name: $0.name, kind: .signal($0.name)) }
            + counts.keys.sorted().filter { $0 != reference }.map { FeatureSpec(name: "segment[\($0)]", kind: .segment($0)) }
        var columns = FeatureBuilder.columns(specs, table: table, preparation: preparation, cuts: cuts)
        Self.setStandardisation(&specs, columns)
        if options.withPatterns && search.matrix.count > 0 {
            let report = PatternFinder(settings: options.patternSearch).run(flags: search.matrix, churned: churned, segments: segments)
            patternReport = report
            // Every combination that churns above its scope's rate is a candidate, kept by the search
            // or not: the search's bar (each part beaten, false discovery rate over every test) is
            // for a finding on its own; a feature is judged by what it adds to the signals.
            // Near-copies of a better-ranked kept pattern stay out.
            let candidates = report.results.filter { r in
                if case .duplicate = r.status { return false }
                return r.definition.flags.count >= 2 && r.churnRate > r.baseRate
            }.map(\.definition)
            let rowSegments = RowSegments(table)
            let matches = Parallel.map(candidates.count, rows: table.rowCount, serialBelow: 50_000) {
                search.matrix.rows(matching: candidates[$0], segments: rowSegments)
            }
            let selection = try PatternSelection(base: Self.rowMajor(specs, columns), columns: specs.count, y: y, candidates: matches)
            let chosen = Self.patternFeatures(selection.significant(alpha: options.patternSearch.alpha), of: candidates,
                                              segments: Set(segments), limit: options.maximumPatternFeatures)
            var patternSpecs = chosen.map { k in
                FeatureSpec(name: "pattern: " + candidates[k].name + (candidates[k].segment.map { " [\($0)]" } ?? ""), kind: .pattern(candidates[k]))
            }
            let patternColumns = chosen.map { matches[$0].map { $0 ? 1.0 : 0 } }
            Self.setStandardisation(&patternSpecs, patternColumns)
            specs.insert(contentsOf: patternSpecs, at: signalCount)
            columns.insert(contentsOf: patternColumns, at: signalCount)
        }
        self.specs = specs
        x = Self.rowMajor(specs, columns)
    }

    /// Each spec's mean and standard deviation over its column's known values.
    static func setStandardisation(_ specs: inout [FeatureSpec], _ columns: [[Double]]) {
        for (j, column) in columns.enumerated() {
            let finite = column.filter { $0.isFinite }
            let mean = finite.isEmpty ? 0 : finite.reduce(0, +) / Double(finite.count)
            let variance = finite.isEmpty ? 0 : finite.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(finite.count)
            specs[j].mean = mean
            specs[j].scale = variance > 0 ? variance.squareRoot() : 1
        }
    }

    /// The standardised columns as one row-major matrix, as the fit takes them.
    static func rowMajor(_ specs: [FeatureSpec], _ columns: [[Double]]) -> [Double] {
        let n = columns.first?.count ?? 0, p = specs.count
        var x = [Double](repeating: 0, count: n * p)
        for j in 0..<p {
            let c = columns[j], spec = specs[j]
            for i in 0..<n { x[i * p + j] = spec.standardise(c[i]) }
        }
        return x
    }

    /// The candidates (indices into `candidates`) that become features, in
    /// the order given (`ranked`: strongest joint effect first), up to `limit`;
    /// only combinations of two flags or more.
    ///
    /// A pattern found overall and in every segment of the table is the sum of
    /// its segment versions, row by row: the last of them to arrive would only
    /// make the fit drop a column and warn about it, so it is passed over (and
    /// the next-ranked pattern takes its place).
    static func patternFeatures(_ ranked: [Int], of candidates: [PatternDefinition], segments: Set<String>, limit: Int) -> [Int] {
        var chosen: [Int] = []
        for k in ranked where candidates[k].flags.count >= 2 { // one flag is a signal already
            guard chosen.count < limit else { break }
            let d = candidates[k]
            let family = chosen.map { candidates[$0] }.filter { $0.flags == d.flags } + [d]
            let split = Set(family.compactMap(\.segment))
            if family.contains(where: { $0.segment == nil }) && segments.isSubset(of: split) { continue }
            chosen.append(k)
        }
        return chosen
    }

    /// A column that separates the outcome on its own, in the renewals' words
    /// and the signal's own units: the fit saw it filled, transformed and
    /// standardised, and both maps rise, so the boundary maps back. A 0/1
    /// feature set only on renewals of one outcome is said as such.
    func describe(_ column: SeparatingColumn) -> String {
        guard let j = specs.firstIndex(where: { $0.name == column.name }) else { return column.describe() }
        return describe(column, at: j, side: oneOutcomeSide(column, at: j))
    }

    /// As `describe(_:)`, for a column whose place and one-outcome side (`oneOutcomeSide`) are known.
    func describe(_ column: SeparatingColumn, at j: Int, side: (renewals: Int, withFeature: Bool, churned: Bool)?) -> String {
        if let one = side {
            return (one.renewals == 1 ? "the only renewal" : "all \(one.renewals) renewals") + " \(one.withFeature ? "with" : "without") '\(column.name)' "
                + (one.churned ? "churned" : "renewed") + " (quasi-complete separation)"
        }
        let spec = specs[j]
        var transform = SignalTransform.none
        if case let .signal(name) = spec.kind, let s = preparation.names.firstIndex(of: name) { transform = preparation.transforms[s] }
        return column.describe(rows: "renewal", positive: "churned", negative: "renewed") { transform.inverse($0 * spec.scale + spec.mean) }
    }

    /// A 0/1 feature that separates the outcome quasi-completely: the renewals
    /// with it (or without it) all had one outcome, and the others mix.
    func oneOutcomeSide(_ column: SeparatingColumn, at j: Int) -> (renewals: Int, withFeature: Bool, churned: Bool)? {
        guard !column.complete else { return nil }
        let p = specs.count
        let values = (0..<y.count).map { x[$0 * p + j] }
        guard Set(values).count == 2, let low = values.min() else { return nil }
        // At the lower value, the rows above it (with the feature) are the pure side; at the upper, those below.
        let withFeature = column.boundary == low
        let renewals = values.filter { withFeature ? $0 > column.boundary : $0 < column.boundary }.count
        return (renewals, withFeature, column.positivesAbove == withFeature)
    }

    /// Standardised design columns for other rows (validation, scoring).
    func columns(for table: SignalTable) -> [[Double]] {
        FeatureBuilder.standardised(specs, table: table, preparation: preparation, cuts: cuts)
    }
}

/// A fitted design: coefficients per spec (0 for a dropped column).
struct FittedDesign {
    var design: ModelDesign
    var fit: FittedLogisticRegression
    var intercept: Double
    var coefficients: [Double]

    /// `clusters`: the rows' accounts, for the saved model's standard errors
    /// (the validation fits need none).
    init(design: ModelDesign, l2: Double, balanceClasses: Bool, clusters: Clusters? = nil) throws {
        var weights: [Double]?
        var shift = 0.0
        if balanceClasses {
            let positives = design.y.reduce(0, +), n = Double(design.y.count)
            let w1 = n / (2 * positives), w0 = n / (2 * (n - positives))
            weights = design.y.map { $0 == 1 ? w1 : w0 }
            shift = log(w1 / w0) // weighting multiplies the odds by w1/w0: undo it
        }
        let fitted: FittedLogisticRegression
        do {
            fitted = try LogisticRegression(l2: l2).fit(x: design.x, y: design.y, names: design.specs.map(\.name), weights: weights,
                                                     clusters: clusters)
        } catch FitError.separation(let report) {
            // Only without a penalty (λ = 0 in model.l2): say it in the renewals' words and the signals' units.
            let why = report.separating.isEmpty
                ? "a combination of features separates churned from renewed renewals (" + report.columns.map { "'\($0)'" }.joined(separator: ", ") + " kept growing)"
                : report.separating.map(design.describe).joined(separator: "; ")
            throw TrainError("λ = 0 in model.l2 fits without a penalty, and no unpenalised fit exists: \(why). "
                + "Use penalties above 0 (the default model.l2 is [\(TrainingSettings().l2Grid.map(formatNumber).joined(separator: ", "))]), or leave the feature out",
                separation: why)
        }
        self.init(design: design, fitted: fitted, interceptShift: shift)
    }

    /// An already fitted regression on this design (tests compare a saved model with it).
    init(design: ModelDesign, fitted: FittedLogisticRegression, interceptShift: Double = 0) {
        self.design = design
        fit = fitted
        intercept = fitted.intercept - interceptShift
        coefficients = fitted.coefficients.dropFirst(fitted.hasIntercept ? 1 : 0).map { $0.estimate ?? 0 }
    }

    func probabilities(_ table: SignalTable) -> [Double] {
        FeatureBuilder.probabilities(design.columns(for: table), rows: table.rowCount, intercept: intercept, coefficients: coefficients)
    }
}
