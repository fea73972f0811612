import Foundation
import TelltaleAlerts
import TelltaleData
import TelltaleModel
import TelltalePatterns
import TelltaleSignals

/// Why an account set cannot be scored with a model at all.
public struct ScoringError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Applies a saved model and the alert rules to today's accounts.
///
/// Everything is computed as of one date from usage dated strictly before it,
/// the way training computed its rows. Rules with a grace period are
/// evaluated at the as-of date and at each `graceStepDays` back to
/// `graceDays` before it, and fire only when they held at every one: a
/// sustained pattern, not one snapshot.
public struct AccountScorer: Sendable {
    public var model: ChurnModel
    public var alerts: AlertSettings
    public var settings: ScoringSettings
    /// Definitions the rules may read that the model does not compute (the
    /// config's signals, built-ins included); pulled in only when a rule needs one.
    /// The rule-only built-ins (`SignalDefinition.ruleOnly`) come after these.
    public var available: [SignalDefinition]

    public init(model: ChurnModel, alerts: AlertSettings = AlertSettings(), settings: ScoringSettings = ScoringSettings(),
                available: [SignalDefinition] = []) {
        self.model = model
        self.alerts = alerts
        self.settings = settings
        self.available = available
    }

    public static let rulePrefix = "alert__"
    public static let openCaseSignal = "open_support_cases__"
    /// Fewer scored accounts than this can all lack a signal by chance (a few
    /// new accounts): no warning then.
    static let minimumRowsForAbsentSignals = 10

    /// Days back from the as-of date at which grace rules must also hold.
    public var graceOffsets: [Int] { alerts.graceOffsets }

    /// The model's signals plus what the rules need, the rules that can be
    /// evaluated, and a warning for each that cannot.
    func alertDefinitions(metrics: [String]) throws -> (definitions: [SignalDefinition], rules: [AlertRule], warnings: [String]) {
        let typos = AlertRule.unknownSignals(alerts.rules, known: Set(model.signals.map(\.name) + available.map(\.name)))
        guard typos.isEmpty else { throw ScoringError(typos.joined(separator: "; ")) }
        var definitions = model.signals
        var names = Set(definitions.map(\.name))
        var warnings: [String] = []
        func include(_ name: String) -> Bool {
            if names.contains(name) || AccountSignal.named(name) != nil { return true }
            guard let d = available.first(where: { $0.name == name }) ?? SignalDefinition.ruleOnly.first(where: { $0.name == name }),
                  d.metrics.allSatisfy(metrics.contains),
                  d.dependencies.allSatisfy(include) else { return false }
            definitions.append(d)
            names.insert(name)
            return true
        }
        var rules: [AlertRule] = []
        for rule in alerts.rules {
            let missing = rule.signals.filter { !include($0) }
            guard missing.isEmpty else {
                warnings.append("alert rule '\(rule.name)' left out: no signal \(missing.map { "'\($0)'" }.joined(separator: ", ")) in the model or the config")
                continue
            }
            rules.append(rule)
            definitions.append(SignalDefinition(name: Self.rulePrefix + rule.name, kind: .flag(rule.conditions), label: rule.label))
        }
        if metrics.contains(alerts.supportMetric) && alerts.openCaseDays > 0 {
            definitions.append(SignalDefinition(
                name: Self.openCaseSignal,
                kind: .window(WindowSignal(metric: alerts.supportMetric, days: alerts.openCaseDays, aggregate: .sum))))
        }
        return (definitions, rules, warnings)
    }

    /// Scores every account active at `asOf` (signed up before it, not churned before it).
    public func score(history: History, asOf: Day, context: ScoringContext = ScoringContext()) throws -> ScoreRun {
        let prepared = try prepare(history: history)
        return score(prepared.snapshot(asOf: asOf), context: context)
    }

