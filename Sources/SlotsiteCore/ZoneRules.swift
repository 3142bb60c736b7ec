/// The offsets of one time zone over time, read from a TZif file (RFC 8536): the
/// transitions it lists and, after the last, the POSIX TZ rule of its footer.
public struct ZoneRules: Sendable, Hashable {
    /// Transition instants, ascending, and the offset in force from each on.
    let transitions: [Int64]
    let offsets: [Int32]
    /// The offset before the first transition.
    let initial: Int32
    let footer: PosixRule?

    /// Parses TZif bytes, version 1 to 4.
    /// - Throws: `CoreError.invalidTimeZone` for anything that is not a TZif file.
    public init(tzif bytes: [UInt8]) throws {
        func bad() -> CoreError { CoreError(.invalidTimeZone, field: "timezone", "The time zone data is damaged.") }
        var reader = TZifReader(bytes: bytes)
        guard bytes.count >= 44, bytes[0..<4].elementsEqual("TZif".utf8) else { throw bad() }
        let version = bytes[4]
        var header = try reader.header()
        if version >= 0x32 { // '2' and later: skip the 32-bit block, read the 64-bit one.
            try reader.skip(header.blockSize(timeSize: 4))
            header = try reader.header()
        }
        let timeSize = version >= 0x32 ? 8 : 4
        guard header.blockSize(timeSize: timeSize) <= bytes.count - reader.at else { throw bad() }
        // The block's size is checked above, so its fields are read in place, without a
        // check per byte: a directory page loads a zone file per professional.
        let start = reader.at, count = header.timecnt, typeCount = header.typecnt
        guard typeCount > 0 else { throw bad() }
        let raw = bytes.withUnsafeBytes { raw -> (times: [Int64], offsets: [Int32], types: [Int32])? in
            func int32(_ at: Int) -> Int32 { Int32(bigEndian: raw.loadUnaligned(fromByteOffset: at, as: Int32.self)) }
            let typesAt = start + count * (timeSize + 1), indicesAt = start + count * timeSize
            let types = [Int32](unsafeUninitializedCapacity: typeCount) { buffer, n in
                for k in 0..<typeCount { buffer[k] = int32(typesAt + k * 6) }
                n = typeCount
            }
            var valid = true
            let offsets = [Int32](unsafeUninitializedCapacity: count) { buffer, n in
                for k in 0..<count {
                    let index = Int(raw[indicesAt + k])
                    valid = valid && index < typeCount
                    buffer[k] = types[min(index, typeCount - 1)]
                }
                n = count
            }
            let times = [Int64](unsafeUninitializedCapacity: count) { buffer, n in
                for k in 0..<count {
                    buffer[k] = timeSize == 8 ? Int64(bigEndian: raw.loadUnaligned(fromByteOffset: start + k * 8, as: Int64.self))
                        : Int64(int32(start + k * 4))
                }
                n = count
            }
            return valid ? (times, offsets, types) : nil
        }
        guard let raw else { throw bad() }
        try reader.skip(count * (timeSize + 1) + typeCount * 6)
        try reader.skip(header.charcnt + header.leapcnt * (timeSize + 4) + header.isstdcnt + header.isutcnt)
        transitions = raw.times
        offsets = raw.offsets
        initial = raw.types[0]
        if version >= 0x32, let text = reader.footer(), !text.isEmpty {
            guard let rule = PosixRule(text) else { throw bad() }
            footer = rule
        } else {
            footer = nil
        }
    }

    /// UTC, with no transitions.
    static let utc = ZoneRules(transitions: [], offsets: [], initial: 0, footer: nil)

    private init(transitions: [Int64], offsets: [Int32], initial: Int32, footer: PosixRule?) {
        self.transitions = transitions
        self.offsets = offsets
        self.initial = initial
        self.footer = footer
    }

