/// A run-time problem a command reports on stderr (exit status 1), without
/// the usage text that argument errors print.
struct CommandError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
