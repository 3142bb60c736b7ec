import SlotsiteCore
import SlotsiteRender
import SlotsiteSite
import SlotsiteStore

/// Turns an outbox entry into the message to send: the text from the theme's
/// `mail-<kind>.txt` template (first line the subject), times in the receiver's zone,
/// and for a booking or cancellation the event as `text/calendar`.
public struct MailComposer {
    let config: SiteConfig
    let templates: Templates

    /// A composer with the site's mail templates, or the default theme's where the
    /// site has none (a site made before mail existed).
    public init(config: SiteConfig) {
        self.config = config
        let own = Templates.directory(config.templatesPath, escapesHTML: false)
        self.templates = Templates(escapesHTML: false) { name in
            if let text = try own.source(name) { return text }
            return DefaultTheme.files.first { $0.path == "templates/\(name).mustache" }?.contents
        }
    }

    /// The message of `entry`, sent from `from`.
    /// - Throws: `RenderError` when its template is missing or does not parse.
    public func message(_ entry: OutboxEntry, from: String) throws -> MailMessage {
        let notice = entry.notice
        let zone = (try? Zone(notice.to.timezone)) ?? .utc
        let cgi = config.origin + config.cgiURL
        var appointment: MailView.Appointment?
        var calendar: (method: String, bytes: [UInt8])?
        if let a = notice.appointment {
            let start = zone.local(a.range.start), end = zone.local(a.range.end)
            let profileURL = config.baseURL + SitePaths.profile(a.professionalHandle)
            appointment = .init(date: start.date.longText, start: start.time.description, end: end.time.description,
                                zone: zone.identifier, otherName: a.otherName, note: a.note,
                                asProfessional: a.role == .professional, cancelledByMe: a.cancelledBy == a.role,
                                profileURL: profileURL)
            if notice.kind == .booking || notice.kind == .cancellation {
                calendar = invitation(notice, a, profileURL: profileURL, stamp: entry.createdAt, from: from)
            }
        }
        let link: String? = notice.token.map { token in
            notice.kind == .reset ? cgi + "/password/reset?token=" + token : cgi + "/email/confirm?token=" + token
        }
        let view = MailView(siteTitle: config.title, siteURL: config.baseURL, name: notice.to.name, accountURL: cgi + "/account",
                            appointment: appointment, link: link, hours: config.reminderHours)
        let text = try templates.render("mail-\(notice.kind.rawValue).txt", .context(view))
        let subject = text.prefix { $0 != "\n" }
        let body = text.dropFirst(subject.count).drop { $0 == "\n" }
        return MailMessage(from: .init(name: config.title, address: from), to: .init(name: notice.to.name, address: notice.to.address),
                           subject: String(subject), date: entry.createdAt,
                           messageID: "\(entry.id).\(entry.createdAt).\(notice.kind.rawValue)@\(config.host)",
                           text: String(body), calendar: calendar)
    }

    /// The event of a booking as an invitation, or its withdrawal: one UID for both, the
    /// cancellation with the higher sequence.
    func invitation(_ notice: Notice, _ a: Notice.Appointment, profileURL: String, stamp: Int64, from: String)
        -> (method: String, bytes: [UInt8]) {
        let cancelled = notice.kind == .cancellation
        var event = BookingCalendar.event(id: a.bookingID, range: a.range, stamp: stamp, cancelled: cancelled,
                                          otherName: a.otherName, note: a.note, url: profileURL, config: config)
        event.organizer = (a.role == .professional ? notice.to.name : a.otherName, from)
        event.attendee = (notice.to.name, notice.to.address)
        let method = cancelled ? "CANCEL" : "REQUEST"
        return (method, ICalendar(method: method, events: [event]).bytes())
    }
}
