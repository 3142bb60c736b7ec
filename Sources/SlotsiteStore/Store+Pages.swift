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
    /// The page records, first-free cache and cooked bios that stores before the
    /// ledger's split kept, which a new `BuildLedger` takes over; their tables are
    /// dropped in the same transaction. Nil once they are gone.
    public func takeLegacyLedger() throws -> (pages: [PageRecord], nextFree: [NextFree], cooked: [CookedBio])? {
        try database.writeTransaction {
            guard try database.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'pages'").scalar() != nil
            else { return nil }
            var pages: [PageRecord] = [], nextFree: [NextFree] = [], cooked: [CookedBio] = []
            try database.prepare("SELECT path, stale_at, fingerprint, unsynced_boot FROM pages").forEach {
                pages.append(PageRecord(path: $0.text(0), staleAt: $0.isNull(1) ? nil : $0.int(1),
                                        fingerprint: $0.isNull(2) ? nil : $0.text(2), unsyncedBoot: $0.isNull(3) ? nil : $0.text(3)))
            }
            try database.prepare("SELECT user_id, version, starts_at FROM next_free").forEach {
                nextFree.append(NextFree(userID: $0.int(0), version: $0.int(1), start: $0.isNull(2) ? nil : $0.int(2)))
            }
            try database.prepare("SELECT user_id, format, bio, html FROM cooked_bios").forEach {
                cooked.append(CookedBio(userID: $0.int(0), format: $0.int(1), bio: $0.text(2), html: $0.text(3)))
            }
            try database.execute("DROP TABLE pages; DROP TABLE next_free; DROP TABLE cooked_bios;")
            return (pages, nextFree, cooked)
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
