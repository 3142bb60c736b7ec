import SlotsiteCore

/// One host's record of what its builds wrote: each page's record, the directory's
/// cache of first free slots and the bios cooked into HTML. It sits beside the output,
/// apart from the domain store, because several hosts may one day share one domain
/// database while each keeps its own `public/`.
///
/// A cache that heals itself: a lost row only makes a build render a page again, so
/// its commits are not fsynced, and every row is checked against the domain data it
/// was made from before it is trusted. Builds and the CGI use it only under the site
/// lock, so it needs no WAL, which each CGI process would first have to read.
public final class BuildLedger {
    let database: Database
    /// True when this process created the ledger (it is empty).
    public let isNew: Bool

    /// Opens the ledger at `path`, creating it when there is none.
    /// - Throws: `StoreError` when the file cannot be opened or migrated.
    public init(path: String) throws {
        database = try Database(path: path, create: true, durability: .cache)
        let ran = try Migrations.migrate(database, list: BuildLedger.migrations)
        isNew = ran.first == BuildLedger.migrations.first?.name
    }

    static let migrations: [(name: String, sql: String)] = [
        ("1-pages-next-free-cooked-bios", """
        -- The files the builder wrote, so it removes only its own, what each was rendered
        -- from, when it goes stale, and in which boot it was written without a sync.
        CREATE TABLE pages (
            path TEXT PRIMARY KEY,
            stale_at INTEGER,
            fingerprint TEXT,
            unsynced_boot TEXT
        ) STRICT, WITHOUT ROWID;
        -- The start of each professional's first free slot (NULL: none), as found at their
        -- `version`: it holds while the version is the same and that start is ahead.
        CREATE TABLE next_free (
            user_id INTEGER PRIMARY KEY,
            version INTEGER NOT NULL,
            starts_at INTEGER
        ) STRICT;
        -- Each bio's HTML as the renderer of `format` cooked it from the Markdown `bio`:
        -- used only while that is still the user's bio.
        CREATE TABLE cooked_bios (
            user_id INTEGER PRIMARY KEY,
            format INTEGER NOT NULL,
            bio TEXT NOT NULL,
            html TEXT NOT NULL
        ) STRICT;
        """),
        ("2-next-free-offset", """
        -- The UTC offset at `starts_at` in the professional's zone, 0 with no start; NULL
        -- until a row is rendered with the zone. Like the pages' fingerprints, it does not
        -- follow an update of the system's zone database.
        ALTER TABLE next_free ADD COLUMN utc_offset INTEGER;
        """),
        ("3-zone-database", """
        -- From here the kept offsets follow an update of the zone database: this is the
        -- one they were found with (`useZoneDatabase`).
        CREATE TABLE zone_database (identity TEXT NOT NULL) STRICT;
        """),
    ]

    /// Forgets the UTC offsets kept with first free slots unless they were found with
    /// the zone database `identity` describes, which it then records: after an update
    /// of the rules, each is found again when its directory row is next rendered.
    public func useZoneDatabase(_ identity: String) throws {
        let known: String? = try {
            let s = try database.prepare("SELECT identity FROM zone_database")
            return try s.step() ? s.text(0) : nil
        }()
        if known == identity { return }
        try batch {
            try database.execute("UPDATE next_free SET utc_offset = NULL WHERE utc_offset IS NOT NULL; DELETE FROM zone_database")
            try database.prepare("INSERT INTO zone_database (identity) VALUES (?)").bind(.text(identity)).run()
        }
    }

    /// Runs `body` in one write transaction of the ledger: reads and records in it
    /// lock, check and unlock the ledger's file once, not once per statement.
    public func batch<T>(_ body: () throws -> T) throws -> T {
        try database.writeTransaction(body)
    }

    // MARK: Pages

    /// The files the builder wrote, relative to the output folder.
    public func builtPages() throws -> [String: PageRecord] {
        var pages: [String: PageRecord] = [:]
        try database.prepare("SELECT stale_at, fingerprint, unsynced_boot, path FROM pages").forEach {
            let path = $0.text(3)
            pages[path] = BuildLedger.record($0, path: path)
        }
        return pages
    }

