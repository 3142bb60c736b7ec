import Foundation
import Testing
import SlotsiteCore
import SlotsiteStore
import SlotsiteSite
@testable import SlotsiteCGI

struct HandlerTests {
    @Test func everyPrivateRouteAsksForALogin() throws {
        let h = try CGIHarness()
        let get = h.send("GET", "/account")
        #expect(get.status == 303)
        // Without scheme and host, so a redirect stays on the name the browser used.
        #expect(get.header("Location") == "/cgi-bin/slotsite/login?next=/cgi-bin/slotsite/account")
        for path in ["/account/profile", "/slots", "/slots/1/delete", "/book", "/bookings/1/cancel", "/account/password",
                     "/account/email", "/account/notifications", "/account/listing"] {
            let r = h.post(path, [])
            #expect(r.status == 303, "\(path)")
            #expect(r.header("Location")?.contains("/login?next=") == true)
        }
    }

    @Test func csrfRule() throws {
        let h = try CGIHarness()
        let body = "login=x&password=yyyyyyyy"
        func status(_ headers: [String: String]) -> Int { h.send("POST", "/login", body: body, variables: headers, sameOrigin: false).status }
        #expect(status([:]) == 403)
        #expect(status(["HTTP_SEC_FETCH_SITE": "cross-site"]) == 403)
        #expect(status(["HTTP_SEC_FETCH_SITE": "same-site"]) == 403)
        #expect(status(["HTTP_SEC_FETCH_SITE": "none"]) == 403)
        #expect(status(["HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://127.0.0.1:8080"]) == 403)
        #expect(status(["HTTP_ORIGIN": "http://127.0.0.1:8080.evil.example"]) == 403)
        #expect(status(["HTTP_ORIGIN": "null"]) == 403)
        #expect(status(["HTTP_ORIGIN": "http://127.0.0.1:8080"]) == 401)
        #expect(status(["HTTP_REFERER": "http://127.0.0.1:8080/u/x/"]) == 401)
        #expect(status(["HTTP_REFERER": "http://127.0.0.1:80801/"]) == 403)
        #expect(status(["HTTP_SEC_FETCH_SITE": "same-origin"]) == 401)
    }

    @Test func framing() throws {
        let h = try CGIHarness()
        // A length larger than the bytes sent: the form arrived incomplete.
        #expect(h.send("POST", "/login", body: "login=x", variables: ["CONTENT_LENGTH": "500"]).status == 400)
        #expect(h.send("POST", "/login", body: "", variables: ["CONTENT_LENGTH": "99999999999999999999"]).status == 413)
        #expect(h.send("POST", "/login", body: "", variables: ["CONTENT_LENGTH": "-1"]).status == 400)
        #expect(h.send("POST", "/login", body: "a=b", variables: ["CONTENT_TYPE": "application/json"]).status == 415)
        #expect(h.send("POST", "/login", body: "login=x%0D%0ASet-Cookie:%20a=b&password=12345678").status == 401)
        #expect(h.send("GET", "/login", variables: ["HTTP_PROXY": "http://evil.example:1"]).status == 200)
    }

    @Test func registrationValidatesEachField() throws {
        let h = try CGIHarness()
        let r = h.post("/register", [("handle", "admin"), ("name", " "), ("email", "x"), ("password", "1234567")])
        #expect(r.status == 400)
        #expect(r.body.components(separatedBy: "class=\"field-error\"").count - 1 == 4)
        #expect(try h.store.allUsers().isEmpty)
        let cookie = try h.register("ada-h")
        #expect(cookie.hasPrefix("slotsite_session="))
        #expect(try h.page("u/ada-h/index.html").contains("<h1>Ada-H</h1>"))
        #expect(try h.page("sitemap.xml").contains("/u/ada-h/"))
        #expect(h.post("/register", [("handle", "ada-h"), ("name", "x"), ("email", "new@x.org"), ("password", "password1")]).status == 409)
        #expect(h.post("/register", [("handle", "ada-i"), ("name", "x"), ("email", "ADA-H@example.org"), ("password", "password1")]).status == 409)
        #expect(h.post("/register", [("handle", "ada-j"), ("name", "x"), ("email", "j@x.org"), ("password", "password1"), ("role", "admin")]).status == 400)
    }

