import SlotsiteCore
import SlotsiteRender
import SlotsiteSite
import SlotsiteStore

extension CGIContext {
    static let listPageSize = 50

    /// Form values and problems to show again when a form on the account page is refused.
    struct AccountForms {
        var profile: [String: String]?
        var slot: [String: String]?
        var errors: [String: String] = [:]
        var problem: String?
    }

    func accountPage() throws -> Response {
        try accountPage(200, user: requireUser(), forms: AccountForms())
    }

    func accountPage(_ status: Int, user: User, forms: AccountForms) throws -> Response {
        let store = try store()
        let zone = (try? Zone(user.timezone)) ?? .utc
        func pageNumber(_ key: String) -> Int {
            guard let raw = request.query[key], let n = Int(raw), (1...100_000).contains(n) else { return 1 }
            return n
        }
        let size = CGIContext.listPageSize
        let slotsPage = pageNumber("slots"), bookedPage = pageNumber("booked"), madePage = pageNumber("made")
        let from = now - Slot.maximumDuration
        let mine = try store.slots(of: user.id, from: from, limit: size + 1, offset: (slotsPage - 1) * size)
        let booked = try store.bookingsOfSlots(of: user.id, limit: size + 1, offset: (bookedPage - 1) * size)
        let made = try store.bookingsMade(by: user.id, limit: size + 1, offset: (madePage - 1) * size)

        func when(_ range: TimeRange, _ zone: Zone) -> MustacheValue {
            let start = zone.local(range.start), end = zone.local(range.end)
            return ["date": .string(start.date.longText), "start": .string(start.time.description),
                    "end": .string(end.time.description), "datetime": .string(start.rfc3339)]
        }
        func pager(_ key: String, _ page: Int, _ more: Bool) -> MustacheValue {
            ["previous": page > 1 ? .string(url("/account?\(key)=\(page - 1)")) : .null,
             "next": more ? .string(url("/account?\(key)=\(page + 1)")) : .null]
        }
        let profile = forms.profile ?? ["name": user.name, "bio": user.bio, "skills": user.skills.joined(separator: ", "),
                                        "timezone": user.timezone]
        let tomorrow = CivilDate(daysSinceEpoch: zone.local(now).date.daysSinceEpoch + 1)
        let slotForm = forms.slot ?? ["date": tomorrow.description, "start": "09:00", "end": "09:45"]
        return try page(status, "account", [
            "user": ["name": .string(user.name), "handle": .string(user.handle), "email": .string(user.email),
                     "listed": .bool(user.listed),
                     "timezone": .string(zone.identifier), "profileURL": .string(config.basePath + "u/" + user.handle + "/")],
            "notice": notice(),
            "problem": forms.problem.map { .string($0) } ?? .null,
            "profile": .object(profile.mapValues { .string($0) }),
            "slotForm": .object(slotForm.mapValues { .string($0) }),
            "errors": .object(forms.errors.mapValues { .string($0) }),
            "slots": .list(mine.prefix(size).map { own in
                ["id": .string(String(own.slot.id)), "when": when(own.slot.range, zone),
                 "booked": own.booking.map { b in ["client": .string(b.clientName), "bookingID": .string(String(b.id))] } ?? .null,
                 "started": .bool(own.slot.range.start <= now)]
            }),
            "slotsPager": pager("slots", slotsPage, mine.count > size),
            "booked": .list(booked.prefix(size).compactMap { own in
                guard let b = own.booking else { return nil }
                return ["bookingID": .string(String(b.id)), "when": when(own.slot.range, zone), "client": .string(b.clientName),
                        "clientHandle": .string(b.clientHandle), "note": .string(b.note)]
            }),
            "bookedPager": pager("booked", bookedPage, booked.count > size),
            "made": .list(made.prefix(size).map { m in
                let proZone = (try? Zone(m.professionalTimezone)) ?? .utc
                return ["bookingID": .string(String(m.id)), "when": when(m.slot.range, proZone), "zone": .string(proZone.identifier),
                        "professional": .string(m.professionalName),
                        "profileURL": .string(config.basePath + "u/" + m.professionalHandle + "/"), "note": .string(m.note)]
            }),
            "madePager": pager("made", madePage, made.count > size),
        ])
    }

    private func notice() -> MustacheValue {
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
        ]
        return request.query["done"].flatMap { messages[$0] }.map { .string($0) } ?? .null
    }

    func updateProfile() throws -> Response {
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
            return try accountPage(400, user: user, forms: AccountForms(profile: form.fields, errors: errors,
                                                                        problem: "The profile was not saved; see the marked fields."))
        }
        try store().updateProfile(userID: user.id, name: name, bio: bio, skills: skills.names, timezone: zone.identifier, now: now)
        try publish(.profile(user.id))
        return .seeOther(url("/account?done=profile"))
    }

    func updateListing() throws -> Response {
        let user = try requireUser()
        try form.only(["listed"])
        guard let listed = form["listed"], listed == "0" || listed == "1" else {
            throw HTTPError.badRequest("The field “listed” must be 1 (publish) or 0 (withdraw). Go back to your account page and use its button.")
        }
        try store().setListed(userID: user.id, listed == "1", now: now)
        try publish(.listing(user.id))
        return .seeOther(url(listed == "1" ? "/account?done=listed" : "/account?done=withdrawn"))
    }
}
