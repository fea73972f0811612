import Foundation
import Testing
@testable import TelltaleData

@Suite struct MetricColumnTests {
    /// Values a usage export holds, and ones a `Float` would round (0.1, 2^24 + 1,
    /// a tiny and a huge number).
    static let exact: [Double] = [0, 1, 3, 16_777_216, -4, 2.5, 0.25, -0.0, .nan, 1e6]
    static let rounded: [Double] = [0.1, 16_777_217, 1e-320, 1e300, 123_456_789, 1.0 / 3]

    @Test func countsAndBinaryFractionsAreHeldAsFloatsAndReadBackUnchanged() {
        let column = MetricColumn(Self.exact)
        #expect(column.isFloat)
        #expect(column.byteCount == Self.exact.count * 4)
        for (v, w) in zip(column, Self.exact) {
            #expect(v.bitPattern == w.bitPattern || (v.isNaN && w.isNaN), "\(w) read back as \(v)")
        }
        #expect(column[7].sign == .minus, "-0 keeps its sign")
    }

    @Test func anyValueAFloatWouldRoundKeepsTheWholeColumnInDoubles() {
        for r in Self.rounded {
            #expect(!MetricColumn.isExactFloat(r), "\(r)")
            var built = MetricColumn(Self.exact + [r])
            var appended = MetricColumn(Self.exact)
            appended.append(r)
            var set = MetricColumn(Self.exact + [1])
            set[Self.exact.count] = r
            var replaced = MetricColumn(Self.exact + [1])
            replaced.replaceSubrange(Self.exact.count..<(Self.exact.count + 1), with: [r])
            for column in [built, appended, set, replaced] {
                #expect(!column.isFloat, "\(r)")
                #expect(column.last == r && column.count == Self.exact.count + 1)
                #expect(zip(column, Self.exact).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
            }
            // Exact values written into a Double column stay Doubles.
            built[0] = 5
            #expect(!built.isFloat && built[0] == 5)
        }
    }

    /// The general reader reserves a file's rows and appends: widening midway
    /// must not drop back to growing by doubling.
    @Test func wideningKeepsTheReservedRoom() {
        var column = MetricColumn()
        column.reserveCapacity(1000)
        column.append(1)
        column.append(0.1)
        guard case .double(let d) = column.storage else { Issue.record("0.1 did not widen the column"); return }
        #expect(d.capacity >= 1000 && Array(column) == [1, 0.1])
    }

    /// A random sequence of appends and writes against a plain `[Double]`.
    @Test func behavesLikeAnArrayOfDoublesUnderRandomEdits() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var column = MetricColumn()
            var model: [Double] = []
            var everRounded = false // a column once widened stays in Doubles
            for _ in 0..<Int.random(in: 1...60, using: &rng) {
                let pool = Int.random(in: 0..<30, using: &rng) == 0 ? Self.rounded : Self.exact
                let v = pool.randomElement(using: &rng)!
                everRounded = everRounded || !MetricColumn.isExactFloat(v)
                if model.isEmpty || Bool.random(using: &rng) {
                    column.append(v); model.append(v)
                } else {
                    let i = Int.random(in: 0..<model.count, using: &rng)
                    column[i] = v; model[i] = v
                }
            }
            #expect(column.map(\.bitPattern) == model.map(\.bitPattern))
            #expect(column.isFloat == !everRounded)
            let order = model.indices.shuffled(using: &rng)
            let picked = column.selecting(order)
            #expect(picked.isFloat == column.isFloat && picked.map(\.bitPattern) == order.map { model[$0].bitPattern })
        }
    }

    @Test func equalityComparesValuesWhateverHoldsThem() {
        #expect(MetricColumn(floats: [1, 2.5]) == MetricColumn(doubles: [1, 2.5]))
        #expect(MetricColumn(floats: [1, 2.5]) != MetricColumn(doubles: [1, 2.6]))
        #expect(MetricColumn(floats: [1]) != MetricColumn(doubles: [1, 1]))
    }
}

extension UsageFastPathTests {
    /// 6,000 rows with `value` written into one cell of row `at`.
    static func rows(_ value: String, at: Int) -> String {
        var text = "account_id,date,logins,minutes\n"
        var day = Day.parse("2020-01-01")!
        for i in 0..<6000 {
            text += "A1,\(day),\(i % 9),\(i == at ? value : String(i % 50))\n"
            day = day + 1
        }
        return text
    }

    @Test func countsAreReadIntoFloatColumns() throws {
        for threshold in [32 << 20, 1 << 10] {
            let h = try load(Self.rows("7", at: 10), threshold: threshold)
            #expect(h.usage.values.allSatisfy(\.isFloat) && h.usage.count == 6000)
            #expect(h.usage.typedBytes == 6000 * (12 + 2 * 4) + h.usage.start.count * 8)
            #expect(h.usage.values[1][10] == 7 && h.usage.values[1][11] == 11)
        }
    }

