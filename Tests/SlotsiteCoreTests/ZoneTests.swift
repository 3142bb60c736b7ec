import Testing
@testable import SlotsiteCore

struct ZoneTests {
    /// (zone, local date, local time, expected UTC instant as RFC 3339 in UTC, or nil for a gap)
    static let conversions: [(String, String, String, String?)] = [
        ("UTC", "2026-12-01", "09:00", "2026-12-01T09:00:00+00:00"),
        ("Europe/Berlin", "2026-12-01", "09:00", "2026-12-01T08:00:00+00:00"),
        ("Europe/Berlin", "2026-07-01", "09:00", "2026-07-01T07:00:00+00:00"),
        // Spring forward 2026-03-29 02:00 → 03:00: 02:30 does not exist.
        ("Europe/Berlin", "2026-03-29", "02:30", nil),
        ("Europe/Berlin", "2026-03-29", "03:00", "2026-03-29T01:00:00+00:00"),
        ("Europe/Berlin", "2026-03-29", "01:59", "2026-03-29T00:59:00+00:00"),
        // Fall back 2026-10-25 03:00 → 02:00: 02:30 happens twice; the earlier is CEST.
        ("Europe/Berlin", "2026-10-25", "02:30", "2026-10-25T00:30:00+00:00"),
        ("Europe/Berlin", "2026-10-25", "03:00", "2026-10-25T02:00:00+00:00"),
        // New York: 2026-03-08 02:00 → 03:00; 2026-11-01 02:00 → 01:00.
        ("America/New_York", "2026-03-08", "02:15", nil),
        ("America/New_York", "2026-03-08", "03:15", "2026-03-08T07:15:00+00:00"),
        ("America/New_York", "2026-11-01", "01:30", "2026-11-01T05:30:00+00:00"),
        ("America/New_York", "2026-11-01", "02:30", "2026-11-01T07:30:00+00:00"),
        // Lord Howe shifts by 30 minutes: 2026-10-04 02:00 → 02:30; 2026-04-05 02:00 → 01:30.
        ("Australia/Lord_Howe", "2026-10-04", "02:10", nil),
        ("Australia/Lord_Howe", "2026-10-04", "02:30", "2026-10-03T15:30:00+00:00"),
        ("Australia/Lord_Howe", "2026-04-05", "01:45", "2026-04-04T14:45:00+00:00"),
        ("Australia/Lord_Howe", "2026-04-05", "02:00", "2026-04-04T15:30:00+00:00"),
    ]

    @Test(arguments: conversions)
    func localToInstant(_ c: (String, String, String, String?)) throws {
        let zone = try Zone(c.0)
        let date = try #require(CivilDate(iso: c.1))
        let time = try #require(LocalTime(text: c.2))
        if let expected = c.3 {
            let instant = try zone.instant(of: date, time)
            #expect(Zone.utc.local(instant).rfc3339 == expected)
            // And back: the wall clock at that instant is what was entered.
            #expect(zone.local(instant).date == date)
            #expect(zone.local(instant).time == time)
        } else {
            #expect(throws: CoreError.self) { try zone.instant(of: date, time) }
        }
    }

    @Test func offsetsAreShownWithMinutes() throws {
        let lordHowe = try Zone("Australia/Lord_Howe")
        let instant = try lordHowe.instant(of: CivilDate(iso: "2026-12-01")!, LocalTime(text: "09:00")!)
        #expect(lordHowe.local(instant).rfc3339 == "2026-12-01T09:00:00+11:00")
        let july = try lordHowe.instant(of: CivilDate(iso: "2026-07-01")!, LocalTime(text: "09:00")!)
        #expect(lordHowe.local(july).rfc3339 == "2026-07-01T09:00:00+10:30")
        let ny = try Zone("America/New_York")
        let t = try ny.instant(of: CivilDate(iso: "2026-12-01")!, LocalTime(text: "23:30")!)
        #expect(ny.local(t).rfc3339 == "2026-12-01T23:30:00-05:00")
    }

    @Test(arguments: ["", "Mars/Olympus", "Europe/Berlin ", "../etc/passwd", "EST5EDTX"])
    func rejectsUnknownZones(_ name: String) {
        #expect(throws: CoreError.self) { try Zone(name) }
    }
}
