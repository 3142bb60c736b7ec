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

    /// A builder that renders with `renderer`, whose templates it shares.
    public convenience init(store: Store, renderer: PageRenderer) {
        self.init(config: renderer.config, store: store, templates: renderer.templates)
    }

    private var openedLedger: BuildLedger?

    /// The zone database's identity, read once: the theme and the ledger both depend on it.
    lazy var zoneDatabase = SiteConfig.zoneDatabaseIdentity()

    /// This host's build ledger, opened on first use; a new one takes over the records
    /// a store from before the split still holds.
    /// - Throws: `SiteError.store` naming the ledger's file.
    public func ledger() throws -> BuildLedger {
        if let openedLedger { return openedLedger }
        do {
            let ledger = try BuildLedger(path: config.ledgerPath)
            if ledger.isNew, let legacy = try store.takeLegacyLedger() {
                try ledger.record(legacy.pages, nextFree: legacy.nextFree, cooked: legacy.cooked)
            }
            try ledger.useZoneDatabase(zoneDatabase.map(String.init).joined(separator: " "))
            openedLedger = ledger
            return ledger
        } catch let e as StoreError {
            throw SiteError(.store, config.ledgerPath, e.description)
        }
    }

    public init(config: SiteConfig, store: Store, templates: Templates? = nil) {
        self.config = config
        self.store = store
        self.renderer = PageRenderer(config: config, templates: templates ?? config.templates())
    }

    /// Brings the whole output up to date: profiles, directory pages, content pages,
    /// sitemap and assets; removes pages an earlier build wrote that no longer exist
    /// and temporary files a crash left. Unchanged files are not rewritten.
    /// - Throws: `SiteError` for bad content, a bad template, or a file that cannot be written.
    public func buildAll(now: Int64, progress: ((Int, Int) -> Void)? = nil) throws -> BuildSummary {
        try build(now: now, full: true, progress: progress)
    }

    /// For cron: re-renders only the profile and directory pages whose data or theme
    /// changed or whose earliest shown slot has started by `now`; content pages,
    /// assets and the sitemap as a full build does. With no earlier build it builds
    /// everything; the output always equals a full build's.
    public func buildIncremental(now: Int64) throws -> BuildSummary {
        try build(now: now, full: false, progress: nil)
    }

    /// The full and the incremental build, in the steps every build takes: read what
    /// the site has and what was written before, plan what to render and what to keep,
    /// render (streamed, on workers), write, record.
    private func build(now: Int64, full: Bool, progress: ((Int, Int) -> Void)?) throws -> BuildSummary {
        let started = Files.monotonicSeconds()
        // Working hours reach a new day, or a notice passes over slots: the slots first,
        // so the plan finds their pages stale.
        _ = try storeCall { try store.extendAvailability(now: now) }
        let lock = try SiteLock(path: config.lockPath)
        defer { withExtendedLifetime(lock) {} }
        let input = try read()
        if !full, input.before.isEmpty { return try build(now: now, full: true, progress: progress) }
        var run = Run(writer: PageWriter(output: config.outputPath, deferSync: true), marks: Marks(boot: input.boot, before: input.before))
        // After a writer died mid-write, a full build sweeps temporary files (and lists
        // the output in the same walk); otherwise each kept page is checked with a stat.
        let sweep = full && (lock.needsSweep || input.before.isEmpty)
        // Without an output folder nothing is on disk, and no page needs a stat to say so.
        let existing: Set<String>? = sweep ? run.writer.sweepTemporaryFiles() : Files.exists(config.outputPath) ? nil : []
        let plan = self.plan(input, existing: existing, now: now)
        for record in plan.kept { run.keep(record) }
        let (workers, nextFree) = try render(plan, input, into: &run, now: now, progress: progress)
        try write(&run, workers: workers, boot: input.boot)
        try record(&run, before: input.before, nextFree: nextFree, ledger: input.ledger)
        if sweep { lock.swept() }
        run.summary.seconds = Files.monotonicSeconds() - started
        progress?(input.users.count, input.users.count)
        return run.summary
    }

    /// What a build reads before it decides anything.
    struct BuildInput {
        let ledger: BuildLedger
        /// What earlier builds and changes wrote, by path.
        let before: [String: PageRecord]
        let theme: String
        let boot: String?
        /// The listed professionals, by id: one profile page each.
        let users: [(id: Int64, handle: String, version: Int64)]
        let pages: DirectoryPages
        let content: [ContentPage]
    }

    /// Which files of each `OutputKind` a build renders and which it keeps as recorded.
    ///
    /// Profiles and directory pages are kept, unread, while their recorded fingerprint
    /// holds (theme and versions; for a directory page also its neighbours) and their
    /// earliest shown slot has not started. Content pages, assets and the sitemap are
    /// few: rendered every build and written only when their bytes change.
    struct BuildPlan {
        var profiles = Set<Int64>()
        var directoryPages: [Int] = []
        var kept: [PageRecord] = []
    }

    /// Step 1: the ledger's records, the theme, the listed professionals, the content.
    private func read() throws -> BuildInput {
        let ledger = try ledger()
        let before = try storeCall { try ledger.builtPages() }
        let users = try storeCall { try store.userVersions() }
        return BuildInput(ledger: ledger, before: before, theme: config.themeFingerprint(zoneDatabase: zoneDatabase), boot: Files.bootID, users: users,
                          pages: DirectoryPages(users: users, config: config), content: try ContentPage.loadAll(from: config.contentPath))
    }

    /// Step 2: from versions alone; with no earlier records, everything, without a path
    /// and fingerprint for each.
    private func plan(_ input: BuildInput, existing: Set<String>?, now: Int64) -> BuildPlan {
        var plan = BuildPlan()
        /// The earlier record of `path` when it is still what rendering would write
        /// and is on disk (synced, or written since the last reboot).
        func upToDate(_ path: String, _ fingerprint: String) -> PageRecord? {
            guard let old = input.before[path], old.holds(inputs: fingerprint), old.isFresh(now: now, boot: input.boot),
                  existing?.contains(path) ?? Files.hasBytes(config.outputPath + "/" + path) else { return nil }
            return old
        }
        for user in input.users {
            // A profile page and its feed are kept together or rendered together, under
            // the page's record.
            if !input.before.isEmpty, let kept = upToDate(OutputKind.profilePath(user.handle),
                                                          OutputKind.profileFingerprint(theme: input.theme, version: user.version)) {
                plan.kept.append(kept)
            } else {
                plan.profiles.insert(user.id)
            }
        }
        for page in input.pages.numbers {
            if !input.before.isEmpty, let kept = upToDate(OutputKind.directoryPath(page), input.pages.fingerprint(page, theme: input.theme)) {
                plan.kept.append(kept)
            } else {
                plan.directoryPages.append(page)
            }
        }
        return plan
    }

    /// Step 3: the planned profiles, streamed from the store when many and rendered on
    /// worker threads, the directory pages as soon as the stream has brought their
    /// members, then content pages, assets and the sitemap. Returns the workers, whose
    /// files step 4 finishes, and the first free slots found for the ledger.
    private func render(_ plan: BuildPlan, _ input: BuildInput, into run: inout Run, now: Int64,
                        progress: ((Int, Int) -> Void)?) throws -> (ProfileWorkers, [NextFree]) {
        let (users, pages, theme, renderIDs) = (input.users, input.pages, input.theme, plan.profiles)
        var entries: [Int64: DirectoryPage.Row] = [:]
        let entryIDs = Set(plan.directoryPages.flatMap { page in pages.members(page).map(\.id) })
        let many = renderIDs.count > 64
        // With no profile folders yet (a first build), they are made ahead of the workers.
        let folders = many ? ProfileFolders(output: config.outputPath,
                                            handles: users.filter { renderIDs.contains($0.id) }.map(\.handle)) : nil
        let workers = ProfileWorkers(config: config, threads: many ? SiteBuilder.cores : 0, main: renderer, theme: theme, marks: run.marks,
                                     foldersAreNew: folders != nil)
        var nextFree: [NextFree] = []
        var directoryLeft = Set(plan.directoryPages)
        var lastMember: [Int64: Int] = [:]
        for page in plan.directoryPages { if let last = pages.members(page).last { lastMember[last.id] = page } }
        /// Renders directory page `page` from the streamed entries, or when some are
        /// missing or outdated, and `orFromStore`, from the store; else leaves it for later.
        func emitDirectory(_ page: Int, orFromStore: Bool, into run: inout Run) throws {
            let members = pages.members(page)
            var rows = members.compactMap { entries[$0.id] }
            if rows.count != members.count || zip(rows, members).contains(where: { $0.version != $1.version }) {
                guard orFromStore else { return }
                let stored = try directoryRows(ids: config.userIDs(onPage: page), now: now, ledger: input.ledger)
                rows = stored.rows
                nextFree += stored.keep
            }
            let built = DirectoryPage(page, previous: pages.before(page), next: pages.after(page), rows: rows, theme: theme)
            try run.emit(built.path, built.html(renderer), staleAt: built.staleAt, fingerprint: built.fingerprint)
            directoryLeft.remove(page)
            for member in members { entries[member.id] = nil } // so that only pages still open hold entries
        }

        var batch: [ProfileRecord] = []
        let cookedBios = try storeCall { try input.ledger.cookedBios() }
        func take(_ record: ProfileRecord, into run: inout Run) throws {
            if entryIDs.contains(record.user.id) {
                let first = record.freeSlots.first
                entries[record.user.id] = DirectoryPage.row(record.user, nextStart: first?.range.start, version: record.version,
                                                            renderer: renderer)
                if let page = lastMember[record.user.id] { try emitDirectory(page, orFromStore: false, into: &run) }
            }
            guard renderIDs.contains(record.user.id) else { return }
            var record = record
            record.cookedBio = try storeCall { try cookedBios.cooked(for: record.user) }
            batch.append(record)
            if batch.count == 64 {
                try workers.submit(batch)
                batch.removeAll(keepingCapacity: true)
                progress?(users.count - renderIDs.count + workers.count, users.count)
            }
        }
        // Stream everything when much changed, else fetch the few.
        if renderIDs.count + entryIDs.count > users.count / 8 {
            try storeCall { try store.forEachProfile(now: now) { try take($0, into: &run) } }
        } else {
            for id in renderIDs.sorted() {
                if let record = try storeCall({ try store.profile(userID: id, now: now) }) { try take(record, into: &run) }
            }
        }
        try workers.submit(batch)
        cookedBios.finish()
        try workers.finish(into: &run)
        folders?.finish()
        for page in plan.directoryPages where directoryLeft.contains(page) { try emitDirectory(page, orFromStore: true, into: &run) }

        for page in input.content where !page.draft {
            try run.emit(OutputKind.contentPath(page.slug), renderer.content(page), staleAt: nil, fingerprint: nil)
        }
        try copyAssets(&run)
        try run.emit(OutputKind.sitemapPath, renderer.sitemap(sitemapPaths(run.produced.map(\.path))), staleAt: nil, fingerprint: nil)
        return (workers, nextFree)
    }

    /// Step 4: every file in place. Not synced: the records say in which boot the
    /// pages were written (`Marks`), and the kernel writes them back in its own time.
    /// Without a boot id, one sync before the ledger records them.
    private func write(_ run: inout Run, workers: ProfileWorkers?, boot: String?) throws {
        try run.writer.flush()
        if boot == nil {
            try workers?.syncRenamed()
            try run.writer.syncRenamed()
        } else {
            workers?.closeRenamed()
            run.writer.closeRenamed()
        }
    }

    /// Step 5: files an earlier build wrote that this one did not are removed, and
    /// the ledger records what changed.
    private func record(_ run: inout Run, before: [String: PageRecord], nextFree: [NextFree], ledger: BuildLedger) throws {
        // Without earlier records (a first build) everything is new and nothing to remove:
        // no set of every path to build and search.
        let producedPaths = before.isEmpty ? [] : Set(run.produced.map(\.path))
        let removed = before.keys.filter { !producedPaths.contains($0) }.sorted()
        var companions = 0
        for path in removed {
            run.writer.remove(path)
            if let feed = OutputKind.companion(of: path), run.writer.remove(feed) { companions += 1 }
        }
        let changed = before.isEmpty ? run.produced : run.produced.filter { before[$0.path] != $0 }
        try record(&run, changed: changed, removed: removed, nextFree: nextFree, ledger: ledger)
        run.summary.removed += companions
    }

    /// The record step of every build: the ledger takes the records of the pages
    /// written or checked, forgets the removed ones, and keeps the caches found.
    func record(_ run: inout Run, changed: [PageRecord], removed: [String], nextFree: [NextFree], ledger: BuildLedger) throws {
        run.summary.removed += removed.count
        try storeCall { try ledger.record(changed, removed: removed, nextFree: nextFree, cooked: run.cooked) }
    }

    /// The site-relative URLs of the HTML pages among `paths`, sorted, without duplicates
    /// (dropped after sorting, cheaper than a set first).
    func sitemapPaths(_ paths: [String]) -> [String] {
        var urls: [String] = []
        urls.reserveCapacity(paths.count)
        for path in paths where path.hasSuffix("index.html") && !path.hasPrefix("assets/") {
            urls.append(String(path.dropLast("index.html".count)))
        }
        urls.sort()
        var unique: [String] = []
        unique.reserveCapacity(urls.count)
        for url in urls where unique.last != url { unique.append(url) }
        return unique
    }

    private func copyAssets(_ run: inout Run) throws {
        let source = config.templatesPath + "/assets"
        for file in Files.walk(source) {
            guard let bytes = readFileBytes(source + "/" + file) else {
                throw SiteError(.io, source + "/" + file, "cannot read the asset")
            }
            try run.emit(OutputKind.assetPath(file), bytes, staleAt: nil, fingerprint: nil)
        }
    }

    /// The rows of directory page `ids`, each with the start of its first free slot:
    /// from the ledger's cache while it holds (same version, start still ahead), else
    /// searched in the store and returned in `computed` for the ledger to keep.
    func directoryEntries(ids: ClosedRange<Int64>, now: Int64, ledger: BuildLedger) throws
        -> (rows: [(user: User, version: Int64, nextStart: Int64?, offset: Int?)], computed: [NextFree]) {
        try storeCall {
            let members = try store.directoryMembers(ids: ids)
            let cached = try ledger.nextFree(ids: ids)
            var rows: [(user: User, version: Int64, nextStart: Int64?, offset: Int?)] = []
            var computed: [NextFree] = []
            for (user, version) in members {
                if let kept = cached[user.id], kept.version == version, kept.start.map({ $0 - user.noticeSeconds > now }) ?? true {
                    rows.append((user, version, kept.start, kept.offset))
                } else {
                    let start = try store.firstFreeStart(of: user.id, after: now)
                    computed.append(NextFree(userID: user.id, version: version, start: start))
                    rows.append((user, version, start, nil))
                }
            }
            return (rows, computed)
        }
    }

    /// The directory rows of the users with ids in `ids`, by `directoryEntries`, and what
    /// the ledger's cache is to keep: each first free slot searched for, and each entry
    /// kept without what the zone said (`NextFree.offset`), with what its row found. A
    /// later change then renders the page loading only the zones of those it changed.
    func directoryRows(ids: ClosedRange<Int64>, now: Int64, ledger: BuildLedger) throws -> (rows: [DirectoryPage.Row], keep: [NextFree]) {
        let read = try directoryEntries(ids: ids, now: now, ledger: ledger)
        let searched = Set(read.computed.map(\.userID))
        var keep: [NextFree] = []
        let rows = read.rows.map { member in
            let row = DirectoryPage.row(member.user, nextStart: member.nextStart, offset: member.offset, version: member.version,
                                        renderer: renderer)
            if searched.contains(member.user.id) || member.offset == nil {
                // Only from the user's own zone: one that failed to load showed UTC.
                let offset = row.entry.zone == member.user.timezone ? row.entry.next?.offset ?? 0 : nil
                keep.append(NextFree(userID: member.user.id, version: member.version, start: member.nextStart, offset: offset))
            }
            return row
        }
        return (rows, keep)
    }

    func storeCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as StoreError {
            throw SiteError(.store, config.databasePath, e.description)
        }
    }

    /// `storeCall` for the ledger's own statements, naming the ledger's file.
    func ledgerCall<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as StoreError {
            throw SiteError(.store, config.ledgerPath, e.description)
        }
    }

    static let cores = max(1, min(8, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))

    /// The unsynced mark (`PageRecord.unsyncedBoot`) of each page a build step renders.
    /// Where the boot id is known, files are renamed into place without a sync, so a
    /// page written now is marked with this boot: a build after a power cut renders it
    /// again. A page whose bytes were already on disk keeps the mark of the writer
    /// before, if that was in this boot (or no record says who wrote it); a build after
    /// a reboot that finds a marked page's bytes intact so clears the mark.
    struct Marks: Sendable {
        let boot: String?
        /// The records before this step.
        let before: [String: PageRecord]

        func mark(_ path: String, written: Bool) -> String? {
            guard let boot else { return nil } // everything is synced before it is recorded
            if written { return boot }
            guard let old = before[path] else { return boot }
            return old.unsyncedBoot == boot ? boot : nil
        }
    }

    /// The pages one build step wrote, found unchanged, or kept without rendering.
    struct Run {
        let writer: PageWriter
        let marks: Marks
        var produced: [PageRecord] = []
        /// Bios cooked while rendering, for the store to keep.
        var cooked: [CookedBio] = []
        var summary = BuildSummary()

        mutating func emit(_ path: String, _ page: String, staleAt: Int64?, fingerprint: String?) throws {
            try emit(path, page.utf8, staleAt: staleAt, fingerprint: fingerprint)
        }

        mutating func emit(_ path: String, _ bytes: some Collection<UInt8>, staleAt: Int64?, fingerprint: String?) throws {
            let written = try writer.write(path, bytes)
            if written { summary.written += 1 } else { summary.unchanged += 1 }
            produced.append(PageRecord(path: path, staleAt: staleAt, fingerprint: fingerprint,
                                       unsyncedBoot: marks.mark(path, written: written)))
        }

        /// A page whose inputs did not change: not rendered, not read.
        mutating func keep(_ record: PageRecord) {
            summary.unchanged += 1
            produced.append(record)
        }
    }
}
