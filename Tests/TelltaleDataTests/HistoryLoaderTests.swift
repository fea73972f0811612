import Foundation
import Testing
@testable import TelltaleData

/// Writes small tables into a fresh folder.
struct TinyHistory {
    let dir: URL
    init(accounts: String, usage: String, renewals: String) {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("telltale-hist-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try! Data(accounts.utf8).write(to: dir.appendingPathComponent("accounts.csv"))
        try! Data(usage.utf8).write(to: dir.appendingPathComponent("usage.csv"))
        try! Data(renewals.utf8).write(to: dir.appendingPathComponent("renewals.csv"))
    }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    var options: LoadOptions {
        var o = LoadOptions(accountsPath: path("accounts.csv"), usagePath: path("usage.csv"), renewalsPath: path("renewals.csv"))
        o.progress = false
        return o
    }
}

let goodAccounts = """
account_id,segment,signup_date,contract_value,renewal_date,owner,seats
A1,SMB Annual,2024-01-10,5000,2026-01-10,Ava,3
A2,Enterprise Annual,2023-05-01,250000,,Liam,120
"""

@Suite struct HistoryLoaderTests {
    @Test func loadsTypedColumnsSortedByAccountAndDay() throws {
        let h = TinyHistory(accounts: goodAccounts, usage: """
        account_id,date,logins,csat,plan
        A2,2025-01-02,7,,gold
        A1,2025-01-03,2,8,basic
        A1,2025-01-01,4,,basic
        """, renewals: "account_id,renewal_date,outcome\nA1,2025-01-10,Renewed\nA2,2024-05-01,CHURNED\n")
        let history = try HistoryLoader(options: h.options).load()
        #expect(history.accounts.ids == ["A1", "A2"])
        #expect(history.accounts.renewalDate == [Day.parse("2026-01-10"), nil])
        #expect(history.accounts.seats == [3, 120])
        #expect(history.usage.metrics == ["logins", "csat"], "the text column is not a metric")
        #expect(history.ignoredUsageColumns == ["plan"])
        #expect(history.usage.isLevel == [false, true])
        #expect(history.usage.rows(of: 0) == 0..<2 && history.usage.rows(of: 1) == 2..<3)
        #expect(history.usage.day.map { Day(number: $0).description } == ["2025-01-01", "2025-01-03", "2025-01-02"])
        #expect(history.usage.values[0] == [4, 2, 7])
        #expect(history.usage.values[1][0].isNaN && history.usage.values[1][1] == 8, "an empty cell is missing, not zero")
        #expect(history.usage.line == [4, 3, 2])
        #expect(history.renewals.churned == [false, true])
    }

