/// The rules for the fields of an account other than the handle.
public enum Account {
    public static let passwordLength = 8...1024
    public static let nameLength = 1...100
    public static let bioLimit = 10_000

    /// Checks an email address loosely (one `@`, a dot in the domain, no spaces) and
    /// returns it trimmed; uniqueness ignoring case is the store's job.
    /// - Throws: `CoreError.invalidEmail`.
    public static func email(_ raw: String) throws -> String {
        let email = raw.trimmingWhitespace()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty,
              parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" })
        else {
            throw CoreError(.invalidEmail, field: "email", "Enter an email address like name@example.org.")
        }
        return email
    }

    /// Checks a password's length in characters; it is never trimmed.
    /// - Throws: `CoreError.invalidPassword`.
    public static func password(_ raw: String) throws -> String {
        guard passwordLength.contains(raw.count), !raw.unicodeScalars.contains("\0") else {
            throw CoreError(.invalidPassword, field: "password",
                            "Use 8 to 1024 characters (no NUL characters).")
        }
        return raw
    }

    /// Checks a display name and returns it trimmed.
    /// - Throws: `CoreError.invalidName`.
    public static func name(_ raw: String) throws -> String {
        let name = raw.trimmingWhitespace()
        guard nameLength.contains(name.count),
              !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else {
            throw CoreError(.invalidName, field: "name", "Enter a name of 1 to 100 characters on one line.")
        }
        return name
    }

    /// Checks a Markdown bio's length (10,000 characters at most).
    /// - Throws: `CoreError.invalidBio`.
    public static func bio(_ raw: String) throws -> String {
        guard raw.count <= bioLimit, !raw.unicodeScalars.contains("\0") else {
            throw CoreError(.invalidBio, field: "bio", "Keep the bio under 10,000 characters.")
        }
        return raw
    }
}

extension String {
    /// The string without leading and trailing Unicode whitespace.
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
