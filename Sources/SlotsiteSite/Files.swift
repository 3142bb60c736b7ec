#if canImport(Glibc)
import Glibc
#endif
import SlotsiteCore
import SlotsiteRender

/// The few file-system reads the site layer needs, on POSIX calls: the CGI links no
/// Foundation, which keeps its per-request start-up short.
public enum Files {
    public static func readText(_ path: String) -> String? {
        readFileBytes(path).flatMap { String(validating: $0, as: UTF8.self) }
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// True when `path` is a file that is not empty. A page is never empty, so an
    /// empty one lost its bytes (a power cut before its sync) and is rendered again.
    public static func hasBytes(_ path: String) -> Bool {
        (size(path) ?? 0) > 0
    }

    /// The size of the file at `path`, or nil when there is none.
    public static func size(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Size, modification time and inode of a file (all -1 when missing): what changes
    /// when the file is edited or replaced.
    public static func identity(_ path: String) -> [Int64] {
        var st = stat()
        guard stat(path, &st) == 0 else { return [-1, -1, -1, -1] }
        return [Int64(st.st_size), Int64(st.st_mtim.tv_sec), Int64(st.st_mtim.tv_nsec), Int64(st.st_ino)]
    }

    /// Names in `directory`, without `.` and `..`, or nil when it cannot be read.
    public static func list(_ directory: String) -> [String]? {
        guard let dir = opendir(directory) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Paths of the regular files under `directory`, relative to it, sorted; hidden
    /// files and folders are skipped.
    public static func walk(_ directory: String) -> [String] {
        var out: [String] = []
        func visit(_ relative: String) {
            for name in list(relative.isEmpty ? directory : directory + "/" + relative) ?? [] where !name.hasPrefix(".") {
                let path = relative.isEmpty ? name : relative + "/" + name
                if isDirectory(directory + "/" + path) { visit(path) } else { out.append(path) }
            }
        }
        visit("")
        return out.sorted()
    }

    /// Writes `text` to `path`, replacing it atomically, creating folders as needed.
    /// - Throws: `SiteError.io`.
    public static func write(_ text: String, to path: String) throws {
        let slash = path.lastIndex(of: "/")!
        let writer = PageWriter(output: String(path[..<slash]))
        try writer.write(String(path[path.index(after: slash)...]), text.utf8)
        try writer.flush()
    }

    /// `path` made absolute against the working folder, with `.` and `..` resolved.
    public static func absolute(_ path: String) -> String {
        // Already absolute and clean (the CGI's SLOTSITE_SITE, as configured): as is.
        if path.utf8.first == UInt8(ascii: "/"), path.utf8.count > 1, Files.isClean(path) { return path }
        var base: [Substring] = []
        if !path.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: 4096)
            if getcwd(&buffer, buffer.count) != nil {
                base = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).split(separator: "/")
            }
        }
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = base.popLast(); continue }
            base.append(part)
        }
        return "/" + base.joined(separator: "/")
    }

    /// True when no part of the absolute `path` is empty, `.` or `..`.
    static func isClean(_ path: String) -> Bool {
        var part = 0, dots = 0 // bytes in the current part, and how many of them are dots
        for byte in path.utf8.dropFirst() {
            if byte == UInt8(ascii: "/") {
                if part == 0 || part == dots && dots <= 2 { return false }
                part = 0
                dots = 0
            } else {
                part += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        return !(part == 0 || part == dots && dots <= 2)
    }

    /// This boot's id, or nil where the kernel does not tell (no Linux `/proc`). Pages
    /// written without a sync carry it: a later boot means they may be lost.
    public static let bootID: String? = {
        let fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, 64) }
        guard n > 0 else { return nil }
        let id = String(decoding: buffer[..<n].prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        return id.isEmpty ? nil : id
    }()

    /// Seconds on a monotonic clock, for timing a build.
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

extension Templates {
    /// A theme's templates read from `<directory>/<name>.mustache`.
    /// - Parameter compiled: a folder where parsed templates are kept between processes.
    public static func directory(_ directory: String, escapesHTML: Bool = true, compiled: String? = nil) -> Templates {
        Templates(escapesHTML: escapesHTML, compiled: compiled.map(CompiledTemplateFiles.init(folder:))) { name in
            // Names come from templates, never from users; refuse paths anyway.
            guard !name.contains("/"), !name.hasPrefix("."), !name.contains("\0") else { return nil }
            let path = directory + "/" + name + ".mustache"
            guard Files.exists(path) else { return nil }
            guard let text = Files.readText(path) else {
                throw SiteError(.badTemplate, path, "cannot read the template as UTF-8")
            }
            return text
        }
    }
}
