import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import SlotsiteRender
import SlotsiteStore
import Synchronization

/// Renders and writes profile pages. With threads, a batch handed to `submit` is
/// rendered on worker threads (each with its own parsed templates and its own
/// writer) while the caller goes on reading the next batch from the store: reading
/// and rendering overlap instead of taking turns. Without, `submit` renders on the
/// caller's thread. Pages are renamed into place batch by batch, then either made
/// durable by `syncRenamed()` or let go by `closeRenamed()`.
final class ProfileWorkers: @unchecked Sendable {
    private let workers: [Worker]
    private let theme: String
    private let marks: SiteBuilder.Marks
    /// Batches waiting for a worker; nil tells a worker to stop.
    private let queue = Mutex<[[ProfileRecord]?]>([])
    private let waiting = DispatchSemaphore(value: 0)
    /// Bounds the batches read ahead of rendering, and so memory.
    private let room: DispatchSemaphore
    /// The first error a batch met; once set, batches are only drained.
    private let failure = Mutex<(any Error)?>(nil)
    private let rendered = Atomic<Int>(0)
    private var threads: [pthread_t] = []

    final class Worker: @unchecked Sendable {
        let renderer: PageRenderer
        let writer: PageWriter
        var produced: [PageRecord] = []
        /// The bios cooked for the pages rendered, for the store to keep.
        var cooked: [CookedBio] = []
        var written = 0, unchanged = 0, removed = 0
        /// Each page is rendered into this one buffer.
        private var page: [UInt8] = []

        init(renderer: PageRenderer, writer: PageWriter) {
            self.renderer = renderer
            self.writer = writer
        }

        func render(_ records: [ProfileRecord], theme: String, marks: SiteBuilder.Marks) throws {
            for record in records {
                let path = OutputKind.profilePath(record.user.handle)
                page.removeAll(keepingCapacity: true)
                if let bio = try renderer.profile(record, into: &page) { cooked.append(bio) }
                var wrote = try write(path)
                // The feed, the page's companion, goes under the page's record.
                let feed = OutputKind.feedPath(record.user.handle)
                if renderer.config.slotFeeds {
                    page.removeAll(keepingCapacity: true)
                    renderer.profileFeed(record, into: &page)
                    wrote = try write(feed) || wrote
                } else if writer.remove(feed) {
                    removed += 1
                }
                produced.append(PageRecord(path: path, staleAt: record.staleAt,
                                           fingerprint: OutputKind.profileFingerprint(theme: theme, version: record.version),
                                           unsyncedBoot: marks.mark(path, written: wrote)))
            }
            try writer.flush()
        }

        /// `page` written to `path`: whether its bytes changed.
        private func write(_ path: String) throws -> Bool {
            let wrote = try writer.write(path, page)
            if wrote { written += 1 } else { unchanged += 1 }
            return wrote
        }
    }

    /// `threads` 0: render on the caller's thread with `main`; otherwise that many
    /// worker threads, each with templates of its own. `foldersAreNew`: every profile
    /// folder is being made during this build (`ProfileFolders`), empty.
    init(config: SiteConfig, threads: Int, main: PageRenderer, theme: String, marks: SiteBuilder.Marks,
         foldersAreNew: Bool = false) {
        self.theme = theme
        self.marks = marks
        workers = threads == 0
            ? [Worker(renderer: main, writer: PageWriter(output: config.outputPath, deferSync: true))]
            : (0..<threads).map { _ in
                Worker(renderer: PageRenderer(config: config, templates: config.templates()),
                       writer: PageWriter(output: config.outputPath, deferSync: true))
            }
        for worker in workers { worker.writer.foldersAreNew = foldersAreNew }
        room = DispatchSemaphore(value: 2 * threads)
        for worker in threads == 0 ? [] : workers { start(worker) }
    }

    /// Profiles rendered so far.
    var count: Int { rendered.load(ordering: .relaxed) }

    /// Renders `records`, at once or on a worker thread. Waits while the workers
    /// are two batches each behind.
    /// - Throws: the first failure of a batch rendered earlier; nothing more is rendered.
    func submit(_ records: [ProfileRecord]) throws {
        guard !records.isEmpty else { return }
        if threads.isEmpty {
            try workers[0].render(records, theme: theme, marks: marks)
            rendered.add(records.count, ordering: .relaxed)
            return
        }
        if let failure = failure.withLock({ $0 }) { throw failure }
        room.wait()
        queue.withLock { $0.append(records) }
        waiting.signal()
    }

    /// Waits for every batch and adds what the workers produced to `run`.
    func finish(into run: inout SiteBuilder.Run) throws {
        stop()
        if let failure = failure.withLock({ $0 }) { throw failure }
        for worker in workers {
            run.produced += worker.produced
            run.cooked += worker.cooked
            run.summary.written += worker.written
            run.summary.unchanged += worker.unchanged
            run.summary.removed += worker.removed
            worker.removed = 0
            worker.produced.removeAll()
            worker.cooked.removeAll()
            worker.written = 0
            worker.unchanged = 0
        }
    }

    func syncRenamed() throws {
        for worker in workers { try worker.writer.syncRenamed() }
    }

    func closeRenamed() {
        for worker in workers { worker.writer.closeRenamed() }
    }

    deinit { stop() }

    private func stop() {
        guard !threads.isEmpty else { return }
        queue.withLock { $0 += Array(repeating: nil, count: threads.count) }
        for _ in threads { waiting.signal() }
        for thread in threads { pthread_join(thread, nil) }
        threads = []
    }

    private func start(_ worker: Worker) {
        // A thread that cannot start leaves fewer workers; with none, `submit` renders itself.
        if let thread = startThread({ [unowned self] in self.work(worker) }) { threads.append(thread) }
    }

    /// A worker thread: renders batches until told to stop; after a failure it only
    /// drains the queue, so that `submit` never waits forever.
    private func work(_ worker: Worker) {
        while true {
            waiting.wait()
            guard let batch = queue.withLock({ $0.removeFirst() }) else { return }
            if failure.withLock({ $0 == nil }) {
                do {
                    try worker.render(batch, theme: theme, marks: marks)
                    rendered.add(batch.count, ordering: .relaxed)
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                }
            }
            room.signal()
        }
    }
}
