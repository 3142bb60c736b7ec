import SlotsiteCore

/// An Internet message (RFC 5322, MIME) as the sendmail interface takes it: headers
/// whose text is never copied raw (RFC 2047 encoded-words for anything but plain
/// ASCII, no CR or LF from a value), a UTF-8 text part in quoted-printable, and an
/// optional `text/calendar` part in base64. One writer for the format.
public struct MailMessage: Sendable {
    /// A mailbox: a display name (any text) and an address.
    public struct Mailbox: Sendable, Equatable {
        public var name: String
        public var address: String

        public init(name: String, address: String) {
            self.name = name
            self.address = address
        }
    }

    public var from: Mailbox
    public var to: Mailbox
    public var subject: String
    /// Seconds since the epoch; written in UTC.
    public var date: Int64
    /// Without angle brackets: `booking-42-1@example.org`. The same message sent again
    /// (after a drain was killed mid-send) carries the same id.
    public var messageID: String
    public var text: String
    /// A calendar part and its `method` (`REQUEST`, `CANCEL`).
    public var calendar: (method: String, bytes: [UInt8])?

    public init(from: Mailbox, to: Mailbox, subject: String, date: Int64, messageID: String, text: String,
                calendar: (method: String, bytes: [UInt8])? = nil) {
        self.from = from
        self.to = to
        self.subject = subject
        self.date = date
        self.messageID = messageID
        self.text = text
        self.calendar = calendar
    }

