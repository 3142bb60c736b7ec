import Foundation
import Testing
import SlotsiteCore
@testable import SlotsiteStore

struct AvailabilityStoreTests {
    // 2027-01-04, a Monday, 06:00 UTC.
    let now: Int64 = 1_799_042_400
    static func interval(_ a: String, _ b: String) -> Availability.Interval { .init(start: LocalTime(text: a)!, end: LocalTime(text: b)!) }

    func slots(_ t: TemporaryStore, _ user: Int64) throws -> [(id: Int64, start: Int64, ruleMade: Bool)] {
        var rows: [(Int64, Int64, Bool)] = []
        try t.store.database.prepare("SELECT id, starts_at, rule_made FROM slots WHERE user_id = ? ORDER BY starts_at")
            .bind(.int(user)).forEach { rows.append(($0.int(0), $0.int(1), $0.int(2) != 0)) }
        return rows
    }

    func professional(_ t: TemporaryStore) throws -> Int64 {
        let id = try t.user("ada")
        try t.store.database.execute("UPDATE users SET timezone = 'UTC' WHERE id = \(id)")
        return id
    }

    @Test func layingIsIdempotentAndKeepsIds() throws {
        let t = try TemporaryStore()
        let ada = try professional(t)
        try t.store.setAvailabilitySettings(userID: ada, .init(length: 60, buffer: 0, notice: 0, horizon: 7), now: now)
        try t.store.addAvailabilityRule(userID: ada, weekday: 1, interval: Self.interval("09:00", "12:00"), now: now)
        let first = try slots(t, ada)
        #expect(first.count == 3 && first.allSatisfy(\.ruleMade))
        try t.store.database.writeTransaction { try t.store.layAvailability(userID: ada, now: now) }
        #expect(try slots(t, ada).map(\.id) == first.map(\.id), "the same rules and clock: the same slots, the same ids")
        #expect(try t.store.extendAvailability(now: now) == 0)
        #expect(try slots(t, ada).map(\.id) == first.map(\.id))
    }

    @Test func aRuleChangeKeepsBookedAndHandMadeSlots() throws {
        let t = try TemporaryStore()
        let ada = try professional(t), bob = try t.user("bob")
        try t.store.setAvailabilitySettings(userID: ada, .init(length: 60, buffer: 0, notice: 0, horizon: 7), now: now)
        // By hand, Monday 12:30–13:00: the rule's 12:00 slot would overlap it.
        let hand = try t.store.createSlot(userID: ada, range: TimeRange(start: now + 6 * 3600 + 1800, end: now + 7 * 3600), now: now)
        let rule = try t.store.addAvailabilityRule(userID: ada, weekday: 1, interval: Self.interval("09:00", "14:00"), now: now)
        let laid = try slots(t, ada)
        #expect(laid.filter(\.ruleMade).count == 4, "09, 10, 11 and 13 o'clock; not 12, which meets the slot by hand")
        let booked = laid.first { $0.ruleMade && $0.start == now + 4 * 3600 }!  // 10:00
        try t.store.book(slotID: booked.id, clientID: bob, note: "", now: now)
        try t.store.deleteAvailability(.rule, id: rule, userID: ada, now: now)
        let after = try slots(t, ada)
        #expect(after.map(\.id) == [booked.id, hand], "the booked slot and the one by hand stay; the rest go")
        let other = try t.store.addAvailabilityRule(userID: bob, weekday: 2, interval: Self.interval("09:00", "10:00"), now: now)
        #expect(throws: StoreError(.forbidden, "availability_rules \(other)")) {
            try t.store.deleteAvailability(.rule, id: other, userID: ada, now: self.now)
        }
        #expect(throws: StoreError(.notFound, "availability_rules \(rule + 99)")) {
            try t.store.deleteAvailability(.rule, id: rule + 99, userID: ada, now: self.now)
        }
    }

    @Test func overlappingRulesAndDayEntriesAreRefused() throws {
        let t = try TemporaryStore()
        let ada = try professional(t)
        try t.store.addAvailabilityRule(userID: ada, weekday: 1, interval: Self.interval("09:00", "12:00"), now: now)
        #expect(throws: StoreError.self) {
            try t.store.addAvailabilityRule(userID: ada, weekday: 1, interval: Self.interval("11:00", "13:00"), now: self.now)
        }
        try t.store.addAvailabilityRule(userID: ada, weekday: 1, interval: Self.interval("12:00", "13:00"), now: now)
        let date = CivilDate(iso: "2027-01-11")!
        try t.store.addAvailabilityDay(userID: ada, date: date, interval: nil, now: now)
        #expect(throws: StoreError.self) {
            try t.store.addAvailabilityDay(userID: ada, date: date, interval: Self.interval("09:00", "10:00"), now: self.now)
        }
        #expect(try t.store.availability(userID: ada).availability.days.count == 1)
    }

    @Test func theBuildExtendsTheHorizonDayByDayAndDropsSlotsWithinTheNotice() throws {
        let t = try TemporaryStore()
        let ada = try professional(t)
        try t.store.setAvailabilitySettings(userID: ada, .init(length: 60, buffer: 0, notice: 0, horizon: 2), now: now)
        try t.store.addAvailabilityRule(userID: ada, weekday: 1, interval: Self.interval("09:00", "11:00"), now: now)
        try t.store.addAvailabilityRule(userID: ada, weekday: 2, interval: Self.interval("09:00", "11:00"), now: now)
        try t.store.addAvailabilityRule(userID: ada, weekday: 3, interval: Self.interval("09:00", "11:00"), now: now)
        #expect(try slots(t, ada).count == 4, "Monday and Tuesday")
        let nextDay = now + 86_400
        #expect(try t.store.extendAvailability(now: nextDay) == 1)
        #expect(try slots(t, ada).count == 6, "Wednesday added; Monday's stay, past")
        #expect(try t.store.extendAvailability(now: nextDay) == 0, "once a day")
        // A notice of 4 hours at Tuesday 06:00: Tuesday 09:00 is within it and goes.
        try t.store.database.execute("UPDATE users SET notice_hours = 4 WHERE id = \(ada)")
        try t.store.extendAvailability(now: nextDay)
        #expect(try slots(t, ada).filter { $0.start > nextDay }.map { ($0.start - nextDay) / 3600 } == [4, 27, 28])
    }

    @Test func aBookingWithinTheNoticeIsRefused() throws {
        let t = try TemporaryStore()
        let ada = try professional(t), bob = try t.user("bob")
        let slot = try t.store.createSlot(userID: ada, range: TimeRange(start: now + 3600, end: now + 7200), now: now)
        try t.store.database.execute("UPDATE users SET notice_hours = 2 WHERE id = \(ada)")
        #expect(throws: StoreError(.slotStarted, "slot \(slot)")) { try t.store.book(slotID: slot, clientID: bob, note: "", now: self.now) }
        #expect(try t.store.profile(userID: ada, now: now)?.freeSlots.isEmpty == true, "and not shown")
        #expect(try t.store.firstFreeStart(of: ada, after: now) == nil)
    }
}
