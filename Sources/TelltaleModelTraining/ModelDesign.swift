import Foundation
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
        /// Most pattern features a model takes (the best-ranked).
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
        var specs: [FeatureSpec] = table.definitions.map { FeatureSpec(name: $0.name, kind: .signal($0.name)) }
        if options.withPatterns && search.matrix.count > 0 {
            let report = PatternFinder(settings: options.patternSearch).run(flags: search.matrix, churned: churned, segments: segments)
            patternReport = report
            let chosen = Self.patternFeatures(report.kept.map(\.definition), segments: Set(segments),
                                              limit: options.maximumPatternFeatures)
            for d in chosen {
                let name = "pattern: " + d.name + (d.segment.map { " [\($0)]" } ?? "")
                specs.append(FeatureSpec(name: name, kind: .pattern(d)))
            }
        }
        // Segment indicators against the largest segment.
        var counts: [String: Int] = [:]
        for s in segments { counts[s, default: 0] += 1 }
        let reference = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        for s in counts.keys.sorted() where s != reference { specs.append(FeatureSpec(name: "segment[\(s)]", kind: .segment(s))) }

        let columns = FeatureBuilder.columns(specs, table: table, preparation: preparation, cuts: cuts)
        for (j, column) in columns.enumerated() {
            let finite = column.filter { $0.isFinite }
            let mean = finite.isEmpty ? 0 : finite.reduce(0, +) / Double(finite.count)
            let variance = finite.isEmpty ? 0 : finite.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(finite.count)
            specs[j].mean = mean
            specs[j].scale = variance > 0 ? variance.squareRoot() : 1
        }
        self.specs = specs
        let n = table.rowCount, p = specs.count
        var x = [Double](repeating: 0, count: n * p)
        for j in 0..<p {
            let c = columns[j], spec = specs[j]
            for i in 0..<n { x[i * p + j] = spec.standardise(c[i]) }
        }
        self.x = x
        y = churned.map { $0 ? 1 : 0 }
    }

    /// The combinations (two flags or more) that become features, best-ranked
    /// first, up to `limit`.
    ///
    /// A pattern found overall and in every segment of the table is the sum of
    /// its segment versions, row by row: the last of them to arrive would only
    /// make the fit drop a column and warn about it, so it is passed over (and
    /// the next-ranked pattern takes its place).
    static func patternFeatures(_ kept: [PatternDefinition], segments: Set<String>, limit: Int) -> [PatternDefinition] {
        var chosen: [PatternDefinition] = []
        for d in kept where d.flags.count >= 2 {
            guard chosen.count < limit else { break }
            let family = chosen.filter { $0.flags == d.flags } + [d]
            let split = Set(family.compactMap(\.segment))
            if family.contains(where: { $0.segment == nil }) && segments.isSubset(of: split) { continue }
            chosen.append(d)
        }
        return chosen
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
        let fitted = try LogisticRegression(l2: l2).fit(x: design.x, y: design.y, names: design.specs.map(\.name), weights: weights,
                                                         clusters: clusters)
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
