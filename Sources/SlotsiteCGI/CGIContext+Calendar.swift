#if canImport(Glibc)
import Glibc
#endif
import SlotsiteAuth
import SlotsiteCore
import SlotsiteSite
import SlotsiteStore

// The private booking feed behind a secret address, and one booking as a file.
extension CGIContext {
    /// GET `/calendar/<secret>.ics`: the owner's bookings; `ETag`, and 304 to a poll
    /// whose copy is current. An unknown or replaced address is a 404.
    func calendarFeed(_ secret: String) throws -> Outcome {
        guard let token = SessionToken(cookieValue: secret),
              let owner = try store().calendarOwner(tokenHash: token.storageHash) else {
            throw HTTPError(404, "No such calendar", "This calendar address is unknown or was replaced. Copy the current one from your account page.")
        }
        let bookings = try store().calendarBookings(userID: owner.userID, since: now - Store.calendarHistory)
        return calendar(BookingCalendar.feed(bookings, owner: owner.name, config: config), filename: nil)
    }

    /// GET `/bookings/<id>.ics`: one booking, for its client or its professional.
    func bookingCalendar(_ id: Int64) throws -> Outcome {
        let user = try requireUser()
        do {
            let booking = try store().calendarBooking(id: id, for: user.id)
            return calendar(BookingCalendar.single(booking, config: config), filename: "booking-\(id).ics")
        } catch let e as StoreError {
            throw refusal(e, forbidden: "Only the client and the professional of a booking can add it to a calendar.", conflict: "")
        }
    }

    /// POST `/account/calendar`: a new secret address; the old one stops working.
    func renewCalendar() throws -> Outcome {
        let user = try requireUser()
        try form.only([])
        let key = try calendarKey()
        try store().renewCalendar(userID: user.id) { CalendarSecret.derive(key: key, userID: user.id, generation: $0).storageHash }
        return .done(location: url("/account?done=calendar#calendar"))
    }

    /// The address of the user's booking feed, or nil before they made one.
    func calendarURL(of userID: Int64) throws -> String? {
        guard let generation = try store().calendarGeneration(userID: userID) else { return nil }
        let secret = CalendarSecret.derive(key: try calendarKey(), userID: userID, generation: generation)
        return config.origin + config.cgiURL + "/calendar/" + secret.value + ".ics"
    }

    /// A calendar answer: its ETag is a digest of its bytes, and a poll that names it
    /// gets 304 without them.
    private func calendar(_ bytes: [UInt8], filename: String?) -> Outcome {
        let tag = "\"" + SessionToken.digest(bytes).prefix(32) + "\""
        var headers = [("ETag", tag), ("Cache-Control", "private, no-cache")]
        if let filename { headers.append(("Content-Disposition", "attachment; filename=\"\(filename)\"")) }
        let sent = request.header("If-None-Match") ?? ""
        let matches = sent.split(separator: ",").contains { (candidate: Substring) -> Bool in
            let c = String(candidate).trimmingWhitespace()
            return c == "*" || c == tag || c == "W/" + tag
        }
        if matches { return .resource(status: 304, contentType: "", body: "", headers: headers) }
        return .resource(status: 200, contentType: "text/calendar; charset=utf-8", body: String(decoding: bytes, as: UTF8.self),
                         headers: headers)
    }

    /// The site's calendar key, beside the store; made on first use, whole in a file of
    /// its own and then linked into place, so a racing request reads all of it or none
    /// and the first link wins. Without it no feed address can be derived: a fault.
    func calendarKey() throws -> [UInt8] {
        let path = config.databasePath + ".calendar-key"
        if let key = readFileBytes(path, limit: 64) { return try checked(key, path) }
        let temporary = path + ".\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CGIFault("\(temporary): cannot create the calendar key: \(String(cString: strerror(errno)))") }
        defer { unlink(temporary) }
        let key = CalendarSecret.newKey()
        let written = key.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == key.count, synced else { throw CGIFault("\(temporary): cannot write the calendar key") }
        if link(temporary, path) == 0 { return key }
        guard errno == EEXIST, let theirs = readFileBytes(path, limit: 64) else {
            throw CGIFault("\(path): cannot put the calendar key in place: \(String(cString: strerror(errno)))")
        }
        return try checked(theirs, path)
    }

    private func checked(_ key: [UInt8], _ path: String) throws -> [UInt8] {
        guard key.count == 32 else { throw CGIFault("\(path): a calendar key is 32 bytes; this one has \(key.count)") }
        return key
    }
}

/// A fault with details for the log; answered with the generic 500.
struct CGIFault: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
