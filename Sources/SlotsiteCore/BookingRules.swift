/// Why the domain refuses a change to slots or bookings.
public enum Refusal: Error, Equatable, Sendable {
    /// Nothing to act on (or nothing this person may see).
    case notFound
    /// It is someone else's.
    case forbidden
    /// A new slot would overlap one of the professional's slots.
    case slotOverlaps
    /// The slot has an active booking and cannot be deleted.
    case slotBooked
    /// Someone else holds the slot.
    case alreadyBooked
    /// This client holds it already (the same form sent twice).
    case alreadyBookedByClient
    /// The slot has started.
    case slotStarted
}

/// The rules for booking, cancelling and changing slots: decided here, from what the
/// store read, and applied by the store inside the transaction that read it.
public enum BookingRules {
    /// Whether `clientID` may book `slot` at `now`.
    /// - Parameters:
    ///   - offered: whether the slot's professional offers time (a published account).
    ///   - holder: the client of the slot's active booking, if any.
    ///   - notice: seconds ahead within which the professional takes no booking.
    public static func book(_ slot: Slot, by clientID: Int64, now: Int64, offered: Bool, holder: Int64?,
                            notice: Int64 = 0) throws(Refusal) {
        guard slot.userID != clientID else { throw .forbidden }
        guard slot.range.start > now + notice else { throw .slotStarted }
        // A private account's slots are not offered to anyone.
        guard offered else { throw .notFound }
        if let holder { throw holder == clientID ? .alreadyBookedByClient : .alreadyBooked }
    }

    /// Whether `userID` may cancel a booking of `slot` made by `clientID`: either party may.
    public static func cancel(of slot: Slot, madeBy clientID: Int64, by userID: Int64) throws(Refusal) {
        guard userID == clientID || userID == slot.userID else { throw .forbidden }
    }

    /// Whether `userID` may delete `slot`, which has an active booking when `booked`.
    public static func delete(_ slot: Slot, by userID: Int64, booked: Bool) throws(Refusal) {
        guard slot.userID == userID else { throw .forbidden }
        guard !booked else { throw .slotBooked }
    }

    /// Whether `range` may be added beside `latest`, the professional's slot that starts
    /// last before `range` ends: their slots never overlap, so no earlier one can
    /// reach into `range` if that one does not.
    public static func add(_ range: TimeRange, besideLatest latest: TimeRange?) throws(Refusal) {
        if let latest, latest.overlaps(range) { throw .slotOverlaps }
    }
}
