import Foundation
import Testing
import TelltaleData
@testable import TelltaleSignals

/// What a warehouse export writes for numbers that a CSV number does not have.
@Suite struct FlatTableTextTests {
    @Test func formattedNumbersAreRecognised() {
        #expect(SignalTable.decoratedNumber("9,271") == 9271 && SignalTable.decoratedNumber("1,234,567.5") == 1_234_567.5)
        #expect(SignalTable.decoratedNumber("18%") == 18 && SignalTable.decoratedNumber("$1,200.50") == 1200.5 && SignalTable.decoratedNumber("€90") == 90)
        #expect(SignalTable.decoratedNumber("-2,500") == -2500)
        // Not numbers with decorations: plain numbers, a decimal comma, codes, text.
        for text in ["9271", "1,2", "12,34", "1234,567", "$basic", "pro", "A,B", "%", "1,2345"] {
            #expect(SignalTable.decoratedNumber(text) == nil, "\(text)")
        }
    }

    @Test func anAccountsRenewalsKeepTheSegmentOfTheirOwnRows() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("segments-\(UUID().uuidString).csv").path
        try """
        account_id,segment,as_of,x,churned
        A,SMB,2024-03-01,1,0
        A,Mid-Market,2025-03-01,2,1
        B,SMB,2024-05-01,3,0
        B,SMB,2025-05-01,4,0
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let (table, _) = try SignalTable.training(from: FlatTable.read(path: path), label: "churned")
        #expect(table.rowSegments == ["SMB", "Mid-Market", "SMB", "SMB"] && table.accountIDs == ["A", "B"])
        #expect(table.subset([1, 3]).rowSegments == ["Mid-Market", "SMB"] && table.segment(ofRow: 1) == "Mid-Market")
        // Every row in its account's segment: nothing per row to keep.
        try "account_id,segment,x,churned\nA,SMB,1,0\nA,SMB,2,1\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try SignalTable.training(from: FlatTable.read(path: path), label: "churned").table.segmentOfRow == nil)
    }
}
