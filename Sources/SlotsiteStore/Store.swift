import SlotsiteCore

/// A site's domain store: users, skills, slots, bookings, sessions and login attempts.
/// Its API speaks the domain (records, `StoreError` reasons); SQLite is inside it, and
/// every write is one `BEGIN IMMEDIATE` transaction. Another engine would implement
/// the same API.
public final class Store {
    /// The connection: the store's own; nothing outside it sees SQLite.
    let database: Database

    /// Opens the store at `path` and migrates it; creates it only when `create`.
    /// - Throws: `StoreError.missing` when there is no store and `create` is false,
    ///   `StoreError.engine` when the file cannot be opened or migrated.
    public init(path: String, create: Bool = false) throws {
        database = try Database(path: path, create: create)
        try Migrations.migrate(database)
    }

    /// Runs `body` in one write transaction: for bulk imports through `insertUser`,
    /// `insertSlot` and `insertBooking`, all kept or none.
    public func importing<T>(_ body: () throws -> T) throws -> T {
        try database.writeTransaction(body)
    }

    /// Runs a rule of `BookingRules` inside the caller's transaction; its refusal
    /// becomes the store error callers know, about `what`.
    func decided(_ what: String, _ rule: () throws(Refusal) -> Void) throws {
        do { try rule() } catch { throw StoreError(refused: error, what) }
    }

    // MARK: Users

    /// Adds a user with no bio and no skills; `listed` publishes their profile page.
    /// - Throws: `StoreError` `.handleTaken` or `.emailTaken`.
    @discardableResult
    public func createUser(handle: Handle, name: String, email: String, passwordHash: String,
                           timezone: String, listed: Bool = true, now: Int64) throws -> Int64 {
        try database.writeTransaction {
            try insertUser(handle: handle, name: name, email: email, passwordHash: passwordHash,
                           bio: "", timezone: timezone, skills: [], listed: listed, now: now)
        }
    }

