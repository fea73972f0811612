import Foundation
import Testing
@testable import TelltaleData

/// A compressed file is inflated a chunk ahead on another thread; what the
/// reader gets must not depend on that: the same bytes in order, whatever
/// it asks for at a time, a clean error for a damaged file, and no hang or
/// crash when the reader stops early.
@Suite struct ByteSourceTests {
    /// About 11 MB of varied lines, so that the file spans three of the
    /// thread's 4 MB chunks and ends inside one.
    static let text: [UInt8] = {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(11_500_000)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var line = 0
        while bytes.count < 11_000_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes += Array("A\(line % 977),2025-\(line % 12 + 1)-\(line % 28 + 1),\(state >> 40),\(state >> 52)\n".utf8)
            line += 1
        }
        return bytes
    }()

    static func gzipped(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "telltale-bytes-\(UUID().uuidString).csv.gz"
        try AtomicFile.writeGzip(bytes, to: path)
        return path
    }

    static func readAll(_ source: ByteSource, step: Int) throws -> [UInt8] {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: step)
        defer { buffer.deallocate() }
        var out: [UInt8] = []
        while case let n = try source.read(into: buffer, capacity: step), n > 0 {
            out.append(contentsOf: UnsafeBufferPointer(start: buffer, count: n))
        }
        #expect(try source.read(into: buffer, capacity: step) == 0) // the end stays the end
        return out
    }

    @Test func aCompressedFileGivesItsBytesInOrderWhateverTheReadSize() throws {
        let path = try Self.gzipped(Self.text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Smaller and larger than the thread's chunk, and not dividing it.
        for step in [4093, 1 << 20, (4 << 20) + 1, 9 << 20] {
            #expect(try Self.readAll(ByteSource(path: path), step: step) == Self.text, "step \(step)")
        }
    }

    /// The loader makes room for a compressed file's rows from the size its
    /// gzip trailer records, so its columns are not copied to grow.
    @Test func aGzipTrailerGivesTheInflatedSize() throws {
        let path = try Self.gzipped(Self.text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(HistoryLoader.gzipInflatedSize(path: path, size: size) == Self.text.count)
        #expect(HistoryLoader.estimatedRows(path: path) == max(size / 9, Self.text.count / 36))
        #expect(HistoryLoader.gzipInflatedSize(path: path, size: 10) == nil) // too short to be gzip
    }

    @Test func anEmptyCompressedFileHasNoBytes() throws {
        let path = try Self.gzipped([])
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Self.readAll(ByteSource(path: path), step: 100).isEmpty)
    }

    /// The header read stops after the first line; a problem limit stops a
    /// read anywhere. Dropping the source then must stop the thread wherever
    /// it is (waiting for a free buffer or inflating), many times over.
    @Test func stoppingEarlyNeitherHangsNorCrashes() throws {
        let path = try Self.gzipped(Self.text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 5 << 20)
        defer { buffer.deallocate() }
        for round in 0..<60 {
            let source = try ByteSource(path: path)
            var got = 0
            for _ in 0..<(round % 4) { got += try source.read(into: buffer, capacity: 5 << 20) }
            #expect(got <= Self.text.count)
        }
        // A reader that took every byte but never saw the end of the file, then stops.
        let source = try ByteSource(path: path)
        var got = 0
        while got < Self.text.count { got += try source.read(into: buffer, capacity: 5 << 20) }
        #expect(got == Self.text.count)
    }

    /// Damage in the middle of the stream, or a stream cut short: an error
    /// naming the file, not a shorter file that looks whole.
    @Test func aDamagedCompressedFileIsAnErrorNamingIt() throws {
        let path = try Self.gzipped(Self.text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var gz = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for i in stride(from: gz.count / 2, to: gz.count / 2 + 64, by: 1) { gz[i] ^= 0x5A }
        try Data(gz).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try Self.readAll(ByteSource(path: path), step: 1 << 20)
        } throws: { error in
            guard case DataError.cannotOpen(let file, let reason) = error else { return false }
            return file == path && reason.hasPrefix("read failed")
        }
        // Cut short: the same.
        try Data(gz.prefix(gz.count / 3)).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataError.self) { _ = try Self.readAll(ByteSource(path: path), step: 1 << 20) }
    }
}
