import SlotsiteCore

/// A user's working hours as the account page lists them.
public struct AvailabilityRecord: Sendable, Equatable {
    public let availability: Availability
    public let timezone: String
}

extension Store {
    // MARK: Reading

    /// The user's weekly rules, day entries (from `fromDate` on) and settings.
    public func availability(userID: Int64, fromDate: Int64 = .min) throws -> AvailabilityRecord {
        let s = try database.cached("""
            SELECT timezone, slot_length, slot_buffer, notice_hours, horizon_days FROM users WHERE id = ?
            """).bind(.int(userID))
        defer { s.reset() }
        guard try s.step() else { throw StoreError(.notFound, "user \(userID)") }
        let settings = Availability.Settings(length: Int(s.int(1)), buffer: Int(s.int(2)), notice: Int(s.int(3)), horizon: Int(s.int(4)))
        return AvailabilityRecord(availability: Availability(rules: try rules(of: userID), days: try days(of: userID, from: fromDate),
                                                             settings: settings),
                                  timezone: s.text(0))
    }

    private func rules(of userID: Int64) throws -> [Availability.Rule] {
        var rules: [Availability.Rule] = []
        try database.cached("""
            SELECT id, weekday, start_minute, end_minute FROM availability_rules WHERE user_id = ? ORDER BY weekday, start_minute
            """).bind(.int(userID)).forEach {
            rules.append(Availability.Rule(id: $0.int(0), weekday: Int($0.int(1)), interval: Store.interval($0.int(2), $0.int(3))))
        }
        return rules
    }

    private func days(of userID: Int64, from date: Int64) throws -> [Availability.Day] {
        var days: [Availability.Day] = []
        try database.cached("""
            SELECT id, date, start_minute, end_minute FROM availability_days WHERE user_id = ? AND date >= ? ORDER BY date, start_minute
            """).bind(.int(userID), .int(date)).forEach {
            days.append(Availability.Day(id: $0.int(0), date: CivilDate(daysSinceEpoch: $0.int(1)),
                                         interval: $0.isNull(2) ? nil : Store.interval($0.int(2), $0.int(3))))
        }
        return days
    }

    private static func interval(_ start: Int64, _ end: Int64) -> Availability.Interval {
        Availability.Interval(start: LocalTime(hour: Int(start) / 60, minute: Int(start) % 60)!,
                              end: LocalTime(hour: Int(end) / 60, minute: Int(end) % 60)!)
    }

    // MARK: Changes, each laid into slots in its own transaction

    /// Adds a weekly interval, then lays the user's slots anew.
    /// - Throws: `StoreError.slotOverlaps` when it overlaps another rule of that weekday.
    @discardableResult
    public func addAvailabilityRule(userID: Int64, weekday: Int, interval: Availability.Interval, now: Int64) throws -> Int64 {
        try database.writeTransaction {
            let same = try rules(of: userID).filter { $0.weekday == weekday }.map(\.interval)
            if Availability.overlaps(interval, same) { throw StoreError(.slotOverlaps, "rule of user \(userID)") }
            try database.prepare("INSERT INTO availability_rules (user_id, weekday, start_minute, end_minute) VALUES (?, ?, ?, ?)")
                .bind(.int(userID), .int(Int64(weekday)), .int(Int64(interval.start.minutes)), .int(Int64(interval.end.minutes))).run()
            let id = database.lastInsertRowID
            try layAvailability(userID: userID, now: now)
            return id
        }
    }

    /// Adds a date's own entry (an interval, or off), then lays the user's slots anew.
    /// - Throws: `StoreError.slotOverlaps` when it overlaps another entry of that date
    ///   (an off entry overlaps any).
    @discardableResult
    public func addAvailabilityDay(userID: Int64, date: CivilDate, interval: Availability.Interval?, now: Int64) throws -> Int64 {
        try database.writeTransaction {
            let same = try days(of: userID, from: date.daysSinceEpoch).filter { $0.date == date }
            let clash = same.contains { other in
                guard let mine = interval, let theirs = other.interval else { return true }
                return Availability.overlaps(mine, [theirs])
            }
            if clash { throw StoreError(.slotOverlaps, "day entry of user \(userID)") }
            try database.prepare("INSERT INTO availability_days (user_id, date, start_minute, end_minute) VALUES (?, ?, ?, ?)")
                .bind(.int(userID), .int(date.daysSinceEpoch), interval.map { .int(Int64($0.start.minutes)) } ?? .null,
                      interval.map { .int(Int64($0.end.minutes)) } ?? .null).run()
            let id = database.lastInsertRowID
            try layAvailability(userID: userID, now: now)
            return id
        }
    }

