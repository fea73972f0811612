import Foundation

/// Reads a named pipe on another thread while a writer fills it (a pipe holds
/// 64 KB), until the writer has finished: opened without blocking, so a writer
/// that never opens the pipe (a file renamed over it) ends the read empty
/// instead of hanging the test.
public final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private var writerDone = false
    private let lock = NSLock(), done = DispatchSemaphore(value: 0)
    public init(_ path: String) {
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while fd >= 0 {
                let n = read(fd, &buffer, buffer.count)
                if n > 0 { data.append(contentsOf: buffer[0..<n]); continue }
                if n < 0 && errno != EAGAIN { break }
                if n == 0 && lock.withLock({ writerDone }) { break } // closed, and no writer to come
                usleep(1000)
            }
            if fd >= 0 { close(fd) }
            done.signal()
        }.start()
    }
    /// Call once the writer has finished.
    public func wait() -> Data {
        lock.withLock { writerDone = true }
        done.wait()
        return data
    }
}