    /// The record of the page at `path`, if the builder wrote one.
    public func pageRecord(_ path: String) throws -> PageRecord? {
        // Kept compiled: a change reads the records of each page it touches.
        let s = try database.cached("SELECT stale_at, fingerprint, unsynced_boot FROM pages WHERE path = ?").bind(.text(path))
        defer { s.reset() }
        return try s.step() ? BuildLedger.record(s, path: path) : nil
    }

    /// A record from a row whose first columns are `stale_at, fingerprint, unsynced_boot`.
    private static func record(_ s: Statement, path: String) -> PageRecord {
        PageRecord(path: path, staleAt: s.isNull(0) ? nil : s.int(0), fingerprint: s.isNull(1) ? nil : s.text(1),
                   unsyncedBoot: s.isNull(2) ? nil : s.text(2))
    }

    /// Records pages written or checked, forgets removed ones, and keeps first free
    /// slots and cooked bios, in one transaction.
    public func record(_ written: [PageRecord], removed: [String] = [], nextFree: [NextFree] = [], cooked: [CookedBio] = []) throws {
        guard !written.isEmpty || !removed.isEmpty || !nextFree.isEmpty || !cooked.isEmpty else { return }
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
                let keep = try database.prepare("INSERT OR REPLACE INTO next_free (user_id, version, starts_at, utc_offset) VALUES (?, ?, ?, ?)")
                for entry in nextFree {
                    try keep.bind(.int(entry.userID), .int(entry.version), entry.start.map { .int($0) } ?? .null,
                                  entry.offset.map { .int(Int64($0)) } ?? .null).run()
                }
            }
            if !cooked.isEmpty {
                let keep = try database.prepare("INSERT OR REPLACE INTO cooked_bios (user_id, format, bio, html) VALUES (?, ?, ?, ?)")
                for bio in cooked {
                    try keep.bind(.int(bio.userID), .int(bio.format), .text(bio.bio), .text(bio.html)).run()
                }
            }
        }
    }

    // MARK: Caches

    /// The first free slots kept for the users with ids in `ids`, by user id.
    public func nextFree(ids: ClosedRange<Int64>) throws -> [Int64: NextFree] {
        var found: [Int64: NextFree] = [:]
        try database.prepare("SELECT user_id, version, starts_at, utc_offset FROM next_free WHERE user_id BETWEEN ? AND ?")
            .bind(.int(ids.lowerBound), .int(ids.upperBound)).forEach {
                found[$0.int(0)] = NextFree(userID: $0.int(0), version: $0.int(1), start: $0.isNull(2) ? nil : $0.int(2),
                                            offset: $0.isNull(3) ? nil : Int($0.int(3)))
            }
        return found
    }

    /// The bio cooked for `user`, when it was cooked from their bio as it is.
    public func cookedBio(of user: User) throws -> CookedBio? {
        let s = try database.cached("SELECT format, html FROM cooked_bios WHERE user_id = ? AND bio = ?")
            .bind(.int(user.id), .text(user.bio))
        defer { s.reset() }
        return try s.step() ? CookedBio(userID: user.id, format: s.int(0), bio: user.bio, html: s.text(1)) : nil
    }

    /// A walk through the cooked bios in user-id order, beside a stream of profiles in
    /// the same order: one query for all, not one per profile.
    public func cookedBios() throws -> CookedBios { CookedBios(try database.prepare("SELECT user_id, format, bio, html FROM cooked_bios ORDER BY user_id")) }

    /// See `cookedBios()`.
    public final class CookedBios {
        private let statement: Statement
        private var onRow: Bool?

        init(_ statement: Statement) { self.statement = statement }

        deinit { statement.reset() }

        /// Ends the walk, so that it holds no read transaction on the ledger.
        public func finish() { statement.reset() }

        /// The bio cooked for `user`, when it was cooked from their bio as it is; users
        /// must come in ascending id order.
        public func cooked(for user: User) throws -> CookedBio? {
            if onRow == nil { onRow = try statement.step() }
            while onRow == true, statement.int(0) < user.id { onRow = try statement.step() }
            guard onRow == true, statement.int(0) == user.id, statement.text(2) == user.bio else { return nil }
            return CookedBio(userID: user.id, format: statement.int(1), bio: user.bio, html: statement.text(3))
        }
    }
}
