import SlotsiteCore
import SlotsiteRender
import SlotsiteStore

/// Renders the store into the output folder: the whole site, the pages that went
/// stale, or the pages one change touches. Every write happens under the site lock.
public final class SiteBuilder {
    public let config: SiteConfig
    public let store: Store
    public let renderer: PageRenderer

    public init(config: SiteConfig, store: Store, templates: Templates? = nil) {
        self.config = config
        self.store = store
        self.renderer = PageRenderer(config: config, templates: templates ?? Templates.directory(config.templatesPath))
    }

    /// Renders every page; removes pages an earlier build wrote that no longer exist,
    /// and temporary files a crash left. Unchanged files are not rewritten.
    /// - Throws: `SiteError` for bad content, a bad template, or a file that cannot be written.
    public func buildAll(now: Int64, progress: ((Int, Int) -> Void)? = nil) throws -> BuildSummary {
        let started = Files.monotonicSeconds()
        let lock = try SiteLock(path: config.lockPath)
        defer { withExtendedLifetime(lock) {} }
        let content = try ContentPage.loadAll(from: config.contentPath)
        let before = try storeCall { try store.builtPages() }
        var run = Run(writer: PageWriter(output: config.outputPath))
        run.writer.sweepTemporaryFiles()

        let total = try storeCall { try store.userCount() }
        var entries: [DirectoryView.Entry] = []
        var nextStarts: [Int64?] = []
        try storeCall {
            try store.forEachProfile(now: now) { record in
                let first = record.freeSlots.first
                try run.emit(PageRenderer.profilePath(record.user.handle), renderer.profile(record), staleAt: first?.range.start)
                entries.append(renderer.directoryEntry(user: record.user, next: first))
                nextStarts.append(first?.range.start)
                if entries.count % 500 == 0 { progress?(entries.count, total) }
            }
        }
        let pageCount = max(1, (entries.count + config.pageSize - 1) / config.pageSize)
        for page in 1...pageCount {
            let range = min((page - 1) * config.pageSize, entries.count)..<min(page * config.pageSize, entries.count)
            try run.emit(PageRenderer.directoryPath(page), renderer.directory(Array(entries[range]), page: page, pageCount: pageCount),
                         staleAt: nextStarts[range].compactMap { $0 }.min())
        }
        for page in content where !page.draft {
            try run.emit(page.slug + "/index.html", renderer.content(page), staleAt: nil)
        }
        try run.emit("sitemap.xml", renderer.sitemap(sitemapPaths(run.produced.map(\.path))), staleAt: nil)
        try copyAssets(&run)
        try run.writer.flush()

        let producedPaths = Set(run.produced.map(\.path))
        let removed = before.keys.filter { !producedPaths.contains($0) }.sorted()
        for path in removed { run.writer.remove(path) }
        run.summary.removed = removed.count
        try storeCall { try store.recordPages(written: run.produced, removed: removed) }
        run.summary.seconds = Files.monotonicSeconds() - started
        progress?(total, total)
        return run.summary
    }

    /// Re-renders only the pages whose earliest shown slot has started by `now`, and
    /// pages marked stale by a change whose own re-render did not finish. With no
    /// earlier build it builds everything.
    public func buildIncremental(now: Int64) throws -> BuildSummary {
        let started = Files.monotonicSeconds()
        let pages: [String: Int64?]
        do {
            let lock = try SiteLock(path: config.lockPath)
            defer { withExtendedLifetime(lock) {} }
            pages = try storeCall { try store.builtPages() }
        }
        if pages.isEmpty { return try buildAll(now: now) }
        let due = pages.compactMap { path, staleAt in (staleAt.map { $0 <= now } ?? false) ? path : nil }
        var summary = try rerender(paths: due, now: now)
        summary.seconds = Files.monotonicSeconds() - started
        return summary
    }

    /// Re-renders the profile and directory pages of the given users, and the
    /// sitemap when a profile appeared: what one CGI change touches.
    public func render(_ change: SiteChange, now: Int64) throws -> BuildSummary {
        let started = Files.monotonicSeconds()
        var summary = try rerender(paths: try paths(touchedBy: change), now: now, sitemap: change.addsPage)
        summary.seconds = Files.monotonicSeconds() - started
        return summary
    }

    /// Marks the pages a change will touch as stale, so that if the process dies
    /// after committing and before rendering, the next incremental build renders them.
    public func markStale(_ change: SiteChange) throws {
        try storeCall { try store.recordPages(written: try paths(touchedBy: change).map { ($0, Int64.min) }) }
    }

    private func paths(touchedBy change: SiteChange) throws -> [String] {
        var paths: [String] = []
        for userID in change.userIDs {
            guard let user = try storeCall({ try store.user(id: userID) }) else { continue }
            paths.append(PageRenderer.profilePath(user.handle))
            let page = try storeCall { try store.directoryPosition(of: userID) } / config.pageSize + 1
            paths.append(PageRenderer.directoryPath(page))
            // The first profile on a new directory page gives the page before it a "next" link.
            if change.addsPage, page > 1, try storeCall({ try store.directoryPosition(of: userID) }) % config.pageSize == 0 {
                paths.append(PageRenderer.directoryPath(page - 1))
            }
        }
        return paths
    }

