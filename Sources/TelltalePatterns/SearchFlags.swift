import TelltaleSignals

extension PatternSearchSettings {
    /// Rows a pattern needs in a scope of `rows` rows: `minSupport`, or `minShare` of them if more.
    public func minimumCount(rows: Int) -> Int {
        max(minSupport, Int((minShare * Double(rows)).rounded(.up)))
    }
}

/// A `patterns.flags` or `patterns.cut` entry that names nothing usable.
public struct SearchFlagsError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The flags a search combines: the table's flags and milestones, the
/// data-driven cuts of `cutSignals` (chosen on this table's rows), and, when
/// `flags` is given, only those (plus the cuts). One recipe for the
/// `patterns` command and for every model fit, so both search the same flags.
public struct SearchFlags: Sendable {
    public var matrix: FlagMatrix
    public var cuts: [DataDrivenCut]
    /// Signals of `cutSignals` with no cut leaving enough rows on both sides.
    public var uncut: [String]

    /// - Throws: `SearchFlagsError` naming a cut signal that is not a signal or a flag that is not one.
    public init(table: SignalTable, settings: PatternSearchSettings, cutSignals: [String], flags: [String]?) throws {
        let churned = table.observations.map { $0.churned ?? false }
        let minCount = settings.minimumCount(rows: table.rowCount)
        cuts = []
        uncut = []
        for name in cutSignals {
            guard let column = table.column(name) else {
                throw SearchFlagsError(message: "patterns.cut: '\(name)' is not a signal (signals: \(table.definitions.map(\.name).joined(separator: ", ")))")
            }
            if let cut = DataDrivenCut.choose(signal: name, values: column, churned: churned, minCount: minCount) { cuts.append(cut) }
            else { uncut.append(name) }
        }
        matrix = FlagMatrix(table: table, cuts: cuts)
        if let flags {
            for name in flags where !matrix.names.contains(name) {
                throw SearchFlagsError(message: "patterns.flags: '\(name)' is not a flag or milestone signal (flags: \(matrix.names.joined(separator: ", ")))")
            }
            matrix = matrix.keeping(Set(flags + cuts.map(\.name)))
        }
    }
}
