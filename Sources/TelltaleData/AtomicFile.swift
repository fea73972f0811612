import CZlib
import Foundation

/// Writes files so that a reader never sees half of one: the bytes go to a
/// temporary file in the same directory, which is then renamed over the
/// target (atomic on POSIX file systems). A failure leaves any previous file
/// untouched and no temporary file behind.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws {
        try write(parts: [data], to: path)
    }

    /// Writes the parts one after the other (a large output rendered in
    /// chunks need not be joined in memory first), atomically.
    public static func write(parts: [Data], to path: String) throws {
        try write(to: path) { sink in for part in parts { try sink.write(part) } }
    }

    /// Where `write(to:_:)` sends bytes: the temporary file, in order. Each
    /// part's pages are handed to the system's writeback as soon as they are
    /// written, so that the rename at the end (which on ext4 makes the system
    /// allocate and start writing a replacing file's data, 75 ms for a
    /// 120 MB score file) finds the work under way.
    public struct Sink {
        let handle: FileHandle
        var offset: Int64 = 0

        public mutating func write(_ data: Data) throws {
            try handle.write(contentsOf: data)
            _ = LibC.syncFileRange?(handle.fileDescriptor, offset, Int64(data.count), 2 /* SYNC_FILE_RANGE_WRITE */)
            offset += Int64(data.count)
        }
    }

    /// Writes what `produce` sends to the sink, atomically: the target is
    /// replaced only once everything is written, and a throw leaves it as it was.
    public static func write(to path: String, _ produce: (inout Sink) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw DataError.cannotOpen(file: path, reason: "cannot create directory \(dir.path): \(error.localizedDescription)")
        }
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            guard FileManager.default.createFile(atPath: temp.path, contents: nil), let handle = FileHandle(forWritingAtPath: temp.path) else {
                throw DataError.cannotOpen(file: path, reason: "cannot create \(temp.path)")
            }
            do {
                var sink = Sink(handle: handle)
                try produce(&sink)
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            if rename(temp.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temp)
                throw DataError.cannotOpen(file: path, reason: "cannot replace the file: \(reason)")
            }
        } catch let error as DataError {
            try? FileManager.default.removeItem(at: temp)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw DataError.cannotOpen(file: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Gzip-compresses `bytes` into `path` (atomically, like `write`).
    /// zlib writes a zero timestamp, so the same bytes give the same file.
    public static func writeGzip(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        guard let gz = gzopen(temp, "wb6") else {
            throw DataError.cannotOpen(file: path, reason: "cannot create \(temp): \(String(cString: strerror(errno)))")
        }
        var offset = 0
        var failed = false
        bytes.withUnsafeBufferPointer { p in
            while offset < p.count && !failed {
                let n = min(1 << 20, p.count - offset)
                if gzwrite(gz, p.baseAddress! + offset, UInt32(n)) != Int32(n) { failed = true }
                offset += n
            }
        }
        if gzclose(gz) != Z_OK || failed {
            unlink(temp)
            throw DataError.cannotOpen(file: path, reason: "cannot write compressed data")
        }
        if rename(temp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw DataError.cannotOpen(file: path, reason: "cannot replace the file: \(reason)")
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
