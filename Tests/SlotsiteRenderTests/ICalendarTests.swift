import Testing
import Foundation
import SlotsiteCore
@testable import SlotsiteRender

struct ICalendarTests {
    /// The lines of `out`, split at each CRLF, without the ends.
    static func lines(_ out: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = [[]]
        var i = 0
        while i < out.count {
            if out[i] == 0x0D, i + 1 < out.count, out[i + 1] == 0x0A { lines.append([]); i += 2; continue }
            lines[lines.count - 1].append(out[i])
            i += 1
        }
        lines.removeLast()
        return lines
    }

    @Test(arguments: [
        ("plain", "plain"), ("a;b,c\\d", "a\\;b\\,c\\\\d"), ("one\r\ntwo\nthree\rfour", "one\\ntwo\\nthree\\nfour"),
        ("bell\u{7}tab\t", "belltab\t"), ("Zoë 👩‍💻", "Zoë 👩‍💻"),
    ])
    func textIsEscaped(_ c: (String, String)) {
        #expect(ICalendar.escapeText(c.0) == c.1)
    }

    /// A value that is not TEXT: no line passes 75 octets, no UTF-8 sequence is split,
    /// and unfolding (dropping each CRLF and the space after it) gives the line back.
    @Test(arguments: [String(repeating: "a", count: 200), String(repeating: "é", count: 100), String(repeating: "👩‍💻", count: 40),
                      "SUMMARY:" + String(repeating: "漢字", count: 50)])
    func linesFoldAt75OctetsOnCharacterBoundaries(_ content: String) {
        var out: [UInt8] = []
        ICalendar.appendProperty("X-LINE", content, text: false, to: &out)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        let lines = ICalendarTests.lines(out)
        #expect(lines.allSatisfy { $0.count <= 75 })
        #expect(lines.allSatisfy { String(validating: $0, as: UTF8.self) != nil }, "each line is whole UTF-8")
        #expect(lines.dropFirst().allSatisfy { $0.first == 0x20 })
        let unfolded = lines.enumerated().map { $0.offset == 0 ? $0.element : Array($0.element.dropFirst()) }.joined()
        #expect(String(decoding: Array(unfolded), as: UTF8.self) == "X-LINE:" + content)
    }

    /// The writer's own path: a TEXT property folded at 75 octets on character
    /// boundaries, escapes kept whole, unfolding and unescaping giving the value back.
    @Test(arguments: [String(repeating: "é", count: 100), String(repeating: "a,b;", count: 40), String(repeating: "👩‍💻 ", count: 30),
                      "Zoë\r\nline two\\" + String(repeating: "漢字", count: 40)])
    func propertiesFoldAt75OctetsOnCharacterBoundaries(_ value: String) {
        var out: [UInt8] = []
        ICalendar.appendProperty("DESCRIPTION", value, text: true, to: &out)
        let lines = ICalendarTests.lines(out)
        #expect(lines.count > 1 && lines.allSatisfy { $0.count <= 75 })
        #expect(lines.allSatisfy { String(validating: $0, as: UTF8.self) != nil }, "each line is whole UTF-8")
        #expect(lines.allSatisfy { $0.last != 0x5C || $0.count < 2 || $0[$0.count - 2] == 0x5C }, "no escape split")
        let unfolded = String(decoding: Array(lines.enumerated().map { $0.offset == 0 ? $0.element : Array($0.element.dropFirst()) }.joined()),
                              as: UTF8.self)
        #expect(unfolded == "DESCRIPTION:" + ICalendar.escapeText(value))
        #expect(ICalendar.escapeText(value).contains("\\n") == value.contains("\n"))
    }

    @Test(arguments: [(Int64(0), "19700101T000000Z"), (1_795_780_800, "20261127T120000Z"), (951_782_400, "20000229T000000Z"),
                      (-1, "19691231T235959Z")])
    func utcTimes(_ c: (Int64, String)) {
        #expect(ICalendar.utc(c.0) == c.1)
    }

    /// A feed writes its times through one writer that keeps the last date's digits.
    @Test func aRunOfTimesMatchesEachAlone() {
        var clock = ICalendar.UTCWriter(), run: [UInt8] = [], alone: [UInt8] = []
        for instant: Int64 in [0, 86_399, 86_400, 5, -1, -86_400, -86_401, 1_795_780_800, 1_795_780_799, 253_402_300_799, 951_782_400] {
            clock.append(instant, to: &run)
            alone += ICalendar.utc(instant).utf8
        }
        #expect(run == alone)
    }