    /// The severity's account columns (`alerts.severity.strategic_column`,
    /// `expansion_column`): read by the file's own names, an empty cell
    /// unknown, a bad cell a problem with its line and column (the row left
    /// out when problems are skipped), a missing column an error naming it.
    @Test func theSeverityAccountColumnsAreReadCheckedAndRequiredWhenNamed() throws {
        let accounts = """
        account_id,segment,signup_date,contract_value,Key Account,upsell
        A1,SMB Annual,2024-01-10,5000,Yes,1200.5
        A2,SMB Annual,2024-01-10,5000,,
        A3,SMB Annual,2024-01-10,5000,false,0
        A4,SMB Annual,2024-01-10,5000,maybe,10
        A5,SMB Annual,2024-01-10,5000,no,-3
        """
        let h = TinyHistory(accounts: accounts, usage: "account_id,date,logins\nA1,2025-01-01,3\n", renewals: "account_id,renewal_date,outcome\n")
        var options = h.options
        options.accountFlags = ["Key Account"]
        options.accountNumbers = ["upsell"]
        options.skipProblems = true
        let history = try HistoryLoader(options: options).load()
        #expect(history.accounts.ids == ["A1", "A2", "A3"])
        #expect(history.accounts.flags == ["Key Account": [true, nil, false]])
        #expect(history.accounts.numbers == ["upsell": [1200.5, nil, 0]])
        let problems = history.problems.items.map { "\($0.line) \($0.column) \($0.value): \($0.message)" }
        #expect(problems == ["5 Key Account maybe: is not yes or no (yes/no, true/false or 1/0)", "6 upsell -3: is not a number >= 0"], "\(problems)")
        // Not asked for, the columns are extra columns like any other.
        #expect(try HistoryLoader(options: h.options).load().accounts.flags.isEmpty)

        options.accountNumbers = ["upsel"]
        #expect(throws: DataError.missingColumn(file: h.path("accounts.csv"), column: "upsel",
                                                available: ["account_id", "segment", "signup_date", "contract_value", "Key Account", "upsell"])) {
            try HistoryLoader(options: options).load()
        }
    }

    @Test func weeklyRowsCountFromTheirWeeksLastDayAndRowsUnderAWeekApartAreProblems() throws {
        let h = TinyHistory(accounts: goodAccounts, usage: """
        account_id,date,logins
        A1,2025-01-06,10
        A1,2025-01-13,12
        A1,2025-01-16,99
        A1,2025-01-20,8
        A2,2025-01-13,5
        """, renewals: "account_id,renewal_date,outcome\nA1,2025-01-10,renewed\n")
        var options = h.options
        options.rowDays = 7
        options.skipProblems = true
        let weekly = try HistoryLoader(options: options).loadCollectingProblems()
        // The week of Monday 2025-01-06 is known from Sunday the 12th on.
        #expect(weekly.usage.day.map { Day(number: $0).description } == ["2025-01-12", "2025-01-19", "2025-01-26", "2025-01-19"])
        #expect(weekly.usage.values[0] == [10, 12, 8, 5], "the row 3 days after another is left out")
        #expect(weekly.usage.dateRange == Day.parse("2025-01-06")!...Day.parse("2025-01-26")!, "the days the weeks cover")
        #expect(weekly.problems.items.map(\.line) == [4])
        #expect(weekly.problems.items.first?.message.contains("is 3 days after this account's row on line 3: weekly rows") == true,
                "\(weekly.problems.items)")
        // Read as daily rows, the same file has no problem and keeps its dates.
        options.rowDays = 1
        let daily = try HistoryLoader(options: options).loadCollectingProblems()
        #expect(daily.problems.items.isEmpty && daily.usage.count == 5)
        #expect(daily.usage.dateRange == Day.parse("2025-01-06")!...Day.parse("2025-01-20")!)
    }

    @Test func aTimestampInTheUsageDateColumnIsNamedAsOne() throws {
        let h = TinyHistory(accounts: goodAccounts, usage: "account_id,date,logins\nA1,2025-01-06,3\nA1,2025-01-07 00:00:00,2\n",
                            renewals: "account_id,renewal_date,outcome\n")
        var options = h.options
        options.skipProblems = true
        let history = try HistoryLoader(options: options).loadCollectingProblems()
        #expect(history.problems.items.map(\.description) == [
            h.path("usage.csv") + ": line 3, column 'date': \"2025-01-07 00:00:00\" is not a date (expected YYYY-MM-DD; this is a date and time: export the date alone)"
        ], "\(history.problems.items)")
    }

    @Test func theSummaryShowsLongSegmentAndMetricNamesWhole() throws {
        let h = TinyHistory(accounts: """
        account_id,segment,signup_date,contract_value
        A1,Mid-Market Annual Enterprise EMEA,2024-01-10,5000
        A2,Mid-Market Annual Enterprise APAC,2024-01-10,7000
        """, usage: "account_id,date,reports_exported_to_the_warehouse,logins\nA1,2025-01-01,3,1\n",
           renewals: "account_id,renewal_date,outcome\nA1,2025-01-10,renewed\nA2,2025-01-10,churned\n")
        let history = try HistoryLoader(options: h.options).load()
        let text = history.summary(accountsFile: "a.csv", usageFile: "u.csv", renewalsFile: "r.csv")
        for name in ["Mid-Market Annual Enterprise EMEA ", "Mid-Market Annual Enterprise APAC ", "reports_exported_to_the_warehouse "] {
            #expect(text.contains("  " + name), "\(name) in\n\(text)")
        }
    }

    /// A misspelt level metric in the config would leave the real one read as
    /// a count; the default (csat) is no error when an export has no csat.
    @Test func aDeclaredLevelMetricMustBeAMetricOfTheUsageTable() throws {
        let h = TinyHistory(accounts: goodAccounts, usage: "account_id,date,logins\nA1,2025-01-01,3\n", renewals: "account_id,renewal_date,outcome\n")
        #expect(try HistoryLoader(options: h.options).load().usage.count == 1, "the default names csat, which this file lacks")
        var o = h.options
        o.levelMetrics = ["lgins"]
        #expect { try HistoryLoader(options: o).load() } throws: { "\($0)".contains("data.level_metrics names 'lgins', which is not a metric of this file (metrics: logins)") }
        o.levelMetrics = ["logins"]
        #expect(try HistoryLoader(options: o).load().usage.isLevel == [true])
    }

    @Test func remappedColumnNamesAreFollowed() throws {
        let h = TinyHistory(accounts: """
        id,plan,created,acv
        A1,SMB,2024-01-10,5000
        """, usage: "customer,day,logins\nA1,2025-01-01,3\n", renewals: "customer,when,result\nA1,2025-01-10,renewed\n")
        var o = h.options
        o.columns = ["accounts": ["account_id": "id", "segment": "plan", "signup_date": "created", "contract_value": "acv"],
                     "usage": ["account_id": "customer", "date": "day"],
                     "renewals": ["account_id": "customer", "renewal_date": "when", "outcome": "result"]]
        let history = try HistoryLoader(options: o).load()
        #expect(history.accounts.segment == ["SMB"] && history.usage.count == 1 && history.renewals.count == 1)
    }

    @Test func everyKindOfProblemIsNamedWithFileLineColumnAndValue() throws {
        let h = TinyHistory(accounts: goodAccounts + "\nA1,SMB Annual,2024-02-01,100,,,\nA3,SMB Annual,2024-02-30,100,,,\nA4,SMB Annual,2024-02-01,-5,,,\n",
                            usage: """
        account_id,date,logins
        A1,2025-01-01,3
        ZZ,2025-01-01,3
        A1,2025-13-01,3
        A1,2025-01-02,lots
        A1,2025-01-01,5
        A3,2025-01-01,3
        """, renewals: """
        account_id,renewal_date,outcome
        A1,2025-01-10,renewed
        A1,2025-02-10,maybe
        A2,2022-01-01,churned
        A4,2025-01-10,renewed
        """)
        let history = try HistoryLoader(options: h.options).loadCollectingProblems()
        let text = history.problems.items.map(\.description)
        let expected = [
            "accounts.csv: line 4, column 'account_id': \"A1\" is a duplicate account id (first on line 2)",
            "accounts.csv: line 5, column 'signup_date': \"2024-02-30\" is not a date (expected YYYY-MM-DD)",
            "accounts.csv: line 6, column 'contract_value': \"-5\" is not a number >= 0",
            "usage.csv: line 3, column 'account_id': \"ZZ\" is not an account in",
            "usage.csv: line 4, column 'date': \"2025-13-01\" is not a date",
            "usage.csv: line 5, column 'logins': \"lots\" is not a number",
            "usage.csv: line 6, column 'date': \"2025-01-01\" is a second usage row for this account and date (first on line 2)",
            "renewals.csv: line 3, column 'outcome': \"maybe\" is neither renewed nor churned",
            "renewals.csv: line 4, column 'renewal_date': \"2022-01-01\" is before the account's signup date 2023-05-01",
        ]
        // Rows naming an account whose own row had a problem say so, not "is not an account".
        let cascaded = [
            "usage.csv: line 7, column 'account_id': \"A3\" is the account on line 5 of \(h.options.accountsPath), which has a problem",
            "renewals.csv: line 5, column 'account_id': \"A4\" is the account on line 6 of \(h.options.accountsPath), which has a problem",
        ]
        for line in cascaded { #expect(text.contains { $0.hasSuffix(line) }, "\(line) in \(text)") }
        let listed = text.filter { !$0.hasSuffix("which has a problem") }
        #expect(history.problems.total == expected.count + cascaded.count)
        for (got, want) in zip(listed, expected) { #expect(got.contains(want), "got: \(got)") }
        // The problem rows are left out; the good ones stay.
        #expect(history.accounts.count == 2 && history.usage.count == 1 && history.renewals.count == 1)
        #expect(history.usage.values[0] == [3], "the first of two rows for the same day is kept")
    }

    @Test func theErrorPolicyThrowsWithEveryProblemListed() throws {
        let h = TinyHistory(accounts: goodAccounts, usage: "account_id,date,logins\nA1,2025-01-01,3\nQQ,2025-01-01,1\nQQ,2025-01-02,1\n",
                            renewals: "account_id,renewal_date,outcome\n")
        #expect {
            try HistoryLoader(options: h.options).load()
        } throws: { error in
            guard let e = error as? InputProblems else { return false }
            return e.problems.total == 2 && e.description.contains("on_problem: skip")
        }
        var skip = h.options
        skip.skipProblems = true
        let history = try HistoryLoader(options: skip).load()
        #expect(history.usage.count == 1 && history.problems.total == 2)
        #expect(history.problems.csv().split(separator: "\n").count == 3, "header + one line per problem")
    }

    /// A second row for a date is found after the file's parse; listed as found, it came
    /// after every later line's problem.
    @Test func problemsAreListedByFileThenLine() throws {
        let h = TinyHistory(accounts: goodAccounts + "\nA1,SMB Annual,2024-02-01,100,,,\n",
                            usage: "account_id,date,logins\nA1,2025-01-01,3\nA1,2025-01-01,4\nA1,2025-01-02,lots\nA1,2025-13-01,3\n",
                            renewals: "account_id,renewal_date,outcome\nA1,2025-02-10,maybe\n")
        let history = try HistoryLoader(options: h.options).loadCollectingProblems()
        #expect(history.problems.items.map(\.line) == [4, 4, 5, 3, 2], "as found: the duplicate date after the parse")
        let rendered = history.problems.render().split(separator: "\n").map { line in
            String(line.drop { $0 != ":" }.dropFirst(2).prefix { $0 != "," })
        }
        #expect(rendered == ["line 4", "line 3", "line 4", "line 5", "line 2"])
        let csvPlaces = history.problems.csv().split(separator: "\n").dropFirst().map { row in
            row.split(separator: ",").prefix(2).map { ($0 as Substring).split(separator: "/").last.map(String.init) ?? "" }.joined(separator: ":")
        }
        #expect(csvPlaces == ["accounts.csv:4", "usage.csv:3", "usage.csv:4", "usage.csv:5", "renewals.csv:2"])
    }

    @Test func aMissingRequiredColumnIsNamed() {
        let h = TinyHistory(accounts: "account_id,segment,contract_value\nA1,SMB,5\n", usage: "account_id,date\n", renewals: "")
        #expect(throws: DataError.missingColumn(file: h.path("accounts.csv"), column: "signup_date", available: ["account_id", "segment", "contract_value"])) {
            try HistoryLoader(options: h.options).load()
        }
    }

    /// `check` says why a usage column is not a metric: the config's list left
    /// it out, or it is not numeric (it said "not numeric" for both).
    @Test func theSummarySaysWhyAUsageColumnIsNotAMetric() throws {
        let h = TinyHistory(accounts: goodAccounts, usage: "account_id,date,logins,visits,note\nA1,2025-01-01,3,4,hello\n", renewals: "")
        var options = h.options
        options.renewalsPath = nil
        let everything = try HistoryLoader(options: options).load()
        #expect(everything.usage.metrics == ["logins", "visits"])
        #expect(everything.summary(accountsFile: "a", usageFile: "u", renewalsFile: nil).contains("  not read as metrics (not numeric): note\n"))
        var listed = options
        listed.metrics = ["logins"]
        let some = try HistoryLoader(options: listed).load()
        #expect(some.summary(accountsFile: "a", usageFile: "u", renewalsFile: nil).contains("  not read as metrics (not in data.metrics): visits, note\n"))
    }

    /// An export's -1 for "unknown" in a count is summed into windows without a
    /// word: `check` shows each metric's range and names negative counts (a level
    /// metric may be negative; neither stops anything).
    @Test func theSummaryShowsEachMetricsRangeAndNamesNegativeCounts() throws {
        let usage = "account_id,date,logins,balance\nA1,2025-01-01,3,-5\nA1,2025-01-02,-1,2\nA2,2025-01-01,-1,1\nA2,2025-01-02,1200,4\n"
        let h = TinyHistory(accounts: goodAccounts, usage: usage, renewals: "")
        var options = h.options
        options.renewalsPath = nil
        options.levelMetrics = ["balance"]
        let summary = try HistoryLoader(options: options).load().summary(accountsFile: "a", usageFile: "u", renewalsFile: nil)
        let logins = try #require(summary.split(separator: "\n").first { $0.hasPrefix("  logins ") })
        #expect(logins.split(separator: " ").suffix(2) == ["-1", "1200"], "\(logins)")
        // Rows are ordered by account and day: A1's 2025-01-02 (line 3) is the first negative login.
        #expect(summary.contains("  note: logins has 2 negative values (first: line 3, -1). Counts are 0 or more"), "\(summary)")
        #expect(!summary.contains("balance has"), "a level may be negative")
    }

    /// A European spreadsheet exports with ';': the whole header is one column,
    /// and "no column named 'account_id'" sent users looking for a typo.
    @Test func aFileSeparatedByAnotherCharacterIsNamedAsSuch() {
        let h = TinyHistory(accounts: "account_id;segment;signup_date;contract_value\nA1;SMB;2020-01-01;5\n", usage: "account_id,date\n", renewals: "")
        #expect(performing: { try HistoryLoader(options: h.options).load() }, throws: { error in
            "\(error)" == "\(h.path("accounts.csv")): the header is one column, \"account_id;segment;signup_date;contract_...\": "
                + "the file looks separated by semicolons; Telltale reads comma-separated CSV (RFC 4180): export it with commas"
        })
        let tabs = DataError.missingColumn(file: "u.csv", column: "date", available: ["account_id\tdate\tlogins"])
        #expect(tabs.description.contains("the file looks separated by tabs"))
        // One real column without the separators is still "no column named".
        #expect(DataError.missingColumn(file: "u.csv", column: "date", available: ["account_id"]).description.contains("no column named 'date'"))
    }
}

