import Foundation
import Testing
@testable import TelltaleData

@Suite struct FlatTableTests {
    @Test func columnsAreTypedAndMissingCellsKept() throws {
        let t = try FlatTable.read(path: temporaryFile("id,plan,logins,csat\nA,Pro,3,NA\nB,Basic,,7.5\nC,Pro,10,8\n"))
        #expect(t.columnNames == ["id", "plan", "logins", "csat"])
        #expect(t.column(named: "logins")?.values == .numeric([3, nil, 10]))
        #expect(t.column(named: "csat")?.values == .numeric([nil, 7.5, 8]))
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
