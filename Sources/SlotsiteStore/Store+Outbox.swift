import SlotsiteCore

/// A message in the outbox and how its sending went so far.
public struct OutboxEntry: Sendable, Equatable {
    public let id: Int64
    public let notice: Notice
    public let createdAt: Int64
    public let dueAt: Int64
    public let attempts: Int
    public let lastError: String?
    public let sentAt: Int64?
    public let failedAt: Int64?
}

/// The `outbox` table's columns and the one function that reads them.
enum OutboxRow {
    static let columns = """
        id, kind, user_id, to_name, to_address, to_timezone, booking_id, starts_at, ends_at, role, other_name,
        other_handle, professional_handle, note, cancelled_by, token, created_at, due_at, attempts, last_error,
        sent_at, failed_at
        """

    static func read(_ s: Statement) -> OutboxEntry {
        let receiver = Notice.Receiver(userID: s.int(2), name: s.text(3), address: s.text(4), timezone: s.text(5))
        var appointment: Notice.Appointment?
        if !s.isNull(6), let role = Notice.Role(rawValue: s.text(9)) {
            appointment = Notice.Appointment(
                bookingID: s.int(6), range: TimeRange(start: s.int(7), end: s.int(8)), role: role, otherName: s.text(10),
                otherHandle: s.text(11), professionalHandle: s.text(12), note: s.text(13),
                cancelledBy: s.isNull(14) ? nil : Notice.Role(rawValue: s.text(14)))
        }
        let notice = Notice(kind: Notice.Kind(rawValue: s.text(1)) ?? .booking, to: receiver, appointment: appointment,
                            token: s.isNull(15) ? nil : s.text(15))
        return OutboxEntry(id: s.int(0), notice: notice, createdAt: s.int(16), dueAt: s.int(17), attempts: Int(s.int(18)),
                           lastError: s.isNull(19) ? nil : s.text(19), sentAt: s.isNull(20) ? nil : s.int(20),
                           failedAt: s.isNull(21) ? nil : s.int(21))
    }
}

