import Foundation
import Testing
import TelltaleData
@testable import TelltaleTraining

/// Agreement with statsmodels and scikit-learn on committed data
/// (provenance in `Fixtures/README.md`).
@Suite struct ReferenceAgreementTests {
    @Test func spectorMatchesStatsmodelsLogitToOneMillionth() throws {
        let d = try Fixtures.design("spector.csv", label: "GRADE")
        #expect(d.names == ["GPA", "TUCE", "PSI"])
        let fit = try LogisticRegression().fit(x: d.values, y: d.labels, names: d.names)
        #expect(fit.converged)
        for (k, row) in fit.coefficients.enumerated() {
            #expect(relativeClose(row.estimate, Fixtures.numbers("spector", "coef")[k], 1e-6), "coef \(row.name)")
            #expect(relativeClose(row.standardError, Fixtures.numbers("spector", "se")[k], 1e-6), "se \(row.name)")
            #expect(relativeClose(row.z, Fixtures.numbers("spector", "z")[k], 1e-6), "z \(row.name)")
            #expect(relativeClose(row.pValue, Fixtures.numbers("spector", "p")[k], 1e-6), "p \(row.name)")
            #expect(relativeClose(row.lower95, Fixtures.numbers("spector", "ci_low")[k], 1e-6), "ci_low \(row.name)")
            #expect(relativeClose(row.upper95, Fixtures.numbers("spector", "ci_high")[k], 1e-6), "ci_high \(row.name)")
        }
        #expect(relativeClose(fit.logLikelihood, Fixtures.number("spector", "llf"), 1e-9))
        #expect(relativeClose(fit.nullLogLikelihood, Fixtures.number("spector", "llnull"), 1e-9))
        #expect(relativeClose(fit.aic, Fixtures.number("spector", "aic"), 1e-9))
        #expect(relativeClose(fit.bic, Fixtures.number("spector", "bic"), 1e-9))
        #expect(relativeClose(fit.pseudoRSquared, Fixtures.number("spector", "prsquared"), 1e-9))
    }

    @Test func oneHotEncodedTableMatchesStatsmodels() throws {
        let d = try Fixtures.design("synthetic.csv", label: "churned")
        let expectedNames = Array((Fixtures.reference["synthetic"] as! [String: Any])["names"] as! [String]).dropFirst()
        #expect(d.names == Array(expectedNames), "account_id is an identifier, segment is one-hot against 'Enterprise'")
        let fit = try LogisticRegression().fit(x: d.values, y: d.labels, names: d.names)
        for (k, row) in fit.coefficients.enumerated() {
            #expect(relativeClose(row.estimate, Fixtures.numbers("synthetic", "coef")[k], 1e-6), "coef \(row.name)")
            #expect(relativeClose(row.standardError, Fixtures.numbers("synthetic", "se")[k], 1e-6), "se \(row.name)")
        }
        #expect(relativeClose(fit.logLikelihood, Fixtures.number("synthetic", "llf"), 1e-10))
        #expect(relativeClose(fit.aic, Fixtures.number("synthetic", "aic"), 1e-10))
    }

    @Test func frequencyWeightsMatchStatsmodelsGLM() throws {
        let d = try Fixtures.design("synthetic.csv", label: "churned")
        let weights = try String(contentsOfFile: Fixtures.path("synthetic_weights.txt"), encoding: .utf8)
            .split(separator: "\n").map { Double($0)! }
        let fit = try LogisticRegression().fit(x: d.values, y: d.labels, names: d.names, weights: weights)
        for (k, row) in fit.coefficients.enumerated() {
            #expect(relativeClose(row.estimate, Fixtures.numbers("synthetic_weighted", "coef")[k], 1e-6), "coef \(row.name)")
            #expect(relativeClose(row.standardError, Fixtures.numbers("synthetic_weighted", "se")[k], 1e-6), "se \(row.name)")
        }
        #expect(relativeClose(fit.logLikelihood, Fixtures.number("synthetic_weighted", "llf"), 1e-10))
    }

    @Test(arguments: ["0.5", "5.0", "50.0"])
    func penalisedFitMatchesScikitLearnWithCEqualOneOverLambda(lambda: String) throws {
        let d = try Fixtures.design("synthetic.csv", label: "churned")
        let fit = try LogisticRegression(l2: Double(lambda)!).fit(x: d.values, y: d.labels, names: d.names)
        let ref = (Fixtures.reference["penalised"] as! [String: Any])[lambda] as! [String: Any]
        let coef = (ref["coef"] as! [NSNumber]).map(\.doubleValue)
        #expect(relativeClose(fit.intercept, (ref["intercept"] as! NSNumber).doubleValue, 1e-6))
        for (k, row) in fit.coefficients.dropFirst().enumerated() {
            #expect(relativeClose(row.estimate, coef[k], 1e-6), "coef \(row.name) at λ = \(lambda)")
        }
    }

