import Testing
@testable import SlotsiteCore

struct AvailabilityTests {
    static func t(_ text: String) -> LocalTime { LocalTime(text: text)! }
    static func interval(_ a: String, _ b: String) -> Availability.Interval { .init(start: t(a), end: t(b)) }

    /// Local start times of the slots made on `date` in `zone`, as `HH:MM` with the
    /// UTC offset in minutes.
    func layout(_ hours: Availability, _ zone: String, _ date: String) throws -> [String] {
        let zone = try Zone(zone)
        let day = CivilDate(iso: date)!.daysSinceEpoch
        return hours.slots(on: day...day, in: zone, from: .min).map { range in
            let local = zone.local(range.start)
            #expect(range.duration == Int64(hours.settings.length) * 60, "a slot lasts its length of real time")
            return "\(local.time) \(local.offset / 60)"
        }
    }

    @Test(arguments: [
        // interval, length, buffer → local starts (UTC, a Monday)
        (("09:00", "17:00"), 45, 15, ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]),
        (("09:00", "10:30"), 45, 0, ["09:00", "09:45"]),
        (("09:00", "10:29"), 45, 0, ["09:00"]),                 // the last slot must fit
        (("09:00", "09:44"), 45, 0, []),                        // nothing fits
        (("09:00", "12:00"), 60, 30, ["09:00", "10:30"]),       // 12:00 would end at 13:00
        (("23:00", "23:59"), 30, 0, ["23:00"]),
        (("08:00", "09:00"), 5, 0, (0..<12).map { $0 < 2 ? "08:0\($0 * 5)" : "08:\($0 * 5)" }),
    ] as [((String, String), Int, Int, [String])])
    func slotsAreLaidFromEachIntervalsStart(_ c: ((String, String), Int, Int, [String])) throws {
        let hours = Availability(rules: [.init(id: 1, weekday: 1, interval: Self.interval(c.0.0, c.0.1))],
                                 settings: .init(length: c.1, buffer: c.2))
        #expect(try layout(hours, "UTC", "2027-01-04") == c.3.map { "\($0) 0" })
    }

    @Test func rulesHoldOnTheirWeekdayAndDayEntriesReplaceThem() throws {
        let week = [Availability.Rule(id: 1, weekday: 1, interval: Self.interval("09:00", "11:00")),
                    Availability.Rule(id: 2, weekday: 1, interval: Self.interval("14:00", "15:00")),
                    Availability.Rule(id: 3, weekday: 3, interval: Self.interval("10:00", "11:00"))]
        let days = [Availability.Day(id: 1, date: CivilDate(iso: "2027-01-11")!, interval: nil),  // a Monday off
                    Availability.Day(id: 2, date: CivilDate(iso: "2027-01-12")!, interval: Self.interval("08:00", "09:00"))]
        let hours = Availability(rules: week, days: days, settings: .init(length: 60, buffer: 0))
        #expect(try layout(hours, "UTC", "2027-01-04") == ["09:00 0", "10:00 0", "14:00 0"], "Monday: both intervals, in order")
        #expect(try layout(hours, "UTC", "2027-01-05") == [], "Tuesday: no rule")
        #expect(try layout(hours, "UTC", "2027-01-06") == ["10:00 0"], "Wednesday")
        #expect(try layout(hours, "UTC", "2027-01-11") == [], "a Monday off")
        #expect(try layout(hours, "UTC", "2027-01-12") == ["08:00 0"], "a Tuesday with its own hours")
    }

    @Test(arguments: [
        // zone, date (a Sunday of a change), interval → local starts with offsets
        ("Europe/Berlin", "2027-03-28", ("01:00", "04:00"), ["01:00 60", "01:30 60", "03:00 120", "03:30 120"]), // 02:00–03:00 skipped
        ("Europe/Berlin", "2027-10-31", ("01:30", "03:30"), ["01:30 120", "02:00 120", "02:30 120", "03:00 60"]), // the earlier 02:xx
        ("America/New_York", "2027-03-14", ("01:00", "04:00"), ["01:00 -300", "01:30 -300", "03:00 -240", "03:30 -240"]),
        ("America/New_York", "2027-11-07", ("00:30", "02:30"), ["00:30 -240", "01:00 -240", "01:30 -240", "02:00 -300"]),
        ("Australia/Lord_Howe", "2027-10-03", ("01:30", "03:00"), ["01:30 630", "02:30 660"]), // 02:00 is in the 30-minute gap
        ("Australia/Lord_Howe", "2027-04-04", ("01:00", "02:30"), ["01:00 660", "01:30 660", "02:00 630"]), // 01:30 twice: the earlier
    ] as [(String, String, (String, String), [String])])
    func daylightSavingGapsMakeNoSlotAndFoldsTakeTheEarlierInstant(_ c: (String, String, (String, String), [String])) throws {
        let weekday = CivilDate(iso: c.1)!.weekday
        let hours = Availability(rules: [.init(id: 1, weekday: weekday, interval: Self.interval(c.2.0, c.2.1))],
                                 settings: .init(length: 30, buffer: 0))
        #expect(try layout(hours, c.0, c.1) == c.3)
    }

    @Test func onlySlotsFromNowPlusNoticeToTheHorizonAreWanted() throws {
        let zone = try Zone("UTC")
        let hours = Availability(rules: (0...6).map { .init(id: Int64($0), weekday: $0, interval: Self.interval("09:00", "12:00")) },
                                 settings: .init(length: 60, buffer: 0, notice: 2, horizon: 3))
        let now = try zone.instant(of: CivilDate(iso: "2027-01-04")!, Self.t("08:30"))
        let made = hours.slots(at: now, in: zone)
        // Today from 10:30 on (2 hours' notice), then two more days.
        #expect(made.map { zone.local($0.start).date.description + " " + zone.local($0.start).time.description } ==
                ["2027-01-04 11:00", "2027-01-05 09:00", "2027-01-05 10:00", "2027-01-05 11:00",
                 "2027-01-06 09:00", "2027-01-06 10:00", "2027-01-06 11:00"])
    }

    @Test func theDifferenceKeepsBookedAndHandMadeSlots() {
        func r(_ h: Int64) -> TimeRange { TimeRange(start: h * 3600, end: h * 3600 + 2700) }
        func slot(_ id: Int64, _ h: Int64) -> Slot { Slot(id: id, userID: 1, range: r(h)) }
        let existing: [(slot: Slot, ruleMade: Bool, booked: Bool)] = [
            (slot(1, 9), true, false),   // still wanted: kept, same id
            (slot(2, 10), true, false),  // no longer wanted: removed
            (slot(3, 11), true, true),   // no longer wanted but booked: kept
            (slot(4, 13), false, false), // by hand: kept, and a wanted slot over it is not made
        ]
        let change = Availability.difference(wanted: [r(9), r(12), TimeRange(start: 13 * 3600 + 1800, end: 14 * 3600 + 900)],
                                             existing: existing)
        #expect(change.remove == [2])
        #expect(change.make == [r(12)])
        // The same rules and clock again: nothing to do.
        let after: [(slot: Slot, ruleMade: Bool, booked: Bool)] = [(slot(1, 9), true, false), (slot(3, 11), true, true),
                                                                  (slot(5, 12), true, false), (slot(4, 13), false, false)]
        let again = Availability.difference(wanted: [r(9), r(12), TimeRange(start: 13 * 3600 + 1800, end: 14 * 3600 + 900)],
                                            existing: after)
        #expect(again.make.isEmpty && again.remove.isEmpty)
    }

    @Test(arguments: [("mon", 1), ("sun", 0), ("sat", 6), ("Mon", nil), ("monday", nil), ("", nil)] as [(String, Int?)])
    func weekdays(_ c: (String, Int?)) {
        #expect(Availability.weekday(c.0) == c.1)
    }

    @Test func intervalsMustRunForward() {
        for (start, end) in [("10:00", "10:00"), ("10:00", "24:00"), ("9:00", "10:00"), ("11:00", "10:00")] {
            #expect(throws: CoreError.self) { try Availability.interval(start: start, end: end) }
        }
        #expect((try? Availability.interval(start: "00:00", end: "23:59")) == Self.interval("00:00", "23:59"))
    }
}
