import Testing
@testable import SlotsiteCore

struct SlotTests {
    static let now: Int64 = 1_780_000_000 // 2026-05-28

    @Test(arguments: [
        // (start, end, other start, other end, overlaps)
        (0, 60, 60, 120, false),   // touching after
        (60, 120, 0, 60, false),   // touching before
        (0, 61, 60, 120, true),
        (10, 20, 0, 100, true),    // inside
        (0, 100, 10, 20, true),    // around
        (0, 60, 0, 60, true),      // same
        (0, 60, 200, 300, false),
    ] as [(Int64, Int64, Int64, Int64, Bool)])
    func overlap(_ c: (Int64, Int64, Int64, Int64, Bool)) {
        let a = TimeRange(start: c.0, end: c.1), b = TimeRange(start: c.2, end: c.3)
        #expect(a.overlaps(b) == c.4)
        #expect(b.overlaps(a) == c.4)
    }

    @Test(arguments: [
        ("2026-12-01", "09:00", "09:45", nil),
        ("2026-12-01", "09:00", "09:05", nil),
        ("2026-12-01", "09:00", "09:04", CoreError.Reason.invalidDuration),
        ("2026-12-01", "08:00", "20:00", nil),
        ("2026-12-01", "08:00", "20:01", .invalidDuration),
        ("2026-12-01", "10:00", "09:00", .invalidDuration),
        ("2026-12-01", "10:00", "10:00", .invalidDuration),
        ("2026-01-01", "10:00", "11:00", .startsInPast),
        ("2027-02-29", "10:00", "11:00", .invalidDate),
        ("2026-12-01", "24:00", "11:00", .invalidTime),
        ("2026-12-01", "10:00", "1100", .invalidTime),
        ("2026-10-25", "02:30", "03:30", nil),
        ("2027-03-28", "02:30", "03:30", .nonexistentLocalTime),
    ] as [(String, String, String, CoreError.Reason?)])
    func slotRules(_ c: (String, String, String, CoreError.Reason?)) throws {
        let zone = try Zone("Europe/Berlin")
        if let reason = c.3 {
            #expect { try Slot.range(date: c.0, start: c.1, end: c.2, zone: zone, now: Self.now) } throws: {
                ($0 as? CoreError)?.reason == reason
            }
        } else {
            let r = try Slot.range(date: c.0, start: c.1, end: c.2, zone: zone, now: Self.now)
            #expect(zone.local(r.start).time.description == c.1)
        }
    }

    @Test func ambiguousSlotLastsTheWallClockDurationPlusTheRepeatedHour() throws {
        // 02:30 (CEST, earlier) to 03:30 (CET) on the fall-back night is two hours.
        let r = try Slot.range(date: "2026-10-25", start: "02:30", end: "03:30", zone: Zone("Europe/Berlin"), now: Self.now)
        #expect(r.duration == 7200)
    }

    @Test func groupsByLocalDayAscending() throws {
        let ny = try Zone("America/New_York")
        func at(_ d: String, _ t: String) throws -> Int64 { try ny.instant(of: CivilDate(iso: d)!, LocalTime(text: t)!) }
        let slots = [
            Slot(id: 3, userID: 1, range: TimeRange(start: try at("2026-12-02", "09:00"), end: try at("2026-12-02", "10:00"))),
            Slot(id: 1, userID: 1, range: TimeRange(start: try at("2026-12-01", "23:00"), end: try at("2026-12-01", "23:30"))),
            Slot(id: 2, userID: 1, range: TimeRange(start: try at("2026-12-01", "08:00"), end: try at("2026-12-01", "09:00"))),
        ]
        let days = DaySchedule.group(slots, in: ny)
        #expect(days.map(\.date.description) == ["2026-12-01", "2026-12-02"])
        #expect(days[0].slots.map(\.id) == [2, 1])
        #expect(days[0].slots[1].start.rfc3339 == "2026-12-01T23:00:00-05:00")
        #expect(days[1].slots.map(\.id) == [3])
    }
}
