import ArgumentParser
import Foundation
import TelltaleData

/// Where a command's result goes: stdout, or a file written atomically.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Write the result to this file instead of stdout (atomically).", valueName: "FILE"))
    var out: String?

    func emit(_ text: String) throws {
        if let out {
            try AtomicFile.write(text, to: out)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}

/// Prints to standard error: progress, warnings and summaries that must not mix with results.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}