    /// The signal engine for the model's signals and the rules' (built once,
    /// then used for any number of as-of dates: the backtest's walk forward).
    public func prepare(history: History) throws -> Prepared {
        if model.signals.contains(where: \.isTableColumn) {
            throw ScoringError("this model was trained on a flat table (its signals are table columns): score it with --data TABLE.csv")
        }
        try refuseAnotherReading(of: history.usage)
        let (definitions, rules, warnings) = try alertDefinitions(metrics: history.usage.metrics)
        let engine: SignalEngine
        do { engine = try SignalEngine(history: history, definitions: definitions) } catch let e as SignalError {
            throw ScoringError("the model's \(e.description); the usage table must have the metrics the model was trained on")
        }
        let strategic = try severityColumn(alerts.severity.strategicColumn, key: "strategic_column", in: history.accounts.flags)
        let expansion = try severityColumn(alerts.severity.expansionColumn, key: "expansion_column", in: history.accounts.numbers)
        return Prepared(engine: engine, rules: rules, warnings: warnings, graceOffsets: graceOffsets,
                        strategic: strategic, expansion: expansion, renewals: RenewalsByAccount(history.renewals, accounts: history.accounts.count))
    }

    /// The accounts' values of a severity column the config names, which the
    /// loader must have read (`Configuration.loadOptions` asks for it).
    func severityColumn<T>(_ name: String?, key: String, in columns: [String: [T?]]) throws -> [T?]? {
        guard let name else { return nil }
        guard let values = columns[name] else {
            throw ScoringError("alerts.severity.\(key) names '\(name)', which was not read with the accounts table: load the history with the config's load options")
        }
        return values
    }

    /// The usage table must be read as training read it: rows of the same
    /// granularity, the model's metrics as levels or counts as they were.
    /// Either difference changes what every window over them means, silently.
    func refuseAnotherReading(of usage: Usage) throws {
        let trainedRowDays = model.usageRowDays ?? 1
        if trainedRowDays != usage.rowDays {
            func name(_ days: Int) -> String { days == 7 ? "weekly" : days == 1 ? "daily" : "\(days)-day" }
            throw ScoringError("this model was trained on \(name(trainedRowDays)) usage rows, and the usage table is read as \(name(usage.rowDays)) "
                + "(data.granularity: \(name(usage.rowDays))): its windows would mean something else. "
                + "Score with data.granularity: \(name(trainedRowDays)), or retrain on this export")
        }
        if let levels = model.levelMetrics {
            for metric in Set(model.signals.flatMap(\.metrics)).sorted() {
                guard let m = usage.metrics.firstIndex(of: metric), usage.isLevel[m] != levels.contains(metric) else { continue }
                let level = "a level (a day without a row is missing)", count = "a count (a day without a row is 0)"
                let wasLevel = levels.contains(metric)
                throw ScoringError("'\(metric)' was \(wasLevel ? level : count) in training, and this config reads it as \(wasLevel ? count : level): "
                    + "the model's windows over it would mean something else. \(wasLevel ? "Add it to" : "Leave it out of") data.level_metrics, as in training, or retrain")
            }
        }
    }

    /// What scoring needs at one as-of date: the signal tables at it and at
    /// each grace check date, and the accounts' facts.
    public struct Snapshot: Sendable {
        public var asOf: Day
        /// `tables[k]`: the active accounts' signals `offsets[k]` days before `asOf` (`tables[0]`: at it).
        public var tables: [SignalTable]
        public var offsets: [Int]
        public var accounts: [Int32]
        public var facts: [AccountFacts]
        public var rules: [AlertRule]
        public var warnings: [String]
    }

    public struct Prepared: Sendable {
        public let engine: SignalEngine
        public let rules: [AlertRule]
        public let warnings: [String]
        let graceOffsets: [Int]
        /// Per account (the accounts table's order), when the config names the column.
        let strategic: [Bool?]?
        let expansion: [Double?]?
        let renewals: RenewalsByAccount

        public func snapshot(asOf: Day, offsets: [Int]? = nil) -> Snapshot {
            let history = engine.history
            let active = history.activeAccounts(asOf: asOf)
            let offsets = offsets ?? graceOffsets
            let tables = offsets.map { back in engine.table(for: active.map { Observation(account: $0, asOf: asOf - back) }) }
            let accounts = history.accounts
            // The accounts table's renewal date is the next one as of the export: for an
            // earlier as-of date (a re-scoring, a backtest) it is a year or more ahead. The
            // renewal due then is in the renewals table when it was decided (a contract sets
            // its date, not the outcome, so nothing leaks).
            let facts = active.map { a -> AccountFacts in
                let i = Int(a)
                return AccountFacts(id: accounts.ids[i], segment: accounts.segment[i], owner: accounts.owner[i],
                                    contractValue: accounts.contractValue[i],
                                    renewalDate: renewals.first(account: a, after: asOf - 1)?.date ?? accounts.renewalDate[i] ?? accounts.signup[i],
                                    strategic: strategic?[i] ?? nil, expansion: expansion?[i] ?? nil)
            }
            return Snapshot(asOf: asOf, tables: tables, offsets: offsets, accounts: active, facts: facts, rules: rules, warnings: warnings)
        }
    }