    /// The whole message, CRLF line ends, for a sendmail command's standard input.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func header(_ name: String, _ value: String) {
            out += name.utf8
            out += ": ".utf8
            out += value.utf8
            out += [0x0D, 0x0A]
        }
        header("From", MailMessage.mailbox(from))
        header("To", MailMessage.mailbox(to))
        header("Subject", MailMessage.encodedText(subject, used: "Subject: ".utf8.count))
        header("Date", MailMessage.date(date))
        header("Message-ID", "<" + MailMessage.headerSafe(messageID) + ">")
        header("MIME-Version", "1.0")
        header("Auto-Submitted", "auto-generated")
        let textPart = MailMessage.quotedPrintable(text)
        guard let calendar else {
            header("Content-Type", "text/plain; charset=utf-8")
            header("Content-Transfer-Encoding", "quoted-printable")
            out += [0x0D, 0x0A]
            out += textPart
            return out
        }
        // The boundary cannot occur in quoted-printable or base64 text: both lack "_".
        let boundary = "=_slotsite_" + MailMessage.headerSafe(messageID).utf8.map { $0.isASCIILetterOrDigit ? String(UnicodeScalar($0)) : "" }.joined()
        header("Content-Type", "multipart/mixed; boundary=\"\(boundary)\"")
        out += [0x0D, 0x0A]
        out += "--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8
        out += textPart
        out += "\r\n--\(boundary)\r\n".utf8
        let method = MailMessage.headerSafe(calendar.method)
        out += "Content-Type: text/calendar; charset=utf-8; method=\(method)\r\nContent-Transfer-Encoding: base64\r\n".utf8
        out += "Content-Disposition: attachment; filename=\"invite.ics\"\r\n\r\n".utf8
        out += MailMessage.base64Lines(calendar.bytes)
        out += "\r\n--\(boundary)--\r\n".utf8
        return out
    }

    // MARK: Headers

    /// `name <address>`, the name as ASCII words, a quoted string, or encoded-words.
    static func mailbox(_ box: Mailbox) -> String {
        let address = headerSafe(box.address).filter { $0 != "<" && $0 != ">" && $0 != " " }
        let name = collapse(box.name)
        if name.isEmpty { return "<" + address + ">" }
        let phrase: String
        if name.unicodeScalars.allSatisfy({ $0.isASCII }) {
            let atext = name.unicodeScalars.allSatisfy { $0 == " " || isAtext($0) }
            phrase = atext ? name : "\"" + name.replacingBackslashesAndQuotes() + "\""
        } else {
            phrase = encodedText(name, used: 6)
        }
        return phrase + " <" + address + ">"
    }

    /// A header's text: as it is when plain printable ASCII, else RFC 2047 encoded-words
    /// (`=?UTF-8?B?…?=`), each at most 75 characters and whole UTF-8 characters, folded
    /// onto continuation lines. `used` is how much of the first line is taken.
    static func encodedText(_ raw: String, used: Int) -> String {
        let text = collapse(raw)
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }), used + text.utf8.count <= 78,
           !text.contains("=?") {
            return text
        }
        // 75 - "=?UTF-8?B?" - "?=" leaves 63 characters of base64: 45 bytes of text.
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let size = UTF8.width(scalar)
            if chunk.count + size > 45 {
                words.append("=?UTF-8?B?" + String(decoding: base64(chunk), as: UTF8.self) + "?=")
                chunk = []
            }
            UTF8.encode(scalar) { chunk.append($0) }
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + String(decoding: base64(chunk), as: UTF8.self) + "?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Text for one header line: every control character, CR and LF among them, as a
    /// space, runs of spaces as one, no spaces at the ends.
    static func collapse(_ raw: String) -> String {
        var out = String.UnicodeScalarView()
        var space = false
        for scalar in raw.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || scalar.properties.isWhitespace {
                space = !out.isEmpty
                continue
            }
            if space { out.append(" "); space = false }
            out.append(scalar)
        }
        return String(out)
    }

    /// A value built by the program (an address, an id), with control characters gone.
    static func headerSafe(_ raw: String) -> String {
        String(String.UnicodeScalarView(raw.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F }))
    }

    static func isAtext(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic && s.isASCII || ("0"..."9").contains(s) || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(s)
    }

    /// RFC 5322's date: `Sat, 05 Dec 2026 20:44:03 +0000`.
    static func date(_ instant: Int64) -> String {
        let utc = LocalDateTime(wall: instant, offset: 0), date = utc.date
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekdays[date.weekday]), \(two(date.day)) \(months[date.month - 1]) \(date.year) \(utc.time):\(two(utc.second)) +0000"
    }

    // MARK: Bodies

    /// Quoted-printable (RFC 2045 §6.7) of UTF-8 text, lines at most 76 characters,
    /// line breaks as CRLF.
    static func quotedPrintable(_ text: String) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for line in text.withLFLineBreaks().split(separator: "\n", omittingEmptySubsequences: false) {
            var width = 0
            let bytes = Array(line.utf8)
            for (i, byte) in bytes.enumerated() {
                let last = i == bytes.count - 1
                let plain = (byte >= 33 && byte <= 126 && byte != 61) || (byte == 32 || byte == 9) && !last
                let piece: [UInt8] = plain ? [byte] : [61, hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                if width + piece.count > 75 {
                    out += [61, 0x0D, 0x0A]
                    width = 0
                }
                out += piece
                width += piece.count
            }
            out += [0x0D, 0x0A]
        }
        return out
    }

    /// Base64 in lines of 76 characters, CRLF after each.
    static func base64Lines(_ bytes: [UInt8]) -> [UInt8] {
        let encoded = base64(bytes)
        var out: [UInt8] = []
        var i = 0
        while i < encoded.count {
            out += encoded[i..<min(i + 76, encoded.count)]
            out += [0x0D, 0x0A]
            i += 76
        }
        return out
    }

    static func base64(_ bytes: [UInt8]) -> [UInt8] {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            let b0 = UInt32(bytes[i]), b1 = n > 1 ? UInt32(bytes[i + 1]) : 0, b2 = n > 2 ? UInt32(bytes[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(table[Int(v >> 18 & 63)])
            out.append(table[Int(v >> 12 & 63)])
            out.append(n > 1 ? table[Int(v >> 6 & 63)] : 61)
            out.append(n > 2 ? table[Int(v & 63)] : 61)
            i += 3
        }
        return out
    }
}

private extension String {
    func replacingBackslashesAndQuotes() -> String {
        var out = ""
        for c in unicodeScalars {
            if c == "\\" || c == "\"" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(c)
        }
        return out
    }
}
