import Foundation
import Testing
import SlotsiteCore
@testable import SlotsiteStore
@testable import SlotsiteSite

/// The build ledger beside the output: its caches are trusted only while the domain
/// data they were made from is unchanged, and it takes over the records of a store
/// from before the split.
struct BuildLedgerTests {
    let now = SiteBuilderTests.now
    func range(_ startHour: Int64, _ endHour: Int64) -> TimeRange {
        TimeRange(start: now + startHour * 3600, end: now + endHour * 3600)
    }

    /// The directory's first-free-slot cache is used only while it still holds: same
    /// version, start still ahead; every other case searches the slots again.
    @Test func directoryEntriesReuseTheNextFreeCacheOnlyWhileItHolds() throws {
        let site = try TemporarySite(seedUsers: 3, slots: 0)
        let opened = try site.open()
        let builder = opened.builder(), store = opened.store, ledger = try builder.ledger()
        let (a, b, c): (Int64, Int64, Int64) = (1, 2, 3)
        let a1 = try store.createSlot(userID: a, range: range(1, 2), now: now)
        try store.createSlot(userID: a, range: range(3, 4), now: now)
        func entries(at time: Int64) throws -> (starts: [Int64?], searched: [Int64]) {
            let read = try builder.directoryEntries(ids: a...c, now: time, ledger: ledger)
            try ledger.record([], nextFree: read.computed)
            return (read.rows.map(\.nextStart), read.computed.map(\.userID))
        }
        let start1 = range(1, 2).start, start2 = range(3, 4).start
        #expect(try entries(at: now) == ([start1, nil, nil], [a, b, c]))
        #expect(try entries(at: now) == ([start1, nil, nil], []), "all three from the cache")
        try store.book(slotID: a1, clientID: b, note: "", now: now)
        #expect(try entries(at: now) == ([start2, nil, nil], [a]), "a's version changed")
        // A start kept for another version is not trusted.
        try ledger.record([], nextFree: [NextFree(userID: c, version: 99, start: now + 60)])
        #expect(try entries(at: now) == ([start2, nil, nil], [c]))
        #expect(try entries(at: start2 - 1) == ([start2, nil, nil], []))
        #expect(try entries(at: start2) == ([nil, nil, nil], [a]), "a's cached start has begun")
        let a3 = try store.createSlot(userID: a, range: range(5, 6), now: start2)
        #expect(try entries(at: start2) == ([range(5, 6).start, nil, nil], [a]))
        try store.deleteSlot(id: a3, userID: a)
        #expect(try entries(at: start2) == ([nil, nil, nil], [a]))
    }

    /// A directory row shows a kept start at the UTC offset kept with it, as the zone
    /// would: the cache keeps what a row's zone said (0 for no start), an entry kept
    /// without it gets it, and a zone that does not load (the row shows UTC) leaves
    /// nothing to trust.
    @Test func directoryRowsKeepWhatTheirZoneSaid() throws {
        let site = try TemporarySite(seedUsers: 4, slots: 0)
        let opened = try site.open()
        let builder = opened.builder(), store = opened.store, ledger = try builder.ledger()
        let (a, b, c, d): (Int64, Int64, Int64, Int64) = (1, 2, 3, 4)
        try store.updateProfile(userID: d, name: "D", bio: "", skills: [], timezone: "Asia/Kolkata", now: now)
        try store.updateProfile(userID: a, name: "A", bio: "", skills: [], timezone: "America/New_York", now: now)
        try store.updateProfile(userID: b, name: "B", bio: "", skills: [], timezone: "Australia/Lord_Howe", now: now)
        // New York's first hour of summer time in 2027; Lord Howe's half-hour offsets.
        let march14 = Int64(1_805_007_600)  // 2027-03-14T07:00Z, 03:00 EDT
        try store.createSlot(userID: a, range: TimeRange(start: march14, end: march14 + 1800), now: now)
        try store.createSlot(userID: b, range: range(2, 3), now: now)
        try store.createSlot(userID: c, range: range(4, 5), now: now)
        try store.database.execute("UPDATE users SET timezone = 'Nowhere/Else' WHERE id = \(c)")
        func rows() throws -> (shown: [String], keep: [NextFree]) {
            let read = try builder.directoryRows(ids: a...d, now: now, ledger: ledger)
            try ledger.record([], nextFree: read.keep)
            return (read.rows.map { show($0.entry.next, $0.entry.zone) }, read.keep)
        }
        func show(_ next: LocalDateTime?, _ zone: String) -> String {
            "\(next.map { "\($0.date) \($0.time) \($0.second) \($0.offset)" } ?? "-") \(zone)"
        }
        let lordHowe = try Zone("Australia/Lord_Howe")
        let expected = [show(try Zone("America/New_York").local(march14), "America/New_York"),
                        show(lordHowe.local(range(2, 3).start), "Australia/Lord_Howe"),
                        show(Zone.utc.local(range(4, 5).start), "UTC"), show(nil, "Asia/Kolkata")]
        let first = try rows()
        #expect(first.shown == expected)
        #expect(first.keep.map(\.offset) == [-4 * 3600, lordHowe.offset(at: range(2, 3).start), nil, 0])
        let second = try rows()
        #expect(second.shown == expected, "the same rows from the kept offsets")
        #expect(second.keep.map(\.userID) == [c], "only the row whose zone did not load is kept again, still without an offset")
        // An entry kept before offsets were kept gets its offset from the zone.
        let versionA = try #require(try ledger.nextFree(ids: a...a)[a]).version
        try ledger.record([], nextFree: [NextFree(userID: a, version: versionA, start: march14)])
        let third = try rows()
        #expect(third.shown == expected)
        #expect(third.keep.map(\.userID) == [a, c] && third.keep.first?.offset == -4 * 3600)
    }

