#if canImport(Glibc)
import Glibc
#endif

/// The lock the builder and every CGI process hold while they render and write pages,
/// so pages are written in commit order and a settled site equals a fresh build.
///
/// The holder's pid is written into the lock file and cleared on a clean release. A
/// new holder that finds a pid there knows the last one died while writing, so
/// temporary files may be left in the output: it leaves a mark that the next full
/// build sweeps the output (and only then; an undisturbed build need not walk it).
public final class SiteLock {
    private let fd: Int32
    private let sweepMarker: String

    /// Blocks until this process holds the lock at `path` (created if needed).
    /// - Throws: `SiteError.locked` when the lock file cannot be opened.
    public init(path: String) throws {
        if let slash = path.lastIndex(of: "/") { try PageWriter.makeDirectories(String(path[..<slash])) }
        sweepMarker = path + ".sweep"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SiteError(.locked, path, "cannot open the lock file") }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                close(fd)
                throw SiteError(.locked, path, "cannot take the lock")
            }
        }
        var byte: UInt8 = 0
        if pread(fd, &byte, 1, 0) == 1 {
            close(open(sweepMarker, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644))
        }
        let pid = Array("\(getpid())\n".utf8)
        ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// True when a writer died holding the lock since the last sweep.
    public var needsSweep: Bool { Files.exists(sweepMarker) }

    /// Records that the output was swept.
    public func swept() { unlink(sweepMarker) }

    deinit {
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }
}
