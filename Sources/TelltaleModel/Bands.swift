import TelltalePatterns

/// The health bands, from least to most healthy.
public enum Band: String, Codable, CaseIterable, Comparable, Sendable {
    case red, orange, yellow, green

    /// The band's place from red (0) to green (3): what band changes and
    /// per-band counts index by.
    @inlinable
    public var index: Int {
        switch self {
        case .red: return 0
        case .orange: return 1
        case .yellow: return 2
        case .green: return 3
        }
    }

    public static func < (a: Band, b: Band) -> Bool { a.index < b.index }
}

/// Health-score cut points for one segment and how its bands renewed.
public struct SegmentBands: Codable, Equatable, Sendable {
    /// Three ascending health scores: below the first is red, below the second
    /// orange, below the third yellow, the rest green. Equal cut points leave a band empty.
    public var cutPoints: [Double]
    /// True when the segment had too few renewals and uses the population's cut points.
    public var borrowed: Bool
    public var stats: [BandStat]

    enum CodingKeys: String, CodingKey { case cutPoints = "cut_points", borrowed, stats }

    public init(cutPoints: [Double], borrowed: Bool, stats: [BandStat]) {
        self.cutPoints = cutPoints
        self.borrowed = borrowed
        self.stats = stats
    }

    public func band(health: Double) -> Band { Self.band(health: health, cutPoints: (cutPoints[0], cutPoints[1], cutPoints[2])) }

    /// The band of a health score under three ascending cut points (a scorer
    /// keeps them as plain numbers: it reads them for every account).
    @inlinable
    public static func band(health: Double, cutPoints c: (Double, Double, Double)) -> Band {
        health < c.0 ? .red : health < c.1 ? .orange : health < c.2 ? .yellow : .green
    }
}

/// One band's training figures: renewals in it and their renewal rate with a Wilson 95% interval.
public struct BandStat: Codable, Equatable, Sendable {
    public var band: Band
    public var rows: Int
    public var renewed: Int
    /// nil for an empty band.
    public var renewalRate: Double?
    public var ciLow: Double
    public var ciHigh: Double

    enum CodingKeys: String, CodingKey { case band, rows, renewed, renewalRate = "renewal_rate", ciLow = "ci_low", ciHigh = "ci_high" }

    public init(band: Band, rows: Int, renewed: Int) {
        self.band = band
        self.rows = rows
        self.renewed = renewed
        renewalRate = rows > 0 ? Double(renewed) / Double(rows) : nil
        (ciLow, ciHigh) = PatternStatistics.wilson(successes: renewed, n: rows)
    }

    /// Each band's figures, red to green, from each renewal's band and outcome.
    public static func perBand(_ bands: [Band], renewed: [Bool]) -> [BandStat] {
        var rows = [0, 0, 0, 0], ok = [0, 0, 0, 0]
        for (b, r) in zip(bands, renewed) {
            rows[b.index] += 1
            if r { ok[b.index] += 1 }
        }
        return Band.allCases.map { BandStat(band: $0, rows: rows[$0.index], renewed: ok[$0.index]) }
    }
}

/// Bands for every segment, and the population's for segments never seen.
public struct BandTable: Codable, Equatable, Sendable {
    /// Target renewal rates of red, orange, yellow and green (the domain's 50/60/70/80%).
    public var targets: [Double]
    public var population: SegmentBands
    public var segments: [String: SegmentBands]

    public init(targets: [Double], population: SegmentBands, segments: [String: SegmentBands]) {
        self.targets = targets
        self.population = population
        self.segments = segments
    }

    /// The band a renewal rate belongs to under these targets: red below the
    /// midpoint of the red and orange targets (55% for 50/60%), and so on, as
    /// the cut points are placed where the fitted renewal rate reaches those
    /// midpoints. It reads a usage level's renewal rate as the band it means
    /// (the domain's "6-10 uses a month -> 60% -> orange").
    public func band(renewalRate: Double) -> Band {
        let mid = boundaries
        return renewalRate < mid[0] ? .red : renewalRate < mid[1] ? .orange : renewalRate < mid[2] ? .yellow : .green
    }

    /// The renewal rates between the bands: the midpoints of adjacent targets.
    public var boundaries: [Double] { Self.boundaries(targets) }

    public static func boundaries(_ targets: [Double]) -> [Double] { (0..<3).map { (targets[$0] + targets[$0 + 1]) / 2 } }

    /// The band of a health score in a segment; an unknown segment uses the population's cut points.
    public func band(health: Double, segment: String) -> (band: Band, knownSegment: Bool) {
        if let s = segments[segment] { return (s.band(health: health), true) }
        return (population.band(health: health), false)
    }

    /// How renewals fare in these bands, each banded by its segment's cut
    /// points (as accounts are scored): renewals and renewal rate per band.
    public func stats(health: [Double], renewed: [Bool], segments: [String]) -> [BandStat] {
        BandStat.perBand(zip(health, segments).map { band(health: $0, segment: $1).band }, renewed: renewed)
    }
}
