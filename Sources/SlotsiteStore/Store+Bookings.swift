import SlotsiteCore

extension Store {
    /// Books `slotID` for `clientID`.
    ///
    /// The insert itself is the check: the unique index on a slot's active booking
    /// rejects a second one, however many processes race. The messages to both parties
    /// are written to the outbox in the same transaction.
    /// - Throws: `StoreError` `.notFound`, `.forbidden` (own slot), `.slotStarted`,
    ///   `.alreadyBooked`.
    /// - Returns: the booking id and the slot.
    @discardableResult
    public func book(slotID: Int64, clientID: Int64, note: String, now: Int64) throws -> (bookingID: Int64, slot: Slot) {
        try database.writeTransaction {
            guard let slot = try slot(id: slotID) else { throw StoreError(.notFound, "slot \(slotID)") }
            let owner = try party(slot.userID)
            let offered = owner.listed, notice = owner.notice
            let holder = try database.cached("SELECT client_id FROM bookings WHERE slot_id = ? AND cancelled_at IS NULL")
                .bind(.int(slotID)).scalar()
            try decided("slot \(slotID)") { () throws(Refusal) in
                try BookingRules.book(slot, by: clientID, now: now, offered: offered, holder: holder, notice: notice)
            }
            try insertBooking(slotID: slotID, clientID: clientID, note: note, now: now)
            let id = database.lastInsertRowID
            // The messages go in the booking's transaction: both are kept, or neither.
            for notice in Notices.booking(id: id, range: slot.range, note: note, professional: owner.party,
                                          client: try party(clientID).party) {
                try enqueue(notice, now: now)
            }
            return (id, slot)
        }
    }

    /// Inserts an active booking inside the caller's write transaction (for bulk imports).
    /// - Throws: `StoreError.alreadyBooked`.
    public func insertBooking(slotID: Int64, clientID: Int64, note: String, now: Int64) throws {
        do {
            try database.cached("INSERT INTO bookings (slot_id, client_id, note, created_at) VALUES (?, ?, ?, ?)")
                .bind(.int(slotID), .int(clientID), .text(note), .int(now)).run()
        } catch let e as StoreError where e.reason == .engine(code: SQLiteCode.constraintUnique) {
            throw StoreError(.alreadyBooked, "slot \(slotID)")
        }
    }

    /// Cancels an active booking; either its client or the slot's professional may.
    /// Both hear of it (the outbox, in the same transaction), as of a booking.
    /// - Throws: `StoreError` `.notFound` (no such active booking) or `.forbidden`.
    /// - Returns: the slot that is free again and the client whose booking it was.
    @discardableResult
    public func cancelBooking(id: Int64, by userID: Int64, now: Int64) throws -> (slot: Slot, clientID: Int64) {
        try database.writeTransaction {
            let s = try database.prepare("""
                SELECT b.client_id, b.note, \(SlotRow.columns("s"))
                FROM bookings b JOIN slots s ON s.id = b.slot_id
                WHERE b.id = ? AND b.cancelled_at IS NULL
                """).bind(.int(id))
            guard try s.step() else { throw StoreError(.notFound, "booking \(id)") }
            let clientID = s.int(0)
            let note = s.text(1)
            let slot = SlotRow.read(s, at: 2)
            try decided("booking \(id)") { () throws(Refusal) in try BookingRules.cancel(of: slot, madeBy: clientID, by: userID) }
            let by: Notice.Role = userID == clientID ? .client : .professional
            try database.prepare("UPDATE bookings SET cancelled_at = ?, cancelled_by = ? WHERE id = ?")
                .bind(.int(now), .text(by.rawValue), .int(id)).run()
            for notice in Notices.booking(id: id, range: slot.range, note: note, professional: try party(slot.userID).party,
                                          client: try party(clientID).party, cancelledBy: by) {
                try enqueue(notice, now: now)
            }
            return (slot, clientID)
        }
    }

    /// The active bookings `clientID` made, by slot start, with the professional.
    public func bookingsMade(by clientID: Int64, limit: Int = -1, offset: Int = 0) throws -> [MadeBooking] {
        var rows: [MadeBooking] = []
        try database.prepare("""
            SELECT b.id, b.note, \(SlotRow.columns("s")), p.handle, p.name, p.timezone
            FROM bookings b JOIN slots s ON s.id = b.slot_id JOIN users p ON p.id = s.user_id
            WHERE b.client_id = ? AND b.cancelled_at IS NULL
            ORDER BY s.starts_at, b.id LIMIT ? OFFSET ?
            """).bind(.int(clientID), .int(Int64(limit)), .int(Int64(offset))).forEach { s in
            rows.append(MadeBooking(
                id: s.int(0), note: s.text(1),
                slot: SlotRow.read(s, at: 2),
                professionalHandle: s.text(2 + SlotRow.width), professionalName: s.text(3 + SlotRow.width),
                professionalTimezone: s.text(4 + SlotRow.width)))
        }
        return rows
    }
}

/// A booking as its client's account page lists it.
public struct MadeBooking: Sendable, Equatable {
    public let id: Int64
    public let note: String
    public let slot: Slot
    public let professionalHandle: String
    public let professionalName: String
    public let professionalTimezone: String
}
