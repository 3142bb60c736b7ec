import CSQLite
import Glibc

/// One SQLite connection; with `Statement` and `SyncedWAL`, the only code that touches
/// SQLite's C pointers.
///
/// Not thread-safe: a process opens one per thread that needs it.
final class Database {
    private let handle: OpaquePointer
    let path: String

    /// How a database keeps its writes.
    enum Durability {
        /// WAL and `synchronous=FULL`: readers never wait for writers, and a commit
        /// survives a power cut.
        case shared
        /// A rollback journal without syncs, for a cache only ever used under the site
        /// lock: no WAL to recover in each process that opens it, and a commit that a
        /// crash undoes whole but a power cut may lose.
        case cache
    }

    /// Opens the database file at `path` (creating it only when `create`), with
    /// foreign keys on and a busy wait of at least 10 s.
    /// - Throws: `StoreError.missing` when there is no file and `create` is false,
    ///   `StoreError.engine` when the file cannot be opened or configured.
    init(path: String, create: Bool = false, durability: Durability = .shared) throws {
        _ = Database.configured
        if !create, access(path, F_OK) != 0 { throw StoreError(.missing, path) }
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, SyncedWAL.registered ? SyncedWAL.name : nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw StoreError(.engine(code: rc), "cannot open \(path): \(message)")
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        // Waits for another writer in 100 µs steps, for at least 10 s in all. SQLite's
        // busy_timeout sleeps 1, 2, 5, 10, 15… ms between tries, while a CGI write holds
        // the lock for well under a millisecond: waiters would sleep past their turn.
        sqlite3_busy_handler(db, { _, tries in
            guard tries < 100_000 else { return 0 }
            usleep(100)
            return 1
        }, nil)
        try execute("PRAGMA foreign_keys = ON")
        guard durability == .shared else {
            try execute("PRAGMA journal_mode = TRUNCATE")
            try execute("PRAGMA synchronous = OFF")
            return
        }
        try execute("PRAGMA journal_mode = WAL")
        slotsite_keep_wal_on_close(db)
        try execute("PRAGMA synchronous = FULL")
        // Every CGI process that finds no other connection open rebuilds the WAL index
        // by reading and checksumming the whole WAL: keep it short.
        try execute("PRAGMA wal_autocheckpoint = \(Database.checkpointPages)")
    }

    /// Process-wide settings, made once before SQLite first initialises (which finding
    /// its file layers does).
    private static let configured: Void = {
        _ = slotsite_configure_memory()
        _ = SyncedWAL.registered
    }()

    /// WAL size, in pages, past which a commit checkpoints.
    static let checkpointPages = 64

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? ""
            sqlite3_free(message)
            throw Database.error(rc, "\(text) in: \(sql)")
        }
    }

    /// Compiles one statement.
    func prepare(_ sql: String) throws -> Statement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, sql) }
        return Statement(stmt, database: self, sql: sql)
    }

    private var statements: [String: Statement] = [:]

    /// A compiled statement kept for reuse: for statements run many times in a loop.
    /// Never iterate a cached statement while running the same SQL inside the loop.
    func cached(_ sql: String) throws -> Statement {
        if let statement = statements[sql] { return statement }
        let statement = try prepare(sql)
        statements[sql] = statement
        return statement
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: commits when it returns,
    /// rolls back when it throws. Inside another transaction it is a savepoint of it.
    func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        let nested = isInTransaction
        try execute(nested ? "SAVEPOINT inner" : "BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute(nested ? "RELEASE inner" : "COMMIT")
            return value
        } catch {
            try? execute(nested ? "ROLLBACK TO inner; RELEASE inner" : "ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in one read transaction, so every query in it sees one snapshot;
    /// inside another transaction, in that one.
    func readTransaction<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction { return try body() }
        try execute("BEGIN DEFERRED")
        defer { try? execute("COMMIT") }
        return try body()
    }

    /// Whether a transaction is open on this connection.
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    var changes: Int { Int(sqlite3_changes(handle)) }
    /// Rows changed since the connection opened, by triggers too.
    var totalChanges: Int { Int(sqlite3_total_changes(handle)) }

    func error(_ rc: Int32, _ sql: String) -> StoreError {
        let code = sqlite3_extended_errcode(handle)
        return Database.error(code == 0 ? rc : code, String(cString: sqlite3_errmsg(handle)) + " in: " + sql)
    }

    /// A store error for SQLite's result `code`: `.busy` when another writer held the
    /// database past the busy wait, which callers answer as "try again".
    static func error(_ code: Int32, _ detail: String) -> StoreError {
        let primary = code & 0xFF
        return StoreError(primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? .busy : .engine(code: code), detail)
    }
}

/// Extended result codes the store maps to domain reasons.
enum SQLiteCode {
    static let constraintUnique: Int32 = 2067      // SQLITE_CONSTRAINT_UNIQUE
    static let constraintPrimaryKey: Int32 = 1555  // SQLITE_CONSTRAINT_PRIMARYKEY
}
