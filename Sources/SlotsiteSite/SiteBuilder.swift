#if canImport(Glibc)
import Glibc
#endif
import SlotsiteCore
import SlotsiteRender
import SlotsiteStore

/// Renders the store into the output folder: the whole site, the pages whose inputs
/// changed or went stale, or the pages one change touches. Every write happens under
/// the site lock.
///
/// Each page is recorded with a fingerprint of its inputs (theme, and the versions of
/// the users it shows, which the store's triggers bump on every change) and the
/// instant its earliest shown slot starts. A build renders only pages whose
/// fingerprint differs or whose instant has passed, so an unchanged site costs a
/// read of the page list and the user versions.
public final class SiteBuilder {
    public let config: SiteConfig
    public let store: Store
    public let renderer: PageRenderer

    public init(config: SiteConfig, store: Store, templates: Templates? = nil) {
        self.config = config
        self.store = store
        self.renderer = PageRenderer(config: config, templates: templates ?? Templates.directory(config.templatesPath))
    }

    /// Brings the whole output up to date: profiles, directory pages, content pages,
    /// sitemap and assets; removes pages an earlier build wrote that no longer exist
    /// and temporary files a crash left. Unchanged files are not rewritten.
    /// - Throws: `SiteError` for bad content, a bad template, or a file that cannot be written.
    public func buildAll(now: Int64, progress: ((Int, Int) -> Void)? = nil) throws -> BuildSummary {
        try build(now: now, full: true, progress: progress)
    }

    /// For cron: re-renders only the profile and directory pages whose data changed
    /// or whose earliest shown slot has started by `now` (and the sitemap when
    /// profiles came or went). With no earlier build it builds everything.
    public func buildIncremental(now: Int64) throws -> BuildSummary {
        try build(now: now, full: false, progress: nil)
    }