    /// Early in the first half, late in the second, and in one piece: each time
    /// the file ends in `Double` columns with every value as the general reader
    /// gives it. A decimal point is seen while counting lines (even `2.5`, which
    /// a `Float` holds, as the rule is per file); an integer a `Float` would
    /// round stops a `Float` read, which starts again.
    @Test func aValueAFloatMightRoundGivesDoubleColumns() throws {
        for (value, expected) in [("0.1", 0.1), ("2.5", 2.5), ("16777217", 16_777_217.0), ("123456789", 123_456_789), ("1e-3", 0.001)] {
            for at in [3, 5900] {
                for threshold in [32 << 20, 1 << 10] {
                    let text = Self.rows(value, at: at)
                    let h = try load(text, threshold: threshold)
                    #expect(h.usage.values.allSatisfy { !$0.isFloat }, "\(value) at \(at)")
                    #expect(h.usage.values[1][at] == expected && h.usage.count == 6000)
                    let general = try load(text.replacingOccurrences(of: "minutes\n", with: "minutes\n\"A2\",2020-01-01,1,1\n"))
                    #expect(Array(general.usage.values[1].prefix(6000)) == Array(h.usage.values[1]))
                }
            }
        }
        // Large integers that a Float holds exactly stay Floats.
        let h = try load(Self.rows("16777216", at: 5900))
        #expect(h.usage.values.allSatisfy(\.isFloat) && h.usage.values[1][5900] == 16_777_216)
    }

    /// A compressed file's columns stay `Float`s while their values are exact;
    /// a value that is not turns that column alone into `Double`s, early or
    /// late in the file: the values are bit for bit those of the same file
    /// uncompressed (an empty cell too).
    @Test func compressedFilesKeepEachExactColumnAsFloats() throws {
        for (value, minutesExact) in [("7", true), ("", true), ("2.5", true), ("0.1", false), ("16777217", false)] {
            for at in [3, 5900] {
                let text = Self.rows(value, at: at)
                let h = TinyHistory(accounts: Self.accounts, usage: "", renewals: "account_id,renewal_date,outcome\n")
                try AtomicFile.writeGzip(Array(text.utf8), to: h.path("usage.csv.gz"))
                var o = h.options
                o.usagePath = h.path("usage.csv.gz")
                let history = try HistoryLoader(options: o).load()
                #expect(history.usage.values[0].isFloat, "\(value) at \(at)")
                #expect(history.usage.values[1].isFloat == minutesExact, "\(value) at \(at)")
                let plain = try load(text)
                #expect(history.usage.count == 6000 && plain.usage.count == 6000)
                for m in 0..<2 {
                    #expect(history.usage.values[m].map(\.bitPattern) == plain.usage.values[m].map(\.bitPattern),
                            "\(value) at \(at), column \(m)")
                }
            }
        }
    }

    @Test func aRaisedStopEndsAParseAtItsFirstBlock() throws {
        let h = TinyHistory(accounts: Self.accounts, usage: Self.rows("7", at: 0), renewals: "account_id,renewal_date,outcome\n")
        var problems = ProblemList(keep: 10)
        let accounts = try HistoryLoader(options: h.options).loadAccounts(&problems)
        func parser(_ h: TinyHistory) -> UsageFastParser {
            UsageFastParser(path: h.path("usage.csv"), columnCount: 4, idColumn: 0, dateColumn: 1, metricOf: [-1, -1, 0, 1],
                            metricNames: ["logins", "minutes"], header: ["account_id", "date", "logins", "minutes"],
                            accountsPath: h.path("accounts.csv"))
        }
        var writer = UsageFastParser.AppendingWriter<Float>(metrics: 2, reserve: 10)
        defer { writer.deallocate() }
        let stop = StopSignal()
        stop.raise()
        #expect(throws: UsageFastParser.Outcome.stopped) {
            try parser(h).parse(into: &writer, accounts: accounts, progress: nil, stop: stop)
        }
        #expect(writer.account.isEmpty)
        // And a parse that fails raises it for the others.
        let quiet = StopSignal()
        var doubles = UsageFastParser.AppendingWriter<Double>(metrics: 2, reserve: 10)
        defer { doubles.deallocate() }
        let quoted = TinyHistory(accounts: Self.accounts, usage: "account_id,date,logins,minutes\n\"A1\",2020-01-01,1,1\n", renewals: "")
        #expect(throws: UsageFastParser.Outcome.needsGeneralReader) {
            try parser(quoted).parse(into: &doubles, accounts: accounts, progress: nil, stop: quiet)
        }
        #expect(quiet.isRaised)
    }
}
