import CZlib
import Foundation

/// Reads a file's bytes in large chunks, transparently gunzipping `.gz` files.
///
/// zlib's `gzread` passes plain files through unchanged, so one code path
/// serves `accounts.csv` and `accounts.csv.gz` alike.
final class ByteSource {
    let path: String
    private let handle: gzFile

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
                throw DataError.cannotOpen(file: path, reason: "cannot seek to byte \(range.lowerBound)")
            }
            remaining = range.count
        }
    }

    /// Fills up to `capacity` bytes; returns 0 at end of file.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        if remaining == 0 { return 0 }
        let n = gzread(handle, buffer, UInt32(min(capacity, remaining)))
        if n < 0 {
            var code: Int32 = 0
            let message = gzerror(handle, &code).map { String(cString: $0) } ?? "read error"
            throw DataError.cannotOpen(file: path, reason: "read failed: \(message)")
        }
        if remaining != Int.max { remaining -= Int(n) }
        return Int(n)
    }

    deinit { gzclose(handle) }
}
