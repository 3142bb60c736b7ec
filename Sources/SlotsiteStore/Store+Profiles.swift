import SlotsiteCore

/// What a public profile page shows: the user, their skills and free future slots.
public struct ProfileRecord: Sendable, Equatable {
    public let user: User
    /// Free slots starting after the build's clock, by start time.
    public let freeSlots: [Slot]
    /// The user's version when this was read.
    public let version: Int64
    /// The bio's HTML as cooked before, when the ledger has it for this very bio.
    public var cookedBio: CookedBio?

    /// When the page goes stale: its first shown slot comes within the notice.
    public var staleAt: Int64? { freeSlots.first.map { $0.range.start - user.noticeSeconds } }

    public init(user: User, freeSlots: [Slot], version: Int64, cookedBio: CookedBio? = nil) {
        self.user = user
        self.freeSlots = freeSlots
        self.version = version
        self.cookedBio = cookedBio
    }
}

/// A bio's HTML, cooked from its Markdown by a renderer of format `format`: the build
/// ledger keeps it for as long as the user's bio is `bio`.
public struct CookedBio: Sendable, Equatable {
    public let userID: Int64
    public let format: Int64
    /// The Markdown the HTML was cooked from.
    public let bio: String
    public let html: String

    public init(userID: Int64, format: Int64, bio: String, html: String) {
        self.userID = userID
        self.format = format
        self.bio = bio
        self.html = html
    }
}

/// The start of a professional's first free slot (nil: none) found at their `version`.
public struct NextFree: Sendable, Equatable {
    public let userID: Int64
    public let version: Int64
    public let start: Int64?
    /// What the professional's zone said when it was loaded: the UTC offset at `start`
    /// (0 when there is none). Nil until then, or when it did not load. A directory row
    /// with it needs no zone.
    public let offset: Int?

    public init(userID: Int64, version: Int64, start: Int64?, offset: Int? = nil) {
        self.userID = userID
        self.version = version
        self.start = start
        self.offset = offset
    }
}

extension Store {
    /// Every slot starting after ?1, by professional and start: the covering index
    /// in its own order. The whole-site stream leaves out booked slots itself, from one
    /// read of them, instead of a bookings lookup per slot (half of this query's time).
    static let futureSlotsSQL = """
        SELECT \(SlotRow.columns()) FROM slots WHERE starts_at > ?1
        ORDER BY user_id, starts_at, ends_at, id
        """

    /// One professional's free slots: a range of the (user_id, starts_at, ends_at) index.
    static let freeSlotsOfUserSQL = """
        SELECT \(SlotRow.columns("s")) FROM slots s
        WHERE s.user_id = ?2 AND s.starts_at > ?1
          AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.slot_id = s.id AND b.cancelled_at IS NULL)
        ORDER BY s.starts_at, s.ends_at, s.id
        """

    /// Streams every listed profile in user-id order, each with its skills and free slots
    /// starting after `now`: three ordered queries merged, so memory holds one profile
    /// (and the ids of the booked slots).
    public func forEachProfile(now: Int64, _ body: (ProfileRecord) throws -> Void) throws {
        try database.readTransaction {
            var booked = IDSet()
            try database.prepare("SELECT slot_id FROM bookings WHERE cancelled_at IS NULL").forEach { booked.insert($0.int(0)) }
            let users = try database.prepare("""
                SELECT \(UserRow.columns()), version FROM users WHERE listed = 1 ORDER BY id
                """)
            let skills = try database.prepare("SELECT user_id, name FROM skills ORDER BY user_id, position")
            let slots = try database.prepare(Store.futureSlotsSQL).bind(.int(now))
            var skillRow = try skills.step()
            var slotRow = try slots.step()
            // Arrays sized like the previous profile's: growing one slot at a time
            // reallocated each list several times.
            var slotCount = 0
            while try users.step() {
                let id = users.int(0)
                var names: [String] = []
                while skillRow, skills.int(0) <= id {
                    if skills.int(0) == id { names.append(skills.text(1)) }
                    skillRow = try skills.step()
                }
                var free: [Slot] = []
                free.reserveCapacity(slotCount)
                // Slots within the professional's notice are not shown.
                let shownAfter = now + users.int(7) * 3600
                while slotRow {
                    let owner = slots.int(1)
                    guard owner <= id else { break }
                    let slotID = slots.int(0)
                    if owner == id, !booked.contains(slotID), slots.int(2) > shownAfter {
                        free.append(SlotRow.read(slots))
                    }
                    slotRow = try slots.step()
                }
                slotCount = free.count
                try body(ProfileRecord(user: UserRow.read(users, skills: names), freeSlots: free, version: users.int(UserRow.width)))
            }
        }
    }

