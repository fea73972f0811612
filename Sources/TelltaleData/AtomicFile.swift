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

    /// Whether `path` names a stream: `/dev/stdout`, a named pipe, a terminal,
    /// a socket. Renaming a file over it would replace the device's name in
    /// /dev with a file (as root) or fail, so it is written in place: a stream
    /// has no half-written state to hide. (A directory is not one: writing
    /// "to" it fails as before, by name.)
    public static func isStream(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false } // follows symlinks: /dev/stdout -> /proc/self/fd/1
        let type = st.st_mode & S_IFMT
        return type == S_IFIFO || type == S_IFCHR || type == S_IFSOCK
    }

    /// Writes what `produce` sends to the sink, atomically: the target is
    /// replaced only once everything is written, and a throw leaves it as it was.
    /// A symlink stays a symlink (its target is replaced), and a stream
    /// (`isStream`) is written in place.
    public static func write(to path: String, _ produce: (inout Sink) throws -> Void) throws {
        if isStream(path) {
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw DataError.cannotOpen(file: path, reason: "cannot open it for writing")
            }
            defer { try? handle.close() }
            var sink = Sink(handle: handle)
            do { try produce(&sink) } catch let error as DataError { throw error } catch {
                throw DataError.cannotOpen(file: path, reason: "cannot write: \(error.localizedDescription)")
            }
            return
        }
        // A link to a file elsewhere (a shared feed folder) keeps pointing there.
        let url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
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
    /// The gzip header carries a zero timestamp, so the same bytes give the
    /// same file (the stream is what `gzopen(path, "wb6")` writes).
    public static func writeGzip(_ bytes: [UInt8], to path: String) throws {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip header and trailer around the deflate data.
        guard deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw DataError.cannotOpen(file: path, reason: "cannot start zlib compression")
        }
        defer { deflateEnd(&stream) }
        let chunk = 1 << 20
        var out = [UInt8](repeating: 0, count: chunk)
        try write(to: path) { sink in
            try bytes.withUnsafeBufferPointer { input in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                var status = Z_OK
                while status != Z_STREAM_END {
                    let produced = try out.withUnsafeMutableBufferPointer { o -> Int in
                        stream.next_out = o.baseAddress
                        stream.avail_out = UInt32(chunk)
                        status = deflate(&stream, Z_FINISH)
                        guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                            throw DataError.cannotOpen(file: path, reason: "cannot write compressed data (zlib \(status))")
                        }
                        return chunk - Int(stream.avail_out)
                    }
                    try sink.write(Data(out[0..<produced]))
                }
            }
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
