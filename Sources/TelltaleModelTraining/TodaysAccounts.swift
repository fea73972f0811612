import TelltaleModel

/// What the report's comparison says about today's accounts: the migration,
/// or why the two models could not both score them (a flat table has no
/// accounts of today; last quarter's model may need a metric this export lacks).
public enum TodaysAccounts: Equatable, Sendable {
    case compared(BandMigration)
    case notCompared(String)

    public var reportLines: [String] {
        switch self {
        case .compared(let migration): return migration.reportLines()
        case .notCompared(let why): return ["- today's accounts are not compared under the two models: \(why)"]
        }
    }
}
