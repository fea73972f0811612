import Foundation
import Testing
@testable import TelltaleData
import TelltaleTestSupport

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

    /// `--out /dev/stdout` in a scheduled job: renaming a file over it would
    /// replace /dev's link with a file (as root) or fail. A stream is written
    /// in place; a named pipe stands in for it here.
    @Test func aStreamIsWrittenInPlaceNotReplaced() throws {
        let fifo = directory + "/feed"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(AtomicFile.isStream(fifo) && AtomicFile.isStream("/dev/null"))
        #expect(!AtomicFile.isStream(directory + "/missing.csv") && !AtomicFile.isStream(directory))
        let received = PipeReader(fifo)
        try AtomicFile.write(parts: [Data("a,b\n".utf8), Data("1,2\n".utf8)], to: fifo)
        #expect(received.wait() == Data("a,b\n1,2\n".utf8))
        var st = stat()
        #expect(lstat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO, "still a pipe")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["feed"], "no temporary file left")
    }

    /// A score file linked into a shared folder stays a link: the file it
    /// points to is replaced, atomically, in its own directory.
    @Test func aSymlinkKeepsPointingAtItsReplacedTarget() throws {
        try FileManager.default.createDirectory(atPath: directory + "/shared", withIntermediateDirectories: true)
        let target = directory + "/shared/scores.csv", link = directory + "/scores.csv"
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        try AtomicFile.write(Data("new\n".utf8), to: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data("new\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/shared") == ["scores.csv"])
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

    /// A simulated `usage.csv.gz` must read back through zlib's own reader, be
    /// real gzip (zlib reads plain files through unchanged, so a round trip
    /// alone would not notice), carry no timestamp (same seed, same bytes) and
    /// survive output of several compression buffers (incompressible bytes).
    @Test func gzipFilesReadBackAndCarryNoTimestamp() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let noise = (0..<3_000_000).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let text = Array(String(repeating: "ACC-00001,2026-01-02,3,1,2,5,33,0,,0,12\n", count: 50_000).utf8)
        for (name, bytes) in [("noise.bin.gz", noise), ("usage.csv.gz", text), ("empty.gz", [])] {
            let path = directory + "/gz/" + name
            try AtomicFile.writeGzip(bytes, to: path)
            let file = try Data(contentsOf: URL(fileURLWithPath: path))
            let header = Array(file.prefix(8))
            #expect(header == [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0], "\(name): gzip magic, deflate, zero mtime; got \(header)")
            let source = try ByteSource(path: path)
            var back: [UInt8] = []
            let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 20)
            defer { buffer.deallocate() }
            while case let n = try source.read(into: buffer, capacity: 1 << 20), n > 0 { back += UnsafeBufferPointer(start: buffer, count: n) }
            let same = back == bytes  // a Bool, so a failure does not print megabytes
            #expect(same, "\(name): \(back.count) bytes read back of \(bytes.count)")
            if name == "usage.csv.gz" { #expect(file.count < bytes.count / 20) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/gz").sorted() == ["empty.gz", "noise.bin.gz", "usage.csv.gz"])
    }
}
