import Foundation

/// Progress of a long read on stderr (rows, MB/s, elapsed), only when stderr
/// is a terminal: a scheduled job's logs stay clean.
public final class ProgressReporter {
    let label: String
    let enabled: Bool
    let started = Date()
    var lastShown = Date()
    var shown = false
    var bytes = 0
    var rows = 0

    public init(label: String, enabled: Bool = true) {
        self.label = label
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    /// Called by the reader after each chunk.
    func update(bytes: Int, rows: Int) {
        self.bytes = bytes
        self.rows = rows
        guard enabled else { return }
        let now = Date()
        if now.timeIntervalSince(lastShown) >= 0.5 {
            lastShown = now
            shown = true
            FileHandle.standardError.write(Data(("\r" + line(now)).utf8))
        }
    }

    private func line(_ now: Date) -> String {
        let elapsed = max(now.timeIntervalSince(started), 1e-9)
        return String(format: "%@: %d rows, %.0f MB/s, %.1f s ", label, rows, Double(bytes) / 1e6 / elapsed, elapsed)
    }

    public func finish() {
        if enabled && shown { FileHandle.standardError.write(Data(("\r" + line(Date()) + "\n").utf8)) }
    }
}
