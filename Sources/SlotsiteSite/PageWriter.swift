#if canImport(Glibc)
import Glibc
#endif
import SlotsiteCore

/// Writes files under the output folder so that a reader sees the old file or the
/// new one, never part of one: each file goes to a temporary file in its folder and
/// `flush()` renames it into place, or, for a writer given `SparePages`, a page that
/// exists is written into a spare file that then swaps names with it. Files whose
/// bytes would not change are left alone.
///
/// Durability comes in one of three orders. By default `flush()` makes the batch durable
/// first (fsync each, or one syncfs for a big batch), then renames. With `deferSync`,
/// `flush()` renames at once, and then either `syncRenamed()` makes everything renamed
/// so far durable in one go (a build: one sync at its end, before the store records its
/// pages, so a power cut before it leaves the old records and the next build renders
/// those pages again), or `closeRenamed()` leaves that to the kernel (the CGI: it
/// records its pages as unsynced in this boot, `PageRecord.unsyncedBoot`, and the first
/// build after a reboot renders them again; the next build in the same boot syncs).
public final class PageWriter {
    public let output: String
    /// Prefix of temporary files, so a build can sweep ones a crash left behind.
    static let temporaryPrefix = ".slotsite-tmp-"
    /// Up to this many files are synced one by one; past it, one syncfs.
    static let individualSyncLimit = 16
    /// A batch this big is flushed on its own, bounding open files and memory.
    static let batchLimit = 512

    private let deferSync: Bool
    /// The folder of `SparePages`, and the spares once a page is first replaced (a
    /// writer that only creates pages never reads the folder); nil: each replacement
    /// writes a new file and frees the old one.
    private let sparesFolder: String?
    private lazy var spares: SparePages? = sparesFolder.flatMap { SparePages(folder: $0, output: output) }
    /// Files written and not yet in place: a temporary file renamed over `path`, or a
    /// spare (its number) swapped with it. Both paths relative to the output folder,
    /// but a spare's, which is absolute.
    private var pending: [(temporary: String, path: String, fd: Int32, spare: Int?)] = []
    /// The output folder, opened at the first write: files are made, renamed and
    /// removed relative to it, so the kernel does not walk the output folder's own path
    /// three times a page.
    private var folderFD: Int32 = -1
    /// Files renamed but not yet durable (`deferSync`): their open descriptors, and
    /// whether any was closed unsynced, which leaves one syncfs to do.
    private var renamed: [(fd: Int32, path: String)] = []
    private var renamedWithoutDescriptor = false
    /// Set when every folder this writer writes into was made during this build (by
    /// `ProfileFolders`, or by the writer itself when it gets there first), so holds no
    /// earlier file: a page is then written without looking for an old one.
    var foldersAreNew = false

    /// - Parameter spares: a folder for `SparePages`, used when it is on the output's
    ///   file system. Only one writer at a time may use it (the site lock's holder).
    public init(output: String, deferSync: Bool = false, spares: String? = nil) {
        self.output = output
        self.deferSync = deferSync
        sparesFolder = spares
    }

    deinit {
        discardPending()
        for item in renamed where item.fd >= 0 { close(item.fd) }
        if folderFD >= 0 { close(folderFD) }
    }

