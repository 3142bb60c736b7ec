/// What a request asks for, from its method and `PATH_INFO`.
enum Route: Equatable {
    case home
    case registerForm, register
    case loginForm, login, logout
    case account, updateProfile, listing
    case createSlot, deleteSlot(Int64)
    case book, cancelBooking(Int64)
    case changePassword, changeEmail, confirmEmail, notifications
    case forgotForm, forgot, resetForm, reset
    case calendarFeed(String), renewCalendar, bookingCalendar(Int64)
    case addRule, deleteRule(Int64), addDay, deleteDay(Int64), availabilitySettings

    /// - Throws: `HTTPError` 404 for an unknown path, 405 with `Allow` for a known
    ///   path asked with the wrong method.
    init(_ method: CGIRequest.Method, _ segments: [String]) throws {
        let post = method == .post
        func only(_ allowPost: Bool, _ route: Route) throws -> Route {
            guard post == allowPost else {
                throw HTTPError(405, "Method not allowed",
                                allowPost ? "This address takes a form submission (POST)." : "This address is a page to read (GET).",
                                headers: [("Allow", allowPost ? "POST" : "GET, HEAD")])
            }
            return route
        }
        switch segments {
        case []: self = try only(false, .home)
        case ["register"]: self = post ? .register : .registerForm
        case ["login"]: self = post ? .login : .loginForm
        case ["logout"]: self = try only(true, .logout)
        case ["account"]: self = try only(false, .account)
        case ["account", "profile"]: self = try only(true, .updateProfile)
        case ["account", "listing"]: self = try only(true, .listing)
        case ["slots"]: self = try only(true, .createSlot)
        case ["book"]: self = try only(true, .book)
        case ["account", "password"]: self = try only(true, .changePassword)
        case ["account", "email"]: self = try only(true, .changeEmail)
        case ["account", "notifications"]: self = try only(true, .notifications)
        case ["email", "confirm"]: self = try only(false, .confirmEmail)
        case ["password", "forgot"]: self = post ? .forgot : .forgotForm
        case ["password", "reset"]: self = post ? .reset : .resetForm
        case ["account", "calendar"]: self = try only(true, .renewCalendar)
        case ["availability", "rules"]: self = try only(true, .addRule)
        case ["availability", "days"]: self = try only(true, .addDay)
        case ["availability", "settings"]: self = try only(true, .availabilitySettings)
        default:
            if segments.count == 3, segments[0] == "slots", segments[2] == "delete", let id = Route.id(segments[1]) {
                self = try only(true, .deleteSlot(id))
            } else if segments.count == 3, segments[0] == "bookings", segments[2] == "cancel", let id = Route.id(segments[1]) {
                self = try only(true, .cancelBooking(id))
            } else if segments.count == 4, segments[0] == "availability", segments[3] == "delete",
                      segments[1] == "rules" || segments[1] == "days", let id = Route.id(segments[2]) {
                self = try only(true, segments[1] == "rules" ? .deleteRule(id) : .deleteDay(id))
            } else if segments.count == 2, segments[0] == "bookings", segments[1].hasSuffix(".ics"),
                      let id = Route.id(String(segments[1].dropLast(4))) {
                self = try only(false, .bookingCalendar(id))
            } else if segments.count == 2, segments[0] == "calendar", segments[1].hasSuffix(".ics") {
                self = try only(false, .calendarFeed(String(segments[1].dropLast(4))))
            } else {
                throw HTTPError.notFound
            }
        }
    }

    /// A positive decimal id without sign, leading zeros or anything else.
    static func id(_ text: String) -> Int64? {
        guard let first = text.utf8.first, first != UInt8(ascii: "0"), text.utf8.count <= 19,
              text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text)
    }
}
