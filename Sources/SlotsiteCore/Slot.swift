/// An appointment slot a professional offers.
public struct Slot: Hashable, Sendable {
    public let id: Int64
    public let userID: Int64
    public let range: TimeRange
    /// When it was offered: the slot's last change, as a feed's `DTSTAMP` says.
    public let createdAt: Int64

    public init(id: Int64, userID: Int64, range: TimeRange, createdAt: Int64 = 0) {
        self.id = id
        self.userID = userID
        self.range = range
        self.createdAt = createdAt
    }

    public static let minimumDuration: Int64 = 5 * 60
    public static let maximumDuration: Int64 = 12 * 3600

    /// Turns a form's local date, start and end in `zone` into a slot's time range and
    /// checks the rules that need no other slot.
    ///
    /// - Throws: `CoreError` for a malformed date or time, a local time in a DST gap,
    ///   an end not after the start, a length outside 5 minutes to 12 hours, or a start
    ///   that is not after `now`.
    public static func range(date: String, start: String, end: String, zone: Zone, now: Int64) throws -> TimeRange {
        guard let day = CivilDate(iso: date) else {
            throw CoreError(.invalidDate, field: "date", "Enter a real date as YYYY-MM-DD.")
        }
        guard let from = LocalTime(text: start) else {
            throw CoreError(.invalidTime, field: "start", "Enter the start as HH:MM, 00:00 to 23:59.")
        }
        guard let to = LocalTime(text: end) else {
            throw CoreError(.invalidTime, field: "end", "Enter the end as HH:MM, 00:00 to 23:59.")
        }
        let s = try zone.instant(of: day, from)
        let e: Int64
        do { e = try zone.instant(of: day, to) } catch let error as CoreError {
            throw CoreError(error.reason, field: "end", error.message)
        }
        let range = TimeRange(start: s, end: e)
        try validate(range, now: now)
        return range
    }

    /// Checks length and that the slot starts after `now`.
    /// - Throws: `CoreError.invalidDuration` or `.startsInPast`.
    public static func validate(_ range: TimeRange, now: Int64) throws {
        guard range.start < range.end else {
            throw CoreError(.invalidDuration, field: "end", "The end must be after the start.")
        }
        guard (minimumDuration...maximumDuration).contains(range.duration) else {
            throw CoreError(.invalidDuration, field: "end", "A slot lasts from 5 minutes to 12 hours.")
        }
        guard range.start > now else {
            throw CoreError(.startsInPast, field: "start", "The slot must start in the future.")
        }
    }
}
