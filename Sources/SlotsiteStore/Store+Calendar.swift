import SlotsiteCore

/// A booking as one of its parties' calendars shows it.
public struct CalendarBooking: Sendable, Equatable {
    public let id: Int64
    public let range: TimeRange
    public let createdAt: Int64
    public let cancelledAt: Int64?
    /// The calendar owner's side of it.
    public let role: Notice.Role
    public let otherName: String
    public let professionalHandle: String
    public let note: String
}

extension Store {
    /// How far back a booking feed reaches.
    public static let calendarHistory: Int64 = 30 * 86_400

    /// The generation of the user's private feed address, or nil before they made one.
    public func calendarGeneration(userID: Int64) throws -> Int64? {
        try database.prepare("SELECT generation FROM calendar_feeds WHERE user_id = ?").bind(.int(userID)).scalar()
    }

    /// Makes the next generation of the user's feed address, stored as `tokenHash(generation)`;
    /// the address before it stops working.
    /// - Returns: the new generation.
    @discardableResult
    public func renewCalendar(userID: Int64, tokenHash: (Int64) -> [UInt8]) throws -> Int64 {
        try database.writeTransaction {
            let next = (try calendarGeneration(userID: userID) ?? 0) + 1
            try database.prepare("""
                INSERT INTO calendar_feeds (user_id, generation, token_hash) VALUES (?1, ?2, ?3)
                ON CONFLICT (user_id) DO UPDATE SET generation = ?2, token_hash = ?3
                """).bind(.int(userID), .int(next), .blob(tokenHash(next))).run()
            return next
        }
    }

    /// The user whose feed address hashes to `tokenHash`, with their name.
    public func calendarOwner(tokenHash: [UInt8]) throws -> (userID: Int64, name: String)? {
        let s = try database.prepare("""
            SELECT u.id, u.name FROM calendar_feeds f JOIN users u ON u.id = f.user_id WHERE f.token_hash = ?
            """).bind(.blob(tokenHash))
        return try s.step() ? (s.int(0), s.text(1)) : nil
    }

    /// The user's bookings, as professional and as client, of slots that end after
    /// `since`, cancelled ones too, by start.
    public func calendarBookings(userID: Int64, since: Int64) throws -> [CalendarBooking] {
        var rows: [CalendarBooking] = []
        try database.prepare("""
            SELECT b.id, s.starts_at, s.ends_at, b.created_at, b.cancelled_at, s.user_id = ?1, c.name, p.name, p.handle, b.note
            FROM bookings b JOIN slots s ON s.id = b.slot_id JOIN users p ON p.id = s.user_id JOIN users c ON c.id = b.client_id
            WHERE s.user_id = ?1 AND s.ends_at > ?2
            UNION ALL
            SELECT b.id, s.starts_at, s.ends_at, b.created_at, b.cancelled_at, 0, c.name, p.name, p.handle, b.note
            FROM bookings b JOIN slots s ON s.id = b.slot_id JOIN users p ON p.id = s.user_id JOIN users c ON c.id = b.client_id
            WHERE b.client_id = ?1 AND s.ends_at > ?2
            ORDER BY 2, 1
            """).bind(.int(userID), .int(since)).forEach { rows.append(Store.calendarBooking($0)) }
        return rows
    }

    /// One booking as `userID` sees it.
    /// - Throws: `StoreError.notFound`, or `.forbidden` when `userID` is neither its
    ///   client nor its professional.
    public func calendarBooking(id: Int64, for userID: Int64) throws -> CalendarBooking {
        let s = try database.prepare("""
            SELECT b.id, s.starts_at, s.ends_at, b.created_at, b.cancelled_at, s.user_id = ?2, c.name, p.name, p.handle, b.note,
                   b.client_id = ?2 OR s.user_id = ?2
            FROM bookings b JOIN slots s ON s.id = b.slot_id JOIN users p ON p.id = s.user_id JOIN users c ON c.id = b.client_id
            WHERE b.id = ?1
            """).bind(.int(id), .int(userID))
        guard try s.step() else { throw StoreError(.notFound, "booking \(id)") }
        guard s.int(10) != 0 else { throw StoreError(.forbidden, "booking \(id)") }
        return Store.calendarBooking(s)
    }

    private static func calendarBooking(_ s: Statement) -> CalendarBooking {
        let asProfessional = s.int(5) != 0
        return CalendarBooking(id: s.int(0), range: TimeRange(start: s.int(1), end: s.int(2)), createdAt: s.int(3),
                               cancelledAt: s.isNull(4) ? nil : s.int(4), role: asProfessional ? .professional : .client,
                               otherName: asProfessional ? s.text(6) : s.text(7), professionalHandle: s.text(8), note: s.text(9))
    }
}
