import TelltaleData

extension SignalTable {
    /// The table with a cohort signal added, computed from its own rows: each
    /// row's base value against the median of its segment's rows on the same
    /// as-of date, as the signal engine computes it over every active account.
    /// A flat table is a population at one date (or a few), so its rows are the
    /// cohort; nil when the table lacks the base column.
    public func appendingCohort(_ definition: SignalDefinition) -> SignalTable? {
        guard case let .cohort(spec) = definition.kind, let base = column(spec.signal) else { return nil }
        let segmentOf = Self.numbered(segments)
        let dayOf = Self.numbered(observations.map(\.asOf))
        let segmentCount = Int(segmentOf.max().map { $0 + 1 } ?? 0), dayCount = Int(dayOf.max().map { $0 + 1 } ?? 0)
        // Each date's known values and their segments, then that date's medians.
        var values = [[Double]](repeating: [], count: dayCount), segmentsOfValues = [[Int32]](repeating: [], count: dayCount)
        for r in observations.indices where !base[r].isNaN {
            let d = Int(dayOf[r])
            values[d].append(base[r])
            segmentsOfValues[d].append(segmentOf[Int(observations[r].account)])
        }
        let medians = (0..<dayCount).map { d in
            CohortMedians.segmentMedians(values[d][...], segmentOf: segmentsOfValues[d][...], segments: segmentCount,
                                         minimumAccounts: spec.minimumAccounts)
        }
        var out = self
        out.definitions.append(definition)
        out.raw.append(Parallel.column(rows: rowCount, serialBelow: 50_000) { r in
            CohortMedians.ratio(base[r], median: medians[Int(dayOf[r])][Int(segmentOf[Int(observations[r].account)])])
        })
        return out
    }

    /// Each value's number among the distinct values, in order of first
    /// appearance. A flat table has a few segments and dates over a million
    /// rows: the last few distinct values are compared first (interned strings
    /// compare by identity), a dictionary only past them.
    static func numbered<T: Hashable>(_ items: [T]) -> [Int32] {
        var distinct: [T] = [], index: [T: Int32] = [:]
        return items.map { item in
            if let k = distinct.firstIndex(of: item) { return Int32(k) }
            if let k = index[item] { return k }
            let k = Int32(index.count)
            index[item] = k
            if distinct.count < 16 { distinct.append(item) }
            return k
        }
    }
}
