import Foundation
import Testing
import SlotsiteAuth
import SlotsiteStore
@testable import SlotsiteCGI

/// Passwords and addresses through the handlers, with the mailed links read from the outbox.
struct RecoveryTests {
    func link(_ h: CGIHarness) throws -> String {
        try #require(try h.store.unsentMail().last?.notice.token)
    }

    @Test func aResetRequestAnswersAlikeForKnownAndUnknownAddresses() throws {
        let h = try CGIHarness()
        _ = try h.register("ada")
        let known = h.post("/password/forgot", [("email", "ADA@example.org")])
        let unknown = h.post("/password/forgot", [("email", "nobody@example.org")])
        #expect(known.status == 303 && unknown.status == 303 && known.body == unknown.body)
        #expect(known.header("Location") == "/cgi-bin/slotsite/password/forgot?sent=1" && known.header("Location") == unknown.header("Location"))
        #expect(try h.store.unsentMail().filter { $0.notice.kind == .reset }.count == 1)
        #expect(h.send("GET", "/password/forgot?sent=1").body.contains("id=\"sent\""))
        #expect(h.post("/password/forgot", [("email", "not an address")]).status == 400)
        // Both start a drain after answering, so that neither answer ends sooner; a refusal starts none.
        func startsDrain(_ body: String) -> Bool {
            var started = false
            _ = CGIApplication.respond(variables: ["SLOTSITE_SITE": h.directory, "REQUEST_METHOD": "POST", "PATH_INFO": "/password/forgot",
                                                   "CONTENT_LENGTH": String(body.utf8.count), "REMOTE_ADDR": "10.0.0.1",
                                                   "CONTENT_TYPE": "application/x-www-form-urlencoded", "HTTP_SEC_FETCH_SITE": "same-origin"],
                                       readBody: { _ in Array(body.utf8) }, now: h.now, log: { _ in }, wroteMail: { _ in started = true })
            return started
        }
        #expect(startsDrain("email=ada%40example.org") && startsDrain("email=ghost%40example.org") && !startsDrain("email=x"))
    }

    @Test func aResetLinkSetsThePasswordOnceAndLogsIn() throws {
        let h = try CGIHarness()
        let old = try h.register("ada")
        _ = h.post("/password/forgot", [("email", "ada@example.org")])
        let token = try link(h)
        let form = h.send("GET", "/password/reset?token=" + token)
        #expect(form.status == 200 && form.body.contains(token) && form.header("Referrer-Policy") == "no-referrer")
        #expect(h.send("GET", "/password/reset?token=AAAA").status == 400)
        #expect(h.post("/password/reset", [("token", token), ("password", "short")]).status == 400)
        let done = h.post("/password/reset", [("token", token), ("password", "brand new pass")])
        #expect(done.status == 303 && done.cookie != nil)
        #expect(h.send("GET", "/account", cookie: old).status == 303, "the old session ended")
        #expect(h.send("GET", "/account", cookie: done.cookie).status == 200)
        #expect(h.post("/password/reset", [("token", token), ("password", "another pass")]).status == 400)
        #expect(h.send("GET", "/password/reset?token=" + token).status == 400)
    }

    @Test func aResetLinkExpiresAfterAnHour() throws {
        let h = try CGIHarness()
        _ = try h.register("ada")
        _ = h.post("/password/forgot", [("email", "ada@example.org")])
        let token = try link(h)
        h.now += 3600
        #expect(h.post("/password/reset", [("token", token), ("password", "brand new pass")]).status == 400)
    }

    @Test func signedInChangesNeedTheCurrentPassword() throws {
        let h = try CGIHarness()
        let cookie = try h.register("ada")
        let wrong = h.send("POST", "/account/password", body: "current=nope&password=new+password+1", cookie: cookie)
        #expect(wrong.status == 400 && wrong.body.contains("The current password is wrong."))
        let short = h.send("POST", "/account/password", body: "current=password1&password=short", cookie: cookie)
        #expect(short.status == 400)
        #expect(h.send("POST", "/account/password", body: "current=password1&password=new+password+1", cookie: cookie).status == 303)
        #expect(h.send("GET", "/account", cookie: cookie).status == 200, "this session stays")
        _ = try h.register("bob")
        #expect(h.send("POST", "/account/email", body: "current=new+password+1&email=BOB%40example.org", cookie: cookie).status == 409)
        #expect(h.send("POST", "/account/email", body: "current=new+password+1&email=ada%40example.org", cookie: cookie).status == 400)
        #expect(h.send("POST", "/account/email", body: "current=new+password+1&email=ada%40new.example", cookie: cookie).status == 303)
        let token = try link(h)
        #expect(h.send("GET", "/email/confirm?token=" + token).status == 303)
        #expect(try h.store.user(handle: "ada")?.email == "ada@new.example")
        #expect(h.send("GET", "/email/confirm?token=" + token).status == 400)
    }

    @Test func notificationSettingsTakeOnlyYesOrNo() throws {
        let h = try CGIHarness()
        let cookie = try h.register("ada")
        #expect(h.send("POST", "/account/notifications", body: "booking_mail=2", cookie: cookie).status == 400)
        #expect(h.send("POST", "/account/notifications", body: "reminder_mail=1", cookie: cookie).status == 303)
        let page = h.send("GET", "/account", cookie: cookie).body
        #expect(page.contains("name=\"booking_mail\" value=\"1\">") && page.contains("name=\"reminder_mail\" value=\"1\" checked>"))
    }
}
