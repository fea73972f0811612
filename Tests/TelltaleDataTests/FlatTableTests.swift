import Foundation
import Testing
@testable import TelltaleData

@Suite struct FlatTableTests {
    @Test func columnsAreTypedAndMissingCellsKept() throws {
        let t = try FlatTable.read(path: temporaryFile("id,plan,logins,csat\nA,Pro,3,NA\nB,Basic,,7.5\nC,Pro,10,8\n"))
        #expect(t.columnNames == ["id", "plan", "logins", "csat"])
        #expect(t.column(named: "logins")?.values == .numeric([3, .nan, 10]))
        #expect(t.column(named: "csat")?.values == .numeric([.nan, 7.5, 8]))
        #expect(t.column(named: "csat")?.values != .numeric([0, 7.5, 8]) && t.column(named: "csat")?.isMissing(0) == true)
        #expect(t.column(named: "plan")?.values == .text(["Pro", "Basic", "Pro"]))
        #expect(t.lines == [2, 3, 4])
    }

    @Test func aStrayWordInANumericColumnNamesLineColumnAndValue() throws {
        let rows = (0..<40).map { "\($0),\($0 % 2)" }.joined(separator: "\n")
        let path = temporaryFile("logins,churned\n\(rows)\nabout ten,1\n")
        #expect(throws: DataError.badValue(file: path, line: 42, column: "logins", value: "about ten", expected: "a number")) {
            try FlatTable.read(path: path)
        }
    }

    @Test func raggedRowsAreAllReported() {
        let path = temporaryFile("a,b,c\n1,2,3\n4,5\n6,7,8,9\n")
        #expect {
            try FlatTable.read(path: path)
        } throws: { error in
            guard case let DataError.many(_, problems, total) = error else { return false }
            return total == 2 && problems == [
                .raggedRow(file: path, line: 3, found: 2, expected: 3),
                .raggedRow(file: path, line: 4, found: 4, expected: 3),
            ] && error.localizedDescription.isEmpty == false
        }
    }

    /// Read on every core or in one pass, a file gives the same table and the same problems:
    /// the parts' bad cells, ragged rows and distinct texts are merged in file order.
    @Test func readOnEveryCoreOrInOnePassTheTableIsTheSame() throws {
        func both(_ text: String) throws -> (Result<FlatTable, DataError>, Result<FlatTable, DataError>) {
            let path = temporaryFile(text)
            func read(_ minimum: Int) -> Result<FlatTable, DataError> {
                Result { try FlatTable.read(path: path, textColumns: ["code"], minimumParallelBytes: minimum) }.mapError { $0 as! DataError }
            }
            return (read(0), read(.max))
        }
        // Ids (text throughout), a plan (few levels), numbers with missing cells, and a numeric code kept as text.
        var rows = ["id,plan,logins,code"]
        for i in 0..<3000 {
            rows.append("A\(i),\(["Pro", "Basic", " Team "][i % 3]),\(i % 7 == 0 ? "NA" : String(i % 50)),\(i % 4)")
        }
        let (parallel, serial) = try both(rows.joined(separator: "\n") + "\n")
        let p = try parallel.get(), q = try serial.get()
        #expect(p == q && p.rowCount == 3000 && p.lines.last == 3001)
        #expect(p.column(named: "plan")?.values == .text((0..<3000).map { ["Pro", "Basic", "Team"][$0 % 3] }))
        #expect(p.column(named: "code")?.values == .text((0..<3000).map { String($0 % 4) }))
        // Bad cells and ragged rows: the same error, naming the same first lines.
        rows[1500] = "A1499,Pro,lots,1"
        rows[2900] = "A2899,Pro"
        rows[10] = "A9,Pro,many,1"
        let (badParallel, badSerial) = try both(rows.joined(separator: "\n") + "\n")
        guard case let .failure(e1) = badParallel, case let .failure(e2) = badSerial else { Issue.record("expected errors"); return }
        #expect(e1 == e2 && e1.description.contains("line 2901"), "\(e1)")
        rows[2900] = "A2899,Pro,3,1"
        let (badCells, badCellsSerial) = try both(rows.joined(separator: "\n") + "\n")
        guard case let .failure(b1) = badCells, case let .failure(b2) = badCellsSerial else { Issue.record("expected errors"); return }
        #expect(b1 == b2 && b1.description.contains("line 11") && b1.description.contains("line 1501"), "\(b1)")
        // Texts past the distinct limit only over the whole file (600 in each half, and some numbers):
        // an identifier either way, though neither part alone has 1,000.
        let halves = (0..<3000).map { i in i % 10 == 0 ? "\(i)" : (i < 1500 ? "t" : "u") + "\(i % 600)" }
        let (idParallel, idSerial) = try both((["ref"] + halves).joined(separator: "\n") + "\n")
        guard case let .failure(i1) = idParallel, case let .failure(i2) = idSerial else { Issue.record("expected errors"); return }
        #expect(i1 == i2 && i1.description.contains("column 'ref' has more than 1000 distinct text values"), "\(i1)")
        // Under the limit over the whole file: a text column both ways.
        let few = (0..<3000).map { i in (i < 1500 ? "t" : "u") + "\(i % 400)" }
        let (fewParallel, fewSerial) = try both((["ref"] + few).joined(separator: "\n") + "\n")
        #expect(try fewParallel.get() == fewSerial.get() && fewParallel.get().column(named: "ref")?.values == .text(few))
    }

    @Test func emptyFileAndHeaderOnlyFileAreErrors() {
        let empty = temporaryFile("")
        #expect(throws: DataError.empty(file: empty)) { try FlatTable.read(path: empty) }
        let header = temporaryFile("a,b\n")
        #expect(throws: DataError.self) { try FlatTable.read(path: header) }
    }

    @Test func duplicateHeaderIsAnError() {
        let path = temporaryFile("a,a\n1,2\n")
        #expect(throws: DataError.duplicateColumn(file: path, column: "a")) { try FlatTable.read(path: path) }
    }
}

