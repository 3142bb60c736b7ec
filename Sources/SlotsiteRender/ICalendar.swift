import SlotsiteCore

/// iCalendar (RFC 5545) as feeds and mail attachments need it: CRLF line ends, lines
/// folded at 75 octets without splitting a UTF-8 sequence, TEXT values escaped, times
/// in UTC. One writer for the format; HTML escaping is wrong here.
public struct ICalendar: Sendable {
    /// One `VEVENT`.
    public struct Event: Sendable {
        public enum Status: String, Sendable { case confirmed = "CONFIRMED", cancelled = "CANCELLED", tentative = "TENTATIVE" }

        /// Stable across changes: `slot-42@example.org`.
        public var uid: String
        /// The row's last change, so the same store gives the same bytes.
        public var stamp: Int64
        public var start: Int64
        public var end: Int64
        /// Rises with each change of the event; nil leaves it out (0), for an event that
        /// never changes.
        public var sequence: Int?
        public var summary: String
        public var description: String?
        public var location: String?
        public var url: String?
        public var status: Status?
        /// For an invitation by mail (`METHOD:REQUEST`, `CANCEL`), which names who sends
        /// it and who it is for: a display name and an address each.
        public var organizer: (name: String, address: String)?
        public var attendee: (name: String, address: String)?

        public init(uid: String, stamp: Int64, start: Int64, end: Int64, sequence: Int? = nil, summary: String,
                    description: String? = nil, location: String? = nil, url: String? = nil, status: Status? = nil,
                    organizer: (name: String, address: String)? = nil, attendee: (name: String, address: String)? = nil) {
            self.organizer = organizer
            self.attendee = attendee
            self.uid = uid
            self.stamp = stamp
            self.start = start
            self.end = end
            self.sequence = sequence
            self.summary = summary
            self.description = description
            self.location = location
            self.url = url
            self.status = status
        }
    }

    /// `METHOD`: `REQUEST` or `CANCEL` in mail, none in a feed.
    public var method: String?
    /// `X-WR-CALNAME`, the name a calendar application shows for a feed.
    public var name: String?
    /// Whether subscribers are told to poll hourly (`REFRESH-INTERVAL`, `X-PUBLISHED-TTL`).
    public var refreshHourly: Bool
    /// The page the whole calendar belongs to (RFC 7986 `URL`) and a line about it
    /// (`X-WR-CALDESC`): said once, not in every event.
    public var url: String?
    public var description: String?
    public var events: [Event]
    /// Free slots offered for booking, after `events`.
    public var offers: Offers?

    /// A profile's free slots, each a `VEVENT` with `UID:slot-<id>@<host>`, the shared
    /// summary and `TRANSP:TRANSPARENT` (an offer, not an appointment: it does not block
    /// the subscriber's time). Apart from `events` because a build writes a feed for
    /// every profile: the lines the slots share are encoded once, not per event.
    public struct Offers: Sendable {
        public var host: String
        public var summary: String
        public var slots: [Slot]

        public init(host: String, summary: String, slots: [Slot]) {
            self.host = host
            self.summary = summary
            self.slots = slots
        }
    }

    public init(method: String? = nil, name: String? = nil, refreshHourly: Bool = false, events: [Event]) {
        self.method = method
        self.name = name
        self.refreshHourly = refreshHourly
        self.events = events
    }