    @Test func sessionsExpireByTheInjectedClock() throws {
        let h = try CGIHarness()
        let cookie = try h.register("ada-s")
        #expect(h.send("GET", "/account", cookie: cookie).status == 200)
        h.now += 29 * 60
        #expect(h.send("GET", "/account", cookie: cookie).status == 200, "still alive, and touched")
        h.now += 29 * 60
        #expect(h.send("GET", "/account", cookie: cookie).status == 200, "idle time restarts at each use")
        h.now += 31 * 60
        #expect(h.send("GET", "/account", cookie: cookie).status == 303, "idle 31 minutes: over")
        let fresh = try #require(h.post("/login", [("login", "ada-s"), ("password", "password1")]).cookie)
        for _ in 0..<30 {
            h.now += 25 * 60
            _ = h.send("GET", "/account", cookie: fresh)
        }
        #expect(h.send("GET", "/account", cookie: fresh).status == 303, "twelve hours: over however busy")
    }

    @Test func slotAndBookingRules() throws {
        let h = try CGIHarness()
        let ada = try h.register("ada-b")
        let bob = try h.register("bob-b")
        #expect(h.post("/account/profile", [("name", "Ada"), ("bio", "hi"), ("skills", "x"), ("timezone", "Europe/Berlin")], cookie: ada).status == 303)
        #expect(h.post("/slots", [("date", "2026-12-01"), ("start", "09:00"), ("end", "09:45")], cookie: ada).status == 303)
        #expect(h.post("/slots", [("date", "2026-12-01"), ("start", "09:30"), ("end", "10:00")], cookie: ada).status == 409)
        #expect(h.post("/slots", [("date", "2026-03-29"), ("start", "02:30"), ("end", "03:30")], cookie: ada).status == 400)
        #expect(h.post("/slots", [("date", "2027-03-28"), ("start", "02:30"), ("end", "03:30")], cookie: ada).status == 400, "DST gap")
        #expect(h.post("/slots", [("date", "2026-12-01"), ("start", "09:00")], cookie: ada).status == 400)
        let html = try h.page("u/ada-b/index.html")
        #expect(html.contains("<time datetime=\"2026-12-01T09:00:00+01:00\">09:00</time>–<time datetime=\"2026-12-01T09:45:00+01:00\">09:45</time>"))
        let slot = try #require(try h.store.slots(of: 1).first?.slot.id)
        for bad in ["0", "-1", "9223372036854775808", "1e3", "", "١"] {
            #expect(h.post("/book", [("slot", bad)], cookie: bob).status == 400, "slot \(bad)")
        }
        #expect(h.post("/book", [("slot", "\(slot)")], cookie: ada).status == 403)
        #expect(h.post("/book", [("slot", "\(slot)"), ("note", String(repeating: "x", count: 1001))], cookie: bob).status == 400)
        #expect(h.post("/book", [("slot", "\(slot)"), ("note", "hello")], cookie: bob).status == 303)
        #expect(try !h.page("u/ada-b/index.html").contains("data-slot=\"\(slot)\""))
        let again = h.post("/book", [("slot", "\(slot)")], cookie: bob)
        #expect(again.status == 303 && again.header("Location") == "/cgi-bin/slotsite/account?done=booked", "a form sent twice")
        let carl = try h.register("carl-b", offer: false)
        #expect(h.post("/book", [("slot", "\(slot)")], cookie: carl).status == 409)
        #expect(h.post("/slots/\(slot)/delete", cookie: ada).status == 409)
        #expect(h.post("/slots/\(slot)/delete", cookie: bob).status == 403)
        let booking = try #require(try h.store.bookingsMade(by: 2).first?.id)
        #expect(h.post("/bookings/\(booking + 100)/cancel", cookie: bob).status == 404)
        #expect(h.post("/bookings/\(booking)/cancel", cookie: ada).status == 303)
        #expect(try h.page("u/ada-b/index.html").contains("data-slot=\"\(slot)\""))
        h.now = try #require(try h.store.slot(id: slot)).range.start
        let later = try #require(h.post("/login", [("login", "bob-b"), ("password", "password1")]).cookie)
        #expect(h.post("/book", [("slot", "\(slot)")], cookie: later).status == 410)
        #expect(h.logged.isEmpty, "no fault logged: \(h.logged)")
    }