    /// Inserts a user inside the caller's write transaction (for bulk imports).
    /// - Throws: `StoreError` `.handleTaken` or `.emailTaken`.
    public func insertUser(handle: Handle, name: String, email: String, passwordHash: String, bio: String,
                    timezone: String, skills: [String], listed: Bool = true, now: Int64) throws -> Int64 {
        let byHandle = try database.cached("SELECT 1 FROM users WHERE handle = ?").bind(.text(handle.value)).scalar()
        if byHandle != nil { throw StoreError(.handleTaken, handle.value) }
        let key = Account.emailKey(email)
        let byEmail = try database.cached("SELECT 1 FROM users WHERE email_key = ? OR email = ?").bind(.text(key), .text(email)).scalar()
        if byEmail != nil { throw StoreError(.emailTaken, email) }
        do {
            try database.cached("""
                INSERT INTO users (handle, name, email, email_key, password_hash, bio, timezone, listed, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).bind(.text(handle.value), .text(name), .text(email), .text(key), .text(passwordHash), .text(bio),
                          .text(timezone), .int(listed ? 1 : 0), .int(now), .int(now)).run()
        } catch let e as StoreError where e.reason == .engine(code: SQLiteCode.constraintUnique) {
            throw StoreError(e.detail.contains("email") ? .emailTaken : .handleTaken, handle.value)
        }
        let id = database.lastInsertRowID
        try replaceSkills(of: id, with: skills)
        return id
    }

    func replaceSkills(of userID: Int64, with skills: [String]) throws {
        try database.cached("DELETE FROM skills WHERE user_id = ?").bind(.int(userID)).run()
        let insert = try database.cached("INSERT INTO skills (user_id, position, name) VALUES (?, ?, ?)")
        for (i, name) in skills.enumerated() {
            try insert.bind(.int(userID), .int(Int64(i)), .text(name)).run()
        }
    }

    /// The user with this id, with skills, or nil.
    public func user(id: Int64) throws -> User? {
        try fetchUser(where: "id = ?", .int(id))
    }

    /// The user with this handle, with skills, or nil.
    public func user(handle: String) throws -> User? {
        try fetchUser(where: "handle = ?", .text(handle))
    }

    /// The user whose handle or email (ignoring case and surrounding spaces) is
    /// `login`, with the password hash.
    public func credentials(login: String) throws -> Credentials? {
        let s = try database.prepare("SELECT \(UserRow.columns()), password_hash FROM users WHERE handle = ?1 OR email_key = ?2")
            .bind(.text(login.trimmingWhitespace().lowercased()), .text(Account.emailKey(login)))
        guard try s.step() else { return nil }
        return Credentials(user: UserRow.read(s, skills: []), passwordHash: s.text(UserRow.width))
    }

    /// Publishes (`listed`) or withdraws a user's profile page and directory entry.
    /// - Throws: `StoreError.notFound` when the user is gone.
    public func setListed(userID: Int64, _ listed: Bool, now: Int64) throws {
        try database.writeTransaction {
            try database.prepare("UPDATE users SET listed = ?, updated_at = ? WHERE id = ?")
                .bind(.int(listed ? 1 : 0), .int(now), .int(userID)).run()
            guard database.changes == 1 else { throw StoreError(.notFound, "user \(userID)") }
        }
    }

    /// Accounts whose address folds to another, older account's: the migration that
    /// made addresses unique under Unicode case folding found them and left them
    /// without a key (they log in by handle) for someone to resolve.
    public func emailClashes() throws -> [(handle: String, sameAs: String)] {
        var clashes: [(String, String)] = []
        let holder = try database.prepare("SELECT handle FROM users WHERE email_key = ?")
        try database.prepare("SELECT handle, email FROM users WHERE email_key IS NULL ORDER BY id").forEach {
            let handle = $0.text(0), key = Account.emailKey($0.text(1))
            holder.reset()
            let other = try holder.bind(.text(key)).step() ? holder.text(0) : "?"
            clashes.append((handle, other))
        }
        return clashes
    }

    private func fetchUser(where clause: String, _ value: SQLValue) throws -> User? {
        // Kept compiled: a request reads its own user and often the professional too.
        let s = try database.cached("SELECT \(UserRow.columns()) FROM users WHERE \(clause)").bind(value)
        defer { s.reset() }
        guard try s.step() else { return nil }
        let id = s.int(0)
        return UserRow.read(s, skills: try skills(of: id))
    }

    /// The skills of one user in their order.
    public func skills(of userID: Int64) throws -> [String] {
        var names: [String] = []
        try database.cached("SELECT name FROM skills WHERE user_id = ? ORDER BY position")
            .bind(.int(userID)).forEach { names.append($0.text(0)) }
        return names
    }

    /// Every user ordered by id, without skills.
    public func allUsers() throws -> [User] {
        var users: [User] = []
        try database.prepare("SELECT \(UserRow.columns()) FROM users ORDER BY id").forEach {
            users.append(UserRow.read($0, skills: []))
        }
        return users
    }

    /// Replaces a user's profile fields.
    /// - Throws: `StoreError.notFound` when the user is gone.
    public func updateProfile(userID: Int64, name: String, bio: String, skills: [String], timezone: String, now: Int64) throws {
        try database.writeTransaction {
            try database.prepare("UPDATE users SET name = ?, bio = ?, timezone = ?, updated_at = ? WHERE id = ?")
                .bind(.text(name), .text(bio), .text(timezone), .int(now), .int(userID)).run()
            guard database.changes == 1 else { throw StoreError(.notFound, "user \(userID)") }
            try replaceSkills(of: userID, with: skills)
            // Working hours are local times: a new zone moves the slots they make.
            if try database.prepare("SELECT 1 FROM availability_rules WHERE user_id = ?1 UNION ALL SELECT 1 FROM availability_days WHERE user_id = ?1 LIMIT 1")
                .bind(.int(userID)).scalar() != nil {
                try layAvailability(userID: userID, now: now)
            }
        }
    }

    /// Sets a user's password hash (and ends their sessions).
    /// - Throws: `StoreError.notFound` for an unknown handle.
    public func setPasswordHash(handle: String, _ hash: String, now: Int64) throws {
        try database.writeTransaction {
            try database.prepare("UPDATE users SET password_hash = ?, updated_at = ? WHERE handle = ?")
                .bind(.text(hash), .int(now), .text(handle)).run()
            guard database.changes == 1 else { throw StoreError(.notFound, handle) }
            try database.prepare("DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE handle = ?)")
                .bind(.text(handle)).run()
        }
    }

    /// Removes a user with their slots, bookings and sessions.
    /// - Throws: `StoreError.notFound` for an unknown handle.
    public func removeUser(handle: String) throws {
        try database.writeTransaction {
            try database.prepare("DELETE FROM users WHERE handle = ?").bind(.text(handle)).run()
            guard database.changes == 1 else { throw StoreError(.notFound, handle) }
        }
    }
}
