import SlotsiteCore

/// The store's schema as a named, append-only list: never edit a shipped migration,
/// add a new one.
enum Migrations {
    static let all: [(name: String, sql: String)] = [
        ("1-users-slots-bookings", """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            handle TEXT NOT NULL UNIQUE CHECK (length(handle) BETWEEN 3 AND 32 AND handle NOT GLOB '*[^a-z0-9-]*'),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
            email TEXT NOT NULL COLLATE NOCASE UNIQUE,
            password_hash TEXT NOT NULL,
            bio TEXT NOT NULL DEFAULT '' CHECK (length(bio) <= 10000),
            timezone TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE skills (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 40),
            PRIMARY KEY (user_id, position)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE slots (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            starts_at INTEGER NOT NULL,
            ends_at INTEGER NOT NULL,
            CHECK (starts_at < ends_at),
            CHECK (ends_at - starts_at BETWEEN 300 AND 43200)
        ) STRICT;
        -- The build reads free future slots ordered by professional and start.
        CREATE INDEX slots_by_user_start ON slots (user_id, starts_at);
        CREATE TABLE bookings (
            id INTEGER PRIMARY KEY,
            slot_id INTEGER NOT NULL REFERENCES slots(id) ON DELETE CASCADE,
            client_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            note TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
            created_at INTEGER NOT NULL,
            cancelled_at INTEGER
        ) STRICT;
        -- At most one active booking per slot, whatever the callers do.
        CREATE UNIQUE INDEX bookings_one_active_per_slot ON bookings (slot_id) WHERE cancelled_at IS NULL;
        CREATE INDEX bookings_by_client ON bookings (client_id, created_at);
        """),
        ("2-build-pages", """
        -- The files the builder wrote, so it removes only its own, and when each goes stale.
        CREATE TABLE pages (
            path TEXT PRIMARY KEY,
            stale_at INTEGER
        ) STRICT, WITHOUT ROWID;
        """),
        ("3-sessions-login-attempts", """
        CREATE TABLE sessions (
            token_hash BLOB PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at INTEGER NOT NULL,
            last_seen_at INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX sessions_by_user ON sessions (user_id);
        CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            address TEXT NOT NULL,
            at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX login_attempts_by_account ON login_attempts (account, at);
        CREATE INDEX login_attempts_by_address ON login_attempts (address, at);
        """),
        ("4-versions-and-fingerprints", """
        -- Every change to what a profile page shows bumps its owner's version, whoever
        -- makes it (CGI, command line or plain SQL), so a build can skip pages whose
        -- inputs are unchanged without reading them.
        ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE pages ADD COLUMN fingerprint TEXT;
        CREATE TRIGGER users_changed AFTER UPDATE OF handle, name, bio, timezone ON users
            BEGIN UPDATE users SET version = version + 1 WHERE id = NEW.id; END;
        CREATE TRIGGER skills_added AFTER INSERT ON skills
            BEGIN UPDATE users SET version = version + 1 WHERE id = NEW.user_id; END;
        CREATE TRIGGER skills_removed AFTER DELETE ON skills
            BEGIN UPDATE users SET version = version + 1 WHERE id = OLD.user_id; END;
        CREATE TRIGGER skills_changed AFTER UPDATE ON skills
            BEGIN UPDATE users SET version = version + 1 WHERE id IN (OLD.user_id, NEW.user_id); END;
        CREATE TRIGGER slots_added AFTER INSERT ON slots
            BEGIN UPDATE users SET version = version + 1 WHERE id = NEW.user_id; END;
        CREATE TRIGGER slots_removed AFTER DELETE ON slots
            BEGIN UPDATE users SET version = version + 1 WHERE id = OLD.user_id; END;
        CREATE TRIGGER slots_changed AFTER UPDATE ON slots
            BEGIN UPDATE users SET version = version + 1 WHERE id IN (OLD.user_id, NEW.user_id); END;
        CREATE TRIGGER bookings_added AFTER INSERT ON bookings
            BEGIN UPDATE users SET version = version + 1 WHERE id = (SELECT user_id FROM slots WHERE id = NEW.slot_id); END;
        CREATE TRIGGER bookings_removed AFTER DELETE ON bookings
            BEGIN UPDATE users SET version = version + 1 WHERE id = (SELECT user_id FROM slots WHERE id = OLD.slot_id); END;
        CREATE TRIGGER bookings_changed AFTER UPDATE ON bookings
            BEGIN UPDATE users SET version = version + 1
                  WHERE id IN (SELECT user_id FROM slots WHERE id IN (OLD.slot_id, NEW.slot_id)); END;
        """),
        ("5-unsynced-pages", """
        -- The boot (/proc/sys/kernel/random/boot_id) in which the CGI wrote a page without
        -- syncing it; NULL once it is known to be on disk. Only a reboot can lose an
        -- unsynced write, so a build trusts such a record only within the same boot.
        ALTER TABLE pages ADD COLUMN unsynced_boot TEXT;
        """),
        ("6-next-free-cache", """
        -- The start of each professional's first free slot (NULL: none), as found at their
        -- `version`. It still holds while the version is the same and that start is ahead:
        -- slots only stop being free as time passes. A cache the page renderer fills, so
        -- a directory page reads one row per professional instead of searching slots.
        CREATE TABLE next_free (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            starts_at INTEGER
        ) STRICT;
        """),
        ("7-covering-slot-index", """
        -- Slots by professional and start, with the end: reading a professional's slots
        -- (every page, every overlap check) needs the index alone, not a table lookup
        -- per slot. Queries order by starts_at, ends_at, id, the index's order; one
        -- professional's slots never overlap, so that is the order of starts_at, id.
        DROP INDEX slots_by_user_start;
        CREATE INDEX slots_by_user_start_end ON slots (user_id, starts_at, ends_at);
        """),
        ("8-cooked-bios", """
        -- Each bio's HTML as the renderer cooked it from the Markdown in `bio`, with the
        -- renderer's `format`, so that rendering a profile page does not parse Markdown
        -- again (a sixth of a full build's user CPU). An entry is used only while its `bio`
        -- is the user's bio and its format the renderer's, however the bio was changed.
        CREATE TABLE cooked_bios (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            format INTEGER NOT NULL,
            bio TEXT NOT NULL,
            html TEXT NOT NULL
        ) STRICT;
        """),
        ("9-private-accounts-folded-emails", """
        -- Accounts are private until they offer time; those that have slots offer it.
        ALTER TABLE users ADD COLUMN listed INTEGER NOT NULL DEFAULT 0 CHECK (listed IN (0, 1));
        UPDATE users SET listed = 1 WHERE EXISTS (SELECT 1 FROM slots WHERE slots.user_id = users.id);
        DROP TRIGGER users_changed;
        CREATE TRIGGER users_changed AFTER UPDATE OF handle, name, bio, timezone, listed ON users
            BEGIN UPDATE users SET version = version + 1 WHERE id = NEW.id; END;
        -- Addresses are unique under Unicode case folding (Account.emailKey), which SQLite
        -- cannot compute: the key is filled in by `fillEmailKeys` below.
        ALTER TABLE users ADD COLUMN email_key TEXT;
        -- Failures were keyed on the login as typed; they are now keyed on the account.
        DELETE FROM login_attempts;
        """),
        // 10: the page records, first-free cache and cooked bios move to each host's
        // BuildLedger; `takeLegacyLedger` moves their rows there and drops the tables.
        ("11-mail-outbox-account-tokens", """
        ALTER TABLE users ADD COLUMN booking_mail INTEGER NOT NULL DEFAULT 1 CHECK (booking_mail IN (0, 1));
        ALTER TABLE users ADD COLUMN reminder_mail INTEGER NOT NULL DEFAULT 1 CHECK (reminder_mail IN (0, 1));
        ALTER TABLE bookings ADD COLUMN cancelled_by TEXT CHECK (cancelled_by IN ('professional', 'client'));
        -- Set once the reminders of an active booking are in the outbox (or it needs none).
        -- No index: the drain's scan of bookings once a minute costs less than an index
        -- page more in every booking's commit.
        ALTER TABLE bookings ADD COLUMN reminded INTEGER NOT NULL DEFAULT 0;
        -- Messages to send, each with the facts its text needs as they were when the
        -- change that caused it was written: no row it names has to exist at sending.
        -- `token`: the secret of a reset or confirmation link, cleared once the message
        -- is sent. `claimed_until`: a drain sending it holds it until then; a drain that
        -- died lets it go. (Comments inside a CREATE are stored, and every process that
        -- opens the store parses them.)
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('booking', 'cancellation', 'reminder', 'reset', 'confirm')),
            user_id INTEGER NOT NULL,
            to_name TEXT NOT NULL,
            to_address TEXT NOT NULL,
            to_timezone TEXT NOT NULL,
            booking_id INTEGER,
            starts_at INTEGER,
            ends_at INTEGER,
            role TEXT CHECK (role IN ('professional', 'client')),
            other_name TEXT,
            other_handle TEXT,
            professional_handle TEXT,
            note TEXT,
            cancelled_by TEXT CHECK (cancelled_by IN ('professional', 'client')),
            token TEXT,
            created_at INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            claimed_until INTEGER,
            last_error TEXT,
            sent_at INTEGER,
            failed_at INTEGER
        ) STRICT;
        CREATE INDEX outbox_waiting ON outbox (due_at) WHERE sent_at IS NULL AND failed_at IS NULL;
        -- Password reset and address confirmation links: only their SHA-256 is kept.
        CREATE TABLE account_tokens (
            token_hash BLOB PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'email')),
            email TEXT,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX account_tokens_by_user ON account_tokens (user_id);
        -- Password reset requests, by the address typed and by the client's address.
        CREATE TABLE reset_requests (
            id INTEGER PRIMARY KEY,
            email_key TEXT NOT NULL,
            address TEXT NOT NULL,
            at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX reset_requests_by_key ON reset_requests (email_key, at);
        CREATE INDEX reset_requests_by_address ON reset_requests (address, at);
        """),
        ("12-calendars", """
        -- When each slot was offered: its feed entry's DTSTAMP. Older slots take their
        -- professional's registration, the latest instant known to be before it.
        ALTER TABLE slots ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
        UPDATE slots SET created_at = (SELECT created_at FROM users WHERE users.id = slots.user_id);
        -- Pages and feeds read slots from the index alone, so it carries the new column.
        DROP INDEX slots_by_user_start_end;
        CREATE INDEX slots_by_user_start_end ON slots (user_id, starts_at, ends_at, created_at);
        -- The private booking feed: its secret URL is derived from the site's calendar key
        -- and `generation` (a new address is the next generation); only its hash is here.
        CREATE TABLE calendar_feeds (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            generation INTEGER NOT NULL,
            token_hash BLOB NOT NULL UNIQUE
        ) STRICT;
        CREATE INDEX bookings_by_slot ON bookings (slot_id);
        """),
        ("13-weekly-availability", """
        -- How slots are laid into working hours, and the notice that hides the nearest.
        ALTER TABLE users ADD COLUMN slot_length INTEGER NOT NULL DEFAULT 45 CHECK (slot_length BETWEEN 5 AND 720);
        ALTER TABLE users ADD COLUMN slot_buffer INTEGER NOT NULL DEFAULT 15 CHECK (slot_buffer BETWEEN 0 AND 240);
        ALTER TABLE users ADD COLUMN notice_hours INTEGER NOT NULL DEFAULT 0 CHECK (notice_hours BETWEEN 0 AND 720);
        ALTER TABLE users ADD COLUMN horizon_days INTEGER NOT NULL DEFAULT 28 CHECK (horizon_days BETWEEN 1 AND 365);
        -- The last date (days since 1970-01-01, the user's calendar) whose rule-made slots
        -- are in place; NULL: lay them all again.
        ALTER TABLE users ADD COLUMN laid_through INTEGER;
        -- A slot the working hours made (1) or one entered by hand (0).
        ALTER TABLE slots ADD COLUMN rule_made INTEGER NOT NULL DEFAULT 0 CHECK (rule_made IN (0, 1));
        CREATE TABLE availability_rules (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            weekday INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
            start_minute INTEGER NOT NULL,
            end_minute INTEGER NOT NULL,
            CHECK (0 <= start_minute AND start_minute < end_minute AND end_minute < 1440)
        ) STRICT;
        CREATE INDEX availability_rules_by_user ON availability_rules (user_id, weekday);
        -- A date's own hours; start and end both NULL: the date is off.
        CREATE TABLE availability_days (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            date INTEGER NOT NULL,
            start_minute INTEGER,
            end_minute INTEGER,
            CHECK ((start_minute IS NULL AND end_minute IS NULL)
                   OR (0 <= start_minute AND start_minute < end_minute AND end_minute < 1440))
        ) STRICT;
        CREATE INDEX availability_days_by_user ON availability_days (user_id, date);
        -- The notice hides slots from pages: a change of it is a change of what they show.
        DROP TRIGGER users_changed;
        CREATE TRIGGER users_changed AFTER UPDATE OF handle, name, bio, timezone, listed, notice_hours ON users
            BEGIN UPDATE users SET version = version + 1 WHERE id = NEW.id; END;
        """),
    ]