    /// `clustered.csv`: 900 accounts with 1-3 renewals each, seat ratio and segment
    /// repeated on an account's rows and an account effect in the outcome.
    static let clustered: (design: DesignMatrix, clusters: Clusters, reference: [String: Any]) = {
        let design = try! Fixtures.design("clustered.csv", label: "churned")
        let table = try! FlatTable.read(path: Fixtures.path("clustered.csv"))
        guard case .text(let ids)? = table.column(named: "account_id")?.values else { fatalError("account_id") }
        let data = try! Data(contentsOf: Fixtures.directory.appendingPathComponent("clustered.json"))
        return (design, Clusters(ids.map { $0! }), try! JSONSerialization.jsonObject(with: data) as! [String: Any])
    }()

    static func clusteredNumbers(_ section: String, _ key: String) -> [Double] {
        ((clustered.reference[section] as! [String: Any])[key] as! [NSNumber]).map(\.doubleValue)
    }

    @Test func clusteredErrorsMatchStatsmodelsClusterCovariance() throws {
        let (d, clusters, reference) = Self.clustered
        #expect(d.names == Array((reference["names"] as! [String]).dropFirst()))
        #expect(clusters.count == 900 && clusters.ids.count == d.labels.count)
        let fit = try LogisticRegression().fit(x: d.values, y: d.labels, names: d.names, clusters: clusters)
        #expect(fit.errors == .clustered(clusters: 900))
        let plain = try LogisticRegression().fit(x: d.values, y: d.labels, names: d.names)
        #expect(plain.errors == .modelBased)
        for (k, row) in fit.coefficients.enumerated() {
            #expect(relativeClose(row.estimate, Self.clusteredNumbers("unpenalised", "coef")[k], 1e-6), "coef \(row.name)")
            #expect(relativeClose(row.standardError, Self.clusteredNumbers("unpenalised", "se")[k], 1e-6), "se \(row.name)")
            #expect(relativeClose(row.z, Self.clusteredNumbers("unpenalised", "z")[k], 1e-6), "z \(row.name)")
            #expect(relativeClose(row.pValue, Self.clusteredNumbers("unpenalised", "p")[k], 1e-6), "p \(row.name)")
            #expect(relativeClose(row.lower95, Self.clusteredNumbers("unpenalised", "ci_low")[k], 1e-6), "ci_low \(row.name)")
            #expect(relativeClose(row.upper95, Self.clusteredNumbers("unpenalised", "ci_high")[k], 1e-6), "ci_high \(row.name)")
            // The model-based errors are kept beside them, and are statsmodels' nonrobust ones.
            #expect(relativeClose(fit.modelBasedCovariance[k, k].squareRoot(), Self.clusteredNumbers("model_based", "se")[k], 1e-6))
            #expect(relativeClose(plain.coefficients[k].standardError, Self.clusteredNumbers("model_based", "se")[k], 1e-6))
        }
        // An account-level column (Mid-Market, a segment) is the one whose error grows most: its values repeat on an account's rows.
        let ratios = fit.coefficients.map { $0.standardError! } .enumerated().map { $1 / plain.coefficients[$0].standardError! }
        #expect(ratios.indices.max { ratios[$0] < ratios[$1] } == 1, "\(ratios)")
    }

    /// Under a penalty: (H B⁻¹ H + P)⁻¹, written out in NumPy around scikit-learn's
    /// estimate; at λ = 300 (what cross-validation picks on most simulated histories)
    /// it stays within 3% of the model-based errors here, not the fraction of them the
    /// sandwich around the penalised Hessian gives.
    @Test(arguments: ["5.0", "300.0"])
    func penalisedClusteredErrorsMatchTheCovarianceWrittenOutInNumPy(lambda: String) throws {
        let (d, clusters, reference) = Self.clustered
        let ref = (reference["penalised"] as! [String: Any])[lambda] as! [String: Any]
        let numbers = { (key: String) in (ref[key] as! [NSNumber]).map(\.doubleValue) }
        let fit = try LogisticRegression(l2: Double(lambda)!).fit(x: d.values, y: d.labels, names: d.names, clusters: clusters)
        #expect(fit.errors == .clustered(clusters: 900))
        for (k, row) in fit.coefficients.enumerated() {
            #expect(relativeClose(row.estimate, numbers("coef")[k], 1e-6), "coef \(row.name)")
            #expect(relativeClose(row.standardError, numbers("se")[k], 1e-6), "se \(row.name)")
            #expect(relativeClose(fit.modelBasedCovariance[k, k].squareRoot(), numbers("model_based_se")[k], 1e-6), "model-based se \(row.name)")
        }
    }
}
