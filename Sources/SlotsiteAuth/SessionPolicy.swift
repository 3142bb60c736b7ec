/// How long sessions live and how the cookie that carries them is set.
public struct SessionPolicy: Sendable {
    public static let cookieName = "slotsite_session"
    /// A session unused this long is over.
    public static let idleTimeout: Int64 = 30 * 60
    /// A session this old is over however much it is used.
    public static let absoluteTimeout: Int64 = 12 * 3600
    /// Last use is written back at most this often, to spare a write per request.
    public static let touchInterval: Int64 = 60

    /// The cookie's `Path`: the CGI's URL path.
    public let path: String
    /// True when the site is served over https.
    public let secure: Bool

    public init(path: String, secure: Bool) {
        self.path = path
        self.secure = secure
    }

    /// True while a session created at `createdAt` and last used at `lastSeen` is valid at `now`.
    public static func isAlive(createdAt: Int64, lastSeen: Int64, now: Int64) -> Bool {
        now - lastSeen < idleTimeout && now - createdAt < absoluteTimeout && createdAt <= now
    }

    /// `Set-Cookie` value that hands `token` to the browser.
    public func setCookie(_ token: SessionToken) -> String {
        attributes("\(SessionPolicy.cookieName)=\(token.value)", maxAge: SessionPolicy.absoluteTimeout)
    }

    /// `Set-Cookie` value that deletes the cookie.
    public func clearCookie() -> String {
        attributes("\(SessionPolicy.cookieName)=", maxAge: 0)
    }

    private func attributes(_ pair: String, maxAge: Int64) -> String {
        pair + "; Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// The session token in a `Cookie` header, or nil when there is none, it is
    /// malformed, or the cookie appears more than once.
    public static func token(inCookieHeader header: String?) -> SessionToken? {
        guard let header, header.utf8.count <= 8192 else { return nil }
        var found: [Substring] = []
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop { $0 == " " }
            guard let eq = trimmed.firstIndex(of: "=") else { continue }
            if trimmed[..<eq] == cookieName { found.append(trimmed[trimmed.index(after: eq)...]) }
        }
        guard found.count == 1 else { return nil }
        return SessionToken(cookieValue: String(found[0]))
    }
}
