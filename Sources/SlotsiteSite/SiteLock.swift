#if canImport(Glibc)
import Glibc
#endif

/// The lock the builder and every CGI process hold while they render and write pages,
/// so pages are written in commit order and a settled site equals a fresh build.
///
/// The holder's pid is written into the lock file and blanked on a clean release. A
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
        if pread(fd, &byte, 1, 0) == 1, byte != UInt8(ascii: " ") {
            close(open(sweepMarker, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644))
        }
        // Overwritten in place, never truncated: a same-size write to a cached page
        // costs less than ftruncate's trip through the file system's truncate path.
        var pid = Array("\(getpid())".utf8)
        pid += [UInt8](repeating: UInt8(ascii: " "), count: max(0, SiteLock.width - 1 - pid.count)) + [UInt8(ascii: "\n")]
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Bytes of the holder's pid line; a line of blanks means no holder.
    private static let width = 12
    private static let released = [UInt8](repeating: UInt8(ascii: " "), count: width - 1) + [UInt8(ascii: "\n")]

    /// True when a writer died holding the lock since the last sweep.
    public var needsSweep: Bool { Files.exists(sweepMarker) }

    /// Records that the output was swept.
    public func swept() { unlink(sweepMarker) }

    deinit {
        _ = SiteLock.released.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        flock(fd, LOCK_UN)
        close(fd)
    }
}
