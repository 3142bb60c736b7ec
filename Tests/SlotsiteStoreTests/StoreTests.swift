import Foundation
import Testing
import SlotsiteCore
@testable import SlotsiteStore
import CSQLite

/// A store in a fresh temporary file, removed when the test ends.
final class TemporaryStore {
    let directory: String
    let store: Store

    init() throws {
        directory = NSTemporaryDirectory() + "slotsite-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try Store(path: directory + "/test.db", create: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    @discardableResult
    func user(_ handle: String, email: String? = nil) throws -> Int64 {
        try store.createUser(handle: Handle(handle), name: handle.capitalized, email: email ?? "\(handle)@example.org",
                             passwordHash: "!", timezone: "Europe/Berlin", now: 0)
    }

    func count(_ sql: String) throws -> Int64 { try store.database.prepare(sql).scalar() ?? -1 }
}

struct StoreTests {
    let now: Int64 = 1_800_000_000
    func range(_ startHour: Int64, _ endHour: Int64) -> TimeRange {
        TimeRange(start: now + startHour * 3600, end: now + endHour * 3600)
    }

    @Test func opensInWALWithForeignKeysAndFullSync() throws {
        let t = try TemporaryStore()
        let db = t.store.database
        let mode = try db.prepare("PRAGMA journal_mode")
        _ = try mode.step()
        #expect(mode.text(0) == "wal")
        #expect(try db.prepare("PRAGMA foreign_keys").scalar() == 1)
        #expect(try db.prepare("PRAGMA synchronous").scalar() == 2)
    }

    @Test func migrationsRunOnceAndReopenCleanly() throws {
        let t = try TemporaryStore()
        let again = try Store(path: t.directory + "/test.db")
        #expect(try again.database.prepare("SELECT count(*) FROM schema_migrations").scalar() == Int64(Migrations.all.count))
    }

    /// A store with every migration says so in its header, which later opens read instead
    /// of the migrations table; one without the mark (an older program's) is checked in
    /// full and marked.
    @Test func aCompleteStoreIsMarkedInItsHeader() throws {
        let t = try TemporaryStore()
        #expect(try t.store.database.prepare("PRAGMA user_version").scalar() == Int64(Migrations.all.count))
        try t.store.database.execute("PRAGMA user_version = 0")
        let again = try Store(path: t.directory + "/test.db")
        #expect(try again.database.prepare("PRAGMA user_version").scalar() == Int64(Migrations.all.count))
        #expect(try again.database.prepare("SELECT count(*) FROM schema_migrations").scalar() == Int64(Migrations.all.count))
    }

    @Test func handlesAndEmailsAreUniqueIgnoringEmailCase() throws {
        let t = try TemporaryStore()
        try t.user("ada", email: "Ada@Example.org")
        #expect { try t.user("ada", email: "other@example.org") } throws: { ($0 as? StoreError)?.reason == .handleTaken }
        #expect { try t.user("grace", email: "ada@example.ORG") } throws: { ($0 as? StoreError)?.reason == .emailTaken }
        #expect(try t.store.credentials(login: "ADA@example.org")?.user.handle == "ada")
        #expect(try t.store.credentials(login: "ada")?.user.handle == "ada")
    }

    @Test func theSchemaRejectsWhatTheRulesForbid() throws {
        let t = try TemporaryStore()
        let db = t.store.database
        let id = try t.user("ada")
        #expect(throws: StoreError.self) { try db.execute("INSERT INTO slots (user_id, starts_at, ends_at) VALUES (\(id), 100, 100)") }
        #expect(throws: StoreError.self) { try db.execute("INSERT INTO slots (user_id, starts_at, ends_at) VALUES (999, 100, 1000)") }
        #expect(throws: StoreError.self) { try db.execute("INSERT INTO users (handle, name, email, password_hash, timezone, created_at, updated_at) VALUES ('Bad Handle', 'x', 'x@y.z', '!', 'UTC', 0, 0)") }
        let slot = try t.store.createSlot(userID: id, range: range(1, 2), now: now)
        let client = try t.user("grace")
        try db.execute("INSERT INTO bookings (slot_id, client_id, created_at) VALUES (\(slot), \(client), 0)")
        // The partial unique index, not application code, forbids a second active booking.
        #expect(throws: StoreError.self) { try db.execute("INSERT INTO bookings (slot_id, client_id, created_at) VALUES (\(slot), \(client), 0)") }
        try db.execute("UPDATE bookings SET cancelled_at = 1")
        try db.execute("INSERT INTO bookings (slot_id, client_id, created_at) VALUES (\(slot), \(client), 0)")
    }

