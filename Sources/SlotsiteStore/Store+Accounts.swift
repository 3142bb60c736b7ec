import SlotsiteCore

/// What `requestPasswordReset` decided.
public enum ResetAdmission: Sendable, Equatable {
    case refused(retryAfter: Int64)
    /// Recorded; a link was written to the outbox only when the address has an account.
    case accepted
}

extension Store {
    /// How long a reset link works, and an address confirmation link.
    public static let resetLifetime: Int64 = 3600
    public static let confirmLifetime: Int64 = 24 * 3600

    // MARK: Password reset

    /// Records a reset request for the address `email` from the client `address` and,
    /// when the address has an account and `retryAfter` admits the request, keeps the
    /// hash of `token` and writes the link's message, all in one write transaction:
    /// known and unknown addresses do the same work.
    /// - Parameter retryAfter: given the request times by typed address and by client
    ///   address in the last `window` seconds, how long to refuse, or nil.
    public func requestPasswordReset(email: String, address: String, token: String, tokenHash: [UInt8], now: Int64,
                                     window: Int64, retryAfter: (_ byEmail: [Int64], _ byAddress: [Int64]) -> Int64?) throws
        -> ResetAdmission {
        let key = String(Account.emailKey(email).prefix(320))
        return try database.writeTransaction {
            var byEmail: [Int64] = [], byAddress: [Int64] = []
            try database.cached("SELECT at FROM reset_requests WHERE email_key = ? AND at > ?")
                .bind(.text(key), .int(now - window)).forEach { byEmail.append($0.int(0)) }
            try database.cached("SELECT at FROM reset_requests WHERE address = ? AND at > ?")
                .bind(.text(address), .int(now - window)).forEach { byAddress.append($0.int(0)) }
            if let wait = retryAfter(byEmail, byAddress) { return .refused(retryAfter: wait) }
            try database.cached("DELETE FROM reset_requests WHERE at <= ?").bind(.int(now - 86_400)).run()
            try database.cached("INSERT INTO reset_requests (email_key, address, at) VALUES (?, ?, ?)")
                .bind(.text(key), .text(address), .int(now)).run()
            let s = try database.cached("SELECT id FROM users WHERE email_key = ?").bind(.text(key))
            defer { s.reset() }
            guard try s.step() else { return .accepted }
            let userID = s.int(0)
            try insertToken(tokenHash, userID: userID, purpose: "reset", email: nil, now: now, lifetime: Store.resetLifetime)
            let me = try party(userID).party
            try enqueue(Notice(kind: .reset, to: me.receiver, token: token), now: now)
            return .accepted
        }
    }

