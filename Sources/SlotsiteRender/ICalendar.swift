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
        /// Rises with each change of the event.
        public var sequence: Int
        public var summary: String
        public var description: String?
        public var location: String?
        public var url: String?
        public var status: Status?
        /// For an invitation by mail (`METHOD:REQUEST`, `CANCEL`), which names who sends
        /// it and who it is for: a display name and an address each.
        public var organizer: (name: String, address: String)?
        public var attendee: (name: String, address: String)?
        /// Shown without blocking the subscriber's time (`TRANSP:TRANSPARENT`): an offer,
        /// not an appointment.
        public var transparent = false

        public init(uid: String, stamp: Int64, start: Int64, end: Int64, sequence: Int = 0, summary: String,
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
    public var events: [Event]

    public init(method: String? = nil, name: String? = nil, refreshHourly: Bool = false, events: [Event]) {
        self.method = method
        self.name = name
        self.refreshHourly = refreshHourly
        self.events = events
    }

    /// The calendar as bytes: UTF-8, CRLF, folded.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func line(_ name: String, _ value: String) { ICalendar.appendLine(name + ":" + value, to: &out) }
        func text(_ name: String, _ value: String) { line(name, ICalendar.escapeText(value)) }
        line("BEGIN", "VCALENDAR")
        line("VERSION", "2.0")
        line("PRODID", "-//Slotsite//Slotsite//EN")
        line("CALSCALE", "GREGORIAN")
        if let method { line("METHOD", method) }
        if let name { text("X-WR-CALNAME", name) }
        if refreshHourly {
            line("REFRESH-INTERVAL;VALUE=DURATION", "PT1H")
            line("X-PUBLISHED-TTL", "PT1H")
        }
        for event in events {
            line("BEGIN", "VEVENT")
            text("UID", event.uid)
            line("DTSTAMP", ICalendar.utc(event.stamp))
            line("DTSTART", ICalendar.utc(event.start))
            line("DTEND", ICalendar.utc(event.end))
            line("SEQUENCE", String(event.sequence))
            text("SUMMARY", event.summary)
            if let description = event.description { text("DESCRIPTION", description) }
            if let location = event.location { text("LOCATION", location) }
            if let url = event.url { line("URL", ICalendar.stripControls(url)) }
            if let status = event.status { line("STATUS", status.rawValue) }
            if event.transparent { line("TRANSP", "TRANSPARENT") }
            if let organizer = event.organizer {
                line("ORGANIZER;CN=" + ICalendar.quotedParameter(organizer.name), "mailto:" + ICalendar.stripControls(organizer.address))
            }
            if let attendee = event.attendee {
                line("ATTENDEE;CN=" + ICalendar.quotedParameter(attendee.name) + ";ROLE=REQ-PARTICIPANT",
                     "mailto:" + ICalendar.stripControls(attendee.address))
            }
            line("END", "VEVENT")
        }
        line("END", "VCALENDAR")
        return out
    }

    /// A TEXT value (RFC 5545 §3.3.11): backslash, `;` and `,` escaped, any line break
    /// as `\n`, other control characters dropped.
    public static func escapeText(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        var afterCR = false
        for scalar in value.unicodeScalars {
            defer { afterCR = scalar == "\r" }
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case ";": out.append(contentsOf: "\\;".unicodeScalars)
            case ",": out.append(contentsOf: "\\,".unicodeScalars)
            case "\r": out.append(contentsOf: "\\n".unicodeScalars)
            case "\n": if !afterCR { out.append(contentsOf: "\\n".unicodeScalars) }
            case "\t": out.append(scalar)
            default: if scalar.value >= 0x20 && scalar.value != 0x7F { out.append(scalar) }
            }
        }
        return String(out)
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

    /// `content` and CRLF appended to `out`, folded so that no line passes 75 octets:
    /// a continuation line starts with one space and never splits a UTF-8 sequence.
    static func appendLine(_ content: String, to out: inout [UInt8]) {
        var width = 0
        for scalar in content.unicodeScalars {
            let size = UTF8.width(scalar)
            if width + size > 75 {
                out += [0x0D, 0x0A, 0x20]
                width = 1
            }
            UTF8.encode(scalar) { out.append($0) }
            width += size
        }
        out += [0x0D, 0x0A]
    }

    /// `YYYYMMDDTHHMMSSZ` for seconds since the epoch.
    public static func utc(_ instant: Int64) -> String {
        let days = instant >= 0 ? instant / 86_400 : (instant - 86_399) / 86_400
        let seconds = instant - days * 86_400
        let date = CivilDate(daysSinceEpoch: days)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let year = String(date.year)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + two(Int64(date.month)) + two(Int64(date.day))
            + "T" + two(seconds / 3600) + two(seconds / 60 % 60) + two(seconds % 60) + "Z"
    }
}
