import SlotsiteCore

extension Store {
    /// Adds a slot for `userID` unless it overlaps one of their slots.
    ///
    /// The overlap check and the insert run in one `BEGIN IMMEDIATE` transaction, so
    /// two racing requests cannot both pass the check.
    /// - Throws: `StoreError.slotOverlaps`, or `CoreError` when the range breaks a slot rule.
    @discardableResult
    public func createSlot(userID: Int64, range: TimeRange, now: Int64) throws -> Int64 {
        try Slot.validate(range, now: now)
        return try database.writeTransaction {
            try insertSlot(userID: userID, range: range, createdAt: now)
        }
    }

    /// Inserts a slot inside the caller's write transaction unless it overlaps one of
    /// the professional's slots.
    /// - Throws: `StoreError.slotOverlaps`.
    public func insertSlot(userID: Int64, range: TimeRange, createdAt: Int64) throws -> Int64 {
        let latest = try database.cached("""
            SELECT starts_at, ends_at FROM slots WHERE user_id = ? AND starts_at < ? ORDER BY starts_at DESC LIMIT 1
            """).bind(.int(userID), .int(range.end))
        let found = try latest.step() ? TimeRange(start: latest.int(0), end: latest.int(1)) : nil
        latest.reset()
        try decided("a slot of user \(userID)") { () throws(Refusal) in try BookingRules.add(range, besideLatest: found) }
        try database.cached("INSERT INTO slots (user_id, starts_at, ends_at, created_at) VALUES (?, ?, ?, ?)")
            .bind(.int(userID), .int(range.start), .int(range.end), .int(createdAt)).run()
        return database.lastInsertRowID
    }

    /// The slot with this id, or nil.
    public func slot(id: Int64) throws -> Slot? {
        let s = try database.prepare("SELECT \(SlotRow.columns()) FROM slots WHERE id = ?").bind(.int(id))
        guard try s.step() else { return nil }
        return SlotRow.read(s)
    }

    /// Deletes a free slot of `userID`.
    /// - Throws: `StoreError` `.notFound`, `.forbidden` (not theirs) or `.slotBooked`.
    /// - Returns: the deleted slot.
    @discardableResult
    public func deleteSlot(id: Int64, userID: Int64) throws -> Slot {
        try database.writeTransaction {
            guard let slot = try slot(id: id) else { throw StoreError(.notFound, "slot \(id)") }
            let booked = try database.prepare("SELECT 1 FROM bookings WHERE slot_id = ? AND cancelled_at IS NULL")
                .bind(.int(id)).scalar()
            try decided("slot \(id)") { () throws(Refusal) in try BookingRules.delete(slot, by: userID, booked: booked != nil) }
            try database.prepare("DELETE FROM slots WHERE id = ?").bind(.int(id)).run()
            return slot
        }
    }

    /// A professional's slots from `from` on (all when nil), by start, each with its
    /// active booking if any.
    public func slots(of userID: Int64, from: Int64? = nil, limit: Int = -1, offset: Int = 0) throws -> [OwnSlot] {
        var rows: [OwnSlot] = []
        try database.prepare("""
            SELECT \(SlotRow.columns("s")), \(ActiveBookingRow.columns)
            FROM slots s
            LEFT JOIN bookings b ON b.slot_id = s.id AND b.cancelled_at IS NULL
            LEFT JOIN users c ON c.id = b.client_id
            WHERE s.user_id = ? AND s.starts_at >= ?
            ORDER BY s.starts_at, s.ends_at, s.id LIMIT ? OFFSET ?
            """).bind(.int(userID), .int(from ?? Int64.min), .int(Int64(limit)), .int(Int64(offset))).forEach { s in
            rows.append(OwnSlot(slot: SlotRow.read(s), booking: ActiveBookingRow.read(s, at: SlotRow.width)))
        }
        return rows
    }

    /// Active bookings of `userID`'s slots, by slot start, with the client.
    public func bookingsOfSlots(of userID: Int64, limit: Int = -1, offset: Int = 0) throws -> [OwnSlot] {
        var rows: [OwnSlot] = []
        try database.prepare("""
            SELECT \(SlotRow.columns("s")), \(ActiveBookingRow.columns)
            FROM slots s JOIN bookings b ON b.slot_id = s.id AND b.cancelled_at IS NULL
            JOIN users c ON c.id = b.client_id
            WHERE s.user_id = ? ORDER BY s.starts_at, s.ends_at, s.id LIMIT ? OFFSET ?
            """).bind(.int(userID), .int(Int64(limit)), .int(Int64(offset))).forEach { s in
            rows.append(OwnSlot(slot: SlotRow.read(s), booking: ActiveBookingRow.read(s, at: SlotRow.width)))
        }
        return rows
    }
}

/// A professional's own slot as their account page lists it.
public struct OwnSlot: Sendable, Equatable {
    public struct ActiveBooking: Sendable, Equatable {
        public let id: Int64
        public let note: String
        public let clientHandle: String
        public let clientName: String
    }

    public let slot: Slot
    public let booking: ActiveBooking?
}
