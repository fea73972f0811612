import Foundation

/// How to read the three tables: paths, column names, the problem policy.
public struct LoadOptions: Sendable {
    public var accountsPath: String
    public var usagePath: String
    public var renewalsPath: String?
    /// Contract column → user's column, per table ("accounts", "usage", "renewals").
    public var columns: [String: [String: String]] = [:]
    /// Usage metric columns; nil = every numeric column besides account and date.
    public var metrics: [String]?
    /// Metrics that are levels (a day without a row is missing). Nil: the
    /// contract's csat, when the file has it; given, each must be a metric of
    /// the file (a misspelt one would leave the real metric read as a count).
    public var levelMetrics: Set<String>?
    /// Days each usage row covers: 1 for daily rows, 7 for weekly rows dated by
    /// their week's first day (`data.granularity`). See `Usage.rowDays`.
    public var rowDays = 1
    /// Extra columns of the accounts table, by the file's own names, read as
    /// yes/no and as numbers ≥ 0 (what the severity reads: `alerts.severity`'s
    /// `strategic_column` and `expansion_column`). A named column must be there.
    public var accountFlags: [String] = []
    public var accountNumbers: [String] = []
    /// Leave problem rows out (listing them all) instead of failing.
    public var skipProblems = false
    /// Show progress on stderr when it is a terminal.
    public var progress = true

    public init(accountsPath: String, usagePath: String, renewalsPath: String?) {
        self.accountsPath = accountsPath
        self.usagePath = usagePath
        self.renewalsPath = renewalsPath
    }

    func column(_ name: String, _ table: String) -> String { columns[table]?[name] ?? name }
}

/// Reads accounts, usage and renewals into typed columns and checks them
/// against each other: duplicate account ids, usage for unknown accounts,
/// unparseable dates and numbers, outcomes that are neither renewed nor
/// churned, renewals before signup, duplicate usage days.
///
/// Every problem is recorded with file, line, column and value. With
/// `skipProblems` the offending rows are left out (and all problems kept for
/// the report); otherwise loading finishes, then throws `InputProblems`
/// listing the first problems and the count, so a user sees them all at once.
public struct HistoryLoader {
    public var options: LoadOptions

    public init(options: LoadOptions) { self.options = options }

    /// Loads everything; throws `InputProblems` when there are problems and
    /// the policy is to fail, `DataError` when a file cannot be read at all.
    public func load() throws -> History {
        let history = try loadCollectingProblems()
        try refuseUnlessSkipped(history.problems)
        return history
    }

    /// Loads what can be loaded, with every problem row left out and listed.
    public func loadCollectingProblems() throws -> History {
        var problems = newProblemList()
        let accounts = try loadAccounts(&problems)
        let (usage, ignored) = try loadUsage(accounts, &problems)
        let renewals = try options.renewalsPath.map { try loadRenewals(accounts, &problems, path: $0) } ?? Renewals()
        var history = History(accounts: accounts, usage: usage, renewals: renewals, problems: problems, ignoredUsageColumns: ignored)
        if options.metrics != nil { history.ignoredUsageReason = "not in data.metrics" }
        return history
    }

    /// The accounts and renewal decisions alone (no usage), for what needs
    /// only outcomes; problems are handled as `load()` handles them.
    public func loadDecisions() throws -> (accounts: Accounts, renewals: Renewals) {
        var problems = newProblemList()
        let accounts = try loadAccounts(&problems)
        let renewals = try options.renewalsPath.map { try loadRenewals(accounts, &problems, path: $0) } ?? Renewals()
        try refuseUnlessSkipped(problems)
        return (accounts, renewals)
    }

    /// Every problem is kept when they are skipped (the problem report lists them), else the first 50.
    private func newProblemList() -> ProblemList { ProblemList(keep: options.skipProblems ? 1_000_000 : 50) }

    /// Problems end the load unless `data.on_problem: skip` leaves their rows out.
    private func refuseUnlessSkipped(_ problems: ProblemList) throws {
        if !options.skipProblems && !problems.isEmpty { throw InputProblems(problems: problems) }
    }

    // MARK: - Columns

