import SlotsiteCore
import SlotsiteSite
import SlotsiteStore

// Working hours: weekly rules, day entries and settings, each laid into slots at once.
extension CGIContext {
    func addAvailabilityRule() throws -> Outcome {
        let user = try requireUser()
        try form.only(["weekday", "start", "end"])
        guard let weekday = Availability.weekday(form["weekday"] ?? "") else {
            return try refusedHours(400, user, "Choose a weekday (mon to sun).")
        }
        return try changeHours(user, hours: true,
                               overlap: "This overlaps your other hours on that weekday. Remove those first, or choose other times.") {
            try store().addAvailabilityRule(userID: user.id, weekday: weekday, interval: $0!, now: now)
        }
    }

    func addAvailabilityDay() throws -> Outcome {
        let user = try requireUser()
        try form.only(["date", "off", "start", "end"])
        let zone = (try? Zone(user.timezone)) ?? .utc
        guard let date = CivilDate(iso: form["date"] ?? "") else { return try refusedHours(400, user, "Enter the date as YYYY-MM-DD.") }
        guard date >= zone.local(now).date else { return try refusedHours(400, user, "That date has passed; choose today or later.") }
        let off = form["off"] ?? "0"
        guard off == "0" || off == "1" else { return try refusedHours(400, user, "Tick “off”, or give a start and an end.") }
        if off == "1", !(form["start"] ?? "").isEmpty || !(form["end"] ?? "").isEmpty {
            return try refusedHours(400, user, "A day off has no hours: leave start and end empty, or untick “off”.")
        }
        return try changeHours(user, hours: off == "0",
                               overlap: "That date already has an entry that overlaps (or is off). Remove it first.") {
            try store().addAvailabilityDay(userID: user.id, date: date, interval: $0, now: now)
        }
    }

    func deleteAvailability(_ kind: AvailabilityKind, _ id: Int64) throws -> Outcome {
        let user = try requireUser()
        try form.only([])
        do {
            try store().deleteAvailability(kind, id: id, userID: user.id, now: now)
        } catch let e as StoreError where e.reason == .notFound {
            throw HTTPError(404, "Not found", "Those hours do not exist (any more). Go back to your account page.")
        } catch let e as StoreError where e.reason == .forbidden {
            throw HTTPError(403, "Not allowed", "Those hours are not yours, so you cannot remove them.")
        }
        return try hoursChanged(user)
    }

    func updateAvailabilitySettings() throws -> Outcome {
        let user = try requireUser()
        try form.only(["length", "buffer", "notice", "horizon"])
        var problems: [String: String] = [:]
        func number(_ field: String, _ range: ClosedRange<Int>, _ what: String) -> Int {
            guard let n = Int(form[field] ?? ""), range.contains(n) else {
                problems[field] = "Give \(what) from \(range.lowerBound) to \(range.upperBound)."
                return range.lowerBound
            }
            return n
        }
        let settings = Availability.Settings(
            length: number("length", Availability.Settings.lengths, "a slot length in minutes"),
            buffer: number("buffer", Availability.Settings.buffers, "a buffer in minutes"),
            notice: number("notice", Availability.Settings.notices, "a notice in hours"),
            horizon: number("horizon", Availability.Settings.horizons, "a horizon in days"))
        guard problems.isEmpty else {
            return try refusedOnAccount(400, user: user, problems: problems,
                                        summary: "The working-hours settings were not saved; see the marked fields.")
        }
        try store().setAvailabilitySettings(userID: user.id, settings, now: now)
        return try hoursChanged(user)
    }

    /// A change of hours: with `hours`, the form's start and end first (400 when they do
    /// not parse); hours that overlap others answer 409 with `overlap`.
    private func changeHours(_ user: User, hours: Bool, overlap: String,
                             _ change: (Availability.Interval?) throws -> Void) throws -> Outcome {
        var interval: Availability.Interval?
        if hours {
            do { interval = try Availability.interval(start: form["start"] ?? "", end: form["end"] ?? "") } catch let e as CoreError {
                return try refusedHours(400, user, e.message)
            }
        }
        do { try change(interval) } catch let e as StoreError where e.reason == .slotOverlaps {
            return try refusedHours(409, user, overlap)
        }
        return try hoursChanged(user)
    }

    /// The pages the new slots change, then back to the hours on the account page.
    private func hoursChanged(_ user: User) throws -> Outcome {
        try renderPages(touchedBy: .profile(user.id))
        return .done(location: url("/account?done=hours#hours"))
    }

    private func refusedHours(_ status: Int, _ user: User, _ message: String) throws -> Outcome {
        try refusedOnAccount(status, user: user, problems: ["hours": message], summary: "Your working hours were not changed: \(message)")
    }
}
