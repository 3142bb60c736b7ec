import Testing
@testable import SlotsiteRender

struct MailMessageTests {
    func message(name: String = "Ada Lovelace", subject: String = "Booked", calendar: Bool = false) -> String {
        let m = MailMessage(from: .init(name: "Slotsite", address: "noreply@example.org"),
                            to: .init(name: name, address: "ada@example.org"), subject: subject, date: 1_795_780_800,
                            messageID: "booking-1-0@example.org", text: "Hello Zoë,\nyour slot: 09:00–09:45.\n",
                            calendar: calendar ? ("REQUEST", Array("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".utf8)) : nil)
        return String(decoding: m.bytes(), as: UTF8.self)
    }

    func headers(_ text: String) -> String { String(text[..<text.range(of: "\r\n\r\n")!.lowerBound]) }

    @Test func plainHeadersStayPlain() {
        let h = headers(message())
        #expect(h.contains("From: Slotsite <noreply@example.org>\r\n"))
        #expect(h.contains("To: Ada Lovelace <ada@example.org>\r\n"))
        #expect(h.contains("Subject: Booked\r\n"))
        #expect(h.contains("Date: Fri, 27 Nov 2026 12:00:00 +0000\r\n"))
        #expect(h.contains("Message-ID: <booking-1-0@example.org>\r\n"))
        #expect(h.contains("Content-Type: text/plain; charset=utf-8\r\n"))
    }

    /// A name or subject with CR, LF or anything but plain ASCII never reaches a header
    /// as it was typed: no line of the head may start a header the program did not write.
    @Test(arguments: ["Eve\r\nBcc: victim@example.org", "Eve\nX-Injected: 1", "Zoë Ångström", "\"Quoted\" \\ name",
                      String(repeating: "漢", count: 60)])
    func namesAndSubjectsCannotInjectHeaders(_ typed: String) {
        for text in [message(name: typed), message(subject: typed)] {
            let lines = headers(text).components(separatedBy: "\r\n")
            let names = lines.filter { !$0.hasPrefix(" ") }.map { String($0.prefix { $0 != ":" }) }
            #expect(names == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Auto-Submitted",
                              "Content-Type", "Content-Transfer-Encoding"])
            #expect(lines.allSatisfy { $0.utf8.count <= 998 && $0.unicodeScalars.allSatisfy { $0.isASCII } })
            #expect(!text.contains("\nBcc") && !text.contains("\nX-Injected"))
        }
    }

    @Test func encodedWordsDecodeToTheText() {
        let encoded = MailMessage.encodedText("Zoë Ångström 👩‍💻 " + String(repeating: "漢", count: 30), used: 9)
        var decoded: [UInt8] = []
        for word in encoded.components(separatedBy: "\r\n ") {
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?=") && word.count <= 75)
            decoded += Self.base64Decode(String(word.dropFirst(10).dropLast(2)))
        }
        #expect(String(validating: decoded, as: UTF8.self) == "Zoë Ångström 👩‍💻 " + String(repeating: "漢", count: 30))
    }

    @Test func bodyIsQuotedPrintableWithShortLines() {
        let qp = String(decoding: MailMessage.quotedPrintable(String(repeating: "é", count: 60) + "\nend = here \n"), as: UTF8.self)
        #expect(qp.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(qp.contains("=C3=A9"))
        #expect(qp.contains("end =3D here=20\r\n"))
    }

    @Test func aCalendarPartFollowsTheText() {
        let text = message(calendar: true)
        #expect(headers(text).contains("Content-Type: multipart/mixed; boundary=\"=_slotsite_booking10exampleorg\""))
        #expect(text.contains("--=_slotsite_booking10exampleorg\r\nContent-Type: text/calendar; charset=utf-8; method=REQUEST\r\n"))
        #expect(text.contains(String(decoding: MailMessage.base64(Array("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".utf8)), as: UTF8.self)))
        #expect(text.hasSuffix("--=_slotsite_booking10exampleorg--\r\n"))
    }

    @Test(arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar"])
    func base64MatchesRFC4648(_ s: String) {
        let expected = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        #expect(String(decoding: MailMessage.base64(Array(s.utf8)), as: UTF8.self) == expected[s])
    }

    static func base64Decode(_ s: String) -> [UInt8] {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var bits: UInt32 = 0, count = 0, out: [UInt8] = []
        for c in s.utf8 where c != 61 {
            bits = bits << 6 | UInt32(table.firstIndex(of: c)!)
            count += 6
            if count >= 8 { count -= 8; out.append(UInt8(bits >> UInt32(count) & 0xFF)) }
        }
        return out
    }
}
