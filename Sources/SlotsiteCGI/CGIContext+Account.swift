import SlotsiteCore
import SlotsiteSite
import SlotsiteStore

extension CGIContext {
    static let listPageSize = 50

    func accountPage() throws -> Outcome {
        .show(.account(try account(requireUser())))
    }

    /// The account page of `user`: one page of each list, as the query asks.
    func account(_ user: User) throws -> AccountPage {
        let store = try store()
        func pageNumber(_ key: String) -> Int {
            guard let raw = request.query[key], let n = Int(raw), (1...100_000).contains(n) else { return 1 }
            return n
        }
        let size = CGIContext.listPageSize
        func listing<Item>(_ key: String, _ read: (_ limit: Int, _ offset: Int) throws -> [Item]) rethrows -> AccountPage.Listing<Item> {
            let page = pageNumber(key)
            let items = try read(size + 1, (page - 1) * size)
            return .init(items: Array(items.prefix(size)), page: page, more: items.count > size)
        }
        var page = AccountPage(
            user: user, now: now,
            slots: try listing("slots") { try store.slots(of: user.id, from: now - Slot.maximumDuration, limit: $0, offset: $1) },
            booked: try listing("booked") { try store.bookingsOfSlots(of: user.id, limit: $0, offset: $1) },
            made: try listing("made") { try store.bookingsMade(by: user.id, limit: $0, offset: $1) })
        (page.bookingMail, page.reminderMail) = try store.notifications(userID: user.id)
        page.calendarURL = try calendarURL(of: user.id)
        let zone = (try? Zone(user.timezone)) ?? .utc
        let today = zone.local(now).date.daysSinceEpoch
        let hours = try store.availability(userID: user.id, fromDate: today)
        page.hours = hours.availability
        page.preview = hours.availability.slots(on: today...(today + 13), in: zone, from: now + hours.availability.settings.noticeSeconds)
        page.notice = notice()
        return page
    }

    /// The account page again with a form's problems: `status` 400 or 409.
    func refusedOnAccount(_ status: Int, user: User, profile: [String: String]? = nil, slot: [String: String]? = nil,
                          email: [String: String]? = nil, problems: [String: String], summary: String) throws -> Outcome {
        var page = try account(user)
        page.notice = nil
        page.profileForm = profile
        page.slotForm = slot
        page.emailForm = email
        page.errors = problems
        page.problem = summary
        return .invalid(.account(page), status: status, problems: problems)
    }

    private func notice() -> String? {
        let messages = [
            "registered": "Welcome! Your profile page is published. Add a bio and some slots below.",
            "registered-private": "Welcome! Your account is private. Find a professional and book a slot; your bookings appear below.",
            "listed": "Your profile page is published. Add a bio and some slots below.",
            "withdrawn": "Your profile page is withdrawn. Your slots and bookings stay; nobody new can book them.",
            "profile": "Your profile is saved and its public page updated.",
            "slot-added": "The slot is added.",
            "slot-deleted": "The slot is deleted.",
            "booked": "Booked! You find the booking below, under “Bookings I made”.",
            "cancelled": "The booking is cancelled and the slot is free again.",
            "password-changed": "Your password is changed; every other session of your account has ended.",
            "password-reset": "Your new password is set and you are logged in; every other session has ended.",
            "email-sent": "We mailed a link to the new address. Your address changes when you open it (within 24 hours).",
            "email-changed": "Your e-mail address is changed.",
            "notifications": "Your e-mail settings are saved.",
            "hours": "Your working hours are saved and your slots laid out anew; booked slots and those you added by hand stay as they are.",
            "calendar": "Your calendar has a new address; the old one no longer works. Subscribe to the new one below.",
        ]
        return request.query["done"].flatMap { messages[$0] }
    }

    func updateProfile() throws -> Outcome {
        let user = try requireUser()
        try form.only(["name", "bio", "skills", "timezone"])
        var errors: [String: String] = [:]
        func check<T>(_ body: () throws -> T) -> T? {
            do { return try body() } catch let e as CoreError { errors[e.field] = e.message; return nil } catch { return nil }
        }
        let name = check { try Account.name(form["name"] ?? "") }
        let bio = check { try Account.bio(form["bio"] ?? "") }
        let skills = check { try Skills(parsing: form["skills"] ?? "") }
        let zone = check { try Zone((form["timezone"] ?? "").trimmingWhitespace()) }
        guard let name, let bio, let skills, let zone, errors.isEmpty else {
            return try refusedOnAccount(400, user: user, profile: form.fields, problems: errors,
                                        summary: "The profile was not saved; see the marked fields.")
        }
        try store().updateProfile(userID: user.id, name: name, bio: bio, skills: skills.names, timezone: zone.identifier, now: now)
        try renderPages(touchedBy: .profile(user.id))
        return .done(location: url("/account?done=profile"))
    }

    func updateListing() throws -> Outcome {
        let user = try requireUser()
        try form.only(["listed"])
        guard let listed = form["listed"], listed == "0" || listed == "1" else {
            throw HTTPError.badRequest("The field “listed” must be 1 (publish) or 0 (withdraw). Go back to your account page and use its button.")
        }
        try store().setListed(userID: user.id, listed == "1", now: now)
        try renderPages(touchedBy: .listing(user.id))
        return .done(location: url(listed == "1" ? "/account?done=listed" : "/account?done=withdrawn"))
    }
}