    /// Scores a snapshot (its grace tables must be this scorer's `graceOffsets`, or a prefix of them).
    /// Only this scorer's own rules are evaluated: a snapshot another scorer prepared (the backtest
    /// scores one under the model a re-calibration replaced, for bands alone) may carry more.
    public func score(_ snapshot: Snapshot, context: ScoringContext = ScoringContext()) -> ScoreRun {
        let wanted = Set(graceOffsets)
        let tables = zip(snapshot.offsets, snapshot.tables).filter { wanted.contains($0.0) }.map(\.1)
        let rules = snapshot.rules.filter { alerts.rules.contains($0) }
        return assemble(tables: tables, rules: rules, facts: snapshot.facts, asOf: snapshot.asOf, context: context,
                        warnings: snapshot.warnings, fromUsage: true)
    }

    /// Scores a table whose signals are already computed (a flat table, or a
    /// signal table made elsewhere). It is one snapshot, so grace periods
    /// cannot be checked: rules fire on that snapshot alone.
    public func score(table: SignalTable, facts: [AccountFacts], asOf: Day, context: ScoringContext = ScoringContext()) -> ScoreRun {
        var warnings: [String] = []
        var rules: [AlertRule] = []
        var t = table
        var names = Set(table.definitions.map(\.name))
        for rule in alerts.rules {
            // A rule-only built-in (a trend against the segment's) is computed from the
            // table's own rows when the table has what it compares.
            for name in rule.signals where !names.contains(name) {
                guard let d = SignalDefinition.ruleOnly.first(where: { $0.name == name }), let added = t.appendingCohort(d) else { continue }
                t = added
                names.insert(name)
            }
            let missing = rule.signals.filter { !names.contains($0) }
            guard missing.isEmpty else { continue }
            rules.append(rule)
            let deps = rule.conditions.map { t.column($0.signal)! }
            t.definitions.append(SignalDefinition(name: Self.rulePrefix + rule.name, kind: .flag(rule.conditions), label: rule.label))
            t.raw.append(Parallel.column(rows: table.rowCount, serialBelow: 50_000) { r in rule.conditions.allHold(deps, row: r) ? 1 : 0 })
        }
        if rules.count < alerts.rules.count {
            warnings.append("\(alerts.rules.count - rules.count) alert rule\(alerts.rules.count - rules.count == 1 ? "" : "s") left out: the table has no column for the signals they read")
        }
        return assemble(tables: [t], rules: rules, facts: facts, asOf: asOf, context: context, warnings: warnings, fromUsage: false)
    }

    /// The contract values' lower and upper quartiles, the defaults of the
    /// severity's small and large contracts; (0, 0) without values, and not
    /// computed when the config sets both.
    func contractQuartiles(_ facts: [AccountFacts]) -> (small: Double, large: Double) {
        guard alerts.severity.largeContract == nil || alerts.severity.smallContract == nil else { return (0, 0) }
        return Self.quartiles(facts, \.contractValue) ?? (0, 0)
    }

    /// The expansion thresholds: the config's, else the quartiles of the
    /// values the scored accounts have; (∞, −∞), moving nothing, without a column or a value.
    func expansionThresholds(_ facts: [AccountFacts]) -> (small: Double, large: Double) {
        let severity = alerts.severity
        guard severity.expansionColumn != nil else { return (-.infinity, .infinity) }
        let q = severity.largeExpansion == nil || severity.smallExpansion == nil ? Self.quartiles(facts, \.expansion) : nil
        return (severity.smallExpansion ?? q?.small ?? -.infinity, severity.largeExpansion ?? q?.large ?? .infinity)
    }

    /// The lower and upper quartiles of a fact over the accounts that have it; nil when none has.
    static func quartiles(_ facts: [AccountFacts], _ fact: KeyPath<AccountFacts, Double?>) -> (small: Double, large: Double)? {
        // Read in place (`compactMap` copied each row's facts).
        var values: [Double] = []
        values.reserveCapacity(facts.count)
        facts.withUnsafeBufferPointer { f in for i in f.indices { if let v = f[i][keyPath: fact] { values.append(v) } } }
        if values.isEmpty { return nil }
        let q = quantiles(values, [0.25, 0.75])
        return (q[0], q[1])
    }