    /// Seconds east of UTC at `instant`.
    public func offset(at instant: Int64) -> Int {
        if let last = transitions.last, instant >= last, let footer { return footer.offset(at: instant) }
        if transitions.isEmpty, let footer { return footer.offset(at: instant) }
        // The last transition at or before the instant.
        var low = 0, high = transitions.count
        while low < high {
            let mid = (low + high) / 2
            if transitions[mid] <= instant { low = mid + 1 } else { high = mid }
        }
        return Int(low == 0 ? initial : offsets[low - 1])
    }
}

/// A POSIX TZ string such as `CET-1CEST,M3.5.0,M10.5.0/3`, as TZif footers carry.
struct PosixRule: Sendable, Hashable {
    /// Seconds east of UTC.
    let standard: Int
    let daylight: Int?
    let start: DateRule?
    let end: DateRule?

    struct DateRule: Sendable, Hashable {
        enum Day: Sendable, Hashable {
            case julianNoLeap(Int)  // Jn: 1...365, February 29 never counted
            case zeroBased(Int)     // n: 0...365
            case monthWeekDay(month: Int, week: Int, weekday: Int)
        }

        let day: Day
        /// Local wall-clock seconds after midnight at which the change happens.
        let time: Int

        /// Days since the epoch of this rule's date in `year`.
        func date(in year: Int) -> Int64 {
            let january1 = CivilDate(year: year, month: 1, day: 1)!.daysSinceEpoch
            switch day {
            case .julianNoLeap(let n):
                let leap = CivilDate.daysIn(month: 2, year: year) == 29
                return january1 + Int64(n - 1) + (leap && n > 59 ? 1 : 0)
            case .zeroBased(let n):
                return january1 + Int64(n)
            case .monthWeekDay(let month, let week, let weekday):
                let first = CivilDate(year: year, month: month, day: 1)!
                var day = 1 + (weekday - first.weekday + 7) % 7 + 7 * (week - 1)
                while day > CivilDate.daysIn(month: month, year: year) { day -= 7 }
                return first.daysSinceEpoch + Int64(day - 1)
            }
        }
    }

    /// Parses the rule over its bytes: it is ASCII, and Character-by-Character
    /// parsing of a zone's footer was a twentieth of a booking that loads six zones.
    init?(_ text: String) {
        var s = Array(text.utf8)[...]
        guard PosixRule.name(&s), let std = PosixRule.time(&s) else { return nil }
        standard = -std
        guard !s.isEmpty else {
            daylight = nil; start = nil; end = nil
            return
        }
        guard PosixRule.name(&s) else { return nil }
        if let first = s.first, first != PosixRule.comma {
            guard let dst = PosixRule.time(&s) else { return nil }
            daylight = -dst
        } else {
            daylight = standard + 3600
        }
        guard s.first == PosixRule.comma, case let rest = s.dropFirst(), let comma = rest.firstIndex(of: PosixRule.comma),
              let a = PosixRule.dateRule(rest[..<comma]), let b = PosixRule.dateRule(rest[(comma + 1)...]) else { return nil }
        start = a
        end = b
    }

    func offset(at instant: Int64) -> Int {
        guard let daylight, let start, let end else { return standard }
        let year = CivilDate(daysSinceEpoch: Self.floorDiv(instant + Int64(standard), 86_400)).year
        guard (2...9998).contains(year) else { return standard } // outside any calendar a page shows
        // Daylight time starts at a standard-time wall clock and ends at a daylight one.
        let begins = start.date(in: year) * 86_400 + Int64(start.time) - Int64(standard)
        let ends = end.date(in: year) * 86_400 + Int64(end.time) - Int64(daylight)
        let inDaylight = begins < ends ? (instant >= begins && instant < ends) : !(instant >= ends && instant < begins)
        return inDaylight ? daylight : standard
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

    private static let comma = UInt8(ascii: ","), colon = UInt8(ascii: ":"), slash = UInt8(ascii: "/")

    /// Skips a zone abbreviation: `<...>`, or three or more ASCII letters.
    private static func name(_ s: inout ArraySlice<UInt8>) -> Bool {
        if s.first == UInt8(ascii: "<") {
            guard let close = s.firstIndex(of: UInt8(ascii: ">")) else { return false }
            s = s[(close + 1)...]
            return true
        }
        let letters = s.prefix { $0.isASCIILetter }.count
        guard letters >= 3 else { return false }
        s = s.dropFirst(letters)
        return true
    }

    /// `[+-]hh[:mm[:ss]]` in seconds.
    private static func time(_ s: inout ArraySlice<UInt8>) -> Int? {
        var sign = 1
        if let first = s.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            sign = first == UInt8(ascii: "-") ? -1 : 1
            s = s.dropFirst()
        }
        var seconds = 0
        var unit = 3600
        for part in 0..<3 {
            let digits = s.prefix { $0.isASCIIDigit }
            guard let value = integer(digits) else { return nil }
            seconds += value * unit
            unit /= 60
            s = s.dropFirst(digits.count)
            guard part < 2, s.first == colon else { break }
            s = s.dropFirst()
        }
        return sign * seconds
    }

