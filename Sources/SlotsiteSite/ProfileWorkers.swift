import Dispatch
import SlotsiteRender
import SlotsiteStore

/// Renders and writes profile pages on several threads, each with its own parsed
/// templates and its own writer. Pages are renamed into place batch by batch and
/// made durable by `syncRenamed()`.
final class ProfileWorkers: @unchecked Sendable {
    private let workers: [Worker]

    final class Worker: @unchecked Sendable {
        let renderer: PageRenderer
        let writer: PageWriter
        var produced: [PageRecord] = []
        var written = 0, unchanged = 0
        var failure: Error?

        init(renderer: PageRenderer, writer: PageWriter) {
            self.renderer = renderer
            self.writer = writer
        }
    }

    init(config: SiteConfig, count: Int, main: PageRenderer) {
        workers = (0..<count).map { i in
            Worker(renderer: i == 0 ? main : PageRenderer(config: config, templates: Templates.directory(config.templatesPath)),
                   writer: PageWriter(output: config.outputPath, deferSync: true))
        }
    }

    func syncRenamed() throws {
        for worker in workers { try worker.writer.syncRenamed() }
    }

    func render(_ records: [ProfileRecord], theme: String, into run: inout SiteBuilder.Run) throws {
        guard !records.isEmpty else { return }
        let workers = self.workers
        DispatchQueue.concurrentPerform(iterations: workers.count) { w in
            let worker = workers[w]
            guard worker.failure == nil else { return }
            do {
                for i in stride(from: w, to: records.count, by: workers.count) {
                    let record = records[i]
                    let html = try worker.renderer.profile(record)
                    if try worker.writer.write(PageRenderer.profilePath(record.user.handle), html.utf8) {
                        worker.written += 1
                    } else {
                        worker.unchanged += 1
                    }
                    worker.produced.append(PageRecord(path: PageRenderer.profilePath(record.user.handle),
                                                      staleAt: record.freeSlots.first?.range.start,
                                                      fingerprint: "\(theme):p\(record.version)"))
                }
                try worker.writer.flush()
            } catch {
                worker.failure = error
            }
        }
        for worker in workers {
            if let failure = worker.failure { throw failure }
            run.produced += worker.produced
            run.summary.written += worker.written
            run.summary.unchanged += worker.unchanged
            worker.produced.removeAll()
            worker.written = 0
            worker.unchanged = 0
        }
    }
}
