import CZlib
import Dispatch
import Foundation

/// Reads a file's bytes in large chunks, transparently gunzipping `.gz` files.
///
/// zlib's `gzread` passes plain files through unchanged, so one code path
/// serves `accounts.csv` and `accounts.csv.gz` alike. A compressed file is
/// inflated one chunk ahead on a thread of its own (`ReadAhead`): inflating a
/// usage export keeps one core busy for most of the time parsing keeps
/// another, so the two overlap instead of adding up.
final class ByteSource {
    let path: String
    private let handle: gzFile
    private let readAhead: ReadAhead?

    /// Bytes still to deliver when reading a range.
    private var remaining = Int.max

    /// - Parameter range: only these bytes (for an uncompressed file read in parts).
    init(path: String, range: Range<Int>? = nil) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError.cannotOpen(file: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw DataError.cannotOpen(file: path, reason: "it is a directory") }
        guard let h = gzopen(path, "rb") else {
            throw DataError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
        handle = h
        gzbuffer(handle, 1 << 20)
        if let range {
            if range.lowerBound > 0 && gzseek(handle, range.lowerBound, SEEK_SET) < 0 {
                gzclose(h)
                throw DataError.cannotOpen(file: path, reason: "cannot seek to byte \(range.lowerBound)")
            }
            remaining = range.count
        }
        // gzdirect is 0 for a gzip stream (it reads the first bytes to tell).
        readAhead = range == nil && gzdirect(handle) == 0 ? ReadAhead(handle: handle) : nil
    }

    /// Fills up to `capacity` bytes; returns 0 at end of file.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if remaining == 0 { return 0 }
        let count = min(capacity, remaining)
        let n = readAhead?.read(into: buffer, capacity: count) ?? Self.read(handle, into: buffer, count: count)
        if n < 0 {
            throw DataError.cannotOpen(file: path, reason: "read failed: \(readAhead?.failure ?? Self.message(handle))")
        }
        if remaining != Int.max { remaining -= n }
        return n
    }

    /// `gzread`, with a gzip stream that stops short counted as an error (-1):
    /// zlib ends it like a whole file and only notes Z_BUF_ERROR, so a cut-off
    /// download would otherwise read as a complete, shorter export.
    fileprivate static func read(_ handle: gzFile, into buffer: UnsafeMutablePointer<UInt8>, count: Int) -> Int {
        let n = Int(gzread(handle, buffer, UInt32(count)))
        if n == 0 && count > 0 {
            var code: Int32 = 0
            _ = gzerror(handle, &code)
            if code == Z_BUF_ERROR { return -1 }
        }
        return n
    }

    fileprivate static func message(_ handle: gzFile) -> String {
        var code: Int32 = 0
        let text = gzerror(handle, &code).map { String(cString: $0) } ?? "read error"
        return code == Z_BUF_ERROR ? "the compressed file ends early (cut short: an unfinished download or copy?)" : text
    }

    deinit {
        readAhead?.stop() // the thread must be done with the handle before it closes
        gzclose(handle)
    }
}

/// Two chunk buffers passed between an inflating thread and the reader: the
/// thread fills one while the reader copies out of the other. Semaphores do
/// all the handing over (and order the memory), so nothing here is touched
/// by both sides at once.
private final class ReadAhead: @unchecked Sendable {
    static let chunkSize = 4 << 20
    private let handle: gzFile
    private let buffers = [UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize),
                           UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)]
    /// Bytes in each buffer: 0 at the end of the file, -1 on a read error.
    /// (Raw memory: each side writes its own slot, which a shared Swift array
    /// could not promise.)
    private let lengths = UnsafeMutablePointer<Int>.allocate(capacity: 2)
    /// What went wrong when a read gave -1 (set before that buffer is handed over).
    private(set) var failure = ""
    private let full = DispatchSemaphore(value: 0)
    /// Starts at 0 and is signalled twice in `init`: libdispatch traps when a
    /// semaphore is freed below the value it was created with.
    private let empty = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopRequested = false
    private var stopping: Bool { lock.withLock { stopRequested } }

    // The reader's side.
    private var current = 0, offset = 0, holding = false, atEnd = false

    init(handle: gzFile) {
        self.handle = handle
        empty.signal(); empty.signal()
        let thread = Thread { [self] in inflate() }
        thread.name = "telltale gunzip"
        thread.start()
    }

    private func inflate() {
        var next = 0
        while true {
            empty.wait()
            if stopping { break }
            let n = ByteSource.read(handle, into: buffers[next], count: Self.chunkSize)
            if n < 0 { failure = ByteSource.message(handle) }
            lengths[next] = n
            full.signal()
            if n <= 0 { break }
            next ^= 1
        }
        finished.signal()
    }

    /// As `gzread`: bytes copied, 0 at the end, -1 on an error (then 0 after it).
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int {
        if atEnd { return 0 }
        if !holding {
            full.wait()
            holding = true
            offset = 0
            if lengths[current] <= 0 { atEnd = true; return lengths[current] }
        }
        let n = min(capacity, lengths[current] - offset)
        buffer.update(from: buffers[current] + offset, count: n)
        offset += n
        if offset == lengths[current] {
            holding = false
            current ^= 1
            empty.signal()
        }
        return n
    }

    /// Waits for the thread to leave, wherever it is (also when the reader
    /// stops early, as a problem-limit stop does).
    func stop() {
        lock.withLock { stopRequested = true }
        empty.signal()
        finished.wait()
    }

    deinit { buffers.forEach { $0.deallocate() }; lengths.deallocate() }
}
