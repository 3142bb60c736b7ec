#if canImport(Glibc)
import Glibc
#endif

/// Writes files under the output folder so that a reader sees the old file or the
/// new one, never part of one: a temporary file in the same folder, fsync, rename.
/// Files whose bytes would not change are left alone, mtime included.
public struct PageWriter: Sendable {
    public let output: String
    /// Prefix of temporary files, so a build can sweep ones a crash left behind.
    static let temporaryPrefix = ".slotsite-tmp-"

    public init(output: String) {
        self.output = output
    }

    /// Writes `bytes` to `relativePath` unless the file already holds exactly them.
    /// - Returns: true when the file was (re)written.
    /// - Throws: `SiteError.io` naming the path; the old file is then intact and no
    ///   temporary file is left.
    @discardableResult
    public func write(_ relativePath: String, _ bytes: some Collection<UInt8>) throws -> Bool {
        let path = output + "/" + relativePath
        if let old = PageWriter.read(path), old.elementsEqual(bytes) { return false }
        let slash = path.lastIndex(of: "/")!
        let folder = String(path[..<slash])
        try PageWriter.makeDirectories(folder)
        let temporary = folder + "/" + PageWriter.temporaryPrefix + String(getpid()) + "-" + path[path.index(after: slash)...]
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PageWriter.error(path, "cannot create a temporary file") }
        var ok = true
        var message = ""
        let wrote: Bool = bytes.withContiguousStorageIfAvailable { PageWriter.writeAll(fd, $0) }
            ?? Array(bytes).withUnsafeBufferPointer { PageWriter.writeAll(fd, $0) }
        if !wrote { ok = false; message = "cannot write" }
        if ok, fsync(fd) != 0 { ok = false; message = "cannot sync" }
        if close(fd) != 0, ok { ok = false; message = "cannot close" }
        if ok, rename(temporary, path) != 0 { ok = false; message = "cannot rename into place" }
        if !ok {
            let code = errno
            unlink(temporary)
            throw PageWriter.error(path, "\(message) (\(String(cString: strerror(code))))")
        }
        return true
    }

    /// Removes a file the build no longer produces, then its folders while empty.
    public func remove(_ relativePath: String) {
        var path = output + "/" + relativePath
        unlink(path)
        while let slash = path.lastIndex(of: "/"), path[..<slash].count > output.count {
            path = String(path[..<slash])
            if rmdir(path) != 0 { break }
        }
    }

    /// Deletes temporary files that a killed writer left anywhere under the output.
    /// - Returns: how many were removed.
    @discardableResult
    public func sweepTemporaryFiles() -> Int {
        var removed = 0
        func walk(_ folder: String) {
            guard let dir = opendir(folder) else { return }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let path = folder + "/" + name
                if entry.pointee.d_type == UInt8(DT_DIR) {
                    walk(path)
                } else if name.hasPrefix(PageWriter.temporaryPrefix), unlink(path) == 0 {
                    removed += 1
                }
            }
        }
        walk(output)
        return removed
    }

    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let size = Int(st.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, size - done) }
            if n <= 0 { return nil }
            done += n
        }
        return bytes
    }

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

    private static func writeAll(_ fd: Int32, _ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
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