    /// The calendar as bytes: UTF-8, CRLF, folded.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        append(to: &out)
        return out
    }

    /// `bytes()` appended to `out`: written byte by byte into the caller's buffer, since
    /// a build writes a feed for every profile. Lines that repeat from event to event (a
    /// feed's summary) are encoded once and copied after that.
    public func append(to out: inout [UInt8]) {
        out.reserveCapacity(out.count + 512 + 192 * events.count)
        func line(_ name: String, _ value: String) { ICalendar.appendProperty(name, value, text: false, to: &out) }
        func text(_ name: String, _ value: String) { ICalendar.appendProperty(name, value, text: true, to: &out) }
        line("BEGIN", "VCALENDAR")
        line("VERSION", "2.0")
        line("PRODID", "-//Slotsite//Slotsite//EN")
        line("CALSCALE", "GREGORIAN")
        if let method { line("METHOD", method) }
        if let name { text("X-WR-CALNAME", name) }
        if let description { text("X-WR-CALDESC", description) }
        if let url { line("URL", url) }
        if refreshHourly {
            line("REFRESH-INTERVAL;VALUE=DURATION", "PT1H")
            line("X-PUBLISHED-TTL", "PT1H")
        }
        var clock = UTCWriter()
        func time(_ name: StaticString, _ instant: Int64) {
            out.append(contentsOf: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            clock.append(instant, to: &out)
            out += [0x0D, 0x0A]
        }
        var summary: (value: String, bytes: [UInt8])?
        for event in events {
            out += ICalendar.beginEvent
            text("UID", event.uid)
            time("DTSTAMP:", event.stamp)
            time("DTSTART:", event.start)
            time("DTEND:", event.end)
            if let sequence = event.sequence { line("SEQUENCE", String(sequence)) }
            if let summary, summary.value == event.summary {
                out += summary.bytes
            } else {
                let start = out.count
                text("SUMMARY", event.summary)
                // Copied out: a slice would share `out`'s storage, and the next append copy it.
                summary = (event.summary, Array(out[start...]))
            }
            if let description = event.description { text("DESCRIPTION", description) }
            if let location = event.location { text("LOCATION", location) }
            if let url = event.url { line("URL", url) }
            if let status = event.status { line("STATUS", status.rawValue) }
            if let organizer = event.organizer {
                line("ORGANIZER;CN=" + ICalendar.quotedParameter(organizer.name), "mailto:" + organizer.address)
            }
            if let attendee = event.attendee {
                line("ATTENDEE;CN=" + ICalendar.quotedParameter(attendee.name) + ";ROLE=REQ-PARTICIPANT", "mailto:" + attendee.address)
            }
            out += ICalendar.endEvent
        }
        if let offers { append(offers, to: &out) }
        line("END", "VCALENDAR")
    }

    /// The offers' events: what they share (the UID's host, the summary, the lines'
    /// names) is encoded once; per slot only its number and times are written.
    private func append(_ offers: Offers, to out: inout [UInt8]) {
        let host = Array(offers.host.utf8)
        // `UID:slot-` + up to 20 digits + `@host` fits a line unfolded when the host is
        // short and has nothing TEXT escapes; any other host takes the general writer.
        let plainHost = 4 + 5 + 20 + 1 + host.count <= 75
            && host.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x5C && $0 != 0x3B && $0 != 0x2C }
        let uidTail = [UInt8(ascii: "@")] + host + [0x0D, 0x0A]
        var uid = ICalendar.beginOfferUID
        // DTSTAMP, DTSTART and DTEND with room for their values at bytes 8, 34 and 58.
        var times = Array("DTSTAMP:YYYYMMDDTHHMMSSZ\r\nDTSTART:YYYYMMDDTHHMMSSZ\r\nDTEND:YYYYMMDDTHHMMSSZ\r\n".utf8)
        var tail: [UInt8] = []
        ICalendar.appendProperty("SUMMARY", offers.summary, text: true, to: &tail)
        tail += ICalendar.transparent + ICalendar.endEvent
        out.reserveCapacity(out.count + offers.slots.count * (uid.count + 20 + uidTail.count + times.count + tail.count))
        // Slots of one profile share a few stamps and lie on a few days: one writer each.
        var stamps = UTCWriter(), clock = UTCWriter()
        for slot in offers.slots {
            if plainHost {
                uid.removeLast(uid.count - ICalendar.beginOfferUID.count)
                uid.appendDecimal(slot.id)
                uid += uidTail
                out += uid
            } else {
                out += ICalendar.beginEvent
                ICalendar.appendProperty("UID", "slot-" + String(slot.id) + "@" + offers.host, text: true, to: &out)
            }
            let stamp = stamps.digits(slot.createdAt), start = clock.digits(slot.range.start), end = clock.digits(slot.range.end)
            times.withUnsafeMutableBytes { bytes in
                func put(_ value: (date: UInt64, time: UInt64), at offset: Int) {
                    bytes.storeBytes(of: value.date.littleEndian, toByteOffset: offset, as: UInt64.self)
                    bytes.storeBytes(of: value.time.littleEndian, toByteOffset: offset + 8, as: UInt64.self)
                }
                put(stamp, at: 8)
                put(start, at: 34)
                put(end, at: 58)
            }
            out += times
            out += tail
        }
    }

    private static let beginEvent = Array("BEGIN:VEVENT\r\n".utf8)
    private static let endEvent = Array("END:VEVENT\r\n".utf8)
    private static let transparent = Array("TRANSP:TRANSPARENT\r\n".utf8)
    private static let beginOfferUID = Array("BEGIN:VEVENT\r\nUID:slot-".utf8)

    /// `YYYYMMDDTHHMMSSZ` for seconds since the epoch, for a run of times, most on the same
    /// day as the one before: the date's digits are kept from the last call.
    struct UTCWriter {
        private var day = Int64.min
        /// `YYYYMMDD`, its first byte lowest.
        private var date: UInt64 = 0

        /// `YYYYMMDD` and `THHMMSSZ`, each as eight bytes, the first lowest.
        mutating func digits(_ instant: Int64) -> (date: UInt64, time: UInt64) {
            let (days, second) = instant.quotientAndRemainder(dividingBy: 86_400)
            let seconds = Int(second < 0 ? second + 86_400 : second)
            let whole = second < 0 ? days - 1 : days
            if whole != day {
                day = whole
                let civil = CivilDate(daysSinceEpoch: whole)
                date = Self.two(civil.year / 100 % 100, at: 0) | Self.two(civil.year % 100, at: 16)
                    | Self.two(civil.month, at: 32) | Self.two(civil.day, at: 48)
            }
            let time = 0x54 | Self.two(seconds / 3600, at: 8) | Self.two(seconds / 60 % 60, at: 24)
                | Self.two(seconds % 60, at: 40) | 0x5A << 56 // T, HHMMSS, Z
            return (date, time)
        }

        mutating func append(_ instant: Int64, to out: inout [UInt8]) {
            let (date, time) = digits(instant)
            withUnsafeBytes(of: (date.littleEndian, time.littleEndian)) { out += $0 }
        }

        /// Two decimal digits of `n` (0–99) as bytes at bit `shift`.
        @inline(__always)
        private static func two(_ n: Int, at shift: UInt64) -> UInt64 {
            UInt64(truncatingIfNeeded: 0x30 + n / 10) << shift | UInt64(truncatingIfNeeded: 0x30 + n % 10) << (shift + 8)
        }
    }

    /// `name:value` and CRLF appended to `out`, folded so that no line passes 75 octets:
    /// a continuation line starts with one space and never splits a UTF-8 sequence or
    /// an escape. With `text`, the value is escaped as TEXT (`escapeText`); without, its
    /// control characters are dropped.
    static func appendProperty(_ name: String, _ value: String, text: Bool, to out: inout [UInt8]) {
        out += name.utf8
        out.append(UInt8(ascii: ":"))
        var width = name.utf8.count + 1
        // Most values (ids, times, addresses, short names) are printable ASCII with
        // nothing to escape and fit the line: copied whole.
        var value = value
        let plain = value.withUTF8 { bytes -> Bool in
            guard width + bytes.count <= 75 else { return false }
            for byte in bytes where byte < 0x20 || byte >= 0x7F || text && (byte == 0x5C || byte == 0x3B || byte == 0x2C) {
                return false
            }
            out.append(contentsOf: bytes)
            return true
        }
        if plain {
            out += [0x0D, 0x0A]
            return
        }
        var afterCR = false
        @inline(__always) func room(_ length: Int, _ out: inout [UInt8]) {
            if width + length > 75 {
                out += [0x0D, 0x0A, 0x20]
                width = 1
            }
            width += length
        }
        for byte in value.utf8 {
            if byte >= 0x80 {
                // A lead byte opens a character of its length; continuation bytes follow it.
                if byte >= 0xC0 { room(byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2, &out) }
                out.append(byte)
                afterCR = false
                continue
            }
            let wasCR = afterCR
            afterCR = byte == 0x0D
            if text {
                switch byte {
                case 0x5C, 0x3B, 0x2C:
                    room(2, &out)
                    out += [0x5C, byte]
                    continue
                case 0x0D:
                    room(2, &out)
                    out += [0x5C, 0x6E]
                    continue
                case 0x0A:
                    if !wasCR {
                        room(2, &out)
                        out += [0x5C, 0x6E]
                    }
                    continue
                case 0x09:
                    break
                default:
                    if byte < 0x20 || byte == 0x7F { continue }
                }
            } else if byte < 0x20 || byte == 0x7F {
                continue
            }
            room(1, &out)
            out.append(byte)
        }
        out += [0x0D, 0x0A]
    }

    /// A TEXT value (RFC 5545 §3.3.11): backslash, `;` and `,` escaped, any line break
    /// as `\n`, other control characters dropped.
    public static func escapeText(_ value: String) -> String {
        var out: [UInt8] = []
        appendProperty("X", value, text: true, to: &out)
        // Unfolded: the property name, the colon and the CRLFs of folding left out.
        var unfolded: [UInt8] = []
        var i = 2
        while i < out.count - 2 {
            if out[i] == 0x0D, out[i + 1] == 0x0A, out[i + 2] == 0x20 { i += 3; continue }
            unfolded.append(out[i])
            i += 1
        }
        return String(decoding: unfolded, as: UTF8.self)
    }

    /// A parameter value as a quoted string, which cannot hold `"` or control characters
    /// (RFC 5545 §3.1): those are dropped.
    static func quotedParameter(_ value: String) -> String {
        "\"" + String(String.UnicodeScalarView(stripControls(value).unicodeScalars.filter { $0 != "\"" })) + "\""
    }

    /// A value that is not TEXT (a URL), with every control character dropped.
    static func stripControls(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    }

    /// `YYYYMMDDTHHMMSSZ` for seconds since the epoch.
    public static func utc(_ instant: Int64) -> String {
        var out: [UInt8] = [], clock = UTCWriter()
        clock.append(instant, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
