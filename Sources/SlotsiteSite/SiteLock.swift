#if canImport(Glibc)
import Glibc
#endif

/// The lock the builder and every CGI process hold while they render and write pages,
/// so pages are written in commit order and a settled site equals a fresh build.
public final class SiteLock {
    private let fd: Int32

    /// Blocks until this process holds the lock at `path` (created if needed).
    /// - Throws: `SiteError.locked` when the lock file cannot be opened.
    public init(path: String) throws {
        if let slash = path.lastIndex(of: "/") { try PageWriter.makeDirectories(String(path[..<slash])) }
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SiteError(.locked, path, "cannot open the lock file") }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                close(fd)
                throw SiteError(.locked, path, "cannot take the lock")
            }
        }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
