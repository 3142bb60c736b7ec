import SlotsiteCore
import SlotsiteSite
import SlotsiteStore

extension CGIContext {
    func createSlot() throws -> Outcome {
        let user = try requireUser()
        try form.only(["date", "start", "end"])
        let zone = (try? Zone(user.timezone)) ?? .utc
        let range: TimeRange
        do {
            range = try Slot.range(date: form["date"] ?? "", start: form["start"] ?? "", end: form["end"] ?? "", zone: zone, now: now)
        } catch let e as CoreError {
            return try refusedOnAccount(400, user: user, slot: form.fields, problems: [e.field: e.message],
                                        summary: "The slot was not added: \(e.message)")
        }
        do {
            try store().createSlot(userID: user.id, range: range, now: now)
        } catch let e as StoreError where e.reason == .slotOverlaps {
            return try refusedOnAccount(409, user: user, slot: form.fields, problems: ["start": "This overlaps one of your slots."],
                                        summary: "The slot was not added: it overlaps one of your slots. Choose another time.")
        }
        try renderPages(touchedBy: .profile(user.id))
        return .done(location: url("/account?done=slot-added"))
    }

    func deleteSlot(_ id: Int64) throws -> Outcome {
        let user = try requireUser()
        try form.only([])
        do {
            try store().deleteSlot(id: id, userID: user.id)
        } catch let e as StoreError {
            throw refusal(e, forbidden: "This slot is not yours, so you cannot delete it.",
                          conflict: "This slot is booked. Cancel the booking first, then delete the slot.")
        }
        try renderPages(touchedBy: .profile(user.id))
        return .done(location: url("/account?done=slot-deleted"))
    }

    func book() throws -> Outcome {
        let user = try requireUser()
        try form.only(["slot", "note"])
        guard let slotID = form["slot"].flatMap(Route.id) else {
            throw HTTPError.badRequest("The form did not say which slot to book. Go back to the profile page and pick a slot.")
        }
        let note: String
        do { note = try Account.note(form["note"] ?? "") } catch let e as CoreError {
            throw HTTPError.badRequest("The booking was not made: \(e.message) Go back, shorten the note and book again.")
        }
        let slot: Slot
        do {
            slot = try store().book(slotID: slotID, clientID: user.id, note: note, now: now).slot
        } catch let e as StoreError where e.reason == .alreadyBookedByClient {
            // A second submit of the same form: the booking the first one made stands.
            return .done(location: url("/account?done=booked"))
        } catch let e as StoreError {
            throw refusal(e, forbidden: "This is your own slot; you cannot book it.",
                          conflict: "Someone else booked this slot just before you. Go back to the profile and pick another.")
        }
        wroteMail = true
        try renderPages(touchedBy: .booking(professional: slot.userID, client: user.id))
        return .done(location: url("/account?done=booked"))
    }

    func cancelBooking(_ id: Int64) throws -> Outcome {
        let user = try requireUser()
        try form.only([])
        let cancelled: (slot: Slot, clientID: Int64)
        do {
            cancelled = try store().cancelBooking(id: id, by: user.id, now: now)
        } catch let e as StoreError {
            throw refusal(e, forbidden: "Only the client or the professional can cancel this booking.", conflict: "")
        }
        wroteMail = true
        try renderPages(touchedBy: .booking(professional: cancelled.slot.userID, client: cancelled.clientID))
        return .done(location: url("/account?done=cancelled"))
    }

    /// The HTTP answer to a refused store operation; other errors pass through as faults.
    func refusal(_ error: StoreError, forbidden: String, conflict: String) -> Error {
        switch error.reason {
        case .notFound:
            return HTTPError(404, "Not found", "That slot or booking does not exist (any more). Go back to your account page.")
        case .forbidden:
            return HTTPError(403, "Not allowed", forbidden)
        case .slotBooked, .alreadyBooked, .slotOverlaps:
            return HTTPError(409, "Conflict", conflict)
        case .slotStarted:
            return HTTPError(410, "Too late", "This slot has started, or starts too soon for the professional to take a booking. Pick a later one.")
        default:
            return error
        }
    }
}
