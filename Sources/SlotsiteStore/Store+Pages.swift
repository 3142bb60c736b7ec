extension Store {
    /// The files the builder wrote, relative to the output folder, with the instant at
    /// which each goes stale (nil: only a data change makes it stale).
    public func builtPages() throws -> [String: Int64?] {
        var pages: [String: Int64?] = [:]
        try database.prepare("SELECT path, stale_at FROM pages").forEach {
            pages[$0.text(0)] = $0.isNull(1) ? .some(nil) : $0.int(1)
        }
        return pages
    }

    /// Records pages written (with their stale instant) and forgets removed ones, in one transaction.
    public func recordPages(written: [(path: String, staleAt: Int64?)], removed: [String] = []) throws {
        try database.writeTransaction {
            let upsert = try database.prepare("INSERT OR REPLACE INTO pages (path, stale_at) VALUES (?, ?)")
            for page in written {
                try upsert.bind(.text(page.path), page.staleAt.map { .int($0) } ?? .null).run()
            }
            let delete = try database.prepare("DELETE FROM pages WHERE path = ?")
            for path in removed { try delete.bind(.text(path)).run() }
        }
    }
}
