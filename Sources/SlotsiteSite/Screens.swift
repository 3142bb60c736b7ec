import SlotsiteCore
import SlotsiteStore

/// A page of the CGI's own, as records and form state: what a handler shows, which
/// the HTML presenter renders (and an API would encode).
public enum Screen: Sendable {
    /// The registration form, with what was typed and each field's problem.
    case register(values: [String: String], errors: [String: String])
    /// The login form; `why` says why the person was sent here.
    case login(login: String, next: String, why: String?, problem: String?)
    /// A person's own page.
    case account(AccountPage)
    /// Asking for a password reset link; `sent` once a request was taken.
    case forgot(email: String, sent: Bool, problem: String?, errors: [String: String])
    /// Setting a new password with the link's `token`.
    case reset(token: String, problem: String?, errors: [String: String])
}

/// What the account page shows: the person, one page of each of their lists, and the
/// forms as last sent when one was refused.
public struct AccountPage: Sendable {
    /// One page of a list, and whether there is a later one.
    public struct Listing<Item: Sendable>: Sendable {
        public let items: [Item]
        public let page: Int
        public let more: Bool

        public init(items: [Item], page: Int, more: Bool) {
            self.items = items
            self.page = page
            self.more = more
        }
    }

    public let user: User
    public let now: Int64
    public let slots: Listing<OwnSlot>
    public let booked: Listing<OwnSlot>
    public let made: Listing<MadeBooking>
    public var notice: String?
    public var problem: String?
    /// The forms' values as sent, when one was refused; nil shows the stored ones.
    public var profileForm: [String: String]?
    public var slotForm: [String: String]?
    public var errors: [String: String] = [:]
    public var emailForm: [String: String]?
    public var bookingMail = true
    public var reminderMail = true
    /// The private booking feed's address, once one was made.
    public var calendarURL: String?
    /// Working hours, and the slots they make in the next 14 days.
    public var hours = Availability()
    public var preview: [TimeRange] = []

    public init(user: User, now: Int64, slots: Listing<OwnSlot>, booked: Listing<OwnSlot>, made: Listing<MadeBooking>) {
        self.user = user
        self.now = now
        self.slots = slots
        self.booked = booked
        self.made = made
    }
}
