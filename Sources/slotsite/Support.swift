import ArgumentParser
import Foundation
import SlotsiteCore
import SlotsiteSite

/// Seconds since the epoch: the one clock the commands read.
func currentTime() -> Int64 { Int64(Date().timeIntervalSince1970) }

/// Runs a command body; any error becomes one line on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("slotsite: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// Reads one password line from standard input, without echo on a terminal; only
/// the line ending is removed, never spaces.
func readPassword(prompt: String) -> String? {
    let terminal = isatty(STDIN_FILENO) == 1
    var saved = termios()
    if terminal {
        FileHandle.standardError.write(Data(prompt.utf8))
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
    }
    defer {
        if terminal {
            tcsetattr(STDIN_FILENO, TCSANOW, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
    }
    guard var line = Swift.readLine(strippingNewline: false) else { return nil }
    if line.hasSuffix("\n") { line.removeLast() }
    if line.hasSuffix("\r") { line.removeLast() }
    return line
}

extension CoreError {
    var cliMessage: String { "\(field): \(message)" }
}

/// A line on standard output, written at once (a server runs on after it).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