    /// The kept offsets hold only for the zone database they were found with: another
    /// one (an update of the rules) makes every row find its offset again.
    @Test func keptOffsetsFollowTheZoneDatabase() throws {
        let site = try TemporarySite(seedUsers: 2, slots: 0)
        let ledger = try site.open().builder().ledger()
        func offsets() throws -> [Int?] { try ledger.nextFree(ids: 1...2).sorted { $0.key < $1.key }.map(\.value.offset) }
        try ledger.record([], nextFree: [NextFree(userID: 1, version: 1, start: now, offset: 3600),
                                         NextFree(userID: 2, version: 1, start: nil, offset: 0)])
        try ledger.useZoneDatabase(SiteConfig.zoneDatabaseIdentity().map(String.init).joined(separator: " "))
        #expect(try offsets() == [3600, 0], "the database this ledger was opened with")
        try ledger.useZoneDatabase("111543 1796558290 674620891 5439998")
        #expect(try offsets() == [nil, nil])
        try ledger.record([], nextFree: [NextFree(userID: 1, version: 1, start: now, offset: 32400)])
        try ledger.useZoneDatabase("111543 1796558290 674620891 5439998")
        #expect(try offsets() == [32400, nil], "found again by the new rules, and kept")
    }

    /// A cooked bio is read back only for the very bio it was cooked from, whoever
    /// changed the bio since, one by one and in a walk beside the profile stream.
    @Test func aCookedBioIsReadOnlyWithTheBioItWasCookedFrom() throws {
        let site = try TemporarySite(seedUsers: 2, slots: 0)
        let opened = try site.open()
        let store = opened.store, ledger = try opened.builder().ledger()
        let a: Int64 = 1
        try store.updateProfile(userID: a, name: "Ada", bio: "# Hi", skills: [], timezone: "UTC", now: now)
        func cooked() throws -> (one: CookedBio?, all: CookedBio?) {
            let user = try #require(try store.user(id: a))
            let walk = try ledger.cookedBios()
            var streamed: CookedBio?
            try store.forEachProfile(now: now) { let c = try walk.cooked(for: $0.user); if $0.user.id == a { streamed = c } }
            return (try ledger.cookedBio(of: user), streamed)
        }
        #expect(try cooked() == (nil, nil))
        let hi = CookedBio(userID: a, format: 7, bio: "# Hi", html: "<h1>Hi</h1>\n")
        try ledger.record([], cooked: [hi])
        #expect(try cooked() == (hi, hi))
        try store.database.execute("UPDATE users SET bio = '# Hello' WHERE id = \(a)")
        #expect(try cooked() == (nil, nil), "the bio changed by plain SQL")
        try store.database.execute("UPDATE users SET bio = '# Hi' WHERE id = \(a)")
        #expect(try cooked() == (hi, hi), "the same bio again")
    }

    /// A store from before the split holds page records: a new ledger takes them over
    /// (so that the next build still removes pages it no longer makes) and the store's
    /// tables go.
    @Test func aNewLedgerTakesOverTheRecordsOfAnOlderStore() throws {
        let site = try TemporarySite(seedUsers: 3, slots: 2)
        let opened = try site.open()
        try opened.store.database.execute("""
            CREATE TABLE pages (path TEXT PRIMARY KEY, stale_at INTEGER, fingerprint TEXT, unsynced_boot TEXT) STRICT;
            CREATE TABLE next_free (user_id INTEGER PRIMARY KEY, version INTEGER NOT NULL, starts_at INTEGER) STRICT;
            CREATE TABLE cooked_bios (user_id INTEGER PRIMARY KEY, format INTEGER NOT NULL, bio TEXT NOT NULL, html TEXT NOT NULL) STRICT;
            INSERT INTO pages VALUES ('u/gone/index.html', NULL, 'x', NULL);
            """)
        try FileManager.default.createDirectory(atPath: site.output + "/u/gone", withIntermediateDirectories: true)
        try "old".write(toFile: site.output + "/u/gone/index.html", atomically: true, encoding: .utf8)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: opened.config.ledgerPath + suffix) }
        let summary = try site.build()
        #expect(summary.removed == 1)
        #expect(!FileManager.default.fileExists(atPath: site.output + "/u/gone/index.html"))
        #expect(try opened.store.database.prepare("SELECT count(*) FROM sqlite_schema WHERE name IN ('pages', 'next_free', 'cooked_bios')").scalar() == 0)
    }

    /// A change's reads and records share one ledger transaction: a record inside it is
    /// a savepoint, undone alone when it fails; a failure of the whole undoes everything.
    @Test func aBatchNestsRecordsAndRollsBackWhole() throws {
        let site = try TemporarySite(seedUsers: 1, slots: 0)
        let ledger = try site.open().builder().ledger()
        func page(_ path: String) -> PageRecord { PageRecord(path: path, staleAt: nil, fingerprint: "f", unsyncedBoot: nil) }
        struct Failure: Error {}
        try ledger.batch {
            try ledger.record([page("a.html")])
            #expect(throws: Failure.self) { try ledger.database.writeTransaction { try ledger.record([page("b.html")]); throw Failure() } }
            #expect(try ledger.pageRecord("a.html") != nil)
            #expect(try ledger.pageRecord("b.html") == nil, "the failed savepoint alone is undone")
        }
        #expect(try ledger.pageRecord("a.html") != nil)
        #expect(throws: Failure.self) { try ledger.batch { try ledger.record([page("c.html")]); throw Failure() } }
        #expect(try ledger.pageRecord("c.html") == nil, "a failed batch records nothing")
        #expect(!ledger.database.isInTransaction)
    }
}
