import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// A POSIX thread running `body`; nil when the system cannot start one.
/// Join it with `pthread_join`.
func startThread(_ body: @escaping () -> Void) -> pthread_t? {
    final class Job {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
    let job = Unmanaged.passRetained(Job(body))
    var thread = pthread_t()
    let started = pthread_create(&thread, nil, { raw in
        Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, job.toOpaque())
    guard started == 0 else {
        job.release()
        return nil
    }
    return thread
}

/// While a build writes many files, a thread asks the kernel every `interval` to
/// write back what is dirty so far (syncfs), so that the sync that makes the build
/// durable at its end finds little left to do: the disk works while pages render
/// instead of after. Durability still comes from that last sync alone.
final class BackgroundWriteback: @unchecked Sendable {
    private let stopped = DispatchSemaphore(value: 0)
    private var thread: pthread_t?

    init(folder: String, intervalMilliseconds: Int = 50) {
        let stopped = self.stopped
        thread = startThread {
            // The folder may not exist yet when a build starts from nothing.
            var fd: Int32 = -1
            defer { if fd >= 0 { close(fd) } }
            while stopped.wait(timeout: .now() + .milliseconds(intervalMilliseconds)) == .timedOut {
                if fd < 0 { fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
                if fd >= 0 { _ = linuxSyncfs(fd) }
            }
        }
    }

    /// Stops the thread and waits for it.
    func stop() {
        guard let thread else { return }
        stopped.signal()
        pthread_join(thread, nil)
        self.thread = nil
    }

    deinit { stop() }
}
