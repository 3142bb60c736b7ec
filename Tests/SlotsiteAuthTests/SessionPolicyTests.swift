import Testing
@testable import SlotsiteAuth

struct SessionPolicyTests {
    @Test func cookieParsing() {
        let token = SessionToken.generate()
        #expect(SessionPolicy.token(inCookieHeader: "a=b; slotsite_session=\(token.value); c=d") == token)
        #expect(SessionPolicy.token(inCookieHeader: "slotsite_session=\(token.value); slotsite_session=\(token.value)") == nil)
        #expect(SessionPolicy.token(inCookieHeader: "slotsite_session=short") == nil)
        #expect(SessionPolicy.token(inCookieHeader: "slotsite_session=" + String(repeating: "!", count: 43)) == nil)
        #expect(SessionPolicy.token(inCookieHeader: "x=" + String(repeating: "y", count: 10_000)) == nil)
        #expect(SessionPolicy.token(inCookieHeader: nil) == nil)
    }

    @Test func cookieAttributes() {
        let token = SessionToken.generate()
        #expect(SessionPolicy(path: "/cgi-bin/slotsite", secure: true).setCookie(token)
            == "slotsite_session=\(token.value); Path=/cgi-bin/slotsite; Max-Age=43200; HttpOnly; SameSite=Strict; Secure")
        #expect(!SessionPolicy(path: "/c", secure: false).setCookie(token).contains("Secure"))
    }

    @Test func tokensAreUniqueAnd256Bits() {
        var seen = Set<String>()
        for _ in 0..<100_000 { seen.insert(SessionToken.generate().value) }
        #expect(seen.count == 100_000)
        #expect(Base64URL.decode(seen.first!)?.count == 32)
    }

    @Test func sessionExpiry() {
        let t: Int64 = 1_000_000
        #expect(SessionPolicy.isAlive(createdAt: t, lastSeen: t, now: t + 29 * 60))
        #expect(!SessionPolicy.isAlive(createdAt: t, lastSeen: t, now: t + 30 * 60))
        #expect(SessionPolicy.isAlive(createdAt: t, lastSeen: t + 11 * 3600 + 3500, now: t + 12 * 3600 - 1))
        #expect(!SessionPolicy.isAlive(createdAt: t, lastSeen: t + 12 * 3600 - 10, now: t + 12 * 3600))
    }
}