    /// One to six ASCII digits as a number.
    private static func integer(_ digits: ArraySlice<UInt8>) -> Int? {
        guard (1...6).contains(digits.count), digits.allSatisfy({ $0.isASCIIDigit }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private static func dateRule(_ text: ArraySlice<UInt8>) -> DateRule? {
        var s = text
        let body = s.prefix { $0 != slash }
        let day: DateRule.Day
        if s.first == UInt8(ascii: "M") {
            let fields = body.dropFirst().split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(integer)
            guard fields.count == 3, let month = fields[0], let week = fields[1], let weekday = fields[2],
                  (1...12).contains(month), (1...5).contains(week), (0...6).contains(weekday) else { return nil }
            day = .monthWeekDay(month: month, week: week, weekday: weekday)
        } else if s.first == UInt8(ascii: "J") {
            guard let n = integer(body.dropFirst()), (1...365).contains(n) else { return nil }
            day = .julianNoLeap(n)
        } else {
            guard let n = integer(body), (0...365).contains(n) else { return nil }
            day = .zeroBased(n)
        }
        var time = 7200
        if let slash = s.firstIndex(of: slash) {
            s = s[(slash + 1)...]
            guard let t = PosixRule.time(&s), s.isEmpty else { return nil }
            time = t
        }
        return DateRule(day: day, time: time)
    }
}

/// Big-endian reads over TZif bytes.
private struct TZifReader {
    let bytes: [UInt8]
    var at = 0

    struct Header {
        let isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt: Int
        func blockSize(timeSize: Int) -> Int {
            timecnt * timeSize + timecnt + typecnt * 6 + charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt
        }
    }

    mutating func header() throws -> Header {
        guard at + 44 <= bytes.count, bytes[at..<at + 4].elementsEqual("TZif".utf8) else { throw CoreError(.invalidTimeZone, field: "timezone", "The time zone data is damaged.") }
        at += 20
        let c = try (0..<6).map { _ in Int(try int32()) }
        guard c.allSatisfy({ $0 >= 0 && $0 < 1_000_000 }) else { throw CoreError(.invalidTimeZone, field: "timezone", "The time zone data is damaged.") }
        return Header(isutcnt: c[0], isstdcnt: c[1], leapcnt: c[2], timecnt: c[3], typecnt: c[4], charcnt: c[5])
    }

    mutating func skip(_ n: Int) throws {
        guard at + n <= bytes.count else { throw CoreError(.invalidTimeZone, field: "timezone", "The time zone data is damaged.") }
        at += n
    }

    mutating func int32() throws -> Int32 {
        guard at + 4 <= bytes.count else { throw CoreError(.invalidTimeZone, field: "timezone", "The time zone data is damaged.") }
        defer { at += 4 }
        return Int32(bitPattern: UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3]))
    }

    /// The text between the newlines after the 64-bit block.
    func footer() -> String? {
        guard at < bytes.count, bytes[at] == 0x0A, let end = bytes[(at + 1)...].firstIndex(of: 0x0A) else { return nil }
        return String(decoding: bytes[(at + 1)..<end], as: UTF8.self)
    }
}

