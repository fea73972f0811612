import Foundation

/// Starting the process again with the same arguments, for settings that a
/// library reads only when a process starts (OpenBLAS's core type, glibc's
/// tunables): change the environment, then call `again()`.
enum ProcessRestart {
    /// Replaces this process with a new run of the same executable and
    /// arguments. Returns only if that fails (no `/proc`, say): the caller
    /// carries on as it is.
    static func again() {
        var arguments: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        arguments.append(nil)
        execv("/proc/self/exe", &arguments)
    }
}
