#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An IANA time zone: offsets at instants, and local date + time → UTC instant.
///
/// Rules come from the system's zone database (`/usr/share/zoneinfo`, TZif files),
/// read once per zone and process; the arithmetic is this module's own, so it needs
/// neither Foundation nor ICU. Instants are seconds since 1970-01-01T00:00:00Z.
public struct Zone: Sendable, Hashable {
    public let identifier: String
    private let rules: ZoneRules

    /// Where the zone database lives: `TZDIR` when set, as glibc reads it.
    public static let databasePath: String = {
        guard let dir = getenv("TZDIR"), dir.pointee != 0 else { return "/usr/share/zoneinfo" }
        return String(cString: dir)
    }()
    private static let cache = Mutex<[String: ZoneRules]>([:])

    /// - Throws: `CoreError.invalidTimeZone` for a name that is not an IANA zone.
    public init(_ identifier: String) throws {
        if identifier == "UTC" {
            self = .utc
            return
        }
        if let cached = Zone.cache.withLock({ $0[identifier] }) {
            self.identifier = identifier
            self.rules = cached
            return
        }
        let invalid = CoreError(.invalidTimeZone, field: "timezone",
                                "Choose an IANA time zone such as Europe/Berlin or America/New_York.")
        // Bytes, not Characters: a page of the directory loads a zone per professional,
        // and Unicode properties would load tables the CGI otherwise never needs.
        let parts = identifier.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard (1...64).contains(identifier.utf8.count), parts.allSatisfy({ part in
            part.first.map { $0 != UInt8(ascii: ".") } ?? false && part.allSatisfy { $0.isASCIILetterOrDigit || "_+-".utf8.contains($0) }
        }), parts[0].first.map({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) ?? false,
              !["localtime", "posixrules", "Factory"].contains(identifier),
              let bytes = readFileBytes(Zone.databasePath + "/" + identifier, limit: 1 << 20),
              let rules = try? ZoneRules(tzif: bytes)
        else { throw invalid }
        self.identifier = identifier
        self.rules = rules
        Zone.cache.withLock { $0[identifier] = rules }
    }

    private init(identifier: String, rules: ZoneRules) {
        self.identifier = identifier
        self.rules = rules
    }

    /// UTC, which needs no database.
    public static let utc = Zone(identifier: "UTC", rules: .utc)

    public static func == (a: Zone, b: Zone) -> Bool { a.identifier == b.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }

    /// The zone's offset from UTC, in seconds, at `instant`.
    public func offset(at instant: Int64) -> Int {
        rules.offset(at: instant)
    }

    /// The instant at which the wall clock of this zone shows `date` `time`.
    ///
    /// An ambiguous time (clocks set back) is the earlier of its two instants.
    /// - Throws: `CoreError.nonexistentLocalTime` in a gap (clocks set forward).
    public func instant(of date: CivilDate, _ time: LocalTime) throws -> Int64 {
        let wall = date.daysSinceEpoch * 86_400 + Int64(time.minutes) * 60
        // Every offset is within ±26 h, so the offsets a day either side cover both sides
        // of any transition near this wall time.
        let candidates = Set([offset(at: wall - 86_400), offset(at: wall), offset(at: wall + 86_400)])
        let matches = candidates.map { wall - Int64($0) }.filter { Int64(offset(at: $0)) == wall - $0 }
        guard let earliest = matches.min() else {
            throw CoreError(.nonexistentLocalTime, field: "start",
                            "\(date) \(time) does not exist in \(identifier) (the clocks skip it); choose another time.")
        }
        return earliest
    }

    /// The wall-clock date and time at `instant`.
    public func local(_ instant: Int64) -> LocalDateTime {
        LocalDateTime(instant: instant, offset: offset(at: instant))
    }
}

/// A wall-clock reading with the offset in force, as shown on pages.
public struct LocalDateTime: Hashable, Sendable {
    public let date: CivilDate
    public let time: LocalTime
    public let second: Int
    public let offset: Int

    /// The reading whose wall clock shows `wall` seconds after 1970-01-01T00:00 local,
    /// at `offset` seconds east of UTC.
    public init(wall: Int64, offset: Int) {
        let days = wall >= 0 ? wall / 86_400 : (wall - 86_399) / 86_400
        let secs = Int(wall - days * 86_400)
        date = CivilDate(daysSinceEpoch: days)
        time = LocalTime(hour: secs / 3600, minute: secs % 3600 / 60)!
        second = secs % 60
        self.offset = offset
    }

    /// The reading at `instant` on a clock `offset` seconds east of UTC.
    public init(instant: Int64, offset: Int) {
        self.init(wall: instant + Int64(offset), offset: offset)
    }

    /// Seconds after 1970-01-01T00:00 on this wall clock.
    public var wall: Int64 { date.daysSinceEpoch * 86_400 + Int64(time.minutes * 60 + second) }

    /// RFC 3339 with the local offset: `2026-12-01T09:00:00+01:00`.
    public var rfc3339: String {
        Digits.string(capacity: 25, write)
    }

    /// Appends `rfc3339` to `out` as UTF-8, without a string of its own: pages show
    /// two of these per slot.
    public func appendRFC3339(to out: inout [UInt8]) {
        Digits.append(capacity: 25, to: &out, write)
    }

    /// `2026-12-01T09:00:00+01:00`: 25 bytes.
    private func write(into buffer: UnsafeMutableBufferPointer<UInt8>, at: inout Int) {
        date.write(into: buffer, at: &at)
        buffer[at] = UInt8(ascii: "T"); at += 1
        time.write(into: buffer, at: &at)
        buffer[at] = 0x3A; at += 1
        Digits.write(second, width: 2, into: buffer, at: &at)
        buffer[at] = offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"); at += 1
        let a = abs(offset)
        Digits.write(a / 3600, width: 2, into: buffer, at: &at)
        buffer[at] = 0x3A; at += 1
        Digits.write(a % 3600 / 60, width: 2, into: buffer, at: &at)
    }
}

/// The bytes of the regular file at `path`, read with one `read` of its size; nil when
/// it cannot be opened or read, or is larger than `limit`. Core's one file read, for
/// the zone database; the site layer reads pages and templates with it too.
public func readFileBytes(_ path: String, limit: Int = Int.max) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, st.st_size <= limit else { return nil }
    var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
        if n < 0, errno == EINTR { continue }
        if n <= 0 { return nil }
        done += n
    }
    return bytes
}
