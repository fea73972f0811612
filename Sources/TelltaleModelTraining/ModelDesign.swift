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

    init(table: SignalTable, options: Options) {
        let churned = table.observations.map { $0.churned ?? false }
        let segments = table.observations.map { table.segments[Int($0.account)] }
        preparation = SignalPreparation.fit(table)
        let minCount = max(options.patternSearch.minSupport, Int((options.patternSearch.minShare * Double(table.rowCount)).rounded(.up)))
        cuts = options.cutSignals.compactMap { name in
            table.column(name).flatMap { DataDrivenCut.choose(signal: name, values: $0, churned: churned, minCount: minCount) }
        }
        var specs: [FeatureSpec] = table.definitions.map { FeatureSpec(name: $0.name, kind: .signal($0.name)) }
        if options.withPatterns {
            var flags = FlagMatrix(table: table, cuts: cuts)
            if let wanted = options.patternFlags { flags = flags.keeping(Set(wanted + cuts.map(\.name))) }
            if flags.count > 0 {
                let report = PatternFinder(settings: options.patternSearch).run(flags: flags, churned: churned, segments: segments)
                patternReport = report
                for r in report.kept.filter({ $0.order >= 2 }).prefix(options.maximumPatternFeatures) {
                    let name = "pattern: " + r.definition.name + (r.definition.segment.map { " [\($0)]" } ?? "")
                    specs.append(FeatureSpec(name: name, kind: .pattern(r.definition)))
                }
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
            let c = columns[j], m = specs[j].mean, s = specs[j].scale
            // A value still missing (a `missing: keep` signal) sits at the mean: it adds nothing.
            for i in 0..<n { x[i * p + j] = c[i].isFinite ? (c[i] - m) / s : 0 }
        }
        self.x = x
        y = churned.map { $0 ? 1 : 0 }
    }

    /// Standardised design columns for other rows (validation, scoring).
    func columns(for table: SignalTable) -> [[Double]] {
        let raw = FeatureBuilder.columns(specs, table: table, preparation: preparation, cuts: cuts)
        return zip(specs, raw).map { spec, column in column.map { $0.isFinite ? ($0 - spec.mean) / spec.scale : 0 } }
    }
}

/// A fitted design: coefficients per spec (0 for a dropped column).
struct FittedDesign {
    var design: ModelDesign
    var fit: FittedLogisticRegression
    var intercept: Double
    var coefficients: [Double]

    init(design: ModelDesign, l2: Double, balanceClasses: Bool) throws {
        self.design = design
        var weights: [Double]?
        var shift = 0.0
        if balanceClasses {
            let positives = design.y.reduce(0, +), n = Double(design.y.count)
            let w1 = n / (2 * positives), w0 = n / (2 * (n - positives))
            weights = design.y.map { $0 == 1 ? w1 : w0 }
            shift = log(w1 / w0) // weighting multiplies the odds by w1/w0: undo it
        }
        fit = try LogisticRegression(l2: l2).fit(x: design.x, y: design.y, names: design.specs.map(\.name), weights: weights)
        intercept = fit.intercept - shift
        coefficients = fit.coefficients.dropFirst(fit.hasIntercept ? 1 : 0).map { $0.estimate ?? 0 }
    }

    /// An already fitted regression on this design (tests compare a saved model with it).
    init(design: ModelDesign, fitted: FittedLogisticRegression, interceptShift: Double = 0) {
        self.design = design
        fit = fitted
        intercept = fitted.intercept - interceptShift
        coefficients = fitted.coefficients.dropFirst(fitted.hasIntercept ? 1 : 0).map { $0.estimate ?? 0 }
    }

    func probabilities(_ table: SignalTable) -> [Double] {
        let x = design.columns(for: table)
        return (0..<table.rowCount).map { r in
            var eta = intercept
            for j in coefficients.indices { eta += coefficients[j] * x[j][r] }
            return eta >= 0 ? 1 / (1 + exp(-eta)) : exp(eta) / (1 + exp(eta))
        }
    }
}
