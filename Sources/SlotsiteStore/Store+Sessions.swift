import SlotsiteCore

/// A user and the password hash a login is checked against.
public struct Credentials: Sendable {
    public let user: User
    public let passwordHash: String
}

/// What `admitLogin` decided.
public enum LoginAdmission: Sendable {
    case refused(retryAfter: Int64)
    /// Recorded as attempt `attemptID`; `credentials` is nil when the login names nobody.
    case admitted(attemptID: Int64, credentials: Credentials?)
}

/// A logged-in session as the store keeps it.
public struct SessionRecord: Sendable, Equatable {
    public let userID: Int64
    public let createdAt: Int64
    public let lastSeenAt: Int64
}

extension Store {
    /// Starts a session for `userID` under the hash of its token, and drops the
    /// sessions that have expired by `now` (idle or absolute).
    public func createSession(tokenHash: [UInt8], userID: Int64, now: Int64, idle: Int64, absolute: Int64) throws {
        try database.writeTransaction {
            try database.prepare("DELETE FROM sessions WHERE last_seen_at <= ? OR created_at <= ?")
                .bind(.int(now - idle), .int(now - absolute)).run()
            try database.prepare("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)")
                .bind(.blob(tokenHash), .int(userID), .int(now), .int(now)).run()
        }
    }

    /// The session stored under `tokenHash`, if any (expired or not).
    public func session(tokenHash: [UInt8]) throws -> SessionRecord? {
        let s = try database.prepare("SELECT user_id, created_at, last_seen_at FROM sessions WHERE token_hash = ?")
            .bind(.blob(tokenHash))
        guard try s.step() else { return nil }
        return SessionRecord(userID: s.int(0), createdAt: s.int(1), lastSeenAt: s.int(2))
    }

    /// Records that the session was used at `now`.
    public func touchSession(tokenHash: [UInt8], now: Int64) throws {
        try database.writeTransaction {
            try database.prepare("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?").bind(.int(now), .blob(tokenHash)).run()
        }
    }

    public func deleteSession(tokenHash: [UInt8]) throws {
        try database.writeTransaction {
            try database.prepare("DELETE FROM sessions WHERE token_hash = ?").bind(.blob(tokenHash)).run()
        }
    }

    /// Replaces a user's password hash, as a login does when the parameters rose.
    public func rehashPassword(userID: Int64, _ hash: String) throws {
        try database.writeTransaction {
            try database.prepare("UPDATE users SET password_hash = ? WHERE id = ?").bind(.text(hash), .int(userID)).run()
        }
    }

    // MARK: Login attempts

    /// Admits or refuses one login attempt, in one write transaction: finds the account
    /// `login` names, reads its recent failures and those from `address`, asks
    /// `retryAfter` whether to refuse, and when admitted records the attempt as a
    /// failure before any password is checked, so parallel guesses count one by one.
    /// `finishLogin` takes the record back when the password was right.
    public func admitLogin(_ login: String, address: String, now: Int64, window: Int64,
                           retryAfter: (LoginFailures) -> Int64?) throws -> LoginAdmission {
        try database.writeTransaction {
            let credentials = login.isEmpty ? nil : try credentials(login: login)
            // Failures count against the account whichever login named it; a login that
            // names nobody has a budget of its own.
            let account = credentials.map { "user:\($0.user.id)" } ?? "login:" + Account.emailKey(login).prefix(320)
            var failures = LoginFailures()
            try database.cached("SELECT at, address = ?3 FROM login_attempts WHERE account = ?1 AND at > ?2")
                .bind(.text(account), .int(now - window), .text(address)).forEach {
                    failures.account.append($0.int(0))
                    if $0.int(1) != 0 { failures.accountFromAddress += 1 }
                }
            try database.cached("SELECT at FROM login_attempts WHERE address = ? AND at > ?")
                .bind(.text(address), .int(now - window)).forEach { failures.address.append($0.int(0)) }
            if let wait = retryAfter(failures) { return .refused(retryAfter: wait) }
            try database.cached("DELETE FROM login_attempts WHERE at <= ?").bind(.int(now - 86_400)).run()
            try database.cached("INSERT INTO login_attempts (account, address, at) VALUES (?, ?, ?)")
                .bind(.text(account), .text(address), .int(now)).run()
            return .admitted(attemptID: database.lastInsertRowID, credentials: credentials)
        }
    }

    /// Takes back an admitted attempt whose password was right, with the failures
    /// from the same address against the same account.
    public func forgetLoginFailures(attemptID: Int64) throws {
        try database.writeTransaction {
            try database.prepare("""
                DELETE FROM login_attempts WHERE id = ?1 OR (account, address) =
                    (SELECT account, address FROM login_attempts WHERE id = ?1)
                """).bind(.int(attemptID)).run()
        }
    }
}
