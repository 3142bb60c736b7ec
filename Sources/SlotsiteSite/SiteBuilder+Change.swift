import SlotsiteCore
import SlotsiteStore

extension SiteBuilder {
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
        let theme = config.themeFingerprint(zoneDatabase: zoneDatabase)
        let writer = PageWriter(output: config.outputPath, deferSync: true, spares: config.sparesPath)
        let boot = Files.bootID
        var summary = try locked {
            // The steps of every build: read and plan by indexed reads, render, write, record.
            let ledger = try ledger()
            return try ledgerCall { try ledger.batch {
                let plan = try plan(change)
                // Marked even when the bytes were already there: an earlier writer may not have synced them either.
                var run = Run(writer: writer, marks: Marks(boot: boot, before: [:]))
                let (removed, nextFree) = try render(plan, theme: theme, now: now, boot: boot, ledger: ledger, into: &run)
                try run.writer.flush()
                try record(&run, changed: run.produced, removed: removed, nextFree: nextFree, ledger: ledger)
                return run.summary
            } }
        }
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

    /// Which files of each `OutputKind` a change may touch.
    struct ChangePlan {
        /// The change's professionals; a private one's page is removed if an earlier
        /// listing left one.
        var profiles: [(id: Int64, handle: String, version: Int64, listed: Bool)] = []
        /// The directory pages that list them, and their neighbours when a page came or went.
        var directoryPages: [Int] = []
        /// Whether the sitemap is written again: a profile page came or went.
        var sitemap = false
    }

    /// Plans a change by indexed reads: its cost does not grow with the site.
    private func plan(_ change: SiteChange) throws -> ChangePlan {
        var plan = ChangePlan(sitemap: change.addsPage)
        var pages = Set<Int>()
        for userID in change.userIDs {
            pages.insert(config.directoryPage(of: userID))
            // A profile that opens or empties a directory page changes its neighbours' links.
            if change.addsPage {
                if let before = try storeCall({ try store.userID(before: userID) }) { pages.insert(config.directoryPage(of: before)) }
                if let after = try storeCall({ try store.userID(after: userID) }) { pages.insert(config.directoryPage(of: after)) }
            }
            if let (handle, version, listed) = try storeCall({ try store.handleAndVersion(of: userID) }) {
                plan.profiles.append((userID, handle, version, listed))
            }
        }
        plan.directoryPages = pages.sorted()
        return plan
    }