    @Test func slotsMayTouchButNotOverlap() throws {
        let t = try TemporaryStore()
        let id = try t.user("ada")
        let other = try t.user("grace")
        try t.store.createSlot(userID: id, range: range(2, 3), now: now)
        try t.store.createSlot(userID: id, range: range(1, 2), now: now)
        try t.store.createSlot(userID: id, range: range(3, 4), now: now)
        try t.store.createSlot(userID: other, range: range(2, 3), now: now) // another professional
        for clash in [range(2, 3), TimeRange(start: now + 5400, end: now + 9000), TimeRange(start: now + 60, end: now + 5 * 3600)] {
            #expect { try t.store.createSlot(userID: id, range: clash, now: now) } throws: { ($0 as? StoreError)?.reason == .slotOverlaps }
        }
        #expect { try t.store.createSlot(userID: id, range: range(-2, -1), now: now) } throws: { ($0 as? CoreError)?.reason == .startsInPast }
        #expect(try t.count("SELECT count(*) FROM slots") == 4)
    }

    @Test func bookingRules() throws {
        let t = try TemporaryStore()
        let pro = try t.user("ada")
        let client = try t.user("grace")
        let third = try t.user("alan")
        let slot = try t.store.createSlot(userID: pro, range: range(1, 2), now: now)
        #expect { try t.store.book(slotID: slot, clientID: pro, note: "", now: now) } throws: { ($0 as? StoreError)?.reason == .forbidden }
        #expect { try t.store.book(slotID: 999, clientID: client, note: "", now: now) } throws: { ($0 as? StoreError)?.reason == .notFound }
        #expect { try t.store.book(slotID: slot, clientID: client, note: "", now: now + 3600) } throws: { ($0 as? StoreError)?.reason == .slotStarted }
        let booking = try t.store.book(slotID: slot, clientID: client, note: "hi", now: now).bookingID
        #expect { try t.store.book(slotID: slot, clientID: third, note: "", now: now) } throws: { ($0 as? StoreError)?.reason == .alreadyBooked }
        #expect { try t.store.deleteSlot(id: slot, userID: pro) } throws: { ($0 as? StoreError)?.reason == .slotBooked }
        #expect { try t.store.cancelBooking(id: booking, by: third, now: now) } throws: { ($0 as? StoreError)?.reason == .forbidden }
        #expect(try t.store.bookingsMade(by: client).map(\.id) == [booking])
        #expect(try t.store.slots(of: pro).first?.booking?.clientHandle == "grace")
        try t.store.cancelBooking(id: booking, by: pro, now: now)
        #expect { try t.store.cancelBooking(id: booking, by: pro, now: now) } throws: { ($0 as? StoreError)?.reason == .notFound }
        #expect(try t.store.bookingsMade(by: client).isEmpty)
        try t.store.book(slotID: slot, clientID: third, note: "", now: now) // free again
        #expect(try t.count("SELECT count(*) FROM bookings WHERE cancelled_at IS NULL") == 1)
    }

    @Test func deleteSlotChecksOwnership() throws {
        let t = try TemporaryStore()
        let pro = try t.user("ada")
        let other = try t.user("grace")
        let slot = try t.store.createSlot(userID: pro, range: range(1, 2), now: now)
        #expect { try t.store.deleteSlot(id: slot, userID: other) } throws: { ($0 as? StoreError)?.reason == .forbidden }
        #expect { try t.store.deleteSlot(id: 42, userID: pro) } throws: { ($0 as? StoreError)?.reason == .notFound }
        try t.store.deleteSlot(id: slot, userID: pro)
        #expect(try t.store.slot(id: slot) == nil)
    }

    @Test func profilesStreamInUserOrderWithOnlyFreeFutureSlots() throws {
        let t = try TemporaryStore()
        let a = try t.user("ada")
        let b = try t.user("bob")
        let c = try t.user("cyd")
        try t.store.updateProfile(userID: a, name: "Ada", bio: "hi", skills: ["Swift", "SQL"], timezone: "UTC", now: now)
        let s1 = try t.store.createSlot(userID: a, range: range(3, 4), now: now)
        let s2 = try t.store.createSlot(userID: a, range: range(1, 2), now: now)
        let s3 = try t.store.createSlot(userID: c, range: range(1, 2), now: now)
        let started = try t.store.createSlot(userID: c, range: range(5, 6), now: now)
        try t.store.book(slotID: s1, clientID: b, note: "", now: now)
        var seen: [(String, [String], [Int64])] = []
        try t.store.forEachProfile(now: now + 60) { seen.append(($0.user.handle, $0.user.skills, $0.freeSlots.map(\.id))) }
        #expect(seen.map(\.0) == ["ada", "bob", "cyd"])
        #expect(seen[0].1 == ["Swift", "SQL"])
        #expect(seen[0].2 == [s2])
        #expect(seen[1].2 == [])
        #expect(seen[2].2 == [s3, started])
        var later: [[Int64]] = []
        try t.store.forEachProfile(now: now + 5 * 3600) { later.append($0.freeSlots.map(\.id)) }
        #expect(later == [[], [], []])
        #expect(try t.store.profile(userID: a, now: now)?.freeSlots.map(\.id) == [s2])
        let page = try t.store.directoryMembers(ids: 2...3)
        #expect(page.map(\.user.handle) == ["bob", "cyd"])
        #expect(try t.store.firstFreeStart(of: c, after: now) == (try t.store.slot(id: s3))?.range.start)
        #expect(try t.store.firstFreeStart(of: b, after: now) == nil)
        #expect(try t.store.userID(before: c) == b)
        #expect(try t.store.userID(after: c) == nil)
        #expect(try t.store.userID(before: a) == nil)
    }

