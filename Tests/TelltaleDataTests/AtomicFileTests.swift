import Foundation
import Testing
@testable import TelltaleData

/// A score or model file is replaced whole or not at all.
@Suite struct AtomicFileTests {
    let directory: String
    init() throws {
        directory = NSTemporaryDirectory() + "telltale-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    @Test func partsAreWrittenInOrderIntoANewDirectory() throws {
        let path = directory + "/sub/out.csv"
        try AtomicFile.write(parts: [Data("a,b\n".utf8), Data(), Data(repeating: 0x31, count: 100_000), Data("\n".utf8)], to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes == Data("a,b\n".utf8) + Data(repeating: 0x31, count: 100_000) + Data("\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/sub") == ["out.csv"])
    }

    #if os(Linux)
    /// The writeback hint is looked up at run time: on Linux it must be found,
    /// or large score files lose it without a word.
    @Test func theWritebackHintIsFoundOnLinux() {
        #expect(LibC.syncFileRange != nil)
    }
    #endif

    /// A producer that fails halfway (a scoring job stopped by a bad row, a
    /// full disk) leaves the previous file as it was and no temporary file.
    @Test func aFailedWriteLeavesThePreviousFileAndNoTemporaryOne() throws {
        struct Stop: Error {}
        let path = directory + "/scores.csv"
        try AtomicFile.write("old\n", to: path)
        #expect(throws: DataError.self) {
            try AtomicFile.write(to: path) { sink in
                try sink.write(Data(repeating: 0x41, count: 1 << 20))
                throw Stop()
            }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["scores.csv"])
    }
}
