import Foundation
import Testing
import SlotsiteCore
@testable import SlotsiteStore

struct OutboxTests {
    let now: Int64 = 1_800_000_000

    func booked(_ t: TemporaryStore) throws -> (pro: Int64, client: Int64, booking: Int64, slot: Slot) {
        let pro = try t.user("ada"), client = try t.user("bob")
        let slot = try t.store.createSlot(userID: pro, range: TimeRange(start: now + 86_400, end: now + 89_100), now: now)
        let made = try t.store.book(slotID: slot, clientID: client, note: "hi", now: now)
        return (pro, client, made.bookingID, made.slot)
    }

    @Test func aBookingAndItsCancellationWriteOneMessageToEachParty() throws {
        let t = try TemporaryStore()
        let b = try booked(t)
        try t.store.cancelBooking(id: b.booking, by: b.pro, now: now + 10)
        let unsent = try t.store.unsentMail()
        #expect(unsent.map(\.notice.kind) == [.booking, .booking, .cancellation, .cancellation])
        #expect(unsent.map(\.notice.to.address) == ["ada@example.org", "bob@example.org", "ada@example.org", "bob@example.org"])
        #expect(unsent.allSatisfy { $0.notice.appointment?.range == b.slot.range && $0.notice.appointment?.note == "hi" })
        #expect(unsent[3].notice.appointment?.cancelledBy == .professional)
        #expect(unsent[3].createdAt == now + 10)
    }

    @Test func aRefusedBookingWritesNoMessage() throws {
        let t = try TemporaryStore()
        let b = try booked(t)
        let eve = try t.user("eve")
        #expect(throws: StoreError.self) { try t.store.book(slotID: b.slot.id, clientID: eve, note: "", now: now) }
        #expect(try t.count("SELECT count(*) FROM outbox") == 2)
    }

    @Test func twoDrainsNeverHoldTheSameMessage() throws {
        let t = try TemporaryStore()
        _ = try booked(t)
        let other = try Store(path: t.directory + "/test.db")
        let first = try t.store.claimMail(now: now, lease: 60)
        let second = try other.claimMail(now: now, lease: 60)
        #expect(first != nil && second != nil && first?.id != second?.id)
        #expect(try t.store.claimMail(now: now, lease: 60) == nil)
        // A drain that died lets its message go when the claim runs out, with the same id.
        #expect(try other.claimMail(now: now + 61, lease: 60)?.id == first?.id)
        try t.store.mailSent(id: first!.id, now: now + 62)
        #expect(try t.store.claimMail(now: now + 200, lease: 60)?.id == second?.id)
    }

    @Test func aFailedMessageIsTriedAgainLaterThenMarkedFailed() throws {
        let t = try TemporaryStore()
        _ = try booked(t)
        let entry = try #require(try t.store.claimMail(now: now, lease: 60))
        try t.store.mailFailed(id: entry.id, error: "exit 75", now: now)
        let waiting = try #require(try t.store.unsentMail().first { $0.id == entry.id })
        #expect(waiting.dueAt == now + 60 && waiting.attempts == 1 && waiting.lastError == "exit 75" && waiting.failedAt == nil)
        #expect(try t.store.claimMail(now: now + 1, lease: 60)?.id != entry.id)
        try t.store.mailFailed(id: entry.id, error: "still", now: now + Notices.retryWindow)
        let failed = try #require(try t.store.unsentMail().first { $0.id == entry.id })
        #expect(failed.failedAt == now + Notices.retryWindow)
        #expect(try t.store.unsentMail().last?.id == entry.id)
    }

    @Test func remindersAreQueuedOnceWhenDueForWhoWantsThem() throws {
        let t = try TemporaryStore()
        let b = try booked(t)
        #expect(try t.store.queueReminders(now: b.slot.range.start - 24 * 3600 - 60, hours: 24) == 0)
        try t.store.setNotifications(userID: b.client, bookingMail: true, reminderMail: false)
        let due = b.slot.range.start - 24 * 3600
        #expect(try t.store.queueReminders(now: due, hours: 24) == 1)
        #expect(try t.store.queueReminders(now: due + 60, hours: 24) == 0)
        let reminder = try #require(try t.store.unsentMail().last)
        #expect(reminder.notice.kind == .reminder && reminder.notice.to.address == "ada@example.org")
    }

