#if canImport(Glibc)
import Glibc
#endif
import SlotsiteCore
import SlotsiteRender

/// Parsed templates kept as files in one folder beside the build ledger, so that a CGI
/// process renders its pages without parsing their templates again.
///
/// One file per template key (a name, or a partial's name and indentation), named by
/// the key's hash: the key and the exact source the program was parsed from, then the
/// program. A file is used only for that same key and source, so an edited template is
/// parsed afresh and its file replaced; nothing in a file is trusted beyond a byte
/// comparison and the program's own checks. Files are written to a temporary name and
/// renamed. Anything that fails (a read-only folder, a damaged file) only means parsing.
struct CompiledTemplateFiles: CompiledTemplates {
    let folder: String

    private static let magic = Array("slotsite-template\n".utf8)

    func program(_ key: String, source: String) -> ArraySlice<UInt8>? {
        guard let bytes = readFileBytes(path(key), limit: 16 << 20) else { return nil }
        var at = CompiledTemplateFiles.magic.count
        guard bytes.starts(with: CompiledTemplateFiles.magic), CompiledTemplateFiles.matches(key, bytes, &at),
              CompiledTemplateFiles.matches(source, bytes, &at) else { return nil }
        return bytes[at...]
    }

    func keep(_ program: [UInt8], _ key: String, source: String) {
        let target = path(key)
        // Named by process and thread: a build's workers may keep the same template at once.
        let temporary = folder + "/." + String(getpid()) + "-" + String(UInt(pthread_self())) + "-" + name(key)
        guard mkdir(folder, 0o755) == 0 || errno == EEXIST else { return }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        var bytes = CompiledTemplateFiles.magic
        for text in [key, source] {
            withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { bytes += $0 }
            bytes += text.utf8
        }
        bytes += program
        let wrote = bytes.withUnsafeBufferPointer { PageWriter.writeAll(fd, $0) }
        guard close(fd) == 0, wrote, rename(temporary, target) == 0 else {
            unlink(temporary)
            return
        }
    }

    /// Whether `bytes` hold `text`'s length and bytes at `at`; moves `at` past them.
    private static func matches(_ text: String, _ bytes: [UInt8], _ at: inout Int) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard bytes.count - at >= 4 + utf8.count else { return false }
            let length = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
            guard length == utf8.count else { return false }
            let same = utf8.isEmpty || bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + at + 4, utf8.baseAddress!, utf8.count) == 0 }
            at += 4 + utf8.count
            return same
        }
    }

    private func path(_ key: String) -> String { folder + "/" + name(key) }

    private func name(_ key: String) -> String {
        var f = Fingerprint()
        f.add(key)
        return f.hex + ".bin"
    }
}
