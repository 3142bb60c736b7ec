/// `account`: a person's own page: their listing, slots, the bookings of their slots,
/// the bookings they made, and the profile form.
public struct AccountView: MustacheContext {
    /// A time range as the page shows it, in one zone.
    public struct When: MustacheContext, Sendable {
        public let date: String
        public let start: String
        public let end: String
        /// RFC 3339 start, for `<time datetime>`.
        public let datetime: String

        public init(date: String, start: String, end: String, datetime: String) {
            self.date = date
            self.start = start
            self.end = end
            self.datetime = datetime
        }

        public func value(forKey key: String) -> MustacheValue? {
            switch key {
            case "date": return .string(date)
            case "start": return .string(start)
            case "end": return .string(end)
            case "datetime": return .string(datetime)
            default: return nil
            }
        }
    }

    /// One of my slots, with who booked it.
    public struct OwnSlot: MustacheContext, Sendable {
        public let id: Int64
        public let when: When
        public let bookedBy: String?
        public let started: Bool

        public init(id: Int64, when: When, bookedBy: String?, started: Bool) {
            self.id = id
            self.when = when
            self.bookedBy = bookedBy
            self.started = started
        }

        public func value(forKey key: String) -> MustacheValue? {
            switch key {
            case "id": return .string(String(id))
            case "when": return .context(when)
            case "booked": return bookedBy.map { .object(["client": .string($0)]) } ?? .null
            case "started": return .bool(started)
            default: return nil
            }
        }
    }

    /// A booking, of my slot (`client`) or made by me (`professional`).
    public struct Booking: MustacheContext, Sendable {
        public let id: Int64
        public let when: When
        public let note: String
        /// The other party's name and handle.
        public let name: String
        public let handle: String
        /// For a booking I made: the professional's zone and page.
        public let zone: String
        public let profileURL: String

        public init(id: Int64, when: When, note: String, name: String, handle: String, zone: String = "", profileURL: String = "") {
            self.id = id
            self.when = when
            self.note = note
            self.name = name
            self.handle = handle
            self.zone = zone
            self.profileURL = profileURL
        }

        public func value(forKey key: String) -> MustacheValue? {
            switch key {
            case "bookingID": return .string(String(id))
            case "when": return .context(when)
            case "note": return .string(note)
            case "client", "professional": return .string(name)
            case "clientHandle": return .string(handle)
            case "zone": return .string(zone)
            case "profileURL": return .string(profileURL)
            default: return nil
            }
        }
    }

    /// Links to the earlier and later pages of a list, when there are such.
    public struct Pager: Sendable {
        public let previous: String?
        public let next: String?

        public init(previous: String?, next: String?) {
            self.previous = previous
            self.next = next
        }

        var value: MustacheValue { .object(["previous": previous.map { .string($0) } ?? .null, "next": next.map { .string($0) } ?? .null]) }
    }

    public let site: SiteView
    public let name: String
    public let handle: String
    public let email: String
    public let listed: Bool
    public let timezone: String
    public let profileURL: String
    public let notice: String?
    public let problem: String?
    /// The profile form's and the slot form's values, and their problems by field.
    public let profile: FieldValues
    public let slotForm: FieldValues
    public let errors: FieldValues
    public let slots: [OwnSlot]
    public let slotsPager: Pager
    public let booked: [Booking]
    public let bookedPager: Pager
    public let made: [Booking]
    public let madePager: Pager
    /// Whether booking and cancellation messages, and reminders, are wanted.
    public var bookingMail = true
    public var reminderMail = true
    /// The address form as last sent, when it was refused.
    public var emailForm = FieldValues([:])
    /// The private booking feed's address, once one was made.
    public var calendarURL: String?
    /// Working hours: rules, day entries, settings and a preview, as the Site layer
    /// lays them out.
    public var hours: MustacheValue = .null

    public init(site: SiteView, name: String, handle: String, email: String, listed: Bool, timezone: String, profileURL: String,
                notice: String?, problem: String?, profile: [String: String], slotForm: [String: String], errors: [String: String],
                slots: [OwnSlot], slotsPager: Pager, booked: [Booking], bookedPager: Pager, made: [Booking], madePager: Pager) {
        self.site = site
        self.name = name
        self.handle = handle
        self.email = email
        self.listed = listed
        self.timezone = timezone
        self.profileURL = profileURL
        self.notice = notice
        self.problem = problem
        self.profile = FieldValues(profile)
        self.slotForm = FieldValues(slotForm)
        self.errors = FieldValues(errors)
        self.slots = slots
        self.slotsPager = slotsPager
        self.booked = booked
        self.bookedPager = bookedPager
        self.made = made
        self.madePager = madePager
    }

    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "site": return .context(site)
        case "user": return .object(["name": .string(name), "handle": .string(handle), "email": .string(email),
                                     "listed": .bool(listed), "timezone": .string(timezone), "profileURL": .string(profileURL),
                                     "bookingMail": .bool(bookingMail), "reminderMail": .bool(reminderMail)])
        case "emailForm": return .context(emailForm)
        case "hours": return hours
        case "calendar":
            guard let calendarURL else { return nil }
            let webcal = calendarURL.hasPrefix("https://") ? "webcal://" + calendarURL.dropFirst(8)
                : calendarURL.hasPrefix("http://") ? "webcal://" + calendarURL.dropFirst(7) : calendarURL[...]
            return ["url": .string(calendarURL), "webcal": .string(String(webcal))]
        case "notice": return notice.map { .string($0) } ?? .null
        case "problem": return problem.map { .string($0) } ?? .null
        case "profile": return .context(profile)
        case "slotForm": return .context(slotForm)
        case "errors": return .context(errors)
        case "slots": return .list(slots.map { .context($0) })
        case "slotsPager": return slotsPager.value
        case "booked": return .list(booked.map { .context($0) })
        case "bookedPager": return bookedPager.value
        case "made": return .list(made.map { .context($0) })
        case "madePager": return madePager.value
        default: return nil
        }
    }
}