    /// Renders each planned page whose ledger record no longer holds (a page another
    /// process already wrote from the current inputs is left alone). Returns the pages
    /// removed and the first free slots found.
    private func render(_ plan: ChangePlan, theme: String, now: Int64, boot: String?, ledger: BuildLedger,
                        into run: inout Run) throws -> (removed: [String], nextFree: [NextFree]) {
        var removed: [String] = []
        var nextFree: [NextFree] = []
        /// Whether `record`'s page is fresh and its file there.
        func fresh(_ record: PageRecord) -> Bool {
            record.isFresh(now: now, boot: boot) && Files.hasBytes(config.outputPath + "/" + record.path)
        }
        /// Renders `path` unless its record says it was rendered from `fingerprint`, still
        /// fresh; `render` is given that record.
        func renderUnlessFresh(_ path: String, _ fingerprint: String?, into run: inout Run, render: (PageRecord?) throws -> Rendered?) throws {
            let record = try storeCall { try ledger.pageRecord(path) }
            if let record, let fingerprint, record.holds(inputs: fingerprint), fresh(record) {
                run.summary.unchanged += 1
                return
            }
            switch try render(record) {
            case nil: return
            case .page(let html, let staleAt, let fingerprint)?:
                try run.emit(path, html, staleAt: staleAt, fingerprint: fingerprint)
            case .same(let staleAt, let fingerprint)?:
                // It shows what it showed: the file stays, its record takes the new inputs.
                guard let record else { return }
                run.keep(PageRecord(path: path, staleAt: staleAt, fingerprint: fingerprint, unsyncedBoot: record.unsyncedBoot))
            case .gone?:
                guard record != nil else { return }
                run.writer.remove(path)
                removed.append(path)
            }
        }
        var cooked: [CookedBio] = []
        for profile in plan.profiles {
            let fingerprint = profile.listed ? OutputKind.profileFingerprint(theme: theme, version: profile.version) : nil
            // The feed is the page's companion: rendered from the same read, written after
            // it, removed with it, under the page's record.
            var feed: [UInt8]?
            var touched = false
            try renderUnlessFresh(OutputKind.profilePath(profile.handle), fingerprint, into: &run) { _ in
                touched = true
                guard profile.listed else { return .gone }
                guard let record = try fetchProfile(profile.id, now: now, ledger: ledger) else { return nil }
                var html: [UInt8] = []
                if let bio = try renderer.profile(record, into: &html) { cooked.append(bio) }
                if config.slotFeeds { feed = renderer.profileFeed(record) }
                return .page(html, staleAt: record.staleAt, fingerprint: OutputKind.profileFingerprint(theme: theme, version: record.version))
            }
            let feedPath = OutputKind.feedPath(profile.handle)
            if let feed {
                if try run.writer.write(feedPath, feed) { run.summary.written += 1 } else { run.summary.unchanged += 1 }
            } else if touched, run.writer.remove(feedPath) {
                run.summary.removed += 1
            }
        }
        run.cooked += cooked
        for page in plan.directoryPages {
            let inputs = try directoryInputs(page, theme: theme)
            try renderUnlessFresh(OutputKind.directoryPath(page), inputs.fingerprint, into: &run) { record in
                try renderDirectoryPage(page, previous: inputs.previous, next: inputs.next, theme: theme, now: now, ledger: ledger,
                                        shown: record.flatMap { fresh($0) ? $0.shown : nil },
                                        nextFree: &nextFree)
            }
        }
        if plan.sitemap {
            let gone = Set(removed)
            let all = try storeCall { Array(try ledger.builtPages().keys) }.filter { !gone.contains($0) } + run.produced.map(\.path)
            try run.emit(OutputKind.sitemapPath, renderer.sitemap(sitemapPaths(all)), staleAt: nil, fingerprint: nil)
        }
        return (removed, nextFree)
    }

    /// What `render(_:now:)` does with one page.
    enum Rendered {
        /// Writes these bytes, recorded with `fingerprint`.
        case page([UInt8], staleAt: Int64?, fingerprint: String?)
        /// Leaves the page, which would show what it shows, and records it with `fingerprint`.
        case same(staleAt: Int64?, fingerprint: String)
        /// Removes the page.
        case gone
    }

    /// The profile page of `userID`; a bio cooked for it is added to `cooked`.
    /// The profile of `userID` with the bio the ledger cooked for it, or nil when it is gone.
    private func fetchProfile(_ userID: Int64, now: Int64, ledger: BuildLedger) throws -> ProfileRecord? {
        guard var record = try storeCall({ try store.profile(userID: userID, now: now) }) else { return nil }
        record.cookedBio = try storeCall { try ledger.cookedBio(of: record.user) }
        return record
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

    /// Directory page `page` rendered from the store, with constant-time queries, or
    /// `.same` when it would show what `shown` (the digest its current file was recorded
    /// with, if any) says it shows; what the first-free cache is to keep
    /// (`directoryRows`) is added to `nextFree`.
    private func renderDirectoryPage(_ page: Int, previous: Int?, next: Int?, theme: String, now: Int64, ledger: BuildLedger,
                                     shown old: Substring?, nextFree: inout [NextFree]) throws -> Rendered {
        let (rows, keep) = try directoryRows(ids: config.userIDs(onPage: page), now: now, ledger: ledger)
        nextFree += keep
        if rows.isEmpty, page > 1 { return .gone }
        let built = DirectoryPage(page, previous: previous, next: next, rows: rows, theme: theme)
        if old == built.shown[...] { return .same(staleAt: built.staleAt, fingerprint: built.fingerprint) }
        return .page(try built.html(renderer), staleAt: built.staleAt, fingerprint: built.fingerprint)
    }
}
