import Testing
@testable import SlotsiteCore

struct NoticesTests {
    func party(_ id: Int64, wants: Bool = true) -> Notices.Party {
        Notices.Party(receiver: .init(userID: id, name: "P\(id)", address: "p\(id)@example.org", timezone: "UTC"),
                      handle: "p\(id)", wantsBookingMail: wants)
    }

    @Test(arguments: [
        // professional wants, client wants, who cancels → receivers
        (true, true, nil, [1, 2]), (true, false, nil, [1]), (false, true, nil, [2]), (false, false, nil, []),
        (true, true, Notice.Role.client, [1, 2]), (true, true, .professional, [1, 2]),
    ] as [(Bool, Bool, Notice.Role?, [Int64])])
    func bookingMessagesGoToWhoWantsThem(_ c: (Bool, Bool, Notice.Role?, [Int64])) {
        let notices = Notices.booking(id: 9, range: TimeRange(start: 100, end: 200), note: "n", professional: party(1, wants: c.0),
                                      client: party(2, wants: c.1), cancelledBy: c.2)
        #expect(notices.map(\.to.userID) == c.3)
        #expect(notices.allSatisfy { $0.kind == (c.2 == nil ? .booking : .cancellation) && $0.appointment?.cancelledBy == c.2 })
        for n in notices {
            let a = n.appointment!
            // Each side reads the other's name; the profile is always the professional's.
            #expect(a.otherName == (n.to.userID == 1 ? "P2" : "P1"))
            #expect(a.role == (n.to.userID == 1 ? .professional : .client))
            #expect(a.professionalHandle == "p1")
        }
    }

    @Test(arguments: [
        // start, booked at, hours → reminded
        (100_000, 0, 24, true), (100_000, 100_000 - 86_400, 24, true), (100_000, 100_000 - 86_399, 24, false),
        (100_000, 0, 0, false), (100_000, 99_000, 1, false),
    ] as [(Int64, Int64, Int, Bool)])
    func remindersOnlyForBookingsMadeBeforeTheirWindow(_ c: (Int64, Int64, Int, Bool)) {
        #expect(Notices.remind(range: TimeRange(start: c.0, end: c.0 + 60), bookedAt: c.1, hours: c.2) == c.3)
    }

    @Test(arguments: [
        // attempts, seconds since first try → next try in seconds (nil: failed)
        (1, 0, 60), (2, 60, 120), (3, 0, 240), (6, 0, 1920), (7, 0, 3600), (30, 0, 3600),
        (3, 86_400 - 100, 100), (1, 86_400, nil), (1, 90_000, nil),
    ] as [(Int, Int64, Int64?)])
    func retriesBackOffForADayThenFail(_ c: (Int, Int64, Int64?)) {
        let created: Int64 = 1_000_000
        let next = Notices.retry(attempts: c.0, firstTried: created, now: created + c.1)
        #expect(next.map { $0 - (created + c.1) } == c.2)
    }
}