/// The fast usage parser against the general RFC 4180 reader on awkward input.
@Suite(.serialized) struct UsageFastPathTests {
    static let accounts = "account_id,segment,signup_date,contract_value\nA1,SMB,2020-01-01,1\nA2,SMB,2020-01-01,1\nA3,SMB,2020-01-01,1\n"

    func load(_ usage: String, threshold: Int = 32 << 20, release: Int = 32 << 20, metrics: [String]? = nil) throws -> History {
        let h = TinyHistory(accounts: Self.accounts, usage: usage, renewals: "account_id,renewal_date,outcome\n")
        UsageFastParser.parallelThreshold = threshold
        UsageFastParser.releaseInterval = release
        defer { UsageFastParser.parallelThreshold = 32 << 20; UsageFastParser.releaseInterval = 32 << 20 }
        var o = h.options
        o.skipProblems = true
        o.metrics = metrics
        return try HistoryLoader(options: o).load()
    }

    @Test func crlfBlankLinesDecimalsAndAMissingLastNewlineParseAsTheGeneralReaderDoes() throws {
        let text = "account_id,date,logins,score\r\nA1,2025-01-01,3,2.5\r\n\r\nA2,2025-01-02,-4,1e3\r\nA1,2025-01-02,,7"
        let fast = try load(text)
        let general = try load(text.replacingOccurrences(of: "score\r\n", with: "score\r\n\"A3\",2025-01-05,1,1\r\n"))
        #expect(fast.usage.values[0][0] == 3 && fast.usage.values[0][1].isNaN && fast.usage.values[0][2] == -4)
        #expect(fast.usage.values[1] == [2.5, 7, 1000])
        #expect(fast.usage.line == [2, 5, 4])
        // The quoted file took the general path; apart from the extra row they agree.
        #expect(general.usage.count == fast.usage.count + 1)
        #expect(Array(general.usage.values[1].prefix(3)) == Array(fast.usage.values[1]))
        #expect(general.usage.line.prefix(3).map { $0 + 0 } == [3, 6, 5].map { Int32($0) })
    }

