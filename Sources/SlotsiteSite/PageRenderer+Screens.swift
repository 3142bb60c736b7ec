import SlotsiteCore
import SlotsiteRender
import SlotsiteStore

extension PageRenderer {
    /// The HTML of one of the CGI's pages.
    /// - Throws: `SiteError.badTemplate` naming the template's file and line.
    public func render(_ screen: Screen) throws -> String {
        switch screen {
        case .register(let values, let errors):
            return try render("register", .context(RegisterView(site: site, values: values, errors: errors, siteZone: config.timezone)))
        case .login(let login, let next, let why, let problem):
            let register = config.cgiURL + "/register" + (next.isEmpty ? "" : "?next=" + FormEncoding.encode(next))
            return try render("login", .context(LoginView(site: site, login: login, next: next, registerURL: register,
                                                          why: why, problem: problem)))
        case .account(let page):
            return try render("account", .context(accountView(page)))
        case .forgot(let email, let sent, let problem, let errors):
            return try render("forgot", .context(RecoveryView(site: site, email: email, sent: sent, problem: problem, errors: errors)))
        case .reset(let token, let problem, let errors):
            return try render("reset", .context(RecoveryView(site: site, token: token, problem: problem, errors: errors)))
        }
    }

    /// Working hours as the account page lists them: rules by weekday (Monday first),
    /// day entries by date, the settings, and the preview's slots by local day.
    func hoursView(_ hours: Availability, preview: [TimeRange], zone: Zone) -> MustacheValue {
        let names = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        func interval(_ i: Availability.Interval) -> [String: MustacheValue] {
            ["start": .string(i.start.description), "end": .string(i.end.description)]
        }
        let rules = hours.rules.sorted { (($0.weekday + 6) % 7, $0.interval.start) < (($1.weekday + 6) % 7, $1.interval.start) }
            .map { rule -> MustacheValue in
                .object(interval(rule.interval).merging(["id": .string(String(rule.id)), "weekday": .string(names[rule.weekday])]) { a, _ in a })
            }
        let days = hours.days.map { day -> MustacheValue in
            var fields: [String: MustacheValue] = ["id": .string(String(day.id)), "date": .string(day.date.longText),
                                                   "off": .bool(day.interval == nil)]
            if let i = day.interval { fields.merge(interval(i)) { a, _ in a } }
            return .object(fields)
        }
        var byDay: [(date: String, times: [String])] = []
        for range in preview {
            let start = zone.local(range.start)
            let date = start.date.longText
            if byDay.last?.date != date { byDay.append((date, [])) }
            byDay[byDay.count - 1].times.append(start.time.description)
        }
        let s = hours.settings
        return .object([
            "rules": .list(rules), "days": .list(days),
            "settings": .object(["length": .string(String(s.length)), "buffer": .string(String(s.buffer)),
                                 "notice": .string(String(s.notice)), "horizon": .string(String(s.horizon))]),
            "preview": .list(byDay.map { .object(["date": .string($0.date), "times": .string($0.times.joined(separator: ", ")),
                                                  "count": .string(String($0.times.count))]) }),
            "previewCount": .string(String(preview.count)),
        ])
    }

    /// The HTML of a refusal or fault: what happened and what to do.
    public func message(title: String, message: String, status: Int) throws -> String {
        try render("message", .context(MessageView(site: site, title: title, message: message, status: status)))
    }

    /// The account page's view: times in the person's zone (a booking made, in the
    /// professional's), URLs of the pages before and after each list's.
    func accountView(_ page: AccountPage) -> AccountView {
        let user = page.user
        let zone = (try? Zone(user.timezone)) ?? .utc
        func when(_ range: TimeRange, _ zone: Zone) -> AccountView.When {
            let start = zone.local(range.start), end = zone.local(range.end)
            return .init(date: start.date.longText, start: start.time.description, end: end.time.description, datetime: start.rfc3339)
        }
        func pager<Item>(_ key: String, _ list: AccountPage.Listing<Item>) -> AccountView.Pager {
            let account = config.cgiURL + "/account?\(key)="
            return .init(previous: list.page > 1 ? account + String(list.page - 1) : nil,
                         next: list.more ? account + String(list.page + 1) : nil)
        }
        let profile = page.profileForm ?? ["name": user.name, "bio": user.bio, "skills": user.skills.joined(separator: ", "),
                                           "timezone": user.timezone]
        let tomorrow = CivilDate(daysSinceEpoch: zone.local(page.now).date.daysSinceEpoch + 1)
        let slotForm = page.slotForm ?? ["date": tomorrow.description, "start": "09:00", "end": "09:45"]
        var view = AccountView(
            site: site, name: user.name, handle: user.handle, email: user.email, listed: user.listed,
            timezone: zone.identifier, profileURL: profileURL(user.handle), notice: page.notice, problem: page.problem,
            profile: profile, slotForm: slotForm, errors: page.errors,
            slots: page.slots.items.map { own in
                .init(id: own.slot.id, when: when(own.slot.range, zone), bookedBy: own.booking?.clientName,
                      started: own.slot.range.start <= page.now)
            },
            slotsPager: pager("slots", page.slots),
            booked: page.booked.items.compactMap { own in
                own.booking.map { .init(id: $0.id, when: when(own.slot.range, zone), note: $0.note, name: $0.clientName, handle: $0.clientHandle) }
            },
            bookedPager: pager("booked", page.booked),
            made: page.made.items.map { m in
                let proZone = (try? Zone(m.professionalTimezone)) ?? .utc
                return .init(id: m.id, when: when(m.slot.range, proZone), note: m.note, name: m.professionalName,
                             handle: m.professionalHandle, zone: proZone.identifier, profileURL: profileURL(m.professionalHandle))
            },
            madePager: pager("made", page.made))
        view.bookingMail = page.bookingMail
        view.reminderMail = page.reminderMail
        view.emailForm = FieldValues(page.emailForm ?? [:])
        view.calendarURL = page.calendarURL
        view.hours = hoursView(page.hours, preview: page.preview, zone: zone)
        return view
    }
}
