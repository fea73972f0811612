import Foundation

/// C library functions Swift's Glibc module leaves out, looked up at run
/// time: each is an optimisation, so where one is missing (another C
/// library, another system) the caller carries on without it.
enum LibC {
    static func function<F>(_ name: String, as type: F.Type) -> F? {
        guard let symbol = dlsym(nil, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    /// `sync_file_range(fd, offset, count, flags)` (Linux): starts writing a
    /// file's pages to disk without waiting for it.
    static let syncFileRange = function("sync_file_range", as: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
}
