import CSQLite
import Glibc

/// SQLite's own file layer ("unix") with one change, used by every `Database`: a WAL
/// whose directory is known to be synced since the file was made opens as an existing
/// file. SQLite opens it with "create" and syncs its directory at the first commit of
/// every connection, inside the write lock: a device flush per CGI process. The mark
/// (an extended attribute) is set only after such a sync, so a new WAL, and a file
/// system without user attributes, keep SQLite's sync.
enum SyncedWAL {
    static let name = "slotsite"
    static let mark = "user.slotsite.dir-synced"

    /// Registers the file layer once per process; false when SQLite has no "unix" one,
    /// and connections then use SQLite's default.
    static let registered: Bool = {
        guard let unix = sqlite3_vfs_find("unix") else { return false }
        base = unix
        // SQLite keeps the pointer for the life of the process.
        let vfs = UnsafeMutablePointer<sqlite3_vfs>.allocate(capacity: 1)
        vfs.initialize(to: unix.pointee)
        vfs.pointee.zName = UnsafePointer(strdup(name))
        vfs.pointee.xOpen = { _, path, file, flags, outFlags in SyncedWAL.open(path, file, flags, outFlags) }
        return sqlite3_vfs_register(vfs, 0) == SQLITE_OK
    }()

    nonisolated(unsafe) private static var base: UnsafeMutablePointer<sqlite3_vfs>!

    private static func open(_ path: UnsafePointer<CChar>?, _ file: UnsafeMutablePointer<sqlite3_file>?, _ flags: Int32,
                             _ outFlags: UnsafeMutablePointer<Int32>?) -> Int32 {
        let create = SQLITE_OPEN_WAL | SQLITE_OPEN_CREATE
        guard flags & create == create, let path else { return base.pointee.xOpen(base, path, file, flags, outFlags) }
        if getxattr(path, mark, nil, 0) >= 0 {
            let rc = base.pointee.xOpen(base, path, file, flags & ~SQLITE_OPEN_CREATE, outFlags)
            if rc == SQLITE_OK { return rc }
            // Gone since: made again below, as SQLite would.
        } else if errno != ENODATA && errno != ENOENT {
            return base.pointee.xOpen(base, path, file, flags, outFlags)
        }
        let rc = base.pointee.xOpen(base, path, file, flags, outFlags)
        if rc == SQLITE_OK, syncDirectory(of: path) { _ = setxattr(path, mark, "1", 1, 0) }
        return rc
    }

    /// Syncs the directory that holds `path`.
    private static func syncDirectory(of path: UnsafePointer<CChar>) -> Bool {
        let full = String(cString: path)
        let directory = full.lastIndex(of: "/").map { $0 == full.startIndex ? "/" : String(full[..<$0]) } ?? "."
        let fd = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return fsync(fd) == 0
    }
}