    @Test func aCalendarHasItsPartsInOrder() {
        let event = ICalendar.Event(uid: "slot-42@example.org", stamp: 1_795_780_800, start: 1_795_867_200, end: 1_795_869_900,
                                    sequence: 2, summary: "Coaching with Ada, Lovelace", status: .cancelled)
        let text = String(decoding: ICalendar(method: "CANCEL", refreshHourly: true, events: [event]).bytes(), as: UTF8.self)
        #expect(text == """
            BEGIN:VCALENDAR\r
            VERSION:2.0\r
            PRODID:-//Slotsite//Slotsite//EN\r
            CALSCALE:GREGORIAN\r
            METHOD:CANCEL\r
            REFRESH-INTERVAL;VALUE=DURATION:PT1H\r
            X-PUBLISHED-TTL:PT1H\r
            BEGIN:VEVENT\r
            UID:slot-42@example.org\r
            DTSTAMP:20261127T120000Z\r
            DTSTART:20261128T120000Z\r
            DTEND:20261128T124500Z\r
            SEQUENCE:2\r
            SUMMARY:Coaching with Ada\\, Lovelace\r
            STATUS:CANCELLED\r
            END:VEVENT\r
            END:VCALENDAR\r

            """)
    }
}

struct ICalendarEventTests {
    /// Offers are written apart from events; each must come out as the general event
    /// writer would write it, plus `TRANSP:TRANSPARENT`: hosts that fold or need
    /// escaping, summaries with escapes and non-ASCII, ids of every length.
    @Test(arguments: ["example.org", "127.0.0.1:8080", String(repeating: "long-host.", count: 7) + "example",
                      "a,b;c\\d.example", "zoë.example"])
    func offersAreEventsThatDoNotBlockTime(_ host: String) {
        let slots = [Slot(id: 1, userID: 1, range: TimeRange(start: 3600, end: 7200)),
                     Slot(id: 4_200_000, userID: 1, range: TimeRange(start: 1_795_867_200, end: 1_795_869_900), createdAt: 1_795_780_800),
                     Slot(id: Int64.max, userID: 1, range: TimeRange(start: 1_795_953_600, end: 1_795_957_200), createdAt: -1)]
        let summary = "Free: Zoë \"Ada\" Lovelace, PhD; \\ " + String(repeating: "é", count: 40)
        var offers = ICalendar(name: "Ada", refreshHourly: true, events: [])
        offers.offers = ICalendar.Offers(host: host, summary: summary, slots: slots)
        let events = slots.map {
            ICalendar.Event(uid: "slot-\($0.id)@\(host)", stamp: $0.createdAt, start: $0.range.start, end: $0.range.end, summary: summary)
        }
        let expected = String(decoding: ICalendar(name: "Ada", refreshHourly: true, events: events).bytes(), as: UTF8.self)
            .replacingOccurrences(of: "END:VEVENT\r\n", with: "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n")
        #expect(String(decoding: offers.bytes(), as: UTF8.self) == expected)
    }

    @Test func invitationsNameTheirParties() {
        var invite = ICalendar.Event(uid: "booking-1@example.org", stamp: 0, start: 3600, end: 7200, sequence: 1, summary: "x",
                                     status: .cancelled)
        invite.organizer = ("Ada \"the\" Coach\r\nX: y", "bookings@example.org")
        invite.attendee = ("Zoë", "zoe@example.org")
        let text = String(decoding: ICalendar(method: "CANCEL", events: [invite]).bytes(), as: UTF8.self)
        #expect(text.contains("METHOD:CANCEL\r\n") && text.contains("SEQUENCE:1\r\n") && text.contains("STATUS:CANCELLED\r\n"))
        #expect(text.contains("ORGANIZER;CN=\"Ada the CoachX: y\":mailto:bookings@example.org\r\n"))
        #expect(text.contains("ATTENDEE;CN=\"Zoë\";ROLE=REQ-PARTICIPANT:mailto:zoe@example.org\r\n"))
        #expect(!text.contains("TRANSP"))
    }
}
