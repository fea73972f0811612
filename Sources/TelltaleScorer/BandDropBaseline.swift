import TelltaleData
import TelltaleModel

/// What a band-drop alert compares today's band with.
///
/// Against the previous run alone, a daily scoring job raised a band drop each
/// time an account near a cut point crossed it: on a simulated 10,000-account
/// history scored every day for 250 days, 84 a day, 73% of them back in their
/// band within a week (domain section 6: "a sustained pattern, not one
/// snapshot"). So a drop has to hold: today's band is compared with the band at
/// the latest run at least `alerts.band_drop_days` before (the baseline), and
/// alerts only when the account was below that band on every run since, once
/// per baseline. Runs a week or more apart compare with the previous run, as
/// before.
public struct BandDropBaseline: Equatable, Sendable {
    /// The baseline run's as-of date.
    public var day: Day
    /// Account id → its band at the baseline run, for the accounts that were
    /// below it on every later run (so far): today's band under it alerts.
    public var bands: [String: Band]
    /// The baseline run used another model: a fall then says as much about
    /// the new cut points as about the account, and is held back.
    public var fromAnotherModel: Bool
    /// The baseline is the previous run (what the alert's reason says).
    public var isPreviousRun: Bool

    public init(day: Day, bands: [String: Band], fromAnotherModel: Bool, isPreviousRun: Bool) {
        self.day = day
        self.bands = bands
        self.fromAnotherModel = fromAnotherModel
        self.isPreviousRun = isPreviousRun
    }

    /// The index of the latest of `runDays` (ascending) before `asOf` and at
    /// least `days` before it.
    public static func latest(runDays: [Day], before asOf: Day, days: Int) -> Int? {
        runDays.lastIndex { $0 < asOf && asOf - $0 >= days }
    }

    /// The index of the baseline run among the earlier runs' days (ascending,
    /// all before `asOf`), or nil when there is none, or when it was the
    /// previous run's baseline too: whatever fell below it alerted then (a
    /// fall that had not reached the previous run cannot have held since).
    public static func reference(runDays: [Day], asOf: Day, days: Int) -> Int? {
        guard let r = latest(runDays: runDays, before: asOf, days: days) else { return nil }
        if let previous = runDays.indices.last, previous > r, latest(runDays: runDays, before: runDays[previous], days: days) == r {
            return nil
        }
        return r
    }

    /// The baseline of a run as of `asOf` after runs on `runDays` (ascending,
    /// all before it), or nil when there is none; `bands(i)` gives run i's
    /// bands (asked only for the baseline and the runs after it) and
    /// `anotherModel(i)` whether run i used another model than this one.
    public static func of(runDays: [Day], asOf: Day, days: Int, bands: (Int) throws -> [String: Band],
                          anotherModel: (Int) -> Bool) rethrows -> BandDropBaseline? {
        guard let r = reference(runDays: runDays, asOf: asOf, days: days) else { return nil }
        return BandDropBaseline(day: runDays[r], bands: held(baseline: try bands(r), later: try (r + 1 ..< runDays.count).map(bands)),
                                fromAnotherModel: anotherModel(r), isPreviousRun: r == runDays.count - 1)
    }

    /// The baseline's bands of the accounts below them on every later run;
    /// a run that did not score an account does not count against it.
    public static func held(baseline: [String: Band], later: [[String: Band]]) -> [String: Band] {
        baseline.filter { id, band in later.allSatisfy { run in run[id].map { $0 < band } ?? true } }
    }
}
