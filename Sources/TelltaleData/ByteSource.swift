import CZlib
import Foundation

/// Reads a file's bytes in large chunks, transparently gunzipping `.gz` files.
///
/// zlib's `gzread` passes plain files through unchanged, so one code path
/// serves `accounts.csv` and `accounts.csv.gz` alike.
final class ByteSource {
    let path: String
    private let handle: gzFile

    init(path: String) throws {
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
    }

    /// Fills up to `capacity` bytes; returns 0 at end of file.
    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        let n = gzread(handle, buffer, UInt32(capacity))
        if n < 0 {
            var code: Int32 = 0
            let message = gzerror(handle, &code).map { String(cString: $0) } ?? "read error"
            throw DataError.cannotOpen(file: path, reason: "read failed: \(message)")
        }
        return Int(n)
    }

    deinit { gzclose(handle) }
}