    /// The shared second half: probabilities, bands, reasons, alerts, severity.
    /// `tables[0]` is the as-of snapshot, the rest the grace check dates;
    /// `fromUsage` says the signals came from usage history (so its length is known).
    func assemble(tables: [SignalTable], rules: [AlertRule], facts: [AccountFacts], asOf: Day,
                  context: ScoringContext, warnings: [String], fromUsage: Bool) -> ScoreRun {
        var warnings = warnings
        let today = tables[0]
        let n = today.rowCount
        // Three independent steps, mostly on one core each, side by side: one flag
        // matrix of today's table for both the pattern features and the pattern
        // matches, the rows' segment codes, and the contract-value quartiles
        // the severity compares with.
        var flagMatrix: FlagMatrix?, rowSegments: RowSegments?, quartiles: (small: Double, large: Double) = (0, 0)
        var expansionCuts: (small: Double, large: Double) = (-.infinity, .infinity)
        DispatchQueue.concurrentPerform(iterations: 3) { step in
            switch step {
            case 0: quartiles = contractQuartiles(facts); expansionCuts = expansionThresholds(facts)
            case 1: flagMatrix = model.patterns.isEmpty ? nil : FlagMatrix(table: today, cuts: model.cuts)
            default: rowSegments = RowSegments(today)
            }
        }
        let todayFlags = flagMatrix, segments = rowSegments!
        let features = FeatureBuilder.columns(model.features, table: today, preparation: model.preparation, cuts: model.cuts,
                                              flags: todayFlags, segments: segments)
        let probabilities = FeatureBuilder.probabilities(model.features, columns: features, rows: n, intercept: model.intercept,
                                                         coefficients: model.coefficients.map(\.estimate))

        // Which rows are scored at all.
        let signalNames = model.features.compactMap { spec -> String? in if case let .signal(s) = spec.kind { return s } else { return nil } }
        let signalColumns = signalNames.map { today.column($0)! }
        // Missing signals counted a column at a time over a block of rows, blocks
        // on every core (a row at a time, each column array was retained and
        // released per cell); a reason is written only for a row that is rejected.
        let blockSize = 1 << 14, blocks = (n + blockSize - 1) / blockSize
        let perBlock = Parallel.map(blocks) { b -> (scored: [Int], rejected: [(row: Int, reason: String)]) in
            let rows = Parallel.block(b, of: blocks, rows: n)
            var missingCount = [Int32](repeating: 0, count: rows.count)
            missingCount.withUnsafeMutableBufferPointer { count in
                for column in signalColumns {
                    column.withUnsafeBufferPointer { x in for r in rows where x[r].isNaN { count[r - rows.lowerBound] += 1 } }
                }
            }
            var scored: [Int] = [], rejected: [(row: Int, reason: String)] = []
            scored.reserveCapacity(rows.count)
            for r in rows {
                if fromUsage && today.historyDays[r] < Double(settings.minimumHistoryDays) {
                    rejected.append((r, "only \(Int(today.historyDays[r])) day\(today.historyDays[r] == 1 ? "" : "s") of usage before \(asOf); the model needs \(settings.minimumHistoryDays) (scoring.min_history_days)"))
                } else if !signalNames.isEmpty && Double(missingCount[r - rows.lowerBound]) > settings.maximumImputedShare * Double(signalNames.count) {
                    let missing = signalNames.indices.filter { signalColumns[$0][r].isNaN }
                    rejected.append((r, "\(missing.count) of \(signalNames.count) model signals missing (\(missing.prefix(3).map { signalNames[$0] }.joined(separator: ", "))\(missing.count > 3 ? ", ..." : "")); over scoring.max_imputed_share"))
                } else {
                    scored.append(r)
                }
            }
            return (scored, rejected)
        }
        let rejectReason = Dictionary(uniqueKeysWithValues: perBlock.lazy.flatMap(\.rejected).map { ($0.row, $0.reason) })
        let scoredRows = [Int](unsafeUninitializedCapacity: n - rejectReason.count) { out, initialized in
            for block in perBlock.lazy.map(\.scored) where !block.isEmpty {
                block.withUnsafeBufferPointer { (out.baseAddress! + initialized).initialize(from: $0.baseAddress!, count: $0.count) }
                initialized += block.count
            }
        }

        // A signal missing for every scored account is a column this export lacks
        // (no `seats`, say) more often than a fact about the accounts: each is
        // scored with the training median in its place, which the user must know.
        if scoredRows.count >= Self.minimumRowsForAbsentSignals {
            let absent = signalNames.indices.filter { s in scoredRows.allSatisfy { signalColumns[s][$0].isNaN } }
            if !absent.isEmpty {
                warnings.append("model signal\(absent.count == 1 ? "" : "s") " + absent.map { "'\(signalNames[$0])'" }.joined(separator: ", ")
                    + " missing for all \(scoredRows.count) scored accounts, filled with the training median"
                    + " (a column missing from this export? seats, a usage metric, ...)")
            }
        }

        // Rules: held at every check date (grace) or today only.
        func ruleColumn(_ t: SignalTable, _ rule: AlertRule) -> [Double] { t.column(Self.rulePrefix + rule.name)! }
        // Flat, `rulesFired[k * n + r]`: the rows read it for every rule.
        var rulesFired = [Bool](repeating: true, count: rules.count * n)
        rulesFired.withUnsafeMutableBufferPointer { fires in
            for (k, rule) in rules.enumerated() {
                for t in rule.grace ? tables : [today] {
                    ruleColumn(t, rule).withUnsafeBufferPointer { x in for r in 0..<n where x[r] != 1 { fires[k * n + r] = false } }
                }
            }
        }
        let openCase = today.column(Self.openCaseSignal).map { c in c.map { $0 > 0 } } ?? Array(repeating: false, count: n)

        // Patterns: matched today (the `patterns` column), and held through the grace dates (the alert).
        let patternsToday = PatternMatcher.matches(model.patterns.map(\.definition), table: today, cuts: model.cuts, flags: todayFlags,
                                                   segments: segments)
        let persistent: [[Bool]] = {
            guard tables.count > 1 else { return patternsToday }
            // The grace dates' tables have today's rows, so today's segments.
            let earlier = tables.dropFirst().map {
                PatternMatcher.matches(model.patterns.map(\.definition), table: $0, cuts: model.cuts, segments: segments)
            }
            return patternsToday.indices.map { p in (0..<n).map { r in patternsToday[p][r] && earlier.allSatisfy { $0[p][r] } } }
        }()
        // Combined patterns only (order 2+): a single flag is already a rule or a signal.
        let patternOrder = model.patterns.indices.filter { model.patterns[$0].definition.flags.count >= 2 }
            .sorted { model.patterns[$0].churnRate > model.patterns[$1].churnRate }

        let reasons = ReasonBuilder(model: model, table: today, segments: segments, features: features, rows: scoredRows,
                                    count: settings.reasonCount)
        // Each segment's cut points looked up once, not per account, as plain
        // numbers: a `SegmentBands` read per row retained its arrays, which every
        // row of the segment shares, from every core.
        let segmentCuts = segments.names.map { name -> (cutPoints: (Double, Double, Double), known: Bool) in
            let c = (model.bands.segments[name] ?? model.bands.population).cutPoints
            return ((c[0], c[1], c[2]), model.bands.segments[name] != nil)
        }
        // What the rows read of the patterns, flat (`matches[p * n + r]`) and made
        // once, like the rules': nested arrays and rule values read per row were
        // retained per row, and the alerting set hashed each pattern number.
        func flat(_ columns: [[Bool]]) -> [Bool] {
            guard n > 0 else { return [] }
            return [Bool](unsafeUninitializedCapacity: columns.count * n) { out, initialized in
                for (k, column) in columns.enumerated() {
                    column.withUnsafeBufferPointer { (out.baseAddress! + k * n).initialize(from: $0.baseAddress!, count: n) }
                }
                initialized = columns.count * n
            }
        }
        let alertingOrder = patternOrder.filter { model.patterns[$0].lift >= alerts.patternMinimumLift }
        let alertingHeld = flat(alertingOrder.map { persistent[$0] })
        let alertingRule = alertingOrder.map { "pattern: \(model.patterns[$0].definition.name)" }
        // The pattern in words, then its training figures said as such: "X AND Y: 258 accounts, 48%
        // churned" read as 258 accounts matching it today.
        let alertingDetail = alertingOrder.map { p in
            let pattern = model.patterns[p]
            func percent(_ x: Double) -> Int { Int((x * 100).rounded()) }
            return "\(pattern.words) (in training \(percent(pattern.churnRate))% of its \(pattern.accounts) accounts churned, against a base rate of \(percent(pattern.churnRate / pattern.lift))%)"
        }
        let matchedToday = flat(patternOrder.map { patternsToday[$0] })
        let patternNames = patternOrder.map { model.patterns[$0].definition.name }
        // The playbook of an account at risk with no alert comes from its first reason that points to one.
        let playbookTypes = PlaybookTypes(rules: rules, definitions: today.definitions)
        let featureTypes: [AlertType?] = model.features.map { spec in
            switch spec.kind {
            case .segment: return nil
            case let .signal(name): return playbookTypes.type(ofSignal: name)
            case let .pattern(p): return p.flags.lazy.compactMap(playbookTypes.type(ofSignal:)).first ?? .pattern
            }
        }
        let large = alerts.severity.largeContract ?? quartiles.large
        let small = alerts.severity.smallContract ?? quartiles.small

        // Accounts are independent from here on: chunks of them on every core, joined in order.
        struct Chunk {
            var rejects: [RejectedAccount] = []
            var records: [AlertRecord] = []
            var unknown = Set<String>()
            /// The chunk's own copy of each segment's name for its rows: with one
            /// String shared by every row, both cores retained it row after row
            /// and its reference count's cache line went back and forth.
            var segmentNames: [String?]

            /// The chunk's own handle on the reasons, for the same reason.
            var reasonSource: ReasonSource?

            init(segmentCount: Int, reasons: ReasonBuilder? = nil) {
                segmentNames = Array(repeating: nil, count: segmentCount)
                reasonSource = reasons.map(ReasonSource.init)
            }

            mutating func segmentName(_ s: Int, of name: String) -> String {
                if let copy = segmentNames[s] { return copy }
                let copy = String(decoding: Array(name.utf8), as: UTF8.self)
                segmentNames[s] = copy
                return copy
            }
        }
        /// The account's row, or nil when it is rejected (the reject, the alerts and an unknown segment go to `out`).
        func assess(_ r: Int, _ factsBase: UnsafePointer<AccountFacts>, into out: inout Chunk) -> ScoredAccount? {
            // Read in place: a copy of the facts retained and released the shared segment string from every core.
            let f = factsBase + r
            var candidates: [(rule: String, type: AlertType, severity: Severity, detail: String)] = []
            for k in rules.indices where rulesFired[k * n + r] {
                candidates.append((rules[k].name, rules[k].type, rules[k].severity, rules[k].label))
            }
            var band: Band?, health = 0.0, change: Int?
            let previous = context.previousBands.isEmpty ? nil : context.previousBands[f.pointee.id]
            if rejectReason.isEmpty || rejectReason[r] == nil {
                health = ChurnModel.healthScore(churnProbability: probabilities[r])
                let cuts = segmentCuts[segments.of[r]]
                if !cuts.known { out.unknown.insert(f.pointee.segment) }
                let b = SegmentBands.band(health: health, cutPoints: cuts.cutPoints)
                band = b
                if let previous { change = b.index - previous.index }
                if let drop = context.bandDrop, let baseline = drop.bands[f.pointee.id], b < baseline {
                    candidates.append(("band_drop", .bandDrop, b == .red ? .high : .medium,
                                       "band fell from \(baseline)" + (drop.isPreviousRun ? "" : " (\(drop.day))") + " to \(b)"))
                }
                for j in alertingOrder.indices where alertingHeld[j * n + r] {
                    candidates.append((alertingRule[j], .pattern, .high, alertingDetail[j]))
                }
            }
            var fired: [(type: AlertType, severity: Severity)] = [], held: [String] = []
            for c in candidates {
                var why: String?
                if c.type == .bandDrop, let drop = context.bandDrop, drop.fromAnotherModel {
                    why = drop.isPreviousRun ? "model changed since the previous run" : "model changed since \(drop.day)"
                }
                else if context.engaged.contains(f.pointee.id) { why = "CSM engaged" }
                else if let code = context.dismissed[f.pointee.id]?[c.type] { why = "dismissed: \(code)" }
                else if c.type.isUsageAlert && openCase[r] { why = "support case open" }
                out.records.append(AlertRecord(accountID: f.pointee.id, rule: c.rule, type: c.type, severity: c.severity,
                                               status: why == nil ? .fired : .suppressed, suppressedBecause: why, detail: c.detail))
                if let why {
                    let h = "\(c.type.rawValue) (\(why))"
                    if !held.contains(h) { held.append(h) }
                } else {
                    fired.append((c.type, c.severity))
                }
            }
            // One entry per type, the most severe first.
            var types: [(type: AlertType, severity: Severity)] = []
            for a in fired {
                if let i = types.firstIndex(where: { $0.type == a.type }) { types[i].severity = max(types[i].severity, a.severity) }
                else { types.append(a) }
            }
            types.sort { ($0.severity, $1.type) > ($1.severity, $0.type) }
            let renewal = f.pointee.nextRenewal(asOf: asOf)
            let days = renewal.map { $0 - asOf }
            // The model speaks for accounts `leadDays` from their renewal: the churn probability output
            // takes this account's distance into account. The health score and band stay on the lead's
            // scale, so they read the account's use alone and do not drop the day after a renewal,
            // when the next one is suddenly a year away.
            let churnProbability = model.distanceCalibration?.adjust(probabilities[r], daysToRenewal: days) ?? probabilities[r]
            let severity = alerts.severity.severity(alerts: types.map(\.severity), band: band?.rawValue,
                                                    contractValue: f.pointee.contractValue, daysToRenewal: days, large: large, small: small,
                                                    strategic: f.pointee.strategic, expansion: f.pointee.expansion,
                                                    largeExpansion: expansionCuts.large, smallExpansion: expansionCuts.small)
            var playbook = types.first.map { Playbook.forType($0.type) } ?? ""
            if types.isEmpty && severity != .none, band != nil {
                // A type the CSM dismissed for this account ("seasonal") is no plan for it either.
                let dismissed = context.dismissed[f.pointee.id]
                let reason = out.reasonSource?.builder.firstFeature(row: r) { featureTypes[$0].map { dismissed?[$0] == nil } ?? false }
                playbook = reason.map { Playbook.forType(featureTypes[$0]!) } ?? Playbook.reviewReasons
            }
            if severity == .critical, let d = days, d <= alerts.severity.renewalSoonDays { playbook = Playbook.criticalNearRenewal }

            guard let band else {
                out.rejects.append(RejectedAccount(accountID: f.pointee.id, segment: f.pointee.segment, owner: f.pointee.owner,
                                                   asOf: asOf, reason: rejectReason[r]!, alertTypes: types.map(\.type), playbook: playbook))
                return nil
            }
            return ScoredAccount(
                accountID: f.pointee.id, segment: out.segmentName(segments.of[r], of: f.pointee.segment), owner: f.pointee.owner,
                asOf: asOf,
                churnProbability: churnProbability, healthScore: health, band: band,
                previousBand: previous, bandChange: change, severity: severity, alertTypes: types.map(\.type),
                reasons: Reasons(source: out.reasonSource!, row: r),
                patterns: patternOrder.indices.filter { matchedToday[$0 * n + r] }.map { patternNames[$0] },
                playbook: playbook, contractValue: f.pointee.contractValue, renewalDate: renewal, daysToRenewal: days,
                suppressed: held,
                newAlertTypes: context.previousAlerts.map { previous in
                    let before = previous[f.pointee.id] ?? []
                    return types.map(\.type).filter { !before.contains($0) }
                },
                endedAlertTypes: context.previousAlerts.map { previous in
                    guard let before = previous[f.pointee.id] else { return [] }
                    return AlertType.ended(firedBefore: before, firingNow: { type in types.contains { $0.type == type } })
                })
        }
        let chunkCount = Parallel.blockCount(rows: n, serialBelow: 20_000, perCore: 4)
        var chunks = [Chunk](repeating: Chunk(segmentCount: 0), count: chunkCount)
        // Scored rows go straight to their final place (the k-th scored account
        // is row k): joining per-chunk arrays cost as much as building them.
        var slot = [Int](repeating: -1, count: n)
        for (k, r) in scoredRows.enumerated() { slot[r] = k }
        let rows = [ScoredAccount](unsafeUninitializedCapacity: scoredRows.count) { rowBuffer, initialized in
            let rowBase = rowBuffer.baseAddress
            chunks.withUnsafeMutableBufferPointer { buffer in
            facts.withUnsafeBufferPointer { facts in
                let base = buffer.baseAddress!, factsBase = facts.baseAddress!
                DispatchQueue.concurrentPerform(iterations: chunkCount) { c in
                    var out = Chunk(segmentCount: segments.names.count, reasons: reasons)
                    for r in Parallel.block(c, of: chunkCount, rows: n) {
                        if let row = assess(r, factsBase, into: &out) { (rowBase! + slot[r]).initialize(to: row) }
                    }
                    base[c] = out
                }
            }
            }
            initialized = scoredRows.count
        }
        let rejects = chunks.flatMap(\.rejects), records = chunks.flatMap(\.records)
        let unknownSegments = chunks.reduce(into: Set<String>()) { $0.formUnion($1.unknown) }
        for s in unknownSegments.sorted() {
            warnings.append("segment '\(s)' was not in the training data: its accounts use the population's band cut points")
        }
        var run = ScoreRun(asOf: asOf, rows: rows, rejects: rejects, alerts: records, warnings: warnings)
        run.alertRules = rules.count
        run.bandsComparedAcrossModels = context.previousBandsFromAnotherModel && !context.previousBands.isEmpty
        run.previousRun = context.previousAlerts == nil ? nil : context.previousRun
        run.combinedPatterns = patternOrder.map { p in
            ScoreRun.CombinedPattern(name: model.patterns[p].definition.name, description: model.patterns[p].words, churnRate: model.patterns[p].churnRate)
        }
        return run
    }
}