    private func build(now: Int64, full: Bool, progress: ((Int, Int) -> Void)?) throws -> BuildSummary {
        let started = Files.monotonicSeconds()
        let lock = try SiteLock(path: config.lockPath)
        defer { withExtendedLifetime(lock) {} }
        let before = try storeCall { try store.builtPages() }
        if !full, before.isEmpty { return try build(now: now, full: true, progress: progress) }
        let content = full ? try ContentPage.loadAll(from: config.contentPath) : []
        let theme = config.themeFingerprint()
        var run = Run(writer: PageWriter(output: config.outputPath, deferSync: true))
        // After a writer died mid-write, a full build sweeps temporary files (and lists
        // the output in the same walk); otherwise each kept page is checked with a stat.
        let sweep = full && (lock.needsSweep || before.isEmpty)
        // Without an output folder nothing is on disk, and no page needs a stat to say so.
        let existing: Set<String>? = sweep ? run.writer.sweepTemporaryFiles()
            : Files.exists(config.outputPath) ? nil : []

        let boot = Files.bootID
        /// The earlier record of `path` when it is still what rendering would write
        /// and is on disk (synced, or written since the last reboot).
        func upToDate(_ path: String, _ fingerprint: String) -> PageRecord? {
            guard let old = before[path], old.holds(fingerprint: fingerprint, now: now, boot: boot),
                  existing?.contains(path) ?? Files.hasBytes(config.outputPath + "/" + path) else { return nil }
            return old
        }

        // Which profiles and directory pages need rendering, from versions alone.
        let users = try storeCall { try store.userVersions() }
        var renderIDs = Set<Int64>()
        for user in users {
            let path = PageRenderer.profilePath(user.handle)
            if let kept = upToDate(path, "\(theme):p\(user.version)") { run.keep(kept) } else { renderIDs.insert(user.id) }
        }
        let pages = DirectoryPages(users: users, config: config)
        var renderPages: [Int] = []
        for page in pages.numbers {
            if let kept = upToDate(PageRenderer.directoryPath(page), pages.fingerprint(page, theme: theme)) {
                run.keep(kept)
            } else {
                renderPages.append(page)
            }
        }

        // Profiles: stream everything when much changed, else fetch the few.
        var entries: [Int64: (entry: DirectoryView.Entry, next: Int64?, version: Int64)] = [:]
        let entryIDs = Set(renderPages.flatMap { page in pages.members(page).map(\.id) })
        let many = renderIDs.count > 64
        let workers = ProfileWorkers(config: config, threads: many ? SiteBuilder.cores : 0, main: renderer, theme: theme)
        let writeback = many ? BackgroundWriteback(folder: config.outputPath) : nil
        // A directory page is rendered here, while the workers render profiles, as soon
        // as the stream has brought all its members; the others after the profiles.
        var nextFree: [NextFree] = []
        var directoryLeft = Set(renderPages)
        var lastMember: [Int64: Int] = [:]
        for page in renderPages { if let last = pages.members(page).last { lastMember[last.id] = page } }
        /// Renders directory page `page` from the streamed entries, or when some are
        /// missing or outdated, with `read`, from the store; false when it could not.
        func emitDirectory(_ page: Int, read: Bool) throws -> Bool {
            let members = pages.members(page)
            var rows = members.compactMap { entries[$0.id] }
            if rows.count != members.count || zip(rows, members).contains(where: { $0.version != $1.version }) {
                guard read else { return false }
                let read = try storeCall { try store.directoryEntries(ids: config.userIDs(onPage: page), now: now) }
                rows = read.rows.map { (renderer.directoryEntry(user: $0.user, nextStart: $0.nextStart), $0.nextStart, $0.version) }
                nextFree += read.computed
            }
            try run.emit(PageRenderer.directoryPath(page),
                         renderer.directory(rows.map(\.entry), page: page, previousPage: pages.before(page), nextPage: pages.after(page)),
                         staleAt: rows.compactMap(\.next).min(), fingerprint: pages.fingerprint(page, theme: theme))
            directoryLeft.remove(page)
            return true
        }

        var batch: [ProfileRecord] = []
        func take(_ record: ProfileRecord) throws {
            if entryIDs.contains(record.user.id) {
                let first = record.freeSlots.first
                entries[record.user.id] = (renderer.directoryEntry(user: record.user, nextStart: first?.range.start), first?.range.start, record.version)
                if let page = lastMember[record.user.id] { _ = try emitDirectory(page, read: false) }
            }
            guard renderIDs.contains(record.user.id) else { return }
            batch.append(record)
            if batch.count == 64 {
                try workers.submit(batch)
                batch.removeAll(keepingCapacity: true)
                progress?(users.count - renderIDs.count + workers.count, users.count)
            }
        }
        if renderIDs.count + entryIDs.count > users.count / 8 {
            try storeCall { try store.forEachProfile(now: now) { try take($0) } }
        } else {
            for id in renderIDs.sorted() {
                if let record = try storeCall({ try store.profile(userID: id, now: now) }) { try take(record) }
            }
        }
        try workers.submit(batch)
        try workers.finish(into: &run)
        writeback?.stop()
        for page in renderPages where directoryLeft.contains(page) { _ = try emitDirectory(page, read: true) }

        // Content pages and assets are the full build's; an incremental one keeps them.
        if full {
            for page in content where !page.draft {
                try run.emit(page.slug + "/index.html", renderer.content(page), staleAt: nil, fingerprint: nil)
            }
            try copyAssets(&run)
        } else {
            let data = Set(run.produced.map(\.path))
            for (path, record) in before where !data.contains(path) && path != "sitemap.xml"
                && PageRenderer.handle(inProfilePath: path) == nil && PageRenderer.directoryPage(inPath: path) == nil {
                run.keep(record)
            }
        }
        try run.emit("sitemap.xml", renderer.sitemap(sitemapPaths(run.produced.map(\.path))), staleAt: nil, fingerprint: nil)
        try run.writer.flush()
        // One sync for the whole build, before the store records what was written.
        try workers.syncRenamed()
        try run.writer.syncRenamed()
        // Pages the CGI left unsynced in this boot are kept as they are: one syncfs puts
        // them on disk, and their records lose the mark.
        if run.produced.contains(where: { $0.unsyncedBoot != nil }) {
            try run.writer.syncFileSystem()
            run.produced = run.produced.map { $0.marked(nil) }
        }

        let producedPaths = Set(run.produced.map(\.path))
        let removed = before.keys.filter { !producedPaths.contains($0) }.sorted()
        for path in removed { run.writer.remove(path) }
        run.summary.removed = removed.count
        let changed = run.produced.filter { before[$0.path] != $0 }
        try storeCall { try store.recordPages(changed, removed: removed, nextFree: nextFree) }
        if sweep { lock.swept() }
        run.summary.seconds = Files.monotonicSeconds() - started
        progress?(users.count, users.count)
        return run.summary
    }

