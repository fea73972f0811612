/// How `telltale train` fits and validates (`model:` and `bands:` in the config).
public struct TrainingSettings: Equatable, Sendable {
    /// L2 strengths tried by time-ordered cross-validation (on standardised
    /// features: each coefficient is per standard deviation). One value: no search.
    public var l2Grid: [Double] = [1, 3, 10, 30, 100, 300, 1000]
    /// Share of the latest renewals (by observation date) held out for validation.
    public var holdoutShare = 0.2
    /// Time-ordered cross-validation folds within the earlier renewals.
    public var folds = 4
    /// How the model is validated (`model.validation`).
    public var validation = Validation.auto

    /// Out of time (the latest renewals held out) whenever the rows were observed
    /// on more than one date; grouped by account (a share of the accounts held
    /// out, every row of an account on one side) when they were not: a flat
    /// table of one snapshot, or without `as_of`, which the contract allows.
    public enum Validation: String, CaseIterable, Equatable, Sendable {
        case auto
        case outOfTime = "out_of_time"
        case grouped

        /// A method as a user may write it: any case, `out-of-time` as well as `out_of_time`.
        public static func named(_ text: String) -> Validation? {
            Validation(rawValue: text.lowercased().replacingOccurrences(of: "-", with: "_"))
        }
    }
    /// Weight churners so both classes weigh the same in the fit; probabilities
    /// are then corrected back to the true base rate (an intercept shift).
    public var balanceClasses = false
    /// Use the kept combined patterns (order 2+) as 0/1 features.
    public var patternFeatures = true
    /// Days before the renewal at which the intercept is refitted
    /// (`model.distance_calibration`, `DistanceCalibration`); empty turns it off.
    /// The default spans an annual contract: two weeks, five, eight and eleven months.
    public var distanceDays = [15, 150, 240, 330]
    /// Band target renewal rates: red, orange, yellow, green.
    public var bandTargets: [Double] = [0.5, 0.6, 0.7, 0.8]
    /// Fewest renewals a non-empty band may hold (smaller ones merge into a neighbour).
    public var minimumBandRows = 20
    /// Fewest renewals a segment needs for cut points of its own (else it borrows the population's).
    public var minimumSegmentRows = 200

    public init() {}
}
