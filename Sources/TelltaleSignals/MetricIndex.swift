import TelltaleData

/// One usage metric with running totals per account, so that a window sum,
/// mean or active-day count is two binary searches and a subtraction rather
/// than a walk over the window.
///
/// Totals restart at each account's first row, which keeps them small (exact
/// for counts; relative error ~1e-16 × an account's total otherwise).
/// They are held as `Float`s when every one of them is exact as a `Float`
/// (counts whose account totals stay under 2^24, the usual case), else as
/// `Double`s: the same values either way, and half the bytes of what is most
/// of `train`'s memory after the read (8 bytes per usage row per metric).
/// - Complexity: O(rows) to build; O(log rows of the account) per window.
struct MetricIndex: Sendable {
    let isLevel: Bool
    let values: MetricColumn
    /// Sum of the non-missing values from the account's first row up to and
    /// including row r: in `floatSums` when `sumsAreFloats`, else in `doubleSums`.
    let floatSums: [Float]
    let doubleSums: [Double]
    let sumsAreFloats: Bool
    /// Rows with a value > 0 (count metrics) or any value (levels), same span.
    let runningActive: [Int32]
    /// Rows with a value (not missing), same span.
    let runningPresent: [Int32]

    /// Builds only the totals asked for (each is 4-8 bytes per usage row):
    /// `active` for day counts, `present` for means of level metrics.
    init(usage: Usage, metric m: Int, needsActive: Bool) {
        isLevel = usage.isLevel[m]
        let column = usage.values[m]
        values = column
        let n = usage.count
        let level = isLevel
        let needsPresent = level
        var active = [Int32](unsafeUninitializedCapacity: needsActive ? n : 0) { _, c in c = needsActive ? n : 0 }
        var present = [Int32](unsafeUninitializedCapacity: needsPresent ? n : 0) { _, c in c = needsPresent ? n : 0 }
        /// Fills `sum` with the running totals (summed as `Double`s) and the
        /// counts asked for; false, at once, at the first total `S` cannot hold exactly.
        /// One loop per value and total type, so the loop tests neither on every row.
        func fill<T: BinaryFloatingPoint, S: BinaryFloatingPoint>(_ v: UnsafeBufferPointer<T>, into sum: UnsafeMutableBufferPointer<S>) -> Bool {
            active.withUnsafeMutableBufferPointer { active in
                present.withUnsafeMutableBufferPointer { present in
                    for a in 0..<(usage.start.count - 1) {
                        var s = 0.0, act: Int32 = 0, pr: Int32 = 0
                        for r in usage.rows(of: a) {
                            let x = Double(v[r])
                            if !x.isNaN {
                                s += x; pr += 1
                                if level || x > 0 { act += 1 }
                            }
                            sum[r] = S(s)
                            if Double(sum[r]) != s { return false }
                            if needsActive { active[r] = act }
                            if needsPresent { present[r] = pr }
                        }
                    }
                    return true
                }
            }
        }
        func fill<S: BinaryFloatingPoint>(into sum: UnsafeMutableBufferPointer<S>) -> Bool {
            switch column.storage {
            case .float(let f): f.withUnsafeBufferPointer { fill($0, into: sum) }
            case .double(let d): d.withUnsafeBufferPointer { fill($0, into: sum) }
            }
        }
        var floats = [Float](unsafeUninitializedCapacity: n) { _, c in c = n }
        sumsAreFloats = floats.withUnsafeMutableBufferPointer { fill(into: $0) }
        if sumsAreFloats {
            floatSums = floats
            doubleSums = []
        } else {
            floats = []
            var doubles = [Double](unsafeUninitializedCapacity: n) { _, c in c = n }
            _ = doubles.withUnsafeMutableBufferPointer { fill(into: $0) }
            floatSums = []
            doubleSums = doubles
        }
        runningActive = active
        runningPresent = present
    }

    /// The running total at row r.
    @inline(__always) func runningSum(_ r: Int) -> Double {
        sumsAreFloats ? Double(floatSums[r]) : doubleSums[r]
    }

    /// Totals over rows lo..<hi of an account whose first row is `first`.
    @inline(__always) func sum(_ lo: Int, _ hi: Int, first: Int) -> Double {
        hi <= lo ? 0 : runningSum(hi - 1) - (lo > first ? runningSum(lo - 1) : 0)
    }
    @inline(__always) func active(_ lo: Int, _ hi: Int, first: Int) -> Int {
        hi <= lo ? 0 : Int(runningActive[hi - 1] - (lo > first ? runningActive[lo - 1] : 0))
    }
    @inline(__always) func present(_ lo: Int, _ hi: Int, first: Int) -> Int {
        hi <= lo ? 0 : Int(runningPresent[hi - 1] - (lo > first ? runningPresent[lo - 1] : 0))
    }

    /// Whether a row's value counts as activity (> 0 for counts, present for levels).
    @inline(__always) func isActive(_ r: Int) -> Bool { isActive(value: values[r]) }

    /// Whether a value of this metric (a row's, or a week's total or mean) counts as activity.
    @inline(__always) func isActive(value v: Double) -> Bool { isLevel ? !v.isNaN : v > 0 }
}

extension Usage {
    /// The first row of account `a` dated on or after `day`, within its rows.
    @inline(__always) func firstRow(of a: Int, onOrAfter day: Int32) -> Int {
        var lo = start[a], hi = start[a + 1]
        while lo < hi {
            let mid = (lo + hi) >> 1
            if self.day[mid] < day { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
