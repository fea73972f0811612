import TelltaleData

extension SignalTable {
    /// The table with a cohort signal added, computed from its own rows: each
    /// row's base value against the median of its segment's rows on the same
    /// as-of date, as the signal engine computes it over every active account.
    /// A flat table is a population at one date (or a few), so its rows are the
    /// cohort; nil when the table lacks the base column.
    public func appendingCohort(_ definition: SignalDefinition) -> SignalTable? {
        guard case let .cohort(spec) = definition.kind, let base = column(spec.signal) else { return nil }
        let segments = RowSegments(self)
        // A flat table's rows share one as-of date or a few.
        var dayIndex: [Day: Int] = [:]
        let dayOf = observations.map { o in dayIndex[o.asOf] ?? { dayIndex[o.asOf] = dayIndex.count; return dayIndex.count - 1 }() }
        // Each date's known values and their segments, then that date's medians.
        var values = [[Double]](repeating: [], count: dayIndex.count), segmentsOfValues = [[Int32]](repeating: [], count: dayIndex.count)
        for r in observations.indices where !base[r].isNaN {
            values[dayOf[r]].append(base[r])
            segmentsOfValues[dayOf[r]].append(Int32(segments.of[r]))
        }
        let medians = values.indices.map { d in
            CohortMedians.segmentMedians(values[d][...], segmentOf: segmentsOfValues[d][...], segments: segments.names.count,
                                         minimumAccounts: spec.minimumAccounts)
        }
        var out = self
        out.definitions.append(definition)
        out.raw.append(Parallel.column(rows: rowCount, serialBelow: 50_000) { r in
            CohortMedians.ratio(base[r], median: medians[dayOf[r]][segments.of[r]])
        })
        return out
    }
}
