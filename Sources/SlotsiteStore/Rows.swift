import SlotsiteCore

// Each table's row as the domain type it stands for: the columns a query selects, in
// one place, and the one function that reads them in that order. A query selects
// `columns(…)` first and any further columns after `width`.

/// A `users` row as a `User` (skills come from their own table).
enum UserRow {
    static let width: Int32 = 8

    /// `id, handle, name, email, bio, timezone, listed, notice_hours`, prefixed with
    /// `alias.`; with `withoutText`, email and bio as empty strings, unread (a directory
    /// shows neither).
    static func columns(_ alias: String = "", withoutText: Bool = false) -> String {
        let p = alias.isEmpty ? "" : alias + "."
        return withoutText ? "\(p)id, \(p)handle, \(p)name, '', '', \(p)timezone, \(p)listed, \(p)notice_hours"
            : "\(p)id, \(p)handle, \(p)name, \(p)email, \(p)bio, \(p)timezone, \(p)listed, \(p)notice_hours"
    }

    static func read(_ s: Statement, at c: Int32 = 0, skills: [String]) -> User {
        User(id: s.int(c), handle: s.text(c + 1), name: s.text(c + 2), email: s.text(c + 3), bio: s.text(c + 4),
             timezone: s.text(c + 5), skills: skills, listed: s.int(c + 6) != 0, noticeSeconds: s.int(c + 7) * 3600)
    }
}

/// A `slots` row as a `Slot`.
enum SlotRow {
    static let width: Int32 = 5

    /// `id, user_id, starts_at, ends_at, created_at`, prefixed with `alias.`.
    static func columns(_ alias: String = "") -> String {
        let p = alias.isEmpty ? "" : alias + "."
        return "\(p)id, \(p)user_id, \(p)starts_at, \(p)ends_at, \(p)created_at"
    }

    static func read(_ s: Statement, at c: Int32 = 0) -> Slot {
        Slot(id: s.int(c), userID: s.int(c + 1), range: TimeRange(start: s.int(c + 2), end: s.int(c + 3)), createdAt: s.int(c + 4))
    }
}

/// An active `bookings` row with its client's `users` row, as a slot's owner sees it.
enum ActiveBookingRow {
    static let width: Int32 = 4

    /// `b.id, b.note, c.handle, c.name` for a booking `b` and its client `c`.
    static let columns = "b.id, b.note, c.handle, c.name"

    /// The booking, or nil when the row has none (a slot with no active booking).
    static func read(_ s: Statement, at c: Int32) -> OwnSlot.ActiveBooking? {
        s.isNull(c) ? nil : OwnSlot.ActiveBooking(id: s.int(c), note: s.text(c + 1), clientHandle: s.text(c + 2), clientName: s.text(c + 3))
    }
}
