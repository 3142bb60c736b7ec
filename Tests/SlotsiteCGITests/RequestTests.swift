import Testing
@testable import SlotsiteCGI

struct RequestTests {
    @Test(arguments: [
        ("a=1&b=2", ["a": "1", "b": "2"]),
        ("a=x+y%20z&b=", ["a": "x y z", "b": ""]),
        ("n=%C3%A9", ["n": "é"]),
        ("flag", ["flag": ""]),
        ("", [:]),
    ])
    func decodesForms(_ c: (String, [String: String])) throws {
        #expect(try FormData(decoding: Array(c.0.utf8)).fields == c.1)
    }

    @Test(arguments: ["a=%", "a=%G1", "a=%4", "a=1&a=2", "a=%C0%AF", "a=%FF", "&a=1", "a=1&", "=x",
                      (0...64).map { "f\($0)=1" }.joined(separator: "&")])
    func refusesMalformedForms(_ body: String) {
        #expect { try FormData(decoding: Array(body.utf8)) } throws: { ($0 as? HTTPError)?.status == 400 }
    }

    @Test func onlyNamedFieldsAreTaken() throws {
        let form = try FormData(decoding: Array("slot=1&admin=1".utf8))
        #expect { try form.only(["slot", "note"]) } throws: { ($0 as? HTTPError)?.status == 400 }
        try form.only(["slot", "admin"])
    }

    @Test(arguments: [
        ("GET", "/login", Route.loginForm), ("POST", "/login", .login), ("GET", "", .home), ("GET", "/", .home),
        ("POST", "/slots/42/delete", .deleteSlot(42)), ("POST", "/bookings/7/cancel", .cancelBooking(7)),
        ("HEAD", "/account", .account), ("GET", "/password/forgot", .forgotForm), ("POST", "/password/forgot", .forgot),
        ("GET", "/password/reset", .resetForm), ("POST", "/password/reset", .reset), ("GET", "/email/confirm", .confirmEmail),
        ("POST", "/account/password", .changePassword), ("POST", "/account/email", .changeEmail),
        ("POST", "/account/notifications", .notifications), ("POST", "/account/calendar", .renewCalendar),
        ("GET", "/calendar/abc.ics", .calendarFeed("abc")), ("GET", "/bookings/12.ics", .bookingCalendar(12)),
    ])
    func routes(_ c: (String, String, Route)) throws {
        let request = try CGIRequest(variables: ["REQUEST_METHOD": c.0, "PATH_INFO": c.1])
        #expect(try Route(request.method, request.segments) == c.2)
    }

    @Test(arguments: [
        ("POST", "/slots/0/delete", 404), ("POST", "/slots/-1/delete", 404), ("POST", "/slots/1e3/delete", 404),
        ("POST", "/slots/9223372036854775808/delete", 404), ("POST", "/slots/01/delete", 404),
        ("GET", "/slots/1/../../account", 404), ("GET", "/./account", 404), ("GET", "//account", 404), ("GET", "/account/", 404),
        ("GET", "/logout", 405), ("POST", "/account", 405), ("GET", "/book", 405), ("PUT", "/login", 405),
        ("DELETE", "/account", 405), ("OPTIONS", "/login", 405), ("GET", "/admin", 404),
    ])
    func refusesBadPaths(_ c: (String, String, Int)) {
        #expect {
            let request = try CGIRequest(variables: ["REQUEST_METHOD": c.0, "PATH_INFO": c.1])
            _ = try Route(request.method, request.segments)
        } throws: { ($0 as? HTTPError)?.status == c.2 }
    }

    @Test(arguments: [
        (nil as String?, "application/x-www-form-urlencoded", 0 as Int?),
        ("12", "application/x-www-form-urlencoded; charset=UTF-8", 12),
        ("65536", "application/x-www-form-urlencoded", 65536),
        ("65537", "application/x-www-form-urlencoded", nil),
        ("100000000000000000000", "application/x-www-form-urlencoded", nil),
        ("9999999499999999999", "application/x-www-form-urlencoded", nil), // found by scripts/fuzz: crashed Int(_:)!
        ("-1", "application/x-www-form-urlencoded", nil),
        ("+5", "application/x-www-form-urlencoded", nil),
        ("5x", "application/x-www-form-urlencoded", nil),
        ("5", "text/plain", nil),
        ("5", "multipart/form-data; boundary=x", nil),
    ])
    func bodyLengthAndType(_ c: (String?, String, Int?)) throws {
        var v = ["REQUEST_METHOD": "POST", "PATH_INFO": "/login", "CONTENT_TYPE": c.1]
        v["CONTENT_LENGTH"] = c.0
        let request = try CGIRequest(variables: v)
        if let expected = c.2 {
            #expect(try request.bodyLength() == expected)
        } else {
            #expect(throws: HTTPError.self) { try request.bodyLength() }
        }
    }
}