    /// Steps in Swift that run after a migration's SQL, in its transaction.
    static let after: [String: @Sendable (Database) throws -> Void] = [
        "9-private-accounts-folded-emails": fillEmailKeys,
    ]

    /// Fills `email_key` from each address, the oldest account first; an account whose
    /// key an older one holds keeps none (`Store.emailClashes` names it) rather than
    /// failing the migration or merging two people's accounts.
    static func fillEmailKeys(_ db: Database) throws {
        var rows: [(id: Int64, email: String)] = []
        try db.prepare("SELECT id, email FROM users ORDER BY id").forEach { rows.append(($0.int(0), $0.text(1))) }
        var seen = Set<String>()
        let update = try db.prepare("UPDATE users SET email_key = ? WHERE id = ?")
        for row in rows {
            let key = Account.emailKey(row.email)
            guard seen.insert(key).inserted else { continue }
            try update.bind(.text(key), .int(row.id)).run()
        }
        try db.execute("CREATE UNIQUE INDEX users_email_key ON users (email_key)")
    }

    /// Applies every migration of `list` (the store's by default) not yet recorded,
    /// each in its own write transaction.
    /// - Returns: the names of the migrations this call applied.
    @discardableResult
    static func migrate(_ db: Database, through last: Int? = nil, list: [(name: String, sql: String)] = all) throws -> [String] {
        // Every CGI process opens the store: a database that has the whole list says so in
        // its header (user_version), one read instead of the migrations table's.
        if last == nil, try db.prepare("PRAGMA user_version").scalar() == Int64(list.count) { return [] }
        var ran: [String] = []
        try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT")
        let applied = try db.prepare("SELECT name FROM schema_migrations")
        var done = Set<String>()
        try applied.forEach { done.insert($0.text(0)) }
        for migration in list.prefix(last ?? list.count) where !done.contains(migration.name) {
            try db.writeTransaction {
                // Another process may have applied it while this one waited for the lock.
                guard try db.prepare("SELECT 1 FROM schema_migrations WHERE name = ?").bind(.text(migration.name)).scalar() == nil
                else { return }
                try db.execute(migration.sql)
                try after[migration.name]?(db)
                try db.prepare("INSERT INTO schema_migrations (name, applied_at) VALUES (?, unixepoch())")
                    .bind(.text(migration.name)).run()
                ran.append(migration.name)
            }
        }
        // Best effort: a reader without write access still finds the list complete.
        if last == nil { try? db.execute("PRAGMA user_version = \(list.count)") }
        return ran
    }
}
