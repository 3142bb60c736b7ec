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
