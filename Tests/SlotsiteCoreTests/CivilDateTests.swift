import Testing
@testable import SlotsiteCore

struct CivilDateTests {
    @Test(arguments: [
        ("1970-01-01", Int64(0), "Thursday, 1 January 1970"),
        ("2026-12-01", Int64(20_788), "Tuesday, 1 December 2026"),
        ("2000-02-29", Int64(11_016), "Tuesday, 29 February 2000"),
        ("1969-12-31", Int64(-1), "Wednesday, 31 December 1969"),
    ])
    func roundTrip(_ c: (String, Int64, String)) throws {
        let date = try #require(CivilDate(iso: c.0))
        #expect(date.daysSinceEpoch == c.1)
        #expect(CivilDate(daysSinceEpoch: c.1) == date)
        #expect(date.longText == c.2)
        #expect(date.description == c.0)
        var bytes = Array("x".utf8)
        date.append(to: &bytes)
        date.appendLongText(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "x" + c.0 + c.2, "appended after what is there")
    }

    @Test(arguments: [0, 7, 42, 1_000, -5, Int64.max, Int64.min])
    func decimalsAsStringWritesThem(_ value: Int64) {
        var bytes = Array("x".utf8)
        bytes.appendDecimal(value)
        #expect(String(decoding: bytes, as: UTF8.self) == "x" + String(value))
    }

    @Test(arguments: ["2027-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "26-12-01", "2026/12/01", "2026-12-1", "２026-12-01", ""])
    func rejects(_ text: String) {
        #expect(CivilDate(iso: text) == nil)
    }

    @Test(arguments: ["24:00", "9:00", "09:60", "0900", "-1:00", "09:00:00", "ab:cd"])
    func rejectsTimes(_ text: String) {
        #expect(LocalTime(text: text) == nil)
    }

    @Test func everyDayOfFourCenturiesRoundTrips() {
        for days in Int64(-146_097)...Int64(146_097) {
            let d = CivilDate(daysSinceEpoch: days)
            #expect(d.daysSinceEpoch == days)
        }
    }

    @Test func daysOutsideYearsOneTo9999AreClamped() {
        #expect(CivilDate(daysSinceEpoch: Int64.min) == CivilDate(iso: "0001-01-01"))
        #expect(CivilDate(daysSinceEpoch: -719_162) == CivilDate(iso: "0001-01-01"))
        #expect(CivilDate(daysSinceEpoch: 2_932_896) == CivilDate(iso: "9999-12-31"))
        #expect(CivilDate(daysSinceEpoch: Int64.max) == CivilDate(iso: "9999-12-31"))
    }
}

struct ExtremeInstantTests {
    @Test(arguments: [Int64.min / 2, -100_000_000_000, 0, 400_000_000_000, Int64.max / 2])
    func zonesAnswerForAnyStoredInstant(_ instant: Int64) throws {
        // Rows written by hand can hold any integer; showing them must not trap.
        for name in ["Europe/Berlin", "Australia/Lord_Howe", "UTC"] {
            let local = try Zone(name).local(instant)
            #expect((1...9999).contains(local.date.year))
        }
    }
}

struct TimeOfDayTests {
    /// Pages write slot times straight from wall-clock seconds; they must read as the
    /// full conversion does, before 1970 too.
    @Test(arguments: [Int64.min / 2, -86_401, -86_400, -1, 0, 59, 86_399, 86_400, 1_795_815_000, Int64.max / 2])
    func timeOfDayFromWallSeconds(_ wall: Int64) {
        let time = LocalTime(wallSeconds: wall)
        #expect(time == LocalDateTime(wall: wall, offset: 0).time)
        var bytes: [UInt8] = []
        time.append(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == time.description)
    }
}