/// What the output needs to know about an account besides its signals.
/// The renewal date may be stale (or the signup date, for annual
/// contracts): the scorer rolls it forward to the next anniversary.
public struct AccountFacts: Equatable, Sendable {
    public var id: String
    public var segment: String
    public var owner: String?
    public var contractValue: Double?
    public var renewalDate: Day?
    /// From `alerts.severity`'s `strategic_column` and `expansion_column`; nil without one or for an empty cell.
    public var strategic: Bool?
    public var expansion: Double?
    public init(id: String, segment: String, owner: String? = nil, contractValue: Double? = nil, renewalDate: Day? = nil,
                strategic: Bool? = nil, expansion: Double? = nil) {
        self.id = id
        self.segment = segment
        self.owner = owner
        self.contractValue = contractValue
        self.renewalDate = renewalDate
        self.strategic = strategic
        self.expansion = expansion
    }

    /// The renewal on or after the day (`RenewalCalendar`), nil without a renewal date.
    public func nextRenewal(asOf day: Day) -> Day? { renewalDate.map { RenewalCalendar.next($0, onOrAfter: day) } }

    /// Days from the day to that renewal.
    public func daysToRenewal(asOf day: Day) -> Int? { nextRenewal(asOf: day).map { $0 - day } }
}

/// Annual renewals: the next renewal on or after a date.
public enum RenewalCalendar {
    /// `date` itself when it is on or after `day`, else its next anniversary
    /// that is (a stale renewal date in the accounts table rolls forward; a
    /// 29 February anniversary falls on 28 February in other years).
    public static func next(_ date: Day, onOrAfter day: Day) -> Day {
        guard date < day else { return date }
        let (_, m, d) = date.components
        var year = day.components.year - 1
        while true {
            let candidate = Day(year: year, month: m, day: min(d, Day.daysIn(month: m, year: year)))!
            if candidate >= day { return candidate }
            year += 1
        }
    }
}

/// Which rows match each pattern.
enum PatternMatcher {
    static func matches(_ patterns: [PatternDefinition], table: SignalTable, cuts: [DataDrivenCut],
                        flags: FlagMatrix? = nil, segments: RowSegments? = nil) -> [[Bool]] {
        guard !patterns.isEmpty else { return [] }
        let flags = flags ?? FlagMatrix(table: table, cuts: cuts)
        let segments = segments ?? RowSegments(table)
        // A pattern per core at a time: each is a pass over every row.
        func rows(_ p: Int) -> [Bool] { flags.rows(matching: patterns[p], segments: segments) }
        return Parallel.map(patterns.count, rows: table.rowCount, serialBelow: 50_000, rows)
    }
}