    @Test func aQuoteDeepInTheFileSendsItToTheGeneralReader() throws {
        // Far past the first 64 KB block, in the second half when the file is split.
        var rows: [String] = []
        var day = Day.parse("2020-01-01")!
        for i in 0..<6000 {
            rows.append(i == 4500 ? "\"A2\",\(day),\"1.5\"" : "A1,\(day),\(i % 9)")
            day = day + 1
        }
        for threshold in [32 << 20, 1 << 10] {
            let h = try load("account_id,date,logins\n" + rows.joined(separator: "\n") + "\n", threshold: threshold)
            #expect(h.problems.total == 0 && h.usage.count == 6000, "threshold \(threshold)")
            let a2 = h.usage.account.firstIndex(of: 1)
            #expect(a2.map { h.usage.values[0][$0] } == 1.5, "the quoted row read as RFC 4180")
        }
    }

    @Test func problemsOnTheFastPathNameTheirLines() throws {
        let h = try load("account_id,date,logins\nA1,2025-01-01,3\nZZ,2025-01-01,1\nA1,2025-02-30,1\nA1,2025-01-03,x\nA1,2025-01-04\n")
        #expect(h.problems.items.map(\.line) == [3, 4, 5, 6])
        #expect(h.usage.count == 1)
    }

    @Test func twoHalvesOnTwoCoresGiveTheSameTableAsOne() throws {
        var text = "account_id,date,logins,csat\n"
        var day = Day.parse("2024-01-01")!
        for i in 0..<3000 {
            let a = ["A1", "A2", "A3"][i / 1000]
            if i % 1000 == 0 { day = Day.parse("2024-01-01")! }
            text += "\(a),\(day),\(i % 17),\(i % 5 == 0 ? "8" : "")\n"
            if i == 1700 { text += "QQ,2024-01-01,1,\n" } // a problem in the second half
            day = day + 1
        }
        let one = try load(text)
        let two = try load(text, threshold: 1000)
        // Mapped pages handed back every 5 KB while parsing in place: the same table.
        let released = try load(text, threshold: 1000, release: 5000)
        #expect(released.usage.account == two.usage.account && released.usage.day == two.usage.day)
        #expect(released.usage.values[0] == two.usage.values[0] && released.usage.line == two.usage.line)
        #expect(one.usage.count == 3000 && two.usage.count == 3000)
        #expect(one.usage.account == two.usage.account && one.usage.day == two.usage.day && one.usage.line == two.usage.line)
        #expect(one.usage.values[0] == two.usage.values[0])
        #expect(one.problems.items.map(\.line) == two.problems.items.map(\.line))
        #expect(one.problems.items.map(\.value) == two.problems.items.map(\.value))
        #expect(two.problems.items.map(\.line) == [1703])
    }
}