    @Test func loginIsGenericAndThrottled() throws {
        let h = try CGIHarness()
        _ = try h.register("eve-t")
        let wrong = h.post("/login", [("login", "eve-t"), ("password", "nope-nope")])
        let unknown = h.post("/login", [("login", "nobody-t"), ("password", "nope-nope")])
        #expect(wrong.status == 401 && unknown.status == 401)
        func stripped(_ s: String) -> String { s.replacingOccurrences(of: "eve-t", with: "").replacingOccurrences(of: "nobody-t", with: "") }
        #expect(stripped(wrong.body) == stripped(unknown.body))
        for i in 0..<9 { #expect(h.post("/login", [("login", "eve-t"), ("password", "nope \(i)")]).status == 401) }
        let refused = h.post("/login", [("login", "EVE-T@example.org"), ("password", "password1")])
        #expect(refused.status == 429)
        // Guesses from one address do not lock the owner out at another.
        let elsewhere = h.send("POST", "/login", body: "login=eve-t&password=password1", variables: ["REMOTE_ADDR": "127.0.0.9"])
        #expect(elsewhere.status == 303)
        #expect(Int(refused.header("Retry-After") ?? "") ?? 0 > 0)
        h.now += 15 * 60
        #expect(h.post("/login", [("login", "eve-t"), ("password", "password1")]).status == 303, "the window passed")
    }

    @Test func aFaultIsAGeneric500WithDetailsOnlyInTheLog() throws {
        let h = try CGIHarness()
        let cookie = try h.register("ada-f")
        try FileManager.default.removeItem(atPath: h.directory + "/templates/profile.mustache")
        let r = h.post("/slots", [("date", "2026-12-01"), ("start", "09:00"), ("end", "09:45")], cookie: cookie)
        #expect(r.status == 500)
        #expect(!r.body.contains("profile.mustache"))
        #expect(h.logged.contains { $0.contains("profile") })
        // The slot was committed; once the theme is whole again, the next incremental
        // build renders the page, because the change bumped the professional's version.
        #expect(try h.store.slots(of: 1).count == 1)
        try FileManager.default.copyItem(atPath: h.directory + "/templates/page.mustache", toPath: h.directory + "/templates/profile.mustache")
        let summary = try Site.open(h.directory).builder().buildIncremental(now: h.now)
        #expect(summary.written >= 1)
    }

    @Test func headGetsHeadersOnly() throws {
        let h = try CGIHarness()
        let (response, includeBody) = CGIApplication.respond(
            variables: ["SLOTSITE_SITE": h.directory, "REQUEST_METHOD": "HEAD", "PATH_INFO": "/login"],
            readBody: { _ in [] }, now: h.now, log: { _ in })
        #expect(response.status == 200 && !includeBody)
        let text = String(decoding: response.cgiOutput(includeBody: includeBody), as: UTF8.self)
        #expect(text.hasPrefix("Status: 200 OK\r\n") && text.hasSuffix("\r\n\r\n"))
    }

    @Test func missingSiteIsA500() {
        let (response, _) = CGIApplication.respond(variables: ["REQUEST_METHOD": "GET", "PATH_INFO": "/login"],
                                                   readBody: { _ in [] }, now: 0, log: { _ in })
        #expect(response.status == 500)
    }

    @Test func aClientStaysPrivateUntilTheyPublish() throws {
        let h = try CGIHarness()
        let cookie = try h.register("cora-p", offer: false)
        #expect(!FileManager.default.fileExists(atPath: h.directory + "/public/u/cora-p/index.html"))
        #expect(try !h.page("index.html").contains("cora-p"))
        #expect(h.send("GET", "/account", cookie: cookie).body.contains("Your account is private"))
        #expect(h.post("/account/listing", [("listed", "yes")], cookie: cookie).status == 400)
        #expect(h.post("/account/listing", [("listed", "1")], cookie: cookie).status == 303)
        #expect(try h.page("u/cora-p/index.html").contains("Cora-P"))
        #expect(try h.page("index.html").contains("cora-p"))
        #expect(try h.page("sitemap.xml").contains("u/cora-p/"))
        #expect(h.post("/account/listing", [("listed", "0")], cookie: cookie).status == 303)
        #expect(!FileManager.default.fileExists(atPath: h.directory + "/public/u/cora-p/index.html"))
        #expect(try !h.page("index.html").contains("cora-p"))
        #expect(try !h.page("sitemap.xml").contains("u/cora-p/"))
        #expect(h.logged.isEmpty, "no fault logged: \(h.logged)")
    }

    /// Every text field at and just past its limit, counted in code points of what is
    /// stored: never a 500, and what is stored is what was accepted.
    @Test(arguments: ["a", "é", "e\u{301}", "👍🏽", "漢", "\r\n"])
    func textFieldsAtTheirLimitsAreAcceptedOrNamed(_ unit: String) throws {
        let h = try CGIHarness()
        let cookie = try h.register("tex-t")
        let per = unit.withLFLineBreaks().unicodeScalars.count
        func bio(_ n: Int) -> String { "x" + String(repeating: unit, count: n) + "x" }
        let fits = bio((10_000 - 2) / per)
        let ok = h.post("/account/profile", [("name", "T"), ("bio", fits), ("skills", ""), ("timezone", "UTC")], cookie: cookie)
        // 10,000 characters of a script that takes 3 or 4 bytes each are 90 KB or more
        // percent-encoded: past the 64 KiB a request may carry, refused before reading.
        if FormEncoding.encode(fits).utf8.count > 65_000 {
            #expect(ok.status == 413 && ok.body.contains("larger than 64 KiB"))
            #expect(try h.store.user(handle: "tex-t")?.bio == "")
        } else {
            #expect(ok.status == 303)
            #expect(try h.store.user(handle: "tex-t")?.bio == fits.withLFLineBreaks())
            let over = h.post("/account/profile", [("name", "T"), ("bio", bio(10_000 / per)), ("skills", ""), ("timezone", "UTC")], cookie: cookie)
            #expect(over.status == 400 && over.body.contains("Keep the bio"))
        }
        if !unit.unicodeScalars.contains("\r") {
            let name = String(repeating: unit, count: 100 / per)
            #expect(h.post("/account/profile", [("name", name), ("bio", ""), ("skills", ""), ("timezone", "UTC")], cookie: cookie).status == 303)
            #expect(try h.store.user(handle: "tex-t")?.name == name)
            let long = h.post("/account/profile", [("name", name + unit), ("bio", ""), ("skills", ""), ("timezone", "UTC")], cookie: cookie)
            #expect(long.status == 400)
            let skill = String(repeating: unit, count: 40 / per)
            #expect(h.post("/account/profile", [("name", "T"), ("bio", ""), ("skills", skill), ("timezone", "UTC")], cookie: cookie).status == 303)
            #expect(h.post("/account/profile", [("name", "T"), ("bio", ""), ("skills", skill + unit), ("timezone", "UTC")], cookie: cookie).status == 400)
        }
        // Registration: name, e-mail and password at and past their limits.
        if !unit.unicodeScalars.contains("\r") {
            let name = String(repeating: unit, count: 100 / per)
            let local = String(repeating: unit, count: (254 - 12) / per)
            let password = String(repeating: unit, count: 1024 / per)
            let fields = [("handle", "reg-t"), ("name", name), ("email", local + "@example.org"), ("password", password)]
            #expect(h.post("/register", fields).status == 303)
            #expect(try h.store.credentials(login: local + "@EXAMPLE.ORG")?.user.name == name)
            for (field, value) in [("name", name + unit), ("email", local + unit + unit + unit + "@example.org"), ("password", password + unit)] {
                let r = h.post("/register", fields.map { $0.0 == "handle" ? ("handle", "reg-u") : $0.0 == field ? (field, value) : $0 })
                #expect(r.status == 400 && r.body.contains("field-error"), "\(field) past its limit")
            }
        }
        let pro = try h.register("pro-t")
        #expect(h.post("/slots", [("date", "2026-12-01"), ("start", "09:00"), ("end", "09:45")], cookie: pro).status == 303)
        let proID = try #require(try h.store.user(handle: "pro-t")).id
        let slot = try #require(try h.store.slots(of: proID).first?.slot.id)
        let tooLong = h.post("/book", [("slot", "\(slot)"), ("note", bio(1000 / per))], cookie: cookie)
        #expect(tooLong.status == 400 && tooLong.body.contains("note"))
        let note = bio((1000 - 2) / per)
        #expect(h.post("/book", [("slot", "\(slot)"), ("note", note)], cookie: cookie).status == 303)
        #expect(try h.store.bookingsMade(by: 1).first?.note == note.withLFLineBreaks().trimmingWhitespace())
        #expect(h.logged.isEmpty, "no fault logged: \(h.logged)")
    }
}