    /// Removes a weekly rule or a day entry, then lays the user's slots anew.
    /// - Throws: `StoreError.notFound`, or `.forbidden` when it is someone else's.
    public func deleteAvailability(_ kind: AvailabilityKind, id: Int64, userID: Int64, now: Int64) throws {
        try database.writeTransaction {
            let owner = try database.prepare("SELECT user_id FROM \(kind.rawValue) WHERE id = ?").bind(.int(id)).scalar()
            guard let owner else { throw StoreError(.notFound, "\(kind.rawValue) \(id)") }
            guard owner == userID else { throw StoreError(.forbidden, "\(kind.rawValue) \(id)") }
            try database.prepare("DELETE FROM \(kind.rawValue) WHERE id = ?").bind(.int(id)).run()
            try layAvailability(userID: userID, now: now)
        }
    }

    /// Replaces the settings, then lays the user's slots anew.
    public func setAvailabilitySettings(userID: Int64, _ settings: Availability.Settings, now: Int64) throws {
        try database.writeTransaction {
            try writeSettings(settings, userID: userID)
            try layAvailability(userID: userID, now: now)
        }
    }

    /// Adds weekly rules and sets the settings inside the caller's write transaction
    /// (for bulk imports; `layAvailability` then lays the slots).
    public func insertAvailability(userID: Int64, rules: [(weekday: Int, interval: Availability.Interval)],
                                   settings: Availability.Settings) throws {
        let insert = try database.cached("INSERT INTO availability_rules (user_id, weekday, start_minute, end_minute) VALUES (?, ?, ?, ?)")
        for rule in rules {
            try insert.bind(.int(userID), .int(Int64(rule.weekday)), .int(Int64(rule.interval.start.minutes)),
                            .int(Int64(rule.interval.end.minutes))).run()
        }
        try writeSettings(settings, userID: userID)
    }

    /// - Throws: `StoreError.notFound` when the user is gone.
    private func writeSettings(_ settings: Availability.Settings, userID: Int64) throws {
        try database.cached("UPDATE users SET slot_length = ?, slot_buffer = ?, notice_hours = ?, horizon_days = ? WHERE id = ?")
            .bind(.int(Int64(settings.length)), .int(Int64(settings.buffer)), .int(Int64(settings.notice)),
                  .int(Int64(settings.horizon)), .int(userID)).run()
        guard database.changes == 1 else { throw StoreError(.notFound, "user \(userID)") }
    }

    // MARK: Laying slots

    /// Brings the user's slots from `now` on to exactly what their working hours make
    /// (`Availability.difference`): inside the caller's write transaction. Existing
    /// slots keep their ids; booked ones and those entered by hand are never touched.
    public func layAvailability(userID: Int64, now: Int64) throws {
        let record = try availability(userID: userID)
        let zone = (try? Zone(record.timezone)) ?? .utc
        let existing = try slotsForLaying(userID: userID, endingAfter: now)
        let dates = record.availability.dates(at: now, in: zone)
        let wanted = record.availability.isEmpty ? [] : record.availability.slots(at: now, in: zone)
        let change = Availability.difference(wanted: wanted, existing: existing.filter { $0.slot.range.start > now })
        try apply(change, userID: userID, now: now)
        try database.cached("UPDATE users SET laid_through = ? WHERE id = ?").bind(.int(dates.upperBound), .int(userID)).run()
    }