    private func rerender(paths: [String], now: Int64, sitemap: Bool = false) throws -> BuildSummary {
        let lock = try SiteLock(path: config.lockPath)
        defer { withExtendedLifetime(lock) {} }
        var run = Run(writer: PageWriter(output: config.outputPath))
        var removed: [String] = []
        var pageCount: Int?
        for path in Set(paths).sorted() {
            if let handle = PageRenderer.handle(inProfilePath: path) {
                if let user = try storeCall({ try store.user(handle: handle) }),
                   let record = try storeCall({ try store.profile(userID: user.id, now: now) }) {
                    try run.emit(path, renderer.profile(record), staleAt: record.freeSlots.first?.range.start)
                } else {
                    run.writer.remove(path)
                    removed.append(path)
                }
            } else if let page = PageRenderer.directoryPage(inPath: path) {
                if pageCount == nil {
                    let users = try storeCall { try store.userCount() }
                    pageCount = max(1, (users + config.pageSize - 1) / config.pageSize)
                }
                guard page <= pageCount! else {
                    run.writer.remove(path)
                    removed.append(path)
                    continue
                }
                let rows = try storeCall { try store.directoryEntries(offset: (page - 1) * config.pageSize, limit: config.pageSize, now: now) }
                try run.emit(path, renderer.directory(rows.map { renderer.directoryEntry(user: $0.user, next: $0.next) },
                                                      page: page, pageCount: pageCount!),
                             staleAt: rows.compactMap { $0.next?.range.start }.min())
            }
        }
        if sitemap {
            var all = try storeCall { Array(try store.builtPages().keys) }
            all += run.produced.map(\.path)
            try run.emit("sitemap.xml", renderer.sitemap(sitemapPaths(all)), staleAt: nil)
        }
        try run.writer.flush()
        run.summary.removed = removed.count
        try storeCall { try store.recordPages(written: run.produced, removed: removed) }
        return run.summary
    }

    /// The site-relative URLs of the HTML pages among `paths`, sorted, without duplicates.
    private func sitemapPaths(_ paths: [String]) -> [String] {
        Set(paths.filter { $0.hasSuffix("index.html") && !$0.hasPrefix("assets/") })
            .map { String($0.dropLast("index.html".count)) }.sorted()
    }

    private func copyAssets(_ run: inout Run) throws {
        let source = config.templatesPath + "/assets"
        let relative = Files.walk(source)
        for file in relative.sorted() {
            guard let bytes = PageWriter.read(source + "/" + file) else {
                throw SiteError(.io, source + "/" + file, "cannot read the asset")
            }
            try run.emit("assets/" + file, bytes, staleAt: nil)
        }
    }

    private func storeCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as StoreError {
            throw SiteError(.store, config.databasePath, e.description)
        }
    }

    /// The pages one build step wrote or found unchanged.
    struct Run {
        let writer: PageWriter
            var produced: [(path: String, staleAt: Int64?)] = []
        var summary = BuildSummary()

        mutating func emit(_ path: String, _ page: String, staleAt: Int64?) throws {
            try emit(path, page.utf8, staleAt: staleAt)
        }

        mutating func emit(_ path: String, _ bytes: some Collection<UInt8>, staleAt: Int64?) throws {
            if try writer.write(path, bytes) { summary.written += 1 } else { summary.unchanged += 1 }
            produced.append((path, staleAt))
        }
    }
}

/// A change the CGI committed, naming the professionals whose public pages it touches.
public struct SiteChange: Sendable, Equatable {
    public let userIDs: [Int64]
    /// True when a profile page appears (a registration): the sitemap changes too.
    public let addsPage: Bool

    /// A professional's slots or profile changed.
    public static func profile(_ userID: Int64) -> SiteChange { SiteChange(userIDs: [userID], addsPage: false) }

    /// A new professional registered.
    public static func registered(_ userID: Int64) -> SiteChange { SiteChange(userIDs: [userID], addsPage: true) }
}

extension PageRenderer {
    static func handle(inProfilePath path: String) -> String? {
        guard path.hasPrefix("u/"), path.hasSuffix("/index.html") else { return nil }
        let handle = path.dropFirst(2).dropLast("/index.html".count)
        return handle.contains("/") ? nil : String(handle)
    }

    static func directoryPage(inPath path: String) -> Int? {
        if path == "index.html" { return 1 }
        guard path.hasPrefix("page/"), path.hasSuffix("/index.html") else { return nil }
        return Int(path.dropFirst(5).dropLast("/index.html".count)).flatMap { $0 > 1 ? $0 : nil }
    }
}