/// The usage parser's word-at-a-time pieces against byte-by-byte answers.
@Suite struct UsageParserKernelTests {
    /// Bytes a usage file can hold around a number, plus bytes >= 0xFA whose
    /// carry in the digit test must not leak into the bytes before them.
    static let alphabet: [UInt8] = Array("0123456789,\n\r-.e ".utf8) + [0x2F, 0x3A, 0xFA, 0xFF, 0x80]

    /// The usage parser's dates go through a cache of the last month's bytes: a
    /// run of rows, with month changes, impossible days (Feb 29 of a common
    /// year, the 31st of a 30-day month) and damaged bytes behind a cached month,
    /// must give exactly what `Day.parse` gives for each ten bytes.
    @Test func cachedMonthDatesAgreeWithDayParseOnARunOfRows() {
        var rng = SystemRandomNumberGenerator()
        var key: UInt64 = 0, start: Int32 = 0, days = 0
        var parsed = 0
        for _ in 0..<50_000 {
            let year = [1999, 2000, 2023, 2024, 2100][Int.random(in: 0..<5, using: &rng)]
            let month = Int.random(in: 0...13, using: &rng), day = Int.random(in: 0...32, using: &rng)
            var bytes = Array(String(format: "%04d-%02d-%02d", year, month, day).utf8)
            if Int.random(in: 0..<8, using: &rng) == 0 {
                bytes[Int.random(in: 0..<10, using: &rng)] = Self.alphabet.randomElement(using: &rng)!
            }
            // Runs of the same month, as usage rows come.
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let expected = bytes.withUnsafeBufferPointer { Day.parse($0)?.number }
                let got = bytes.withUnsafeBufferPointer {
                    UsageFastParser.isoDate($0.baseAddress!, monthKey: &key, monthStart: &start, monthDays: &days)
                }
                #expect(got == expected, "\(String(decoding: bytes, as: UTF8.self))")
                if got != nil { parsed += 1 }
                bytes[9] = UInt8.random(in: 0x30...0x39, using: &rng)
            }
        }
        #expect(parsed > 30_000) // most inputs were real dates
    }

    @Test func eightByteDigitsAgreeWithADigitLoopForEveryLength() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            // Mostly digits, so that all-digit fields of every length come up often.
            let bytes = (0..<8).map { _ in Int.random(in: 0..<4, using: &rng) > 0 ? UInt8.random(in: 0x30...0x39, using: &rng) : Self.alphabet.randomElement(using: &rng)! }
            for count in 1...8 {
                let prefix = bytes.prefix(count)
                let expected: Int64? = prefix.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
                    ? prefix.reduce(0) { $0 * 10 + Int64($1 - 0x30) } : nil
                let got = bytes.withUnsafeBufferPointer { UsageFastParser.digits($0.baseAddress!, count: count) }
                #expect(got == expected, "\(bytes) count \(count)")
            }
        }
    }

    @Test func theSeparatorIndexListsEveryCommaAndLineFeedInOrder() {
        var rng = SystemRandomNumberGenerator()
        var index = SeparatorIndex(capacity: 64)
        defer { index.deallocate() }
        // Lengths around the 64-byte step and past the starting capacity (it grows).
        for length in [0, 1, 7, 8, 63, 64, 65, 127, 128, 129, 200, 1000, 5000] {
            for trial in 0..<20 {
                // Dense separators too: more than sixteen in a 64-byte step takes the slow loop.
                // Every other trial may hold a quote, anywhere in the block.
                let alphabet = trial % 2 == 0 ? Self.alphabet : Self.alphabet + [0x22]
                let bytes = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }
                let expected = bytes.indices.filter { bytes[$0] == 0x2C || bytes[$0] == 0x0A }.map { Int32($0) }
                let got: [Int32] = bytes.withUnsafeBufferPointer { b in
                    let n = index.index(b.baseAddress ?? UnsafePointer(bitPattern: 8)!, count: length)
                    return Array(UnsafeBufferPointer(start: index.offsets, count: n))
                }
                #expect(got == expected, "length \(length)")
                #expect(index.sawQuote == bytes.contains(0x22), "length \(length)")
            }
        }
    }

    @Test func theVectorSeparatorMaskAgreesWithTheWordAtATimeOne() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Self.alphabet + [0x22, 0x00, 0x2B, 0x0B]
        for _ in 0..<50_000 {
            let bytes = (0..<16).map { _ in alphabet.randomElement(using: &rng)! }
            let (vector, word) = bytes.withUnsafeBufferPointer { (SeparatorIndex.bits($0.baseAddress!), SeparatorIndex.bitsSWAR($0.baseAddress!)) }
            let expected = bytes.indices.reduce(UInt64(0)) { bytes[$1] == 0x2C || bytes[$1] == 0x0A ? $0 | 1 << UInt64($1) : $0 }
            #expect(vector.separators == expected && word.separators == expected, "\(bytes)")
            #expect((vector.quotes != 0) == bytes.contains(0x22) && (word.quotes != 0) == bytes.contains(0x22), "\(bytes)")
        }
    }

    @Test func lineFeedsAndDecimalPointsAreFoundAtEveryLengthAndAlignment() {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<1100).map { _ in Self.alphabet.randomElement(using: &rng)! }
        bytes.withUnsafeBufferPointer { b in
            for start in [0, 1, 3, 17] {
                for length in [0, 1, 15, 16, 63, 64, 65, 128, 1000, 1100 - start] {
                    let expected = b[start..<(start + length)].filter { $0 == 0x0A }.count
                    #expect(Bytes.countLineFeeds(b.baseAddress! + start, length).lineFeeds == expected, "start \(start) length \(length)")
                }
            }
        }
        // One decimal point anywhere, in each sixteen-byte lane, in the tail, or none.
        let plain = bytes.map { $0 == 0x2E ? UInt8(0x31) : $0 }
        for at in [nil, 0, 5, 16, 33, 63, 64, 127, 1000, 1099] as [Int?] {
            var b = plain
            if let at { b[at] = 0x2E }
            for (start, length) in [(0, 1100), (1, 1099), (0, 1090), (17, 600)] {
                let expected = b[start..<(start + length)].contains(0x2E)
                #expect(b.withUnsafeBufferPointer { Bytes.countLineFeeds($0.baseAddress! + start, length).sawPoint } == expected,
                        "point at \(String(describing: at)), start \(start) length \(length)")
            }
        }
    }

    /// One-digit cells take a shortcut of their own: every other one-byte cell
    /// must still end where the general reader puts it (a number, missing, or
    /// a problem), in one piece and in two halves.
    @Test func everyOneCharacterCellReadsAsTheGeneralReaderReadsIt() throws {
        let cells = (0x20...0x7E).map { UInt8($0) }.filter { $0 != 0x2C && $0 != 0x22 } // not a separator or a quote
        var day = Day.parse("2025-01-01")!
        var body = ""
        // Each cell on its own row, the other metric a valid number, so that a
        // cell wrongly taken is a row too many or a wrong value.
        for (i, c) in (cells + Array("0123456789".utf8)).enumerated() {
            body += "A1,\(day),\(String(decoding: [c], as: UTF8.self)),\(i % 7)5\n"
            day = day + 1
        }
        let header = "account_id,date,one,two\n"
        // Named metrics: most cells are not numbers, so the metric sniffing would skip them.
        let general = try UsageFastPathTests().load(header + "\"A3\",2025-01-01,1,1\n" + body, metrics: ["one", "two"])
        for threshold in [32 << 20, 1 << 10] {
            let fast = try UsageFastPathTests().load(header + body, threshold: threshold, metrics: ["one", "two"])
            #expect(fast.usage.count == general.usage.count - 1 && fast.usage.count > 20)
            #expect(fast.problems.items.map(\.line) == general.problems.items.map { $0.line - 1 })
            for m in 0..<2 {
                let a = Array(fast.usage.values[m]), b = Array(general.usage.values[m].prefix(fast.usage.count))
                #expect(zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "metric \(m): \(a) against \(b)")
            }
        }
        // The ten digits, read both ways.
        let fast = try UsageFastPathTests().load(header + body, metrics: ["one", "two"])
        let digits: [Double] = (0...9).map { Double($0) }
        #expect(Array(fast.usage.values[0].suffix(10)) == digits)
    }

    @Test func awkwardFieldsParseAsTheGeneralReaderDoes() throws {
        // Long and signed numbers, spaces, a plus sign, a decimal; a text column
        // wider than a parse block; numbers in the last bytes of the file.
        let wide = String(repeating: "x", count: 70_000)
        var rows = [
            "A1,2025-01-01,123456789,-5,\(wide)",
            "A1,2025-01-02,12345678901234567890,+7,y",
            "A1,2025-01-03, 42 ,0.25,y",
            "A1,2025-01-04,99999999,-0,y",
            "A2,2025-01-01,00000012,1e3,\(wide)",
        ]
        for d in 1...28 { rows.append("A2,2025-02-\(String(format: "%02d", d)),\(d * 37),\(d % 3),z") }
        rows.append("A2,2025-03-01,7,8,z")
        let header = "account_id,date,count,delta,note\n"
        let body = rows.joined(separator: "\n") // no final line end
        let fast = try UsageFastPathTests().load(header + body)
        let general = try UsageFastPathTests().load(header + "\"A3\",2025-01-01,1,1,q\n" + body)
        #expect(fast.usage.count == rows.count && general.usage.count == rows.count + 1)
        #expect(Array(fast.usage.values[0]) == Array(general.usage.values[0].prefix(rows.count)))
        #expect(fast.usage.values[1].map { $0.sign } == Array(general.usage.values[1].prefix(rows.count)).map { $0.sign }, "-0 keeps its sign")
        #expect(Array(fast.usage.values[1]) == Array(general.usage.values[1].prefix(rows.count)))
        #expect(Array(fast.usage.values[0].prefix(5)) == [123456789, Double("12345678901234567890")!, 42, 99999999, 12], "20 digits: the nearest double")
        #expect(fast.usage.line.map { $0 + 1 } == Array(general.usage.line.prefix(rows.count)))
        #expect(fast.problems.total == 0 && general.problems.total == 0)
        // Already in order: each account's rows found without sorting, an account without usage included.
        #expect(fast.usage.rows(of: 0) == 0..<4 && fast.usage.rows(of: 1) == 4..<rows.count && fast.usage.rows(of: 2).isEmpty)
    }
}

extension UsageParserKernelTests {
    @Test func shortMediumAndUUIDLengthIdsEachFindTheirOwnAccount() throws {
        // Ids that share a prefix, of the lengths the id cache handles differently.
        let ids = ["A1", "A10", "ACC-0001", "ACC-00010", "ACC-000100000001",
                   "3f2b8c1e-9a4d-4e7b-8c2a-1d5e6f7a8b9c", "3f2b8c1e-9a4d-4e7b-8c2a-1d5e6f7a8b9d"]
        let accounts = "account_id,segment,signup_date,contract_value\n" + ids.map { "\($0),SMB,2020-01-01,1\n" }.joined()
        var usage = "account_id,date,logins\n"
        for (i, id) in ids.enumerated() { for d in 1...3 { usage += "\(id),2025-01-0\(d),\(i * 10 + d)\n" } }
        let h = TinyHistory(accounts: accounts, usage: usage, renewals: "account_id,renewal_date,outcome\n")
        let history = try HistoryLoader(options: h.options).load()
        #expect(history.usage.account == ids.indices.flatMap { Array(repeating: Int32($0), count: 3) })
        #expect(Array(history.usage.values[0]) == ids.indices.flatMap { i in (1...3).map { Double(i * 10 + $0) } })
    }
}