    /// One profile with its free slots after `now`, or nil when the user is gone or private.
    public func profile(userID: Int64, now: Int64) throws -> ProfileRecord? {
        try database.readTransaction {
            let row = try database.prepare("SELECT version FROM users WHERE id = ? AND listed = 1").bind(.int(userID))
            guard let user = try user(id: userID), try row.step() else { return nil }
            var free: [Slot] = []
            try database.prepare(Store.freeSlotsOfUserSQL).bind(.int(now + user.noticeSeconds), .int(userID)).forEach {
                free.append(SlotRow.read($0))
            }
            return ProfileRecord(user: user, freeSlots: free, version: row.int(0))
        }
    }

    /// The listed users with ids in `ids`, each with skills and version: whom one
    /// directory page lists (their email and bio are left empty, unread).
    public func directoryMembers(ids: ClosedRange<Int64>) throws -> [(user: User, version: Int64)] {
        try database.readTransaction {
            var skills: [Int64: [String]] = [:]
            try database.prepare("SELECT user_id, name FROM skills WHERE user_id BETWEEN ? AND ? ORDER BY user_id, position")
                .bind(.int(ids.lowerBound), .int(ids.upperBound)).forEach { skills[$0.int(0), default: []].append($0.text(1)) }
            var rows: [(user: User, version: Int64)] = []
            try database.prepare("""
                SELECT \(UserRow.columns(withoutText: true)), version FROM users
                WHERE id BETWEEN ?1 AND ?2 AND listed = 1 ORDER BY id
                """).bind(.int(ids.lowerBound), .int(ids.upperBound)).forEach {
                rows.append((UserRow.read($0, skills: skills[$0.int(0)] ?? []), $0.int(UserRow.width)))
            }
            return rows
        }
    }

    /// The start of `userID`'s first free slot after `now`, if any.
    public func firstFreeStart(of userID: Int64, after now: Int64) throws -> Int64? {
        try database.cached(Store.nextFreeSQL).bind(.int(now), .int(userID)).scalar()
    }

    /// The start of one professional's first free slot after ?1 and their notice.
    static let nextFreeSQL = """
        SELECT s.starts_at FROM slots s
        WHERE s.user_id = ?2 AND s.starts_at > ?1 + (SELECT notice_hours * 3600 FROM users WHERE id = ?2)
          AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.slot_id = s.id AND b.cancelled_at IS NULL)
        ORDER BY s.starts_at, s.ends_at, s.id LIMIT 1
        """

    /// The largest listed user id below `id`, if any.
    public func userID(before id: Int64) throws -> Int64? {
        try database.prepare("SELECT max(id) FROM users WHERE id < ? AND listed = 1").bind(.int(id)).scalar().flatMap { $0 == 0 ? nil : $0 }
    }

    /// The smallest listed user id above `id`, if any.
    public func userID(after id: Int64) throws -> Int64? {
        let s = try database.prepare("SELECT min(id) FROM users WHERE id > ? AND listed = 1").bind(.int(id))
        guard try s.step(), !s.isNull(0) else { return nil }
        return s.int(0)
    }
}

/// A set of row ids, as one bit each up to the largest: SQLite numbers rows from 1
/// up, so a site's slot ids are dense, and the whole-site stream tests one per slot,
/// a bit test where a hashed set hashes the id. Ids beyond 2^26 (a bit array of 8 MiB)
/// go to a hashed set.
struct IDSet {
    private var bits: [UInt64] = []
    private var others = Set<Int64>()
    private static let limit: Int64 = 1 << 26

    mutating func insert(_ id: Int64) {
        guard id >= 0, id < IDSet.limit else { others.insert(id); return }
        let word = Int(id >> 6)
        if word >= bits.count { bits += repeatElement(0, count: max(word + 1 - bits.count, bits.count)) }
        bits[word] |= 1 << UInt64(id & 63)
    }

    func contains(_ id: Int64) -> Bool {
        guard id >= 0, id < IDSet.limit else { return others.contains(id) }
        let word = Int(id >> 6)
        return word < bits.count && bits[word] & (1 << UInt64(id & 63)) != 0
    }
}