    @Test func aResetLinkWorksOnceWithinTheHourAndEndsEverySession() throws {
        let t = try TemporaryStore()
        let ada = try t.user("ada")
        try t.store.createSession(tokenHash: [1], userID: ada, now: now, idle: 1800, absolute: 43_200)
        let hash: [UInt8] = Array(repeating: 7, count: 32)
        let ask = { (email: String, token: [UInt8]) in
            try t.store.requestPasswordReset(email: email, address: "1.2.3.4", token: "secret", tokenHash: token, now: self.now,
                                             window: 3600) { _, _ in nil }
        }
        #expect(try ask("ADA@example.org", hash) == .accepted)
        #expect(try ask("nobody@example.org", [9]) == .accepted)
        #expect(try t.count("SELECT count(*) FROM outbox WHERE kind = 'reset'") == 1)
        #expect(try t.count("SELECT count(*) FROM reset_requests") == 2)
        #expect(try t.count("SELECT count(*) FROM account_tokens WHERE token_hash = x'\(hash.map { String(format: "%02x", $0) }.joined())'") == 1)
        #expect(try !t.store.resetLinkWorks(tokenHash: hash, now: now + 3600))
        #expect(try t.store.resetPassword(tokenHash: hash, passwordHash: "new", now: now + 60) == ada)
        #expect(try t.count("SELECT count(*) FROM sessions") == 0)
        #expect(throws: StoreError(.notFound, "reset link")) { try t.store.resetPassword(tokenHash: hash, passwordHash: "x", now: now + 61) }
    }

    @Test func resetRequestsAreThrottledWithTheirCounts() throws {
        let t = try TemporaryStore()
        var seen: [(Int, Int)] = []
        for i in 0..<3 {
            _ = try t.store.requestPasswordReset(email: "Someone@Example.org", address: "a\(i % 2)", token: "s", tokenHash: [UInt8(i)],
                                                 now: now + Int64(i), window: 3600) { e, a in seen.append((e.count, a.count)); return nil }
        }
        #expect(seen.map(\.0) == [0, 1, 2] && seen.map(\.1) == [0, 0, 1])
        #expect(try t.store.requestPasswordReset(email: "x@example.org", address: "a", token: "s", tokenHash: [5], now: now,
                                                 window: 3600) { _, _ in 99 } == .refused(retryAfter: 99))
    }

    @Test func anAddressChangesOnlyThroughItsLink() throws {
        let t = try TemporaryStore()
        let ada = try t.user("ada")
        try t.user("bob")
        #expect(throws: StoreError(.emailTaken, "BOB@example.org")) {
            try t.store.requestEmailChange(userID: ada, email: "BOB@example.org", token: "s", tokenHash: [1], now: now)
        }
        try t.store.requestEmailChange(userID: ada, email: "ada@new.example", token: "s", tokenHash: [2], now: now)
        #expect(try t.store.user(id: ada)?.email == "ada@example.org")
        let confirm = try #require(try t.store.unsentMail().last)
        #expect(confirm.notice.kind == .confirm && confirm.notice.to.address == "ada@new.example" && confirm.notice.token == "s")
        #expect(throws: StoreError.self) { try t.store.confirmEmail(tokenHash: [2], now: now + Store.confirmLifetime) }
        try t.store.confirmEmail(tokenHash: [2], now: now + 60)
        #expect(try t.store.user(id: ada)?.email == "ada@new.example")
        #expect(try t.store.credentials(login: "ADA@NEW.example")?.user.id == ada)
        #expect(throws: StoreError.self) { try t.store.confirmEmail(tokenHash: [2], now: now + 61) }
        try t.store.mailSent(id: confirm.id, now: now)
        #expect(try t.count("SELECT count(*) FROM outbox WHERE token IS NOT NULL") == 0)
    }

    @Test func aPasswordChangeKeepsOnlyTheCurrentSession() throws {
        let t = try TemporaryStore()
        let ada = try t.user("ada")
        for token: UInt8 in 1...3 { try t.store.createSession(tokenHash: [token], userID: ada, now: now, idle: 1800, absolute: 43_200) }
        try t.store.changePassword(userID: ada, passwordHash: "h", keeping: [2], now: now)
        #expect(try t.store.session(tokenHash: [2]) != nil)
        #expect(try t.count("SELECT count(*) FROM sessions") == 1)
    }
}
