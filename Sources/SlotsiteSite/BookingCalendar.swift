import SlotsiteCore
import SlotsiteRender
import SlotsiteStore

/// Bookings as iCalendar events, one writer for the mail attachment, the private feed
/// and the single booking's file: the same UID for a booking everywhere, its sequence
/// rising when it is cancelled.
public enum BookingCalendar {
    /// The event of booking `id`, seen by one party; `stamp` is the booking's last change.
    public static func event(id: Int64, range: TimeRange, stamp: Int64, cancelled: Bool, otherName: String, note: String,
                             url: String, config: SiteConfig) -> ICalendar.Event {
        ICalendar.Event(uid: "booking-\(id)@\(config.host)", stamp: stamp, start: range.start, end: range.end,
                        sequence: cancelled ? 1 : 0, summary: "Appointment with \(otherName)",
                        description: note.isEmpty ? nil : note, url: url, status: cancelled ? .cancelled : .confirmed)
    }

    /// The event of `booking` as its party sees it: a client's links the professional's
    /// page, a professional's their account.
    public static func event(_ booking: CalendarBooking, config: SiteConfig) -> ICalendar.Event {
        let url = booking.role == .client ? config.baseURL + SitePaths.profile(booking.professionalHandle)
            : config.origin + config.cgiURL + "/account"
        return event(id: booking.id, range: booking.range, stamp: booking.cancelledAt ?? booking.createdAt,
                     cancelled: booking.cancelledAt != nil, otherName: booking.otherName, note: booking.note, url: url,
                     config: config)
    }

    /// A person's booking feed: every booking of theirs from `Store.calendarHistory` back.
    public static func feed(_ bookings: [CalendarBooking], owner: String, config: SiteConfig) -> [UInt8] {
        ICalendar(name: "\(owner) — bookings (\(config.title))", refreshHourly: true,
                  events: bookings.map { event($0, config: config) }).bytes()
    }

    /// One booking as a file to open in a calendar application.
    public static func single(_ booking: CalendarBooking, config: SiteConfig) -> [UInt8] {
        ICalendar(events: [event(booking, config: config)]).bytes()
    }
}