    @Test func idSetHoldsExactlyWhatWasInserted() {
        var set = IDSet()
        let ids: [Int64] = [1, 63, 64, 200_000, (1 << 26) - 1, 1 << 26, 1 << 40, -5, .max]
        for id in ids { set.insert(id) }
        for id in ids { #expect(set.contains(id), "\(id)") }
        for id: Int64 in [0, 2, 62, 65, 127, 199_999, 200_001, (1 << 26) - 2, (1 << 26) + 1, -4, .min] {
            #expect(!set.contains(id), "\(id)")
        }
        #expect(!IDSet().contains(1))
    }

    @Test func everyChangeToWhatAProfileShowsBumpsItsVersion() throws {
        let t = try TemporaryStore()
        let a = try t.user("ada")
        let b = try t.user("bob")
        var last = try #require(try t.store.version(of: a))
        func bumped(_ what: String) throws {
            let now = try #require(try t.store.version(of: a))
            #expect(now > last, "\(what) bumps the version")
            last = now
        }
        try t.store.updateProfile(userID: a, name: "Ada L", bio: "x", skills: ["Swift"], timezone: "UTC", now: now)
        try bumped("profile update")
        let slot = try t.store.createSlot(userID: a, range: range(1, 2), now: now)
        try bumped("new slot")
        let bobBefore = try t.store.version(of: b)
        let booking = try t.store.book(slotID: slot, clientID: b, note: "", now: now).bookingID
        try bumped("booking")
        #expect(try t.store.version(of: b) == bobBefore, "the client's page does not change")
        try t.store.cancelBooking(id: booking, by: b, now: now)
        try bumped("cancellation")
        try t.store.deleteSlot(id: slot, userID: a)
        try bumped("deleted slot")
        try t.store.database.execute("UPDATE slots SET starts_at = starts_at WHERE user_id = \(a)")
        try t.store.database.execute("INSERT INTO slots (user_id, starts_at, ends_at) VALUES (\(a), \(now + 90000), \(now + 93600))")
        try bumped("plain SQL")
    }

    @Test func removingAUserRemovesTheirSlotsAndBookings() throws {
        let t = try TemporaryStore()
        let a = try t.user("ada")
        let b = try t.user("bob")
        let slot = try t.store.createSlot(userID: a, range: range(1, 2), now: now)
        try t.store.book(slotID: slot, clientID: b, note: "", now: now)
        try t.store.removeUser(handle: "ada")
        #expect(try t.count("SELECT count(*) FROM slots") == 0)
        #expect(try t.count("SELECT count(*) FROM bookings") == 0)
        #expect { try t.store.removeUser(handle: "ada") } throws: { ($0 as? StoreError)?.reason == .notFound }
    }

    @Test func emailsAreUniqueUnderUnicodeCaseFolding() throws {
        let t = try TemporaryStore()
        try t.user("ida", email: "ida@bücher.example")
        #expect { try t.user("ida2", email: "IDA@BÜCHER.EXAMPLE") } throws: { ($0 as? StoreError)?.reason == .emailTaken }
        #expect { try t.user("ida3", email: "ida@bu\u{308}cher.example") } throws: { ($0 as? StoreError)?.reason == .emailTaken }
        #expect(try t.store.credentials(login: "  Ida@Bücher.Example ")?.user.handle == "ida")
        #expect(try t.store.credentials(login: "IDA")?.user.handle == "ida")
    }

    @Test func aWALIsOpenedAsItIsOnlyOnceItsDirectoryWasSynced() throws {
        let directory = try TemporaryStore().directory + "-wal"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/wal.db", wal = path + "-wal"
        func marked() -> Bool { getxattr(wal, SyncedWAL.mark, nil, 0) == 1 }
        guard getxattr(directory, "user.none", nil, 0) >= 0 || errno == ENODATA else {
            // No user attributes here: SQLite syncs the directory in every process, as before.
            let db = try Database(path: path, create: true)
            try db.execute("CREATE TABLE t (x INTEGER)")
            #expect(!marked())
            return
        }
        do {
            let db = try Database(path: path, create: true)
            try db.execute("CREATE TABLE t (x INTEGER)")
            #expect(marked(), "the WAL this process made")
            #expect(removexattr(wal, SyncedWAL.mark) == 0)
            let second = try Database(path: path)
            #expect(try second.prepare("SELECT count(*) FROM t").scalar() == 0)
            #expect(marked(), "an unmarked WAL, marked by the next connection that opens it")
            try second.execute("INSERT INTO t VALUES (1); PRAGMA wal_checkpoint(TRUNCATE)")
        }
        // Both closed, everything in the database file: a WAL made again starts unmarked.
        #expect(unlink(wal) == 0)
        let third = try Database(path: path)
        #expect(try third.prepare("SELECT count(*) FROM t").scalar() == 1)
        #expect(marked(), "a new WAL")
    }

    @Test func theMigrationKeepsAccountsWithSlotsListedAndNamesEmailClashes() throws {
        let directory = try TemporaryStore().directory + "-old"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let db = try Database(path: directory + "/old.db", create: true)
        try Migrations.migrate(db, through: 8)
        try db.execute("""
            INSERT INTO users (id, handle, name, email, password_hash, timezone, created_at, updated_at) VALUES
              (1, 'ida', 'Ida', 'ida@bücher.example', '!', 'UTC', 0, 0),
              (2, 'ida-two', 'Ida', 'IDA@BÜCHER.EXAMPLE', '!', 'UTC', 0, 0),
              (3, 'pro', 'Pro', 'pro@example.org', '!', 'UTC', 0, 0);
            INSERT INTO slots (user_id, starts_at, ends_at) VALUES (3, 1000, 4600);
            """)
        let store = try Store(path: directory + "/old.db")
        #expect(try store.emailClashes().map { "\($0.handle)=\($0.sameAs)" } == ["ida-two=ida"])
        #expect(try store.userVersions().map(\.handle) == ["pro"])
        #expect(try store.user(handle: "ida")?.listed == false)
        #expect(try store.credentials(login: "Ida@bücher.example")?.user.handle == "ida")
        #expect(try store.credentials(login: "ida-two")?.user.handle == "ida-two")
    }

    @Test func loginAttemptsCountPerAccountBeforeTheCheckAndPerAddress() throws {
        let t = try TemporaryStore()
        try t.user("ada", email: "Ada@Example.org")
        var admitted = 0
        for i in 0..<15 {
            // Handle, address and any case of either name one account.
            let login = ["ada", "ADA@example.org", " Ada "][i % 3]
            let admission = try t.store.admitLogin(login, address: "10.0.0.1", now: now, window: 900) { failures in
                failures.account.count >= 10 && failures.accountFromAddress > 0 ? 60 : nil
            }
            if case .admitted = admission { admitted += 1 }
        }
        #expect(admitted == 10)
        guard case .admitted(let id, let credentials) = try t.store.admitLogin("ada", address: "10.0.0.2", now: now, window: 900, retryAfter: { failures in
            failures.accountFromAddress > 0 ? 60 : nil
        }) else { Issue.record("a new address is refused"); return }
        #expect(credentials?.user.handle == "ada")
        try t.store.forgetLoginFailures(attemptID: id)
        #expect(try t.count("SELECT count(*) FROM login_attempts WHERE address = '10.0.0.2'") == 0)
        #expect(try t.count("SELECT count(*) FROM login_attempts WHERE address = '10.0.0.1'") == 10)
        guard case .admitted(_, nil) = try t.store.admitLogin("nobody", address: "10.0.0.3", now: now, window: 900, retryAfter: { _ in nil })
        else { Issue.record("an unknown login is not admitted"); return }
    }

    @Test func privateAccountsHaveNoPageAndTheirSlotsAreNotBookable() throws {
        let t = try TemporaryStore()
        let pro = try t.user("pro")
        let client = try t.store.createUser(handle: Handle("client"), name: "C", email: "c@example.org", passwordHash: "!",
                                            timezone: "UTC", listed: false, now: 0)
        let slot = try t.store.createSlot(userID: client, range: range(1, 2), now: now)
        #expect(try t.store.userVersions().map(\.id) == [pro])
        #expect(try t.store.profile(userID: client, now: now) == nil)
        #expect { try t.store.book(slotID: slot, clientID: pro, note: "", now: now) } throws: { ($0 as? StoreError)?.reason == .notFound }
        let proSlot = try t.store.createSlot(userID: pro, range: range(1, 2), now: now)
        try t.store.book(slotID: proSlot, clientID: client, note: "", now: now)
        #expect { try t.store.book(slotID: proSlot, clientID: client, note: "", now: now) } throws: { ($0 as? StoreError)?.reason == .alreadyBookedByClient }
        try t.store.setListed(userID: client, true, now: now)
        #expect(try t.store.userVersions().map(\.id) == [pro, client])
    }
}
