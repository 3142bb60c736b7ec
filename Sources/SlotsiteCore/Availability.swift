/// Working hours: a week of intervals, day entries that replace the week on their date,
/// and the settings that lay slots into them. Pure: the zone and the clock come in.
public struct Availability: Sendable, Equatable {
    /// An interval of local time, `start` before `end`, on one weekday or one date.
    public struct Interval: Sendable, Equatable {
        public var start: LocalTime
        public var end: LocalTime

        public init(start: LocalTime, end: LocalTime) {
            self.start = start
            self.end = end
        }

        func overlaps(_ other: Interval) -> Bool { start < other.end && other.start < end }
    }

    /// An interval of every `weekday` (0 Sunday … 6 Saturday, as `CivilDate.weekday`).
    public struct Rule: Sendable, Equatable {
        public var id: Int64
        public var weekday: Int
        public var interval: Interval

        public init(id: Int64, weekday: Int, interval: Interval) {
            self.id = id
            self.weekday = weekday
            self.interval = interval
        }
    }

    /// A date's own entry: off (`interval` nil) or one interval; a date with entries
    /// takes only those, not the week's rules.
    public struct Day: Sendable, Equatable {
        public var id: Int64
        public var date: CivilDate
        public var interval: Interval?

        public init(id: Int64, date: CivilDate, interval: Interval?) {
            self.id = id
            self.date = date
            self.interval = interval
        }
    }

    public struct Settings: Sendable, Equatable {
        /// Minutes per slot, 5–720.
        public var length: Int
        /// Minutes between slots, 0–240.
        public var buffer: Int
        /// Hours ahead within which no slot is shown or booked, 0–720.
        public var notice: Int
        /// Days ahead, counting today, that slots are made for, 1–365.
        public var horizon: Int

        public init(length: Int = 45, buffer: Int = 15, notice: Int = 0, horizon: Int = 28) {
            self.length = length
            self.buffer = buffer
            self.notice = notice
            self.horizon = horizon
        }

        public static let lengths = 5...720, buffers = 0...240, notices = 0...720, horizons = 1...365

        public var noticeSeconds: Int64 { Int64(notice) * 3600 }
    }

    public var rules: [Rule]
    public var days: [Day]
    public var settings: Settings

    public init(rules: [Rule] = [], days: [Day] = [], settings: Settings = Settings()) {
        self.rules = rules
        self.days = days
        self.settings = settings
    }

    /// Whether there is anything to lay slots from.
    public var isEmpty: Bool { rules.isEmpty && days.isEmpty }

    /// The slots the rules and day entries make on the dates `dates` (the zone's
    /// calendar days), each starting at or after `from`, by start. Slots are laid from
    /// each interval's start, `length` long with `buffer` between, the last ending by the
    /// interval's end; a start the clocks skip (a DST gap) makes no slot, an ambiguous
    /// one (a fold) takes the earlier instant, and a slot lasts `length` minutes of real
    /// time whatever the clocks do meanwhile.
    public func slots(on dates: ClosedRange<Int64>, in zone: Zone, from: Int64) -> [TimeRange] {
        var made: [TimeRange] = []
        let length = settings.length, step = settings.length + settings.buffer
        var byDate: [Int64: [Interval]] = [:]
        for day in days { byDate[day.date.daysSinceEpoch, default: []] += day.interval.map { [$0] } ?? [] }
        var byWeekday = [[Interval]](repeating: [], count: 7)
        for rule in rules where (0...6).contains(rule.weekday) { byWeekday[rule.weekday].append(rule.interval) }
        for day in dates {
            let date = CivilDate(daysSinceEpoch: day)
            for interval in (byDate[day] ?? byWeekday[date.weekday]).sorted(by: { $0.start < $1.start }) {
                var minute = interval.start.minutes
                while minute + length <= interval.end.minutes {
                    defer { minute += step }
                    guard let time = LocalTime(hour: minute / 60, minute: minute % 60),
                          let start = try? zone.instant(of: date, time), start >= from else { continue }
                    made.append(TimeRange(start: start, end: start + Int64(length) * 60))
                }
            }
        }
        return made.sorted { $0.start < $1.start }
    }

    /// The dates slots are made for at `now`: today in `zone` and the `horizon - 1` after.
    public func dates(at now: Int64, in zone: Zone) -> ClosedRange<Int64> {
        let today = zone.local(now).date.daysSinceEpoch
        return today...(today + Int64(settings.horizon) - 1)
    }

    /// What the store must hold at `now`: the slots made from `now + notice` on.
    public func slots(at now: Int64, in zone: Zone) -> [TimeRange] {
        slots(on: dates(at: now, in: zone), in: zone, from: now + settings.noticeSeconds)
    }

    /// The changes that bring `existing` (the professional's slots from `now` on) to what
    /// the rules make: slots to make, and rule-made, unbooked slots to remove. Booked
    /// slots stay, and none is made that overlaps a slot entered by hand or a booked one.
    public static func difference(wanted: [TimeRange], existing: [(slot: Slot, ruleMade: Bool, booked: Bool)])
        -> (make: [TimeRange], remove: [Int64]) {
        let wantedSet = Set(wanted)
        var remove: [Int64] = []
        // What stays: slots by hand, booked ones, and rule-made ones still wanted. They
        // never overlap one another, so sorted by start, a range overlaps one of them
        // exactly when it overlaps the last that starts before it ends.
        var staying: [TimeRange] = []
        for entry in existing {
            if entry.ruleMade && !entry.booked && !wantedSet.contains(entry.slot.range) {
                remove.append(entry.slot.id)
            } else {
                staying.append(entry.slot.range)
            }
        }
        staying.sort { $0.start < $1.start }
        let present = Set(staying)
        var make: [TimeRange] = []
        for range in wanted where !present.contains(range) {
            var low = 0, high = staying.count
            while low < high {
                let mid = (low + high) / 2
                if staying[mid].start < range.end { low = mid + 1 } else { high = mid }
            }
            if low > 0, staying[low - 1].overlaps(range) { continue }
            make.append(range)
        }
        return (make, remove)
    }

    // MARK: Checks of what a form sends

    /// Parses `mon` … `sun`.
    public static func weekday(_ text: String) -> Int? {
        ["sun", "mon", "tue", "wed", "thu", "fri", "sat"].firstIndex(of: text)
    }

    /// An interval from two `HH:MM` fields.
    /// - Throws: `CoreError` naming `start` or `end`.
    public static func interval(start: String, end: String) throws -> Interval {
        guard let from = LocalTime(text: start) else {
            throw CoreError(.invalidTime, field: "start", "Enter the start as HH:MM, 00:00 to 23:59.")
        }
        guard let to = LocalTime(text: end) else {
            throw CoreError(.invalidTime, field: "end", "Enter the end as HH:MM, 00:00 to 23:59.")
        }
        guard from < to else { throw CoreError(.invalidTime, field: "end", "The end must be after the start.") }
        return Interval(start: from, end: to)
    }

    /// Whether `interval` overlaps one of `others`.
    public static func overlaps(_ interval: Interval, _ others: [Interval]) -> Bool {
        others.contains { $0.overlaps(interval) }
    }
}