@Suite struct DesignMatrixTests {
    @Test func textColumnsAreOneHotAgainstTheFirstSortedLevel() throws {
        let t = try FlatTable.read(path: temporaryFile("account_id,segment,x,churned\na,SMB,1,yes\nb,Ent,2,no\nc,Mid,3,TRUE\nd,SMB,4,false\n"))
        let d = try DesignMatrix(table: t, label: "churned")
        #expect(d.names == ["segment[T.Mid]", "segment[T.SMB]", "x"])
        #expect(d.values == [0, 1, 1, 0, 0, 2, 1, 0, 3, 0, 1, 4])
        #expect(d.labels == [1, 0, 1, 0])
        #expect(d.encodings.first == .oneHot(column: "segment", reference: "Ent", levels: ["Mid", "SMB"]))
    }

    @Test func aLabelThatIsNotBinaryNamesLineAndValue() throws {
        let path = temporaryFile("x,churned\n1,0\n2,1\n3,2\n")
        let t = try FlatTable.read(path: path)
        #expect(throws: DataError.badValue(file: path, line: 4, column: "churned", value: "2",
                                           expected: "a binary label (\(BinaryLabel.accepted))")) {
            try DesignMatrix(table: t, label: "churned")
        }
    }

    @Test func aMissingLabelColumnListsTheColumns() throws {
        let path = temporaryFile("x,y\n1,0\n")
        let t = try FlatTable.read(path: path)
        #expect(throws: DataError.missingColumn(file: path, column: "churned", available: ["x", "y"])) {
            try DesignMatrix(table: t, label: "churned")
        }
    }

    @Test func rowsWithMissingValuesAreDroppedAndReported() throws {
        let t = try FlatTable.read(path: temporaryFile("x,z,churned\n1,1,0\n,2,1\n3,3,\n4,4,1\n"))
        let d = try DesignMatrix(table: t, label: "churned")
        #expect(d.rowCount == 2)
        #expect(d.droppedRows.map(\.line) == [3, 4])
        #expect(d.droppedRows.map(\.column) == ["x", "churned"])
    }

    @Test func excludedColumnsAreLeftOut() throws {
        let t = try FlatTable.read(path: temporaryFile("x,z,churned\n1,5,0\n2,6,1\n"))
        #expect(try DesignMatrix(table: t, label: "churned", exclude: ["z"]).names == ["x"])
        #expect(throws: DataError.self) { try DesignMatrix(table: t, label: "churned", exclude: ["nope"]) }
    }
}