    /// Re-renders the pages one committed change touches: the professionals'
    /// profiles and the directory pages that list them, and the sitemap when a
    /// profile appeared. Its cost does not grow with the size of the site.
    ///
    /// Under the site lock, each page's fingerprint comes first from a cheap indexed
    /// read: a page another process already wrote from the current inputs is left
    /// alone, so concurrent changes to one professional coalesce into one render.
    /// Files are renamed into place under the lock and not synced: their records say
    /// so, with this boot's id, and a build after a reboot renders them again (a sync
    /// per request was 6% of a booking's CPU). Where the boot id is unknown, the
    /// files are synced after the lock is released.
    public func render(_ change: SiteChange, now: Int64) throws -> BuildSummary {
        let started = Files.monotonicSeconds()
        let theme = config.themeFingerprint()
        let writer = PageWriter(output: config.outputPath, deferSync: true)
        let boot = Files.bootID
        var summary = try locked { try publish(change, theme: theme, now: now, writer: writer, boot: boot) }
        if boot == nil { try writer.syncRenamed() } else { writer.closeRenamed() }
        summary.seconds = Files.monotonicSeconds() - started
        return summary
    }

    /// Runs `body` holding the site lock.
    private func locked<T>(_ body: () throws -> T) throws -> T {
        let lock = try SiteLock(path: config.lockPath)
        defer { withExtendedLifetime(lock) {} }
        return try body()
    }

    /// The locked part of `render(_:now:)`.
    private func publish(_ change: SiteChange, theme: String, now: Int64, writer: PageWriter, boot: String?) throws -> BuildSummary {
        var run = Run(writer: writer)
        var removed: [String] = []
        var nextFree: [NextFree] = []
        /// Renders `path` unless its record says it was rendered from `fingerprint`, still fresh.
        func publish(_ path: String, _ fingerprint: String?, render: () throws -> Rendered?) throws {
            let record = try storeCall { try store.pageRecord(path) }
            if let record, let fingerprint, record.holds(fingerprint: fingerprint, now: now, boot: boot),
               Files.hasBytes(config.outputPath + "/" + path) {
                run.summary.unchanged += 1
                return
            }
            guard let page = try render() else { return }
            if let html = page.html {
                try run.emit(path, html, staleAt: page.staleAt, fingerprint: page.fingerprint)
            } else if record != nil {
                run.writer.remove(path)
                removed.append(path)
            }
        }
        var pages = Set<Int>()
        for userID in change.userIDs {
            let page = config.directoryPage(of: userID)
            pages.insert(page)
            // A profile that opens a new directory page gives the page before it a "next" link.
            if change.addsPage, page > 1, let before = try storeCall({ try store.userID(before: userID) }),
               config.directoryPage(of: before) < page {
                pages.insert(config.directoryPage(of: before))
            }
            guard let (handle, version) = try storeCall({ try store.handleAndVersion(of: userID) }) else { continue }
            try publish(PageRenderer.profilePath(handle), "\(theme):p\(version)") {
                try renderProfile(userID, theme: theme, now: now)
            }
        }
        for page in pages.sorted() {
            let inputs = try directoryInputs(page, theme: theme)
            try publish(PageRenderer.directoryPath(page), inputs.fingerprint) {
                try renderDirectoryPage(page, previous: inputs.previous, next: inputs.next, theme: theme, now: now, nextFree: &nextFree)
            }
        }
        if change.addsPage {
            let all = try storeCall { Array(try store.builtPages().keys) } + run.produced.map(\.path)
            try run.emit("sitemap.xml", renderer.sitemap(sitemapPaths(all)), staleAt: nil, fingerprint: nil)
        }
        try run.writer.flush()
        run.summary.removed = removed.count
        // Marked even when the bytes were already there: an earlier writer may not have synced them either.
        try storeCall { try store.recordPages(run.produced.map { $0.marked(boot) }, removed: removed, nextFree: nextFree) }
        return run.summary
    }

