import Foundation

/// What the saved coefficients' standard errors are clustered on.
///
/// An account's renewals share whatever makes that account stay or leave, so
/// counted as independent rows they overstate the evidence for anything steady
/// within an account (its segment, its seats per user): the sandwich clustered
/// by account counts them as the related evidence they are.
public struct ClusteredErrors: Codable, Equatable, Sendable {
    /// What a cluster is: "account".
    public var clusteredBy: String
    public var clusters: Int
    public var rows: Int
    /// The largest ratio of a coefficient's clustered error to the one that takes
    /// rows as independent, and that coefficient: how much the clustering changed.
    public var largestRatio: Double
    public var largestRatioFeature: String

    public init(clusteredBy: String, clusters: Int, rows: Int, largestRatio: Double, largestRatioFeature: String) {
        self.clusteredBy = clusteredBy
        self.clusters = clusters
        self.rows = rows
        self.largestRatio = largestRatio
        self.largestRatioFeature = largestRatioFeature
    }

    enum CodingKeys: String, CodingKey {
        case clusteredBy = "clustered_by", clusters, rows, largestRatio = "largest_ratio", largestRatioFeature = "largest_ratio_feature"
    }

    /// "clustered by account (1335 renewals of 809 accounts); up to 1.02x the errors ..."
    /// With one renewal per account the clusters are single rows: the sandwich
    /// then guards against a misspecified model only, and says so.
    public var description: String {
        (clusters == rows ? "robust (each of the \(rows) renewals its own \(clusteredBy), so nothing to cluster)"
            : "clustered by \(clusteredBy) (\(rows) renewals of \(clusters) \(clusteredBy)s)")
            + "; up to \(String(format: "%.2f", largestRatio))x the errors that take every renewal as independent (\(largestRatioFeature))"
    }
}
