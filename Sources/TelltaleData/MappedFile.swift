import Foundation

/// A read-only memory map of a whole file: the parser reads the page cache
/// in place instead of copying the file through `read` twice (once to count
/// lines, once to parse).
final class MappedFile: @unchecked Sendable {
    let pointer: UnsafePointer<UInt8>
    let count: Int
    private let mapped: Bool

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw DataError.cannotOpen(file: path, reason: FileManager.default.fileExists(atPath: path) ? String(cString: strerror(errno)) : "no such file")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DataError.cannotOpen(file: path, reason: String(cString: strerror(errno))) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw DataError.cannotOpen(file: path, reason: "it is a directory") }
        count = Int(info.st_size)
        guard count > 0 else {
            pointer = UnsafePointer(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))
            mapped = false
            return
        }
        guard let m = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED else {
            throw DataError.cannotOpen(file: path, reason: "cannot map the file: \(String(cString: strerror(errno)))")
        }
        madvise(m, count, MADV_SEQUENTIAL)
        pointer = UnsafePointer(m.assumingMemoryBound(to: UInt8.self))
        mapped = true
    }

    /// Drops the whole pages in [from, upTo) from this process's memory (they
    /// stay in the page cache, and a later read maps them again with the same
    /// bytes: the mapping is private and never written). Returns the new start.
    func release(upTo end: UnsafePointer<UInt8>, from start: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        guard mapped else { return start }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let base = Int(bitPattern: pointer)
        let lo = (Int(bitPattern: start) - base) / page * page
        let hi = (Int(bitPattern: end) - base) / page * page
        if hi > lo { madvise(UnsafeMutableRawPointer(mutating: pointer + lo), hi - lo, MADV_DONTNEED) }
        return pointer + max(hi, Int(bitPattern: start) - base)
    }

    /// Line ends in a range of a mapped file, plus one for a last line
    /// without one (an upper bound on its records), and whether it holds a
    /// decimal point.
    func countLines(_ range: Range<Int>) -> (lines: Int, sawPoint: Bool) {
        let (count, sawPoint) = Bytes.countLineFeeds(pointer + range.lowerBound, range.count)
        return (count + (range.isEmpty || pointer[range.upperBound - 1] == 0x0A ? 0 : 1), sawPoint)
    }

    deinit {
        if mapped { munmap(UnsafeMutableRawPointer(mutating: pointer), count) } else { UnsafeMutablePointer(mutating: pointer).deallocate() }
    }
}
