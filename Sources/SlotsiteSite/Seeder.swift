import SlotsiteCore
import SlotsiteRender
import SlotsiteStore

/// Deterministic demo data: the same arguments on the same UTC day give the same store.
public struct Seeder {
    public let users: Int
    public let slotsPerUser: Int
    public let seed: UInt64

    public init(users: Int, slotsPerUser: Int, seed: UInt64) {
        self.users = users
        self.slotsPerUser = slotsPerUser
        self.seed = seed
    }

    /// The password hash seeded accounts get: no password matches it, so nobody can
    /// log in as a seeded professional until `slotsite user passwd` sets one.
    public static let lockedPasswordHash = "!"

    /// Adds the professionals, their slots (8 a day, hourly from 09:00 local, 45
    /// minutes, from the next local day on) and a few bookings by other seeded
    /// users, in one transaction. Every fourth professional has working hours instead
    /// (every day 09:00–17:00, 45-minute slots, 15 minutes between, as many days ahead
    /// as make about as many slots), laid from the next local day on.
    /// - Throws: `StoreError.handleTaken` when the store already holds a seeded handle.
    public func run(into store: Store, ledger: BuildLedger? = nil, now: Int64) throws {
        var cooked: [CookedBio] = []
        var rng = SplitMix64(seed: seed)
        let today = now - ((now % 86_400) + 86_400) % 86_400
        try store.importing {
            var ids: [Int64] = []
            var slotIDs: [(slot: Int64, owner: Int)] = []
            for i in 0..<users {
                let first = Seeder.firstNames[rng.below(Seeder.firstNames.count)]
                let last = Seeder.lastNames[rng.below(Seeder.lastNames.count)]
                let handle = try Handle("\(first)-\(last)-\(i + 1)".lowercased())
                let zoneName = Seeder.zones[rng.below(Seeder.zones.count)]
                let skills = Seeder.pick(from: Seeder.skills, count: 3 + rng.below(3), &rng)
                let bio = Seeder.bio(first: first, skills: skills, &rng)
                let id = try store.insertUser(handle: handle, name: "\(first) \(last)", email: "\(handle.value)@example.org",
                                              passwordHash: Seeder.lockedPasswordHash, bio: bio,
                                              timezone: zoneName, skills: skills, now: today)
                if ledger != nil { cooked.append(CookedBio(userID: id, format: Markdown.format, bio: bio, html: Markdown.html(from: bio))) }
                ids.append(id)
                let zone = try Zone(zoneName)
                if i % 4 == 3, slotsPerUser > 0 {
                    let hours = Availability.Interval(start: LocalTime(hour: 9, minute: 0)!, end: LocalTime(hour: 17, minute: 0)!)
                    try store.insertAvailability(userID: id, rules: (0...6).map { ($0, hours) },
                                                 settings: Availability.Settings(horizon: min(365, (slotsPerUser + 7) / 8)))
                    // Laid from the next local midnight, as the hand-made slots start.
                    let midnight = CivilDate(daysSinceEpoch: zone.local(now).date.daysSinceEpoch + 1)
                    let from = (try? zone.instant(of: midnight, LocalTime(hour: 0, minute: 0)!)) ?? now + 86_400
                    try store.layAvailability(userID: id, now: from)
                    continue
                }
                let startDay = zone.local(now).date.daysSinceEpoch + 1
                for j in 0..<slotsPerUser {
                    let date = CivilDate(daysSinceEpoch: startDay + Int64(j / 8))
                    let start = try zone.instant(of: date, LocalTime(hour: 9 + j % 8, minute: 0)!)
                    let slot = try store.insertSlot(userID: id, range: TimeRange(start: start, end: start + 45 * 60), createdAt: today)
                    slotIDs.append((slot, i))
                }
            }
            // About one slot in ten is booked by another seeded professional.
            guard users > 1 else { return }
            for (slot, owner) in slotIDs where rng.below(10) == 0 {
                var client = rng.below(users - 1)
                if client >= owner { client += 1 }
                try store.insertBooking(slotID: slot, clientID: ids[client], note: "Looking forward to it.", now: today)
            }
        }
        // Kept cooked, as a render keeps them, so that a first build runs no Markdown.
        try ledger?.record([], cooked: cooked)
    }

    static func bio(first: String, skills: [String], _ rng: inout SplitMix64) -> String {
        let opener = openers[rng.below(openers.count)]
        let focus = skills.map { "**\($0)**" }.joined(separator: ", ")
        let years = 3 + rng.below(20)
        return """
        ## About \(first)

        \(opener) I have \(years) years of experience with \(focus).

        In a first session we usually:

        - look at where you are now,
        - agree on one goal for the next weeks,
        - and plan the first small step.

        *Sessions are 45 minutes, online or by phone.*
        """
    }

    static func pick(from pool: [String], count: Int, _ rng: inout SplitMix64) -> [String] {
        var left = pool
        var out: [String] = []
        for _ in 0..<min(count, pool.count) { out.append(left.remove(at: rng.below(left.count))) }
        return out
    }

    static let firstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Niklaus", "Radia", "Ken",
                             "Margaret", "John", "Katherine", "Tim", "Hedy", "Linus", "Sophie", "Dennis", "Karen", "Bjarne"]
    static let lastNames = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Wirth", "Perlman",
                            "Thompson", "Hamilton", "Backus", "Johnson", "Berners-Lee", "Lamarr", "Torvalds", "Wilson",
                            "Ritchie", "Jones", "Stroustrup"]
    static let zones = ["Europe/Berlin", "America/New_York", "Europe/London", "Asia/Tokyo", "Australia/Sydney",
                        "America/Los_Angeles", "UTC", "Asia/Kolkata", "Australia/Lord_Howe"]
    static let skills = ["Swift", "Design", "Coaching", "Career advice", "Public speaking", "Writing", "Mathematics",
                         "Physics", "Statistics", "Interview practice", "Leadership", "Product strategy", "Accessibility",
                         "SQL", "Negotiation", "Spanish", "German", "Music theory", "Fitness", "Nutrition"]
    static let openers = ["I help people grow with patience and humour.", "I coach teams and individuals.",
                          "I tutor students of every level.", "I advise founders and first-time managers.",
                          "I love turning hard topics into clear steps."]
}

/// A small, fast, seedable generator (SplitMix64), so seeded data never depends on
/// the platform's random source.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