    /// For every build: extends each professional's rule-made slots to the dates their
    /// horizon has reached since the last time, and drops the unbooked ones that came
    /// within their notice, in one write transaction. A professional whose hours were
    /// never laid is laid whole. The slots' triggers mark the changed pages stale.
    /// - Returns: how many professionals' slots changed.
    @discardableResult
    public func extendAvailability(now: Int64) throws -> Int {
        // Most builds of a day find nothing to do: a read decides before any write lock.
        var due: [(id: Int64, zone: String, settings: Availability.Settings, laidThrough: Int64?)] = []
        var zones: [String: Zone] = [:]
        func zone(_ name: String) -> Zone {
            if let known = zones[name] { return known }
            let found = (try? Zone(name)) ?? .utc
            zones[name] = found
            return found
        }
        try database.readTransaction {
            try database.prepare("""
                SELECT u.id, u.timezone, u.slot_length, u.slot_buffer, u.notice_hours, u.horizon_days, u.laid_through FROM users u
                WHERE EXISTS (SELECT 1 FROM availability_rules r WHERE r.user_id = u.id)
                   OR EXISTS (SELECT 1 FROM availability_days d WHERE d.user_id = u.id)
                ORDER BY u.id
                """).forEach { s in
                let settings = Availability.Settings(length: Int(s.int(2)), buffer: Int(s.int(3)), notice: Int(s.int(4)),
                                                     horizon: Int(s.int(5)))
                let laid: Int64? = s.isNull(6) ? nil : s.int(6)
                let last = Availability(settings: settings).dates(at: now, in: zone(s.text(1))).upperBound
                if laid.map({ $0 < last }) ?? true || settings.notice > 0 {
                    due.append((s.int(0), s.text(1), settings, laid))
                }
            }
        }
        guard !due.isEmpty else { return 0 }
        return try database.writeTransaction {
            var changed = 0
            for user in due {
                let before = database.totalChanges
                let zone = zone(user.zone)
                let all = Availability(settings: user.settings).dates(at: now, in: zone)
                if let laid = user.laidThrough {
                    if laid < all.upperBound {
                        let dates = max(laid + 1, all.lowerBound)...all.upperBound
                        let hours = Availability(rules: try rules(of: user.id), days: try days(of: user.id, from: dates.lowerBound),
                                                 settings: user.settings)
                        let wanted = hours.slots(on: dates, in: zone, from: now + user.settings.noticeSeconds)
                        // Only new dates: nothing laid before is removed here, only overlaps avoided.
                        let existing = try slotsForLaying(userID: user.id, endingAfter: wanted.first.map { $0.start - 86_400 } ?? now)
                        let change = Availability.difference(wanted: wanted, existing: existing.map { ($0.slot, false, $0.booked) })
                        try apply((change.make, []), userID: user.id, now: now)
                        try database.cached("UPDATE users SET laid_through = ? WHERE id = ?").bind(.int(all.upperBound), .int(user.id)).run()
                    }
                    if user.settings.notice > 0 {
                        try database.cached("""
                            DELETE FROM slots WHERE user_id = ?1 AND rule_made = 1 AND starts_at > ?2 AND starts_at < ?3
                              AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.slot_id = slots.id AND b.cancelled_at IS NULL)
                            """).bind(.int(user.id), .int(now), .int(now + user.settings.noticeSeconds)).run()
                    }
                } else {
                    try layAvailability(userID: user.id, now: now)
                }
                if database.totalChanges - before > 1 { changed += 1 }
            }
            return changed
        }
    }

    /// The user's slots that end after `after`, each with whether rules made it and
    /// whether it is booked.
    private func slotsForLaying(userID: Int64, endingAfter after: Int64) throws -> [(slot: Slot, ruleMade: Bool, booked: Bool)] {
        var rows: [(slot: Slot, ruleMade: Bool, booked: Bool)] = []
        try database.cached("""
            SELECT \(SlotRow.columns("s")), s.rule_made,
                   EXISTS (SELECT 1 FROM bookings b WHERE b.slot_id = s.id AND b.cancelled_at IS NULL)
            FROM slots s WHERE s.user_id = ? AND s.ends_at > ? ORDER BY s.starts_at
            """).bind(.int(userID), .int(after)).forEach {
            rows.append((SlotRow.read($0), $0.int(SlotRow.width) != 0, $0.int(SlotRow.width + 1) != 0))
        }
        return rows
    }

    private func apply(_ change: (make: [TimeRange], remove: [Int64]), userID: Int64, now: Int64) throws {
        let delete = try database.cached("DELETE FROM slots WHERE id = ?")
        for id in change.remove { try delete.bind(.int(id)).run() }
        let insert = try database.cached("""
            INSERT INTO slots (user_id, starts_at, ends_at, created_at, rule_made) VALUES (?, ?, ?, ?, 1)
            """)
        for range in change.make { try insert.bind(.int(userID), .int(range.start), .int(range.end), .int(now)).run() }
    }
}

/// The two kinds of working-hours entry, by their table.
public enum AvailabilityKind: String, Sendable {
    case rule = "availability_rules"
    case day = "availability_days"
}
