import Testing
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
}
