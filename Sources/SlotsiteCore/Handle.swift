/// A professional's public name in URLs: `[a-z0-9-]{3,32}`, not a reserved word.
public struct Handle: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    /// Words that name routes or folders of the site and so can never be a handle.
    public static let reserved: Set<String> = [
        "admin", "administrator", "root", "assets", "u", "cgi-bin", "login", "logout",
        "register", "account", "api", "page", "static", "public", "sitemap", "index",
        "slots", "book", "bookings", "settings", "help", "about", "www", "mail",
        "support", "slotsite", "null", "undefined", "new", "edit", "system",
    ]

    /// Validates `raw` exactly as given (no trimming, no case folding).
    /// - Throws: `CoreError` `.invalidHandle` or `.reservedHandle`.
    public init(_ raw: String) throws {
        let bytes = Array(raw.utf8)
        guard (3...32).contains(bytes.count),
              bytes.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
        else {
            throw CoreError(.invalidHandle, field: "handle",
                            "Use 3 to 32 characters: lower-case letters a–z, digits and hyphens.")
        }
        guard !Handle.reserved.contains(raw) else {
            throw CoreError(.reservedHandle, field: "handle", "“\(raw)” is reserved; choose another handle.")
        }
        value = raw
    }

    public var description: String { value }
}
