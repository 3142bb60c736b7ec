#if canImport(Glibc)
import Glibc
#endif

/// Makes the profile folders (`u/<handle>/`) of a build that finds none, on a thread
/// of its own, ahead of the workers that write pages into them.
///
/// Every `mkdir` in `u/` holds that folder's lock while the file system allocates an
/// inode, which may wait on the disk for an inode bitmap; the workers that made their
/// own folders queued behind it (337 sleeps on the lock and 546 waits on metadata reads
/// in one cold build of 10,000, `perf record -e sched:sched_switch`) with a core idle.
/// Made here, those waits overlap with rendering. The workers still make any folder
/// not made yet (`PageWriter` takes an existing one as it is), so this thread only runs
/// ahead of them and reports nothing: a folder it could not make, a worker fails to make
/// and reports. (A professional removed while a first build runs may leave an empty
/// folder behind, which serves as no page at all.)
final class ProfileFolders {
    private var thread: pthread_t?

    /// Starts making `output/u/<handle>` for each of `handles`, in order; nil when
    /// `output/u` exists already (its folders are kept, not made) or cannot be made.
    init?(output: String, handles: [String]) {
        let parent = output + "/" + OutputKind.profilesFolder
        guard !Files.exists(parent), (try? PageWriter.makeDirectories(parent)) != nil else { return nil }
        let fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        thread = startThread {
            for handle in handles { _ = mkdirat(fd, handle, 0o755) }
            close(fd)
        }
        if thread == nil { close(fd) }
    }

    /// Waits until every folder was made or tried.
    func finish() {
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    deinit { finish() }
}