extension Store {
    /// Writes `notice` to the outbox inside the caller's write transaction.
    func enqueue(_ notice: Notice, now: Int64) throws {
        let a = notice.appointment
        func text(_ v: String?) -> SQLValue { v.map { .text($0) } ?? .null }
        func int(_ v: Int64?) -> SQLValue { v.map { .int($0) } ?? .null }
        try database.cached("""
            INSERT INTO outbox (kind, user_id, to_name, to_address, to_timezone, booking_id, starts_at, ends_at, role,
                other_name, other_handle, professional_handle, note, cancelled_by, token, created_at, due_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).bind(.text(notice.kind.rawValue), .int(notice.to.userID), .text(notice.to.name), .text(notice.to.address),
                      .text(notice.to.timezone), int(a?.bookingID), int(a?.range.start), int(a?.range.end),
                      text(a?.role.rawValue), text(a?.otherName), text(a?.otherHandle), text(a?.professionalHandle),
                      text(a?.note), text(a?.cancelledBy?.rawValue), text(notice.token), .int(now), .int(now)).run()
    }

    /// A user as a party to a booking, read inside the caller's transaction, with
    /// whether they offer time and their notice in seconds (one read for a booking's
    /// rules and its messages: every statement is parsed anew in each CGI process).
    func party(_ userID: Int64) throws -> (party: Notices.Party, listed: Bool, notice: Int64) {
        let s = try database.cached("SELECT name, email, timezone, handle, booking_mail, listed, notice_hours FROM users WHERE id = ?")
            .bind(.int(userID))
        defer { s.reset() }
        guard try s.step() else { throw StoreError(.notFound, "user \(userID)") }
        return (Notices.Party(receiver: Notice.Receiver(userID: userID, name: s.text(0), address: s.text(1), timezone: s.text(2)),
                              handle: s.text(3), wantsBookingMail: s.int(4) != 0),
                s.int(5) != 0, s.int(6) * 3600)
    }

    // MARK: Reminders

    /// Writes the reminders that are due by `now` (`hours` before each active booking's
    /// start) to the outbox, once per booking, in one write transaction.
    /// - Returns: how many messages it wrote.
    @discardableResult
    public func queueReminders(now: Int64, hours: Int) throws -> Int {
        // Most runs find none: a read first, so that they take no write lock.
        let horizon = now + Int64(hours) * 3600
        guard hours > 0, try database.cached("""
            SELECT 1 FROM bookings b JOIN slots s ON s.id = b.slot_id
            WHERE b.cancelled_at IS NULL AND b.reminded = 0 AND s.starts_at <= ? LIMIT 1
            """).bind(.int(horizon)).scalar() != nil else { return 0 }
        return try database.writeTransaction {
            var due: [(id: Int64, note: String, bookedAt: Int64, slot: Slot, clientID: Int64)] = []
            try database.prepare("""
                SELECT b.id, b.note, b.created_at, b.client_id, \(SlotRow.columns("s"))
                FROM bookings b JOIN slots s ON s.id = b.slot_id
                WHERE b.cancelled_at IS NULL AND b.reminded = 0 AND s.starts_at <= ?
                """).bind(.int(horizon)).forEach {
                due.append(($0.int(0), $0.text(1), $0.int(2), SlotRow.read($0, at: 4), $0.int(3)))
            }
            var written = 0
            let wants = try database.prepare("SELECT reminder_mail FROM users WHERE id = ?")
            for booking in due {
                try database.prepare("UPDATE bookings SET reminded = 1 WHERE id = ?").bind(.int(booking.id)).run()
                guard booking.slot.range.start > now,
                      Notices.remind(range: booking.slot.range, bookedAt: booking.bookedAt, hours: hours) else { continue }
                let professional = try party(booking.slot.userID).party, client = try party(booking.clientID).party
                for notice in Notices.booking(id: booking.id, range: booking.slot.range, note: booking.note,
                                              professional: professional, client: client)
                where try wants.bind(.int(notice.to.userID)).scalar() == 1 {
                    var reminder = notice
                    reminder.kind = .reminder
                    try enqueue(reminder, now: now)
                    written += 1
                }
            }
            return written
        }
    }

    // MARK: Sending

    /// Takes the next message due by `now` that no live drain holds, and holds it for
    /// `lease` seconds, counting the attempt. Two drains never take the same message.
    public func claimMail(now: Int64, lease: Int64) throws -> OutboxEntry? {
        try database.writeTransaction {
            let s = try database.prepare("""
                SELECT \(OutboxRow.columns) FROM outbox
                WHERE sent_at IS NULL AND failed_at IS NULL AND due_at <= ?1 AND (claimed_until IS NULL OR claimed_until < ?1)
                ORDER BY due_at, id LIMIT 1
                """).bind(.int(now))
            guard try s.step() else { return nil }
            let entry = OutboxRow.read(s)
            try database.prepare("UPDATE outbox SET claimed_until = ?, attempts = attempts + 1 WHERE id = ?")
                .bind(.int(now + lease), .int(entry.id)).run()
            return entry
        }
    }

    /// Records that message `id` was handed to the mail system; its link secret goes.
    public func mailSent(id: Int64, now: Int64) throws {
        try database.writeTransaction {
            try database.prepare("UPDATE outbox SET sent_at = ?, claimed_until = NULL, token = NULL, last_error = NULL WHERE id = ?")
                .bind(.int(now), .int(id)).run()
        }
    }

    /// Records a failed attempt: the message is due again after a backoff, or marked
    /// failed once it has been tried for `Notices.retryWindow`.
    public func mailFailed(id: Int64, error: String, now: Int64) throws {
        try database.writeTransaction {
            let s = try database.prepare("SELECT attempts, created_at FROM outbox WHERE id = ?").bind(.int(id))
            guard try s.step() else { return }
            let error = String(error.prefix(500))
            if let retry = Notices.retry(attempts: Int(s.int(0)), firstTried: s.int(1), now: now) {
                try database.prepare("UPDATE outbox SET claimed_until = NULL, last_error = ?, due_at = ? WHERE id = ?")
                    .bind(.text(error), .int(retry), .int(id)).run()
            } else {
                // Given up: the link's secret goes with it.
                try database.prepare("UPDATE outbox SET claimed_until = NULL, last_error = ?, failed_at = ?, token = NULL WHERE id = ?")
                    .bind(.text(error), .int(now), .int(id)).run()
            }
        }
    }

    /// Whether a message is due by `now` and free to take.
    public func mailDue(now: Int64) throws -> Bool {
        try database.prepare("""
            SELECT 1 FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND due_at <= ?1
                AND (claimed_until IS NULL OR claimed_until < ?1) LIMIT 1
            """).bind(.int(now)).scalar() != nil
    }

    /// The messages not sent: waiting (oldest first), then failed.
    public func unsentMail() throws -> [OutboxEntry] {
        var entries: [OutboxEntry] = []
        try database.prepare("""
            SELECT \(OutboxRow.columns) FROM outbox WHERE sent_at IS NULL ORDER BY failed_at IS NOT NULL, id
            """).forEach { entries.append(OutboxRow.read($0)) }
        return entries
    }

    /// How many messages were sent since `since`.
    public func sentMailCount(since: Int64) throws -> Int {
        Int(try database.prepare("SELECT count(*) FROM outbox WHERE sent_at >= ?").bind(.int(since)).scalar() ?? 0)
    }
}
