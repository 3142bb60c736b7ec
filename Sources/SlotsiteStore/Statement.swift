import CSQLite

/// A value bound to a statement parameter.
enum SQLValue: Sendable, Equatable {
    case int(Int64)
    case text(String)
    case blob([UInt8])
    case null
}

/// A compiled statement; reset and re-bound for each use, finalized on deinit.
final class Statement {
    private let stmt: OpaquePointer
    private unowned let database: Database
    let sql: String

    init(_ stmt: OpaquePointer, database: Database, sql: String) {
        self.stmt = stmt
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(stmt) }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Resets the statement and binds `values` to its parameters in order.
    @discardableResult
    func bind(_ values: SQLValue...) -> Statement { bind(values) }

    @discardableResult
    func bind(_ values: [SQLValue]) -> Statement {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            switch value {
            case .int(let v): sqlite3_bind_int64(stmt, index, v)
            case .null: sqlite3_bind_null(stmt, index)
            case .blob(let bytes):
                _ = bytes.withUnsafeBytes { sqlite3_bind_blob(stmt, index, $0.baseAddress, Int32($0.count), Statement.transient) }
            case .text(let s):
                var s = s
                s.withUTF8 { buf in
                    guard let base = buf.baseAddress, buf.count > 0 else {
                        _ = sqlite3_bind_text(stmt, index, "", 0, Statement.transient)
                        return
                    }
                    _ = sqlite3_bind_text(stmt, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                                          Int32(buf.count), Statement.transient)
                }
            }
        }
        return self
    }

    /// Steps once: true when a row is ready to read, false when done.
    /// - Throws: `StoreError.engine` with the statement's SQL.
    func step() throws -> Bool {
        let rc = sqlite3_step(stmt)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let e = database.error(rc, sql)
            sqlite3_reset(stmt)
            throw e
        }
    }

    /// Steps to completion, for statements that return no rows.
    func run() throws {
        while try step() {}
    }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(stmt, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, column) else { return "" }
        let n = Int(sqlite3_column_bytes(stmt, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// Calls `row` for each result row.
    func forEach(_ row: (Statement) throws -> Void) throws {
        while try step() { try row(self) }
    }

    /// Ends a step through the rows before the last: a statement left on a row keeps
    /// its read transaction open, which matters for one kept by `Database.cached`.
    func reset() { sqlite3_reset(stmt) }

    /// The first column of the first row as an integer, if there is a row.
    func scalar() throws -> Int64? {
        defer { sqlite3_reset(stmt) }
        return try step() ? int(0) : nil
    }
}