    /// Sets a new password through a reset link: the link must be a reset link, unused
    /// and unexpired; it is used up, and every session of the account ends.
    /// - Throws: `StoreError.notFound` for an unknown, used or expired link.
    /// - Returns: the account's user id.
    public func resetPassword(tokenHash: [UInt8], passwordHash: String, now: Int64) throws -> Int64 {
        try database.writeTransaction {
            let userID = try useToken(tokenHash, purpose: "reset", now: now).userID
            try database.prepare("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
                .bind(.text(passwordHash), .int(now), .int(userID)).run()
            try database.prepare("DELETE FROM sessions WHERE user_id = ?").bind(.int(userID)).run()
            // Any other reset link of the account is spent with this one.
            try database.prepare("UPDATE account_tokens SET used_at = ? WHERE user_id = ? AND purpose = 'reset' AND used_at IS NULL")
                .bind(.int(now), .int(userID)).run()
            return userID
        }
    }

    /// Whether `tokenHash` is a reset link that still works.
    public func resetLinkWorks(tokenHash: [UInt8], now: Int64) throws -> Bool {
        try database.prepare("""
            SELECT 1 FROM account_tokens WHERE token_hash = ? AND purpose = 'reset' AND used_at IS NULL AND expires_at > ?
            """).bind(.blob(tokenHash), .int(now)).scalar() != nil
    }

    // MARK: Signed-in changes

    /// The password hash of a user, to check a current password against.
    public func passwordHash(userID: Int64) throws -> String? {
        let s = try database.prepare("SELECT password_hash FROM users WHERE id = ?").bind(.int(userID))
        return try s.step() ? s.text(0) : nil
    }

    /// Replaces a user's password and ends every session but `keeping`.
    public func changePassword(userID: Int64, passwordHash: String, keeping session: [UInt8], now: Int64) throws {
        try database.writeTransaction {
            try database.prepare("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
                .bind(.text(passwordHash), .int(now), .int(userID)).run()
            guard database.changes == 1 else { throw StoreError(.notFound, "user \(userID)") }
            try database.prepare("DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?")
                .bind(.int(userID), .blob(session)).run()
        }
    }

    /// Starts an address change: keeps the hash of `token` for 24 hours and writes the
    /// confirmation link's message to the new address.
    /// - Throws: `StoreError.emailTaken` when another account has that address.
    public func requestEmailChange(userID: Int64, email: String, token: String, tokenHash: [UInt8], now: Int64) throws {
        try database.writeTransaction {
            try checkEmailFree(email, for: userID)
            try insertToken(tokenHash, userID: userID, purpose: "email", email: email, now: now, lifetime: Store.confirmLifetime)
            var me = try party(userID).party.receiver
            me.address = email
            try enqueue(Notice(kind: .confirm, to: me, token: token), now: now)
        }
    }

    /// Changes the address to the one a confirmation link was sent to, and uses it up.
    /// - Throws: `StoreError.notFound` for an unknown, used or expired link,
    ///   `.emailTaken` when another account took the address meanwhile.
    /// - Returns: the account's user id.
    @discardableResult
    public func confirmEmail(tokenHash: [UInt8], now: Int64) throws -> Int64 {
        try database.writeTransaction {
            let token = try useToken(tokenHash, purpose: "email", now: now)
            let email = token.email ?? ""
            try checkEmailFree(email, for: token.userID)
            try database.prepare("UPDATE users SET email = ?, email_key = ?, updated_at = ? WHERE id = ?")
                .bind(.text(email), .text(Account.emailKey(email)), .int(now), .int(token.userID)).run()
            return token.userID
        }
    }

    /// Whether the user wants booking and cancellation messages, and reminders.
    public func notifications(userID: Int64) throws -> (bookingMail: Bool, reminderMail: Bool) {
        let s = try database.prepare("SELECT booking_mail, reminder_mail FROM users WHERE id = ?").bind(.int(userID))
        guard try s.step() else { throw StoreError(.notFound, "user \(userID)") }
        return (s.int(0) != 0, s.int(1) != 0)
    }

    public func setNotifications(userID: Int64, bookingMail: Bool, reminderMail: Bool) throws {
        try database.writeTransaction {
            try database.prepare("UPDATE users SET booking_mail = ?, reminder_mail = ? WHERE id = ?")
                .bind(.int(bookingMail ? 1 : 0), .int(reminderMail ? 1 : 0), .int(userID)).run()
            guard database.changes == 1 else { throw StoreError(.notFound, "user \(userID)") }
        }
    }

    // MARK: Tokens

    private func insertToken(_ hash: [UInt8], userID: Int64, purpose: String, email: String?, now: Int64, lifetime: Int64) throws {
        try database.prepare("DELETE FROM account_tokens WHERE expires_at <= ?").bind(.int(now - 86_400)).run()
        try database.prepare("""
            INSERT INTO account_tokens (token_hash, user_id, purpose, email, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)
            """).bind(.blob(hash), .int(userID), .text(purpose), email.map { .text($0) } ?? .null, .int(now),
                      .int(now + lifetime)).run()
    }

    private func useToken(_ hash: [UInt8], purpose: String, now: Int64) throws -> (userID: Int64, email: String?) {
        let s = try database.prepare("""
            SELECT user_id, email FROM account_tokens
            WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?
            """).bind(.blob(hash), .text(purpose), .int(now))
        guard try s.step() else { throw StoreError(.notFound, "\(purpose) link") }
        let found = (s.int(0), s.isNull(1) ? nil : s.text(1))
        s.reset()
        try database.prepare("UPDATE account_tokens SET used_at = ? WHERE token_hash = ?").bind(.int(now), .blob(hash)).run()
        return found
    }

    private func checkEmailFree(_ email: String, for userID: Int64) throws {
        let holder = try database.prepare("SELECT id FROM users WHERE (email_key = ? OR email = ?) AND id <> ?")
            .bind(.text(Account.emailKey(email)), .text(email), .int(userID)).scalar()
        if holder != nil { throw StoreError(.emailTaken, email) }
    }
}
