/// The rules for the fields of an account other than the handle.
public enum Account {
    public static let passwordLength = 8...1024
    public static let nameLength = 1...100
    public static let bioLimit = 10_000
    public static let noteLimit = 1_000

    /// Checks an email address loosely (one `@`, a dot in the domain, no spaces) and
    /// returns it trimmed; uniqueness ignoring case is the store's job, on `emailKey`.
    /// - Throws: `CoreError.invalidEmail`.
    public static func email(_ raw: String) throws -> String {
        let email = raw.trimmingWhitespace()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.unicodeScalars.count <= 254, parts.count == 2, !parts[0].isEmpty,
              parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" })
        else {
            throw CoreError(.invalidEmail, field: "email", "Enter an email address like name@example.org.")
        }
        return email
    }

    /// The key under which an address is unique: Unicode case folding of the whole
    /// address, then canonical composition, so that `IDA@BÜCHER.EXAMPLE` and
    /// `ida@bücher.example` (composed or not) are one account.
    public static func emailKey(_ email: String) -> String {
        var folded = ""
        for scalar in email.trimmingWhitespace().unicodeScalars {
            // Full case folding is, outside a few Turkic and Cherokee cases, the
            // lowercase of the uppercase: ß → SS → ss, ς → Σ → σ, ﬁ → FI → fi.
            for upper in scalar.properties.uppercaseMapping.unicodeScalars {
                folded += upper.properties.lowercaseMapping
            }
        }
        return String(decoding: folded._nfcCodeUnits, as: UTF8.self)
    }

    /// Checks a password's length in code points; it is never trimmed.
    /// - Throws: `CoreError.invalidPassword`.
    public static func password(_ raw: String) throws -> String {
        guard passwordLength.contains(raw.unicodeScalars.count), !raw.unicodeScalars.contains("\0") else {
            throw CoreError(.invalidPassword, field: "password",
                            "Use 8 to 1024 characters (no NUL characters).")
        }
        return raw
    }

    /// Checks a display name and returns it trimmed.
    /// - Throws: `CoreError.invalidName`.
    public static func name(_ raw: String) throws -> String {
        let name = raw.trimmingWhitespace()
        guard nameLength.contains(name.unicodeScalars.count),
              !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw CoreError(.invalidName, field: "name", "Enter a name of 1 to 100 characters on one line.")
        }
        return name
    }

    /// Checks a Markdown bio's length (10,000 code points at most, line breaks as LF)
    /// and returns it with LF line breaks.
    /// - Throws: `CoreError.invalidBio`.
    public static func bio(_ raw: String) throws -> String {
        let bio = raw.withLFLineBreaks()
        guard bio.unicodeScalars.count <= bioLimit, !bio.unicodeScalars.contains("\0") else {
            throw CoreError(.invalidBio, field: "bio",
                            "Keep the bio to 10,000 characters (it has \(bio.unicodeScalars.count)).")
        }
        return bio
    }

    /// Checks a booking's note (1,000 code points at most, line breaks as LF) and
    /// returns it trimmed with LF line breaks.
    /// - Throws: `CoreError.invalidNote`.
    public static func note(_ raw: String) throws -> String {
        let note = raw.withLFLineBreaks().trimmingWhitespace()
        guard note.unicodeScalars.count <= noteLimit, !note.unicodeScalars.contains("\0") else {
            throw CoreError(.invalidNote, field: "note",
                            "Keep the note to 1,000 characters (it has \(note.unicodeScalars.count)).")
        }
        return note
    }
}

extension String {
    /// The string with each CRLF and lone CR as LF, as text is stored: a browser sends
    /// a textarea's line breaks as CRLF, and limits count what is stored.
    public func withLFLineBreaks() -> String {
        guard unicodeScalars.contains("\r") else { return self }
        var out = String.UnicodeScalarView()
        var afterCR = false
        for scalar in unicodeScalars {
            if scalar == "\r" { out.append("\n"); afterCR = true; continue }
            if !(afterCR && scalar == "\n") { out.append(scalar) }
            afterCR = false
        }
        return String(out)
    }

    /// The string without leading and trailing Unicode whitespace.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