    /// Stages `bytes` for `relativePath` unless the file already holds exactly them;
    /// the file changes at the next `flush()`.
    /// - Returns: true when the file will be (re)written.
    /// - Throws: `SiteError.io` naming the path; no temporary file is left.
    @discardableResult
    public func write(_ relativePath: String, _ bytes: some Collection<UInt8>) throws -> Bool {
        let path = output + "/" + relativePath
        let dir = try outputFolder()
        let slash = relativePath.lastIndex(of: "/")
        let folder = slash.map { String(relativePath[..<$0]) }
        // One mkdir tells both: a folder made just now holds no old file to compare;
        // one lstat then says whether the page is a plain file and rules out most
        // changed files without reading them (a link is compared with what it names).
        var old = stat()
        let made = try foldersAreNew || folder.map(makeFolder) ?? false
        let exists = !made && fstatat(dir, relativePath, &old, AT_SYMLINK_NOFOLLOW) == 0
        let plainFile = exists && (old.st_mode & S_IFMT) == S_IFREG
        if exists, !plainFile { _ = stat(path, &old) }
        if exists, Int(old.st_size) == bytes.count, let oldBytes = readFileBytes(path), PageWriter.same(oldBytes, bytes) { return false }
        // A page being replaced swaps names with a spare holding the new bytes (a file,
        // not a link to one: the link would become a spare that can never be written).
        if plainFile, let spares, let spare = spares.take(size: bytes.count) {
            let wrote: Bool = (bytes.withContiguousStorageIfAvailable { PageWriter.writeAll(spare.fd, $0) }
                ?? Array(bytes).withUnsafeBufferPointer { PageWriter.writeAll(spare.fd, $0) })
                && ftruncate(spare.fd, off_t(bytes.count)) == 0
            let code = errno
            SparePages.release(spare.fd)
            guard wrote else {
                close(spare.fd)
                spares.returned(spare.number)
                throw PageWriter.error(path, "cannot write (\(String(cString: strerror(code))))")
            }
            try stage(spare.path, relativePath, spare.fd, spare: spare.number)
            return true
        }
        let name = slash.map { relativePath[relativePath.index(after: $0)...] } ?? relativePath[...]
        let temporary = (folder.map { $0 + "/" } ?? "") + PageWriter.temporaryPrefix + PageWriter.pid + "-" + name
        func create() -> Int32 { openat(dir, temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        var fd = create()
        if fd < 0, errno == ENOENT, foldersAreNew, let folder {
            // Ahead of `ProfileFolders`: this new folder is made here.
            _ = try makeFolder(folder)
            fd = create()
        }
        guard fd >= 0 else { throw PageWriter.error(path, "cannot create a temporary file (\(String(cString: strerror(errno))))") }
        let wrote: Bool = bytes.withContiguousStorageIfAvailable { PageWriter.writeAll(fd, $0) }
            ?? Array(bytes).withUnsafeBufferPointer { PageWriter.writeAll(fd, $0) }
        guard wrote else {
            let code = errno
            close(fd)
            unlinkat(dir, temporary, 0)
            throw PageWriter.error(path, "cannot write (\(String(cString: strerror(code))))")
        }
        try stage(temporary, relativePath, fd, spare: nil)
        return true
    }

    /// The output folder's descriptor, the folder made first if need be.
    private func outputFolder() throws -> Int32 {
        if folderFD >= 0 { return folderFD }
        try PageWriter.makeDirectories(output)
        folderFD = open(output, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folderFD >= 0 else { throw PageWriter.error(output, "cannot open the folder (\(String(cString: strerror(errno))))") }
        return folderFD
    }

    /// Creates `folder`, relative to the output folder, and its parents if needed.
    /// - Returns: true when it did not exist before.
    private func makeFolder(_ folder: String) throws -> Bool {
        // An existing folder is found by a lookup, not by a failing mkdir, which takes
        // the parent folder's lock first (`ProfileFolders` is making folders in it).
        var st = stat()
        if fstatat(folderFD, folder, &st, 0) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return false }
        if mkdirat(folderFD, folder, 0o755) == 0 { return true }
        switch errno {
        case EEXIST: return false
        case ENOENT:
            try PageWriter.makeDirectories(output + "/" + folder)
            return true
        default:
            throw PageWriter.error(output + "/" + folder, "cannot create the folder (\(String(cString: strerror(errno))))")
        }
    }

    /// Adds a written file to the batch; its descriptor is kept only while the batch is
    /// small enough to sync file by file.
    private func stage(_ temporary: String, _ path: String, _ fd: Int32, spare: Int?) throws {
        if pending.count < PageWriter.individualSyncLimit {
            pending.append((temporary, path, fd, spare))
        } else {
            close(fd)
            pending.append((temporary, path, -1, spare))
        }
        if pending.count >= PageWriter.batchLimit { try flush() }
    }

    /// Puts every staged file in place: durable first and then renamed, or with
    /// `deferSync` renamed now and made durable by `syncRenamed()`.
    /// - Throws: `SiteError.io`; files not yet renamed keep their old content and
    ///   their temporary files are removed.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        defer { discardPending() }
        if deferSync {
            try renamePending()
            for item in pending {
                if item.fd >= 0 { renamed.append((item.fd, output + "/" + item.path)) } else { renamedWithoutDescriptor = true }
            }
            if renamed.count > PageWriter.individualSyncLimit {
                for item in renamed { close(item.fd) }
                renamed.removeAll()
                renamedWithoutDescriptor = true
            }
            pending.removeAll()
            return
        }
        if pending.contains(where: { $0.fd < 0 }) { try syncFileSystem() }
        for k in pending.indices where pending[k].fd >= 0 {
            try PageWriter.sync(pending[k].fd, output + "/" + pending[k].path)
            pending[k].fd = -1
        }
        try renamePending()
    }

    /// Makes the files `flush()` renamed (with `deferSync`) durable.
    public func syncRenamed() throws {
        defer { renamed.removeAll() }
        if renamedWithoutDescriptor {
            renamedWithoutDescriptor = false
            for item in renamed { close(item.fd) }
            renamed.removeAll()
            return try syncFileSystem()
        }
        for k in renamed.indices {
            let (fd, path) = renamed[k]
            renamed[k].fd = -1
            try PageWriter.sync(fd, path)
        }
    }

    /// Lets go of the files `flush()` renamed (with `deferSync`) without syncing them:
    /// the kernel writes them back in its own time.
    public func closeRenamed() {
        for item in renamed where item.fd >= 0 { close(item.fd) }
        renamed.removeAll()
        renamedWithoutDescriptor = false
    }

    /// Makes everything written to the output's file system so far durable (syncfs).
    public func syncFileSystem() throws {
        let fd = open(output, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0, linuxSyncfs(fd) == 0 else {
            if fd >= 0 { close(fd) }
            throw PageWriter.error(output, "cannot sync the file system (\(String(cString: strerror(errno))))")
        }
        close(fd)
    }

    private func renamePending() throws {
        for k in pending.indices {
            let item = pending[k]
            if let spare = item.spare {
                // The old page takes the spare's name; where names cannot be swapped
                // (a file system without RENAME_EXCHANGE) it is replaced as usual.
                let swapped = linuxRenameat2(AT_FDCWD, item.temporary, folderFD, item.path, RENAME_EXCHANGE_LINUX) == 0
                if swapped || renameat(AT_FDCWD, item.temporary, folderFD, item.path) == 0 {
                    spares?.returned(spare)
                    pending[k].temporary = ""
                    continue
                }
            } else if renameat(folderFD, item.temporary, folderFD, item.path) == 0 {
                pending[k].temporary = ""
                continue
            }
            throw PageWriter.error(output + "/" + item.path, "cannot rename into place (\(String(cString: strerror(errno))))")
        }
    }

    private static func sync(_ fd: Int32, _ path: String) throws {
        let synced = fsync(fd) == 0
        let closed = close(fd) == 0
        guard synced, closed else { throw PageWriter.error(path, "cannot sync (\(String(cString: strerror(errno))))") }
    }

    /// Drops staged files that were not renamed.
    private func discardPending() {
        for item in pending {
            if item.fd >= 0 { close(item.fd) }
            if let spare = item.spare {
                spares?.returned(spare) // still a spare, whatever it holds
            } else if !item.temporary.isEmpty {
                unlinkat(folderFD, item.temporary, 0)
            }
        }
        pending.removeAll()
    }

    /// Removes a file the build no longer produces, then its folders while empty.
    @discardableResult
    public func remove(_ relativePath: String) -> Bool {
        let path = output + "/" + relativePath
        let removed = unlink(path) == 0
        removeEmptyFolders(above: path)
        return removed
    }

    private func removeEmptyFolders(above file: String) {
        var path = file
        while let slash = path.lastIndex(of: "/"), path[..<slash].count > output.count {
            path = String(path[..<slash])
            if rmdir(path) != 0 { break }
        }
    }

    /// Deletes temporary files that a killed writer left anywhere under the output.
    /// - Returns: the paths of the other files that are not empty, relative to the
    ///   output folder (one walk answers both "what is left over" and "what exists").
    @discardableResult
    public func sweepTemporaryFiles() -> Set<String> {
        var files = Set<String>()
        func walk(_ folder: String, _ relative: String) {
            guard let dir = opendir(folder) else { return }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let path = folder + "/" + name
                if entry.pointee.d_type == UInt8(DT_DIR) {
                    walk(path, relative + name + "/")
                } else if name.hasPrefix(PageWriter.temporaryPrefix) {
                    unlink(path)
                } else if Files.hasBytes(path) {
                    files.insert(relative + name) // an empty page lost its bytes: not kept
                }
            }
        }
        walk(output, "")
        return files
    }

    static func same(_ old: [UInt8], _ new: some Collection<UInt8>) -> Bool {
        guard old.count == new.count else { return false }
        if old.isEmpty { return true }
        return new.withContiguousStorageIfAvailable { n in
            old.withUnsafeBytes { o in memcmp(o.baseAddress!, n.baseAddress!, old.count) == 0 }
        } ?? old.elementsEqual(new)
    }


    private static let pid = String(getpid())

    static func makeDirectories(_ path: String) throws {
        var st = stat()
        if stat(path, &st) == 0 { return }
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
        }
        if mkdir(path, 0o755) != 0, errno != EEXIST {
            throw error(path, "cannot create the folder (\(String(cString: strerror(errno))))")
        }
    }

    static func writeAll(_ fd: Int32, _ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        var done = 0
        while done < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
            if n < 0 { if errno == EINTR { continue }; return false }
            done += n
        }
        return true
    }

    private static func error(_ path: String, _ message: String) -> SiteError {
        SiteError(.io, path, message)
    }
}

/// syncfs(2): glibc declares it only under _GNU_SOURCE, which Swift's Glibc module lacks.
@_silgen_name("syncfs")
func linuxSyncfs(_ fd: Int32) -> Int32