    /// Positions of the wanted columns in a header; missing required ones throw.
    private func locate(_ header: [String], table: String, path: String, required: [String], optional: [String]) throws -> [String: Int] {
        var found: [String: Int] = [:]
        for name in required + optional {
            let userName = options.column(name, table)
            if let i = header.firstIndex(of: userName) { found[name] = i } else if required.contains(name) {
                throw DataError.missingColumn(file: path, column: userName, available: header)
            }
        }
        return found
    }

    private static func text(_ f: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: f, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    // MARK: - Accounts

    public func loadAccounts(_ problems: inout ProblemList) throws -> Accounts {
        let path = options.accountsPath
        var a = Accounts()
        var header: [String]?
        var col: [String: Int] = [:]
        try CSVReader(path: path).forEachRecord { rec in
            guard header != nil else {
                header = rec.strings.map { $0.trimmingCharacters(in: .whitespaces) }
                col = try locate(header!, table: "accounts", path: path,
                                 required: ["account_id", "segment", "signup_date", "contract_value"],
                                 optional: ["renewal_date", "owner", "seats"])
                for extra in options.accountFlags + options.accountNumbers {
                    guard let i = header!.firstIndex(of: extra) else {
                        throw DataError.missingColumn(file: path, column: extra, available: header!)
                    }
                    col[extra] = i
                }
                for name in options.accountFlags { a.flags[name] = [] }
                for name in options.accountNumbers { a.numbers[name] = [] }
                return
            }
            let name = { (c: String) in options.column(c, "accounts") }
            func problem(_ c: String, _ v: String, _ m: String) { problems.add(Problem(file: path, line: rec.line, column: name(c), value: v, message: m)) }
            guard rec.fieldCount == header!.count else {
                problems.add(Problem(file: path, line: rec.line, column: "", value: "", message: "\(rec.fieldCount) fields but the header has \(header!.count)"))
                return
            }
            let id = Self.text(rec.field(col["account_id"]!))
            let segment = Self.text(rec.field(col["segment"]!))
            if id.isEmpty { problem("account_id", "", "is empty; every account needs an id"); return }
            if let first = a.index[id] {
                problem("account_id", id, "is a duplicate account id (first on line \(a.lines[Int(first)]))"); return
            }
            // From here on the id is known, so other tables' rows naming it can say its row had a problem.
            func reject(_ c: String, _ v: String, _ m: String) {
                problem(c, v, m)
                a.rejectedLines[id] = a.rejectedLines[id] ?? rec.line
            }
            if segment.isEmpty { reject("segment", "", "is empty; every account needs a segment"); return }
            guard let signup = Day.parse(rec.field(col["signup_date"]!)) else {
                let text = Self.text(rec.field(col["signup_date"]!)); reject("signup_date", text, Day.notADate(text)); return
            }
            let cvText = rec.field(col["contract_value"]!)
            guard let cv = NumberParsing.parseDouble(cvText), cv.isFinite, cv >= 0 else {
                reject("contract_value", Self.text(cvText), "is not a number >= 0"); return
            }
            var renewal: Day?
            if let c = col["renewal_date"], rec.field(c).contains(where: { $0 != 0x20 }) {
                guard let d = Day.parse(rec.field(c)) else {
                    let text = Self.text(rec.field(c)); reject("renewal_date", text, Day.notADate(text, orEmpty: true)); return
                }
                renewal = d
            }
            var seats: Double?
            if let c = col["seats"], rec.field(c).contains(where: { $0 != 0x20 }) {
                guard let s = NumberParsing.parseDouble(rec.field(c)), s >= 0, s == s.rounded() else {
                    reject("seats", Self.text(rec.field(c)), "is not a whole number >= 0"); return
                }
                seats = s
            }
            var flags: [Bool?] = [], numbers: [Double?] = []
            for name in options.accountFlags {
                let text = Self.text(rec.field(col[name]!))
                if text.isEmpty { flags.append(nil); continue }
                guard let v = BinaryLabel.parseYesNo(text) else {
                    reject(name, text, "is not yes or no (\(BinaryLabel.yesNo))"); return
                }
                flags.append(v)
            }
            for name in options.accountNumbers {
                let field = rec.field(col[name]!)
                if !field.contains(where: { $0 != 0x20 }) { numbers.append(nil); continue }
                guard let v = NumberParsing.parseDouble(field), v.isFinite, v >= 0 else {
                    reject(name, Self.text(field), "is not a number >= 0"); return
                }
                numbers.append(v)
            }
            for (name, v) in zip(options.accountFlags, flags) { a.flags[name]!.append(v) }
            for (name, v) in zip(options.accountNumbers, numbers) { a.numbers[name]!.append(v) }
            let owner = col["owner"].map { Self.text(rec.field($0)) }
            a.index[id] = Int32(a.ids.count)
            a.ids.append(id)
            a.segment.append(segment)
            a.signup.append(signup)
            a.contractValue.append(cv)
            a.renewalDate.append(renewal)
            a.owner.append(owner?.isEmpty == false ? owner : nil)
            a.seats.append(seats)
            a.lines.append(rec.line)
        }
        if header == nil { throw DataError.empty(file: path) }
        return a
    }

    // MARK: - Usage

    public func loadUsage(_ accounts: Accounts, _ problems: inout ProblemList) throws -> (Usage, [String]) {
        let path = options.usagePath
        let reader = CSVReader(path: path)
        let header = try reader.header()
        let col = try locate(header, table: "usage", path: path, required: ["account_id", "date"], optional: [])
        let idColumn = col["account_id"]!, dateColumn = col["date"]!
        var metricNames: [String]
        var ignored: [String] = []
        if let wanted = options.metrics {
            for m in wanted where !header.contains(m) { throw DataError.missingColumn(file: path, column: m, available: header) }
            metricNames = wanted
            ignored = header.enumerated().filter { $0.offset != idColumn && $0.offset != dateColumn && !wanted.contains($0.element) }.map(\.element)
        } else {
            (metricNames, ignored) = try sniffMetrics(reader: reader, header: header, skip: [idColumn, dateColumn])
        }
        let metricColumns = metricNames.map { header.firstIndex(of: $0)! }

        var u = Usage()
        u.metrics = metricNames
        let levels = options.levelMetrics ?? ["csat"]
        u.isLevel = metricNames.map { levels.contains($0) }
        if let unknown = options.levelMetrics?.sorted().first(where: { !metricNames.contains($0) }) {
            throw DataError.invalid(file: path, message: "data.level_metrics names '\(unknown)', which is not a metric of this file (metrics: \(metricNames.joined(separator: ", ")))")
        }
        let progress = ProgressReporter(label: (path as NSString).lastPathComponent, enabled: options.progress)
        var metricOf = [Int](repeating: -1, count: header.count)
        for (m, c) in metricColumns.enumerated() { metricOf[c] = m }
        let fast = UsageFastParser(path: path, columnCount: header.count, idColumn: idColumn, dateColumn: dateColumn,
                                   metricOf: metricOf, metricNames: metricNames, header: header, accountsPath: options.accountsPath)
        do {
            let out = try fast.read(accounts: accounts, reserve: Self.estimatedRows(path: path), progress: progress)
            u.account = out.account; u.day = out.day; u.line = out.line; u.values = out.values
            for p in out.problems { problems.add(p) }
        } catch UsageFastParser.Outcome.needsGeneralReader {
            try readUsageGenerally(&u, reader: reader, header: header, idColumn: idColumn, dateColumn: dateColumn,
                                   metricColumns: metricColumns, accounts: accounts, problems: &problems, progress: progress)
        }
        progress.finish()
        try sortByAccountAndDay(&u, accountCount: accounts.count, path: path, problems: &problems)
        if options.rowDays > 1 {
            // A week is known once it is over: dated by its last day, a week's row
            // is used only by as-of dates after the whole week (no leakage from
            // the days of a week that fall on or after an observation date).
            u.rowDays = options.rowDays
            let shift = Int32(options.rowDays - 1)
            u.day.withUnsafeMutableBufferPointer { d in for r in d.indices { d[r] += shift } }
        }
        return (u, ignored)
    }

    /// The general RFC 4180 path for usage files the fast parser does not take (quotes).
    private func readUsageGenerally(_ u: inout Usage, reader: CSVReader, header: [String], idColumn: Int, dateColumn: Int,
                                    metricColumns: [Int], accounts: Accounts, problems: inout ProblemList,
                                    progress: ProgressReporter) throws {
        let path = options.usagePath
        let metricNames = u.metrics
        let k = metricNames.count
        u.values = Array(repeating: [], count: k)
        // Reserve from the file size so the columns do not double past need.
        let estimate = Self.estimatedRows(path: path)
        u.account.reserveCapacity(estimate); u.day.reserveCapacity(estimate); u.line.reserveCapacity(estimate)
        for m in 0..<k { u.values[m].reserveCapacity(estimate) }

        var lastIdBytes: [UInt8] = []
        var lastIndex: Int32 = -1
        var first = true
        var row = [Double](repeating: 0, count: k)
        try reader.forEachRecord(progress: progress) { rec in
            if first { first = false; return }
            guard rec.fieldCount == header.count else {
                problems.add(Problem(file: path, line: rec.line, column: "", value: "", message: "\(rec.fieldCount) fields but the header has \(header.count)"))
                return
            }
            // Account: usage files are usually grouped by account, so compare
            // bytes with the previous row before hashing a new String.
            let idBytes = rec.field(idColumn)
            var accountIndex: Int32
            if lastIndex >= 0, idBytes.elementsEqual(lastIdBytes) {
                accountIndex = lastIndex
            } else {
                let id = Self.text(idBytes)
                guard let found = accounts.index[id] else {
                    problems.add(Problem(file: path, line: rec.line, column: header[idColumn], value: id,
                                         message: accounts.unknownAccountMessage(id, accountsPath: options.accountsPath),
                                         unknownAccount: true))
                    return
                }
                accountIndex = found
                lastIdBytes = Array(idBytes)
                lastIndex = found
            }
            guard let day = Day.parse(rec.field(dateColumn)) else {
                let text = Self.text(rec.field(dateColumn))
                problems.add(Problem(file: path, line: rec.line, column: header[dateColumn], value: text, message: Day.notADate(text)))
                return
            }
            for m in 0..<k {
                let f = rec.field(metricColumns[m])
                if let v = NumberParsing.parseDouble(f), v.isFinite {
                    row[m] = v
                } else if f.allSatisfy({ $0 == 0x20 }) {
                    row[m] = .nan
                } else {
                    problems.add(Problem(file: path, line: rec.line, column: metricNames[m], value: Self.text(f),
                                         message: "is not a number (leave the cell empty for a missing value)"))
                    return
                }
            }
            u.account.append(accountIndex)
            u.day.append(day.number)
            u.line.append(Int32(clamping: rec.line))
            for m in 0..<k { u.values[m].append(row[m]) }
        }
    }

    /// Metrics by default: the columns where most of the first 500 non-empty
    /// cells are numbers (the others are then reported as bad values, not
    /// silently turned into text).
    private func sniffMetrics(reader: CSVReader, header: [String], skip: Set<Int>) throws -> ([String], [String]) {
        var numbers = Array(repeating: 0, count: header.count)
        var seen = Array(repeating: 0, count: header.count)
        var rows = 0
        struct Stop: Error {}
        do {
            try reader.forEachRecord { rec in
                rows += 1
                if rows == 1 || rec.fieldCount != header.count { return }
                for c in 0..<header.count where !skip.contains(c) {
                    let f = rec.field(c)
                    if f.allSatisfy({ $0 == 0x20 }) { continue }
                    seen[c] += 1
                    if NumberParsing.parseDouble(f) != nil { numbers[c] += 1 }
                }
                if rows > 500 { throw Stop() }
            }
        } catch is Stop {}
        var metrics: [String] = [], ignored: [String] = []
        for c in 0..<header.count where !skip.contains(c) {
            if 2 * numbers[c] > seen[c] || seen[c] == 0 { metrics.append(header[c]) } else { ignored.append(header[c]) }
        }
        return (metrics, ignored)
    }

    /// Rows to make room for before reading a usage file: a little more than
    /// it holds, so the columns are never copied to grow (room never written
    /// costs no memory). Plain rows run ~40-60 bytes.
    static func estimatedRows(path: String) -> Int {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else { return 0 }
        guard path.hasSuffix(".gz") else { return size / 36 }
        // gzip typically shrinks these files 4-6x; its last four bytes hold the
        // inflated size modulo 2^32, exact below 4 GB (above, the floor decides).
        // Past 30x the trailer is not believed (a file that is not one gzip stream).
        let inflated = min(gzipInflatedSize(path: path, size: size) ?? 0, size * 30)
        return max(size / 9, inflated / 36)
    }

    /// The inflated size a gzip file's trailer records (ISIZE, little-endian).
    static func gzipInflatedSize(path: String, size: Int) -> Int? {
        guard size >= 18, let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        guard (try? file.seek(toOffset: UInt64(size - 4))) != nil, let tail = try? file.read(upToCount: 4), tail.count == 4 else {
            return nil
        }
        return tail.reversed().reduce(0) { $0 << 8 | Int($1) }
    }

    /// Orders rows by (account, day) with a counting sort on the account and
    /// an insertion sort by day inside each account (exports are usually
    /// already in date order, where that is linear), then reports rows that
    /// overlap the one before (the same day; with weekly rows, under 7 days
    /// after it) and keeps the first.
    private func sortByAccountAndDay(_ u: inout Usage, accountCount: Int, path: String, problems: inout ProblemList) throws {
        let n = u.count
        // The usual export is already ordered with one row per day: then there is
        // nothing to move, and each account's rows start where a binary search says.
        if options.rowDays == 1 && Self.isStrictlyIncreasing(u.account, u.day) {
            u.start = u.account.withUnsafeBufferPointer { a in
                (0...accountCount).map { account in
                    var lo = 0, hi = n // first row whose account is >= `account`
                    while lo < hi { let mid = (lo + hi) / 2; if Int(a[mid]) < account { lo = mid + 1 } else { hi = mid } }
                    return lo
                }
            }
            return
        }
        var start = [Int](repeating: 0, count: accountCount + 1)
        for a in u.account { start[Int(a) + 1] += 1 }
        for a in 0..<accountCount { start[a + 1] += start[a] }
        var sortedAlready = true
        for r in 1..<max(n, 1) where u.account[r] < u.account[r - 1] || (u.account[r] == u.account[r - 1] && u.day[r] < u.day[r - 1]) {
            sortedAlready = false; break
        }
        if !sortedAlready {
            var next = start
            var order = [Int](repeating: 0, count: n)
            for r in 0..<n { let a = Int(u.account[r]); order[next[a]] = r; next[a] += 1 }
            for a in 0..<accountCount {
                var i = start[a] + 1
                while i < start[a + 1] {
                    let v = order[i]
                    var j = i - 1
                    while j >= start[a] && u.day[order[j]] > u.day[v] { order[j + 1] = order[j]; j -= 1 }
                    order[j + 1] = v
                    i += 1
                }
            }
            u.account = order.map { u.account[$0] }
            u.day = order.map { u.day[$0] }
            u.line = order.map { u.line[$0] }
            for m in 0..<u.metrics.count { u.values[m] = u.values[m].selecting(order) }
        }
        // Overlapping rows: keep the first, and compare the next with the last kept.
        var keep = [Bool](repeating: true, count: n)
        var duplicates = 0, kept = 0
        for r in 1..<max(n, 1) {
            guard u.account[r] == u.account[kept] else { kept = r; continue }
            let gap = Int(u.day[r] - u.day[kept])
            guard gap < options.rowDays else { kept = r; continue }
            keep[r] = false
            duplicates += 1
            problems.add(Problem(file: path, line: Int(u.line[r]), column: options.column("date", "usage"),
                                 value: Day(number: u.day[r]).description,
                                 message: gap == 0 ? "is a second usage row for this account and date (first on line \(u.line[kept]))"
                                    : "is \(gap) day\(gap == 1 ? "" : "s") after this account's row on line \(u.line[kept]): "
                                      + "weekly rows (data.granularity: weekly) are 7 days apart"))
        }
        if duplicates > 0 {
            let idx = (0..<n).filter { keep[$0] }
            u.account = idx.map { u.account[$0] }
            u.day = idx.map { u.day[$0] }
            u.line = idx.map { u.line[$0] }
            for m in 0..<u.metrics.count { u.values[m] = u.values[m].selecting(idx) }
            start = [Int](repeating: 0, count: accountCount + 1)
            for a in u.account { start[Int(a) + 1] += 1 }
            for a in 0..<accountCount { start[a + 1] += start[a] }
        }
        u.start = start
    }

    /// Whether the rows are ordered by (account, day) with no day twice, checked
    /// on every core (a pass over tens of MB that would otherwise run alone).
    static func isStrictlyIncreasing(_ account: [Int32], _ day: [Int32]) -> Bool {
        let n = account.count
        guard n > 1 else { return true }
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, n / (1 << 20)))
        let ordered = account.withUnsafeBufferPointer { a in
        day.withUnsafeBufferPointer { d in
            Parallel.map(parts) { t -> Bool in
                // (account, day) as one 64-bit key: account above, day below.
                func key(_ r: Int) -> Int64 { Int64(a[r]) << 32 + Int64(d[r]) }
                var disorder = 0
                let rows = Parallel.block(t, of: parts, rows: n)
                var previous = key(max(0, rows.lowerBound - 1))
                for r in max(1, rows.lowerBound)..<rows.upperBound {
                    let k = key(r)
                    disorder |= k <= previous ? 1 : 0
                    previous = k
                }
                return disorder == 0
            }
        }}
        return ordered.allSatisfy { $0 }
    }

    // MARK: - Renewals

    func loadRenewals(_ accounts: Accounts, _ problems: inout ProblemList, path: String) throws -> Renewals {
        var r = Renewals()
        var header: [String]?
        var col: [String: Int] = [:]
        var seen: [Int64: Int] = [:]
        try CSVReader(path: path).forEachRecord { rec in
            guard header != nil else {
                header = rec.strings.map { $0.trimmingCharacters(in: .whitespaces) }
                col = try locate(header!, table: "renewals", path: path, required: ["account_id", "renewal_date", "outcome"],
                                 optional: ["contract_value"])
                return
            }
            func problem(_ c: String, _ v: String, _ m: String) {
                problems.add(Problem(file: path, line: rec.line, column: options.column(c, "renewals"), value: v, message: m))
            }
            guard rec.fieldCount == header!.count else {
                problems.add(Problem(file: path, line: rec.line, column: "", value: "", message: "\(rec.fieldCount) fields but the header has \(header!.count)"))
                return
            }
            let id = Self.text(rec.field(col["account_id"]!))
            guard let a = accounts.index[id] else {
                problems.add(Problem(file: path, line: rec.line, column: options.column("account_id", "renewals"), value: id,
                                     message: accounts.unknownAccountMessage(id, accountsPath: options.accountsPath),
                                     unknownAccount: true))
                return
            }
            guard let date = Day.parse(rec.field(col["renewal_date"]!)) else {
                let text = Self.text(rec.field(col["renewal_date"]!)); problem("renewal_date", text, Day.notADate(text)); return
            }
            let outcomeText = Self.text(rec.field(col["outcome"]!))
            let churned: Bool
            switch outcomeText.lowercased() {
            case "churned": churned = true
            case "renewed": churned = false
            default: problem("outcome", outcomeText, "is neither renewed nor churned"); return
            }
            if date < accounts.signup[Int(a)] {
                problem("renewal_date", date.description, "is before the account's signup date \(accounts.signup[Int(a)])"); return
            }
            let key = Int64(a) << 32 | Int64(UInt32(bitPattern: date.number))
            if let firstLine = seen[key] {
                problem("renewal_date", date.description, "is a second renewal decision for \(id) on this date (first on line \(firstLine))"); return
            }
            var cv: Double?
            if let c = col["contract_value"], rec.field(c).contains(where: { $0 != 0x20 }) {
                guard let v = NumberParsing.parseDouble(rec.field(c)), v >= 0 else {
                    problem("contract_value", Self.text(rec.field(c)), "is not a number >= 0"); return
                }
                cv = v
            }
            seen[key] = rec.line
            r.account.append(a)
            r.date.append(date)
            r.churned.append(churned)
            r.contractValue.append(cv)
            r.lines.append(rec.line)
        }
        if header == nil { throw DataError.empty(file: path) }
        return r
    }
}
