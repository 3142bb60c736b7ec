/// A message someone must get because of a change: written to the outbox in the
/// change's own transaction with every fact its text needs, so that it can be sent
/// later exactly as the change saw them, whatever happens to the rows since.
public struct Notice: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case booking, cancellation, reminder, reset, confirm
    }

    /// Which side of a booking a person is on.
    public enum Role: String, Sendable {
        case professional, client
    }

    /// Whoever gets the message, as they were when it was written.
    public struct Receiver: Sendable, Equatable {
        public var userID: Int64
        public var name: String
        public var address: String
        public var timezone: String

        public init(userID: Int64, name: String, address: String, timezone: String) {
            self.userID = userID
            self.name = name
            self.address = address
            self.timezone = timezone
        }
    }

    /// A booking as both its messages describe it.
    public struct Appointment: Sendable, Equatable {
        public var bookingID: Int64
        public var range: TimeRange
        /// The receiver's side of it.
        public var role: Role
        /// The other party's name and handle.
        public var otherName: String
        public var otherHandle: String
        /// The professional's handle, for the profile link.
        public var professionalHandle: String
        public var note: String
        /// For a cancellation: who cancelled.
        public var cancelledBy: Role?

        public init(bookingID: Int64, range: TimeRange, role: Role, otherName: String, otherHandle: String,
                    professionalHandle: String, note: String, cancelledBy: Role? = nil) {
            self.bookingID = bookingID
            self.range = range
            self.role = role
            self.otherName = otherName
            self.otherHandle = otherHandle
            self.professionalHandle = professionalHandle
            self.note = note
            self.cancelledBy = cancelledBy
        }
    }

    public var kind: Kind
    public var to: Receiver
    /// For booking, cancellation and reminder messages.
    public var appointment: Appointment?
    /// For reset and confirmation messages: the link's secret, kept only until sent.
    public var token: String?

    public init(kind: Kind, to: Receiver, appointment: Appointment? = nil, token: String? = nil) {
        self.kind = kind
        self.to = to
        self.appointment = appointment
        self.token = token
    }
}

/// Who hears of a booking, and when a failed message is tried again.
public enum Notices {
    /// A party to a booking as the rules see them.
    public struct Party: Sendable {
        public var receiver: Notice.Receiver
        public var handle: String
        /// Whether they want booking and cancellation messages.
        public var wantsBookingMail: Bool

        public init(receiver: Notice.Receiver, handle: String, wantsBookingMail: Bool) {
            self.receiver = receiver
            self.handle = handle
            self.wantsBookingMail = wantsBookingMail
        }
    }

    /// The messages of a booking made or cancelled (`cancelledBy`): one to each party
    /// who wants them.
    public static func booking(id: Int64, range: TimeRange, note: String, professional: Party, client: Party,
                               cancelledBy: Notice.Role? = nil) -> [Notice] {
        let kind: Notice.Kind = cancelledBy == nil ? .booking : .cancellation
        var notices: [Notice] = []
        for (me, other, role) in [(professional, client, Notice.Role.professional), (client, professional, .client)]
        where me.wantsBookingMail {
            notices.append(Notice(kind: kind, to: me.receiver, appointment: Notice.Appointment(
                bookingID: id, range: range, role: role, otherName: other.receiver.name, otherHandle: other.handle,
                professionalHandle: professional.handle, note: note, cancelledBy: cancelledBy)))
        }
        return notices
    }

    /// Whether a booking made at `bookedAt` gets a reminder `hours` before it starts:
    /// not when it was made after that moment (its booking message says it all).
    public static func remind(range: TimeRange, bookedAt: Int64, hours: Int) -> Bool {
        hours > 0 && bookedAt <= range.start - Int64(hours) * 3600
    }

    /// How long a message is tried before it is marked failed.
    public static let retryWindow: Int64 = 24 * 3600

    /// When to try a message again after its `attempts`-th failure (1, 2, 4 … minutes,
    /// at most an hour apart), or nil once it has been tried for `retryWindow`.
    public static func retry(attempts: Int, firstTried createdAt: Int64, now: Int64) -> Int64? {
        guard now - createdAt < retryWindow else { return nil }
        let wait = Int64(60) << Int64(min(max(attempts - 1, 0), 6))
        return min(now + min(wait, 3600), createdAt + retryWindow)
    }
}
