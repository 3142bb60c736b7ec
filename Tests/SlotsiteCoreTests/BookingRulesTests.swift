import Testing
@testable import SlotsiteCore

struct BookingRulesTests {
    static let now: Int64 = 1_000_000
    static let slot = Slot(id: 7, userID: 1, range: TimeRange(start: now + 3600, end: now + 6300))

    @Test(arguments: [
        // client, now, offered, holder → refusal (nil: may book)
        (2, now, true, nil, nil),
        (1, now, true, nil, Refusal.forbidden),
        (2, now + 3600, true, nil, .slotStarted),
        (2, now, false, nil, .notFound),
        (2, now, true, 3, .alreadyBooked),
        (2, now, true, 2, .alreadyBookedByClient),
    ] as [(Int64, Int64, Bool, Int64?, Refusal?)])
    func booking(_ c: (Int64, Int64, Bool, Int64?, Refusal?)) {
        var refused: Refusal?
        do { try BookingRules.book(Self.slot, by: c.0, now: c.1, offered: c.2, holder: c.3) } catch { refused = error }
        #expect(refused == c.4)
    }

    @Test func eitherPartyCancelsNobodyElse() {
        #expect(throws: Never.self) { try BookingRules.cancel(of: Self.slot, madeBy: 2, by: 2) }
        #expect(throws: Never.self) { try BookingRules.cancel(of: Self.slot, madeBy: 2, by: 1) }
        #expect(throws: Refusal.forbidden) { try BookingRules.cancel(of: Self.slot, madeBy: 2, by: 3) }
    }

    @Test func onlyTheOwnerDeletesAFreeSlot() {
        #expect(throws: Never.self) { try BookingRules.delete(Self.slot, by: 1, booked: false) }
        #expect(throws: Refusal.slotBooked) { try BookingRules.delete(Self.slot, by: 1, booked: true) }
        #expect(throws: Refusal.forbidden) { try BookingRules.delete(Self.slot, by: 2, booked: false) }
    }

    @Test(arguments: [
        // latest existing (start, end), new (start, end) → overlaps
        ((100, 200), (200, 300), false), ((100, 200), (150, 250), true), ((100, 200), (0, 100), false),
        ((100, 200), (0, 500), true), ((100, 200), (120, 180), true),
    ] as [((Int64, Int64), (Int64, Int64), Bool)])
    func addingBesideTheLatestSlot(_ c: ((Int64, Int64), (Int64, Int64), Bool)) {
        let latest = TimeRange(start: c.0.0, end: c.0.1), new = TimeRange(start: c.1.0, end: c.1.1)
        var refused = false
        do { try BookingRules.add(new, besideLatest: latest) } catch { refused = true }
        #expect(refused == c.2)
        #expect(throws: Never.self) { try BookingRules.add(new, besideLatest: nil) }
    }
}