    /// A page rendered for `render(_:now:)`; `html` nil: the page should not exist.
    struct Rendered {
        let html: [UInt8]?
        let staleAt: Int64?
        let fingerprint: String?
    }

    private func renderProfile(_ userID: Int64, theme: String, now: Int64) throws -> Rendered? {
        guard let record = try storeCall({ try store.profile(userID: userID, now: now) }) else { return nil }
        return Rendered(html: try renderer.profile(record), staleAt: record.freeSlots.first?.range.start,
                        fingerprint: "\(theme):p\(record.version)")
    }

    /// What directory page `page` is rendered from, by cheap indexed reads: its
    /// fingerprint (nil when the page lists nobody and is not the first) and its
    /// neighbours.
    private func directoryInputs(_ page: Int, theme: String) throws -> (fingerprint: String?, previous: Int?, next: Int?) {
        let ids = config.userIDs(onPage: page)
        let members = try storeCall { try store.versions(ids: ids) }
        if members.isEmpty, page > 1 { return (nil, nil, nil) }
        let previous = page == 1 ? nil : try storeCall { try store.userID(before: ids.lowerBound) }.map { config.directoryPage(of: $0) } ?? 1
        let next = try storeCall { try store.userID(after: ids.upperBound) }.map { config.directoryPage(of: $0) }
        return (DirectoryPages.fingerprint(members, previous: previous, next: next, theme: theme), previous, next)
    }

    /// Directory page `page` rendered from the store, with constant-time queries; the
    /// first free slots it had to search for are added to `nextFree`.
    private func renderDirectoryPage(_ page: Int, previous: Int?, next: Int?, theme: String, now: Int64,
                                     nextFree: inout [NextFree]) throws -> Rendered {
        let ids = config.userIDs(onPage: page)
        let (rows, computed) = try storeCall { try store.directoryEntries(ids: ids, now: now) }
        nextFree += computed
        if rows.isEmpty, page > 1 { return Rendered(html: nil, staleAt: nil, fingerprint: nil) }
        let html = try renderer.directory(rows.map { renderer.directoryEntry(user: $0.user, nextStart: $0.nextStart) },
                                          page: page, previousPage: previous, nextPage: next)
        return Rendered(html: html, staleAt: rows.compactMap(\.nextStart).min(),
                        fingerprint: DirectoryPages.fingerprint(rows.map { ($0.user.id, $0.version) }, previous: previous, next: next, theme: theme))
    }

    /// The site-relative URLs of the HTML pages among `paths`, sorted, without duplicates.
    private func sitemapPaths(_ paths: [String]) -> [String] {
        Set(paths.filter { $0.hasSuffix("index.html") && !$0.hasPrefix("assets/") })
            .map { String($0.dropLast("index.html".count)) }.sorted()
    }

    private func copyAssets(_ run: inout Run) throws {
        let source = config.templatesPath + "/assets"
        for file in Files.walk(source) {
            guard let bytes = readFileBytes(source + "/" + file) else {
                throw SiteError(.io, source + "/" + file, "cannot read the asset")
            }
            try run.emit("assets/" + file, bytes, staleAt: nil, fingerprint: nil)
        }
    }

    private func storeCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as StoreError {
            throw SiteError(.store, config.databasePath, e.description)
        }
    }

    static let cores = max(1, min(8, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))

    /// The pages one build step wrote, found unchanged, or kept without rendering.
    struct Run {
        let writer: PageWriter
        var produced: [PageRecord] = []
        var summary = BuildSummary()

        mutating func emit(_ path: String, _ page: String, staleAt: Int64?, fingerprint: String?) throws {
            try emit(path, page.utf8, staleAt: staleAt, fingerprint: fingerprint)
        }

        mutating func emit(_ path: String, _ bytes: some Collection<UInt8>, staleAt: Int64?, fingerprint: String?) throws {
            if try writer.write(path, bytes) { summary.written += 1 } else { summary.unchanged += 1 }
            produced.append(PageRecord(path: path, staleAt: staleAt, fingerprint: fingerprint))
        }

        /// A page whose inputs did not change: not rendered, not read.
        mutating func keep(_ record: PageRecord) {
            summary.unchanged += 1
            produced.append(record)
        }
    }
}
