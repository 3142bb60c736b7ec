/// What the builder recorded about a file it wrote.
public struct PageRecord: Sendable, Equatable {
    public let path: String
    /// When the page goes stale (its earliest shown slot starts); nil: only a data change does.
    public let staleAt: Int64?
    /// What the page was rendered from; equal fingerprints give equal bytes.
    public let fingerprint: String?
    /// The boot during which the page was renamed into place without a sync; nil when
    /// it was synced. A power cut can lose such a write, and only a power cut (or any
    /// other reboot) can: the kernel keeps a written page for every later reader.
    public let unsyncedBoot: String?

    public init(path: String, staleAt: Int64?, fingerprint: String?, unsyncedBoot: String? = nil) {
        self.path = path
        self.staleAt = staleAt
        self.fingerprint = fingerprint
        self.unsyncedBoot = unsyncedBoot
    }

    /// A fingerprint of a page's inputs followed, after a `/`, by a digest of what the
    /// page shows: a page whose inputs changed may still show the same, which the digest
    /// tells without rendering it. Neither part contains a `/`.
    public static func fingerprint(inputs: String, shown: String) -> String { inputs + "/" + shown }

    /// The fingerprint's two parts: the inputs, and the digest of what the page shows
    /// when it has one.
    private var parts: (inputs: Substring, shown: Substring?)? {
        guard let fingerprint else { return nil }
        guard let slash = fingerprint.utf8.firstIndex(of: UInt8(ascii: "/")) else { return (fingerprint[...], nil) }
        return (fingerprint[..<slash], fingerprint[fingerprint.utf8.index(after: slash)...])
    }

    /// The digest of what the page shows, when its fingerprint has one.
    public var shown: Substring? { parts?.shown }

    /// Whether the page was rendered from `inputs` (a fingerprint without a digest of
    /// what it shows); whether that is still what rendering now gives is `isFresh`.
    public func holds(inputs: String) -> Bool { parts?.inputs == inputs[...] }

    /// Whether the page's earliest shown slot has not started by `now`, and it is known
    /// to be on disk (synced, or written during `boot`, the boot now running).
    public func isFresh(now: Int64, boot: String?) -> Bool {
        (staleAt.map { $0 > now } ?? true) && (unsyncedBoot == nil || unsyncedBoot == boot)
    }
}

extension Store {
    /// The files the builder wrote, relative to the output folder.
    public func builtPages() throws -> [String: PageRecord] {
        var pages: [String: PageRecord] = [:]
        try database.prepare("SELECT stale_at, fingerprint, unsynced_boot, path FROM pages").forEach {
            let path = $0.text(3)
            pages[path] = readRecord($0, path: path)
        }
        return pages
    }

    /// The record of the page at `path`, if the builder wrote one.
    public func pageRecord(_ path: String) throws -> PageRecord? {
        // Kept compiled: a change reads the records of each page it touches.
        let s = try database.cached("SELECT stale_at, fingerprint, unsynced_boot FROM pages WHERE path = ?").bind(.text(path))
        defer { s.reset() }
        return try s.step() ? readRecord(s, path: path) : nil
    }

    /// A record from a row whose first columns are `stale_at, fingerprint, unsynced_boot`.
    private func readRecord(_ s: Statement, path: String) -> PageRecord {
        PageRecord(path: path, staleAt: s.isNull(0) ? nil : s.int(0), fingerprint: s.isNull(1) ? nil : s.text(1),
                   unsyncedBoot: s.isNull(2) ? nil : s.text(2))
    }

    /// Records pages written or checked and forgets removed ones, in one transaction.
    ///
    /// This list is a cache that heals itself (a lost record only makes the next
    /// build render a page again), so its commit is not fsynced: a power cut may lose
    /// it, a crashed process cannot.
    /// `nextFree` goes to the directory's cache of first free slots, each only while
    /// its professional still has that version; `cooked` to the cooked bios, each only
    /// while its professional still has that bio.
    public func recordPages(_ written: [PageRecord], removed: [String] = [], nextFree: [NextFree] = [],
                            cooked: [CookedBio] = []) throws {
        guard !written.isEmpty || !removed.isEmpty || !nextFree.isEmpty || !cooked.isEmpty else { return }
        try database.execute("PRAGMA synchronous = NORMAL")
        defer { try? database.execute("PRAGMA synchronous = FULL") }
        try database.writeTransaction {
            let upsert = try database.prepare("INSERT OR REPLACE INTO pages (path, stale_at, fingerprint, unsynced_boot) VALUES (?, ?, ?, ?)")
            for page in written {
                try upsert.bind(.text(page.path), page.staleAt.map { .int($0) } ?? .null, page.fingerprint.map { .text($0) } ?? .null,
                                page.unsyncedBoot.map { .text($0) } ?? .null).run()
            }
            if !removed.isEmpty {
                let delete = try database.prepare("DELETE FROM pages WHERE path = ?")
                for path in removed { try delete.bind(.text(path)).run() }
            }
            if !nextFree.isEmpty {
                let keep = try database.prepare("""
                    INSERT OR REPLACE INTO next_free (user_id, version, starts_at)
                    SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1 AND version = ?2)
                    """)
                for entry in nextFree {
                    try keep.bind(.int(entry.userID), .int(entry.version), entry.start.map { .int($0) } ?? .null).run()
                }
            }
            for bio in cooked { try keep(bio) }
        }
    }

    /// Every listed user's id, handle and version, by id: enough to tell which pages changed.
    public func userVersions() throws -> [(id: Int64, handle: String, version: Int64)] {
        var rows: [(Int64, String, Int64)] = []
        try database.prepare("SELECT id, handle, version FROM users WHERE listed = 1 ORDER BY id").forEach {
            rows.append(($0.int(0), $0.text(1), $0.int(2)))
        }
        return rows
    }

    /// The ids and versions of the listed users with ids in `ids`, by id.
    public func versions(ids: ClosedRange<Int64>) throws -> [(id: Int64, version: Int64)] {
        var rows: [(Int64, Int64)] = []
        try database.prepare("SELECT id, version FROM users WHERE id BETWEEN ? AND ? AND listed = 1 ORDER BY id")
            .bind(.int(ids.lowerBound), .int(ids.upperBound)).forEach { rows.append(($0.int(0), $0.int(1))) }
        return rows
    }

    /// A user's handle, version and whether they are listed, or nil when the user is gone.
    public func handleAndVersion(of userID: Int64) throws -> (handle: String, version: Int64, listed: Bool)? {
        let s = try database.prepare("SELECT handle, version, listed FROM users WHERE id = ?").bind(.int(userID))
        guard try s.step() else { return nil }
        return (s.text(0), s.int(1), s.int(2) != 0)
    }

    /// A user's version, or nil when the user is gone.
    public func version(of userID: Int64) throws -> Int64? {
        try database.prepare("SELECT version FROM users WHERE id = ?").bind(.int(userID)).scalar()
    }
}
