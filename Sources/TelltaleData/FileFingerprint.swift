import Foundation

/// A content hash of a file (FNV-1a, 64 bits, hex): enough to tell whether a
/// model was trained on the same export, not a security measure.
public enum FileFingerprint {
    public static func fnv1a64(path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError.cannotOpen(file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read" : "no such file")
        }
        defer { try? handle.close() }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { bytes in
                for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            }
        }
        return String(format: "%016llx", hash)
    }
}
