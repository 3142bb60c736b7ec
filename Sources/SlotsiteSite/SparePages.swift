#if canImport(Glibc)
import Glibc
#endif

/// Files kept for reuse when pages are replaced, so that replacing a page neither
/// creates an inode nor frees one.
///
/// A page is replaced by writing its new bytes into a spare file and swapping the two
/// names (`renameat2` with `RENAME_EXCHANGE`): the page's name holds the new bytes at
/// once, and the spare's name the old page, which is a spare from then on. Writing a
/// temporary file and renaming it over the page instead creates an inode and frees the
/// old one every time; on ext4 without a journal (this machine's) a file system then
/// skips every inode freed in the last minute when it allocates one, which made each
/// temporary file slow to create under a steady stream of bookings.
///
/// A web server may still be sending the old page when it becomes a spare, so a spare
/// is written only while no other process has it open or mapped: each one is checked
/// with a write lease (`F_SETLEASE`), which Linux grants only then, and the lease is held
/// while its bytes are written (an open meanwhile waits for the release). Spares live in
/// a folder of their own beside the store, outside the published output, and are used
/// only under the site lock, so two writers never take the same one.
final class SparePages {
    let folder: String
    /// At most this many spares: enough that some are free while the last pages replaced
    /// are still being sent.
    static let limit = 8
    /// Spare numbers handed out and not yet swapped in.
    private var taken = Set<Int>()
    /// The spares in the folder, by number (one directory read instead of an open per name).
    private var existing: Set<Int>

    /// Spares in `folder` (created if needed) for pages under `output`; nil when either
    /// cannot be used, or they are on different file systems (names cannot be swapped
    /// across them).
    init?(folder: String, output: String) {
        var spare = stat(), out = stat()
        if stat(folder, &spare) != 0 {
            guard mkdir(folder, 0o700) == 0 || errno == EEXIST, stat(folder, &spare) == 0 else { return nil }
        }
        guard stat(output, &out) == 0, spare.st_dev == out.st_dev else { return nil }
        self.folder = folder
        existing = Set((Files.list(folder) ?? []).compactMap { Int($0) }.filter { (0..<SparePages.limit).contains($0) })
        // A lease is broken with SIGIO to its holder, whose default action ends the process.
        signal(SIGIO, SIG_IGN)
    }

    /// A file to write a page of `size` bytes into, open for writing and, when it is an
    /// old page, leased: a spare that nobody else has open (the one nearest in size, so
    /// that few blocks are freed or allocated), or else a new one while there are fewer
    /// than `limit`. Nil when every spare is in use.
    func take(size: Int) -> (fd: Int32, path: String, number: Int)? {
        var candidates: [(fd: Int32, number: Int, distance: Int)] = []
        var free: Int?
        for number in 0..<SparePages.limit where !taken.contains(number) {
            guard existing.contains(number) else {
                if free == nil { free = number }
                continue
            }
            let fd = open(path(number), O_RDWR | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 {
                if errno == ENOENT, free == nil { free = number }
                continue
            }
            var st = stat()
            // A spare still linked elsewhere (a swap cut short) is also a live page.
            guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_nlink == 1 else {
                close(fd)
                continue
            }
            candidates.append((fd, number, abs(Int(st.st_blocks) * 512 - size)))
        }
        defer { for candidate in candidates where candidate.fd >= 0 { close(candidate.fd) } }
        for k in candidates.indices.sorted(by: { candidates[$0].distance < candidates[$1].distance }) {
            let (fd, number, _) = candidates[k]
            if fcntl(fd, F_SETLEASE_LINUX, Int32(F_WRLCK)) == 0 {
                candidates[k].fd = -1
                taken.insert(number)
                return (fd, path(number), number)
            }
        }
        if let number = free {
            let fd = open(path(number), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd >= 0 {
                existing.insert(number)
                taken.insert(number)
                return (fd, path(number), number)
            }
        }
        return nil
    }

    /// Ends the lease `take` took on `fd`, once its bytes are written.
    static func release(_ fd: Int32) {
        _ = fcntl(fd, F_SETLEASE_LINUX, Int32(F_UNLCK))
    }

    /// Spare `number` was swapped in or given up: it may be taken again.
    func returned(_ number: Int) {
        taken.remove(number)
    }

    private func path(_ number: Int) -> String { folder + "/" + String(number) }
}

/// F_SETLEASE (fcntl.h): Linux only, declared under _GNU_SOURCE, which Swift's Glibc module lacks.
let F_SETLEASE_LINUX: Int32 = 1024

/// renameat2(2) with RENAME_EXCHANGE: swaps two names atomically.
@_silgen_name("renameat2")
func linuxRenameat2(_ olddirfd: Int32, _ oldpath: UnsafePointer<CChar>, _ newdirfd: Int32,
                    _ newpath: UnsafePointer<CChar>, _ flags: UInt32) -> Int32
let RENAME_EXCHANGE_LINUX: UInt32 = 2
