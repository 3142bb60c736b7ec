#if canImport(Glibc)
import Glibc
#endif
import SlotsiteSite

/// How a message leaves: a small struct of closures, the sendmail command live and a
/// capture in tests.
public struct MailTransport: Sendable {
    /// Why a message did not leave.
    public struct Failure: Error, Sendable, Equatable {
        public let message: String
        /// The command did not finish in time: the mail system hangs, so later messages
        /// of the same run would wait as long.
        public let timedOut: Bool

        public init(_ message: String, timedOut: Bool = false) {
            self.message = message
            self.timedOut = timedOut
        }
    }

    /// Hands one whole message over; nil when the mail system took it.
    public let send: @Sendable ([UInt8]) -> Failure?

    public init(send: @escaping @Sendable ([UInt8]) -> Failure?) {
        self.send = send
    }

    /// The sendmail interface: runs `command` (no shell) with the message on standard
    /// input; exit status 0 means the mail system took it. A command still running
    /// after `timeout` seconds is killed with its process group.
    public static func sendmail(_ command: [String], timeout: Double) -> MailTransport {
        MailTransport { message in Sendmail.run(command, input: message, timeout: timeout) }
    }
}

enum Sendmail {
    static func run(_ command: [String], input: [UInt8], timeout: Double) -> MailTransport.Failure? {
        guard !command.isEmpty else { return .init("no sendmail command") }
        // A mail system that exits before reading everything must fail the send, not the drain.
        signal(SIGPIPE, SIG_IGN)
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0]
        guard closingPipe(&inPipe) else { return .init("cannot make a pipe: \(String(cString: strerror(errno)))") }
        guard closingPipe(&outPipe) else {
            close(inPipe[0]); close(inPipe[1])
            return .init("cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so a timeout kills whatever it started too; default
        // signal handling, whatever this process ignores.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let spawned = posix_spawnp(&pid, command[0], &actions, &attributes, argv, environ)
        close(inPipe[0]); close(outPipe[1])
        guard spawned == 0 else {
            close(inPipe[1]); close(outPipe[0])
            return .init("cannot run \(command[0]): \(String(cString: strerror(spawned)))")
        }
        let deadline = Files.monotonicSeconds() + timeout
        var output: [UInt8] = []
        var written = 0
        var inFD = inPipe[1]
        _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
        var outOpen = true
        var writeError: String?
        while outOpen || inFD >= 0 {
            let left = deadline - Files.monotonicSeconds()
            if left <= 0 { break }
            var fds = [pollfd(fd: outOpen ? outPipe[0] : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)]
            let ready = poll(&fds, 2, Int32(min(left * 1000 + 1, 1000)))
            if ready < 0 && errno != EINTR { break }
            if fds[1].revents != 0, inFD >= 0 {
                let n = input.withUnsafeBytes { write(inFD, $0.baseAddress! + written, input.count - written) }
                if n > 0 { written += n }
                if n < 0, errno != EAGAIN, errno != EINTR { writeError = String(cString: strerror(errno)) }
                if written == input.count || (n < 0 && errno != EAGAIN && errno != EINTR) {
                    close(inFD); inFD = -1
                }
            }
            if fds[0].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = buffer.withUnsafeMutableBytes { read(outPipe[0], $0.baseAddress!, $0.count) }
                if n > 0 { if output.count < 4096 { output += buffer.prefix(n) } } else if n == 0 || errno != EINTR { outOpen = false }
            }
        }
        if inFD >= 0 { close(inFD) }
        close(outPipe[0])
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { return .init("lost \(command[0]): \(String(cString: strerror(errno)))") }
            if Files.monotonicSeconds() >= deadline {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                return .init("\(command[0]) did not finish within \(Int(timeout)) seconds; killed", timedOut: true)
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 2_000_000)
            nanosleep(&pause, nil)
        }
        let said = String(decoding: output, as: UTF8.self).split(whereSeparator: \.isNewline).joined(separator: " / ")
        let exited = status & 0x7F == 0, code = (status >> 8) & 0xFF
        if exited && code == 0 && written == input.count { return nil }
        let how = exited ? "exited with status \(code)" : "was killed by signal \(status & 0x7F)"
        let detail = said.isEmpty ? (writeError.map { " (writing: \($0))" } ?? "") : ": " + said
        return .init("\(command[0]) \(how)\(detail)")
    }

    /// A pipe whose ends close on exec (the child gets its copies through dup2).
    static func closingPipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

}
