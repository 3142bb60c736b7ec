/// The CGI's pages as typed views: the register and login forms, the account page and
/// the message page. The Site layer fills them from records; no dictionaries.

/// A form's values as typed, and its problems by field name.
public struct FieldValues: MustacheContext, Sendable {
    public let fields: [String: String]

    public init(_ fields: [String: String]) { self.fields = fields }

    public func value(forKey key: String) -> MustacheValue? { fields[key].map { .string($0) } }
}

/// `register`: the form, filled in again with its problems when it was refused.
public struct RegisterView: MustacheContext {
    public let site: SiteView
    public let values: FieldValues
    public let errors: FieldValues
    /// The zone new accounts start in.
    public let siteZone: String

    public init(site: SiteView, values: [String: String], errors: [String: String], siteZone: String) {
        self.site = site
        self.values = FieldValues(values.filter { $0.key != "password" })
        self.errors = FieldValues(errors)
        self.siteZone = siteZone
    }

    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "site": return .context(site)
        case "values": return .context(values)
        case "errors": return .context(errors)
        case "hasErrors": return .bool(!errors.fields.isEmpty)
        case "offer": return .bool(values.fields["offer"] == "1")
        case "siteZone": return .string(siteZone)
        default: return nil
        }
    }
}

/// `login`: the form, why the person was sent here, and what went wrong.
public struct LoginView: MustacheContext {
    public let site: SiteView
    public let login: String
    public let next: String
    public let registerURL: String
    public let why: String?
    public let problem: String?

    public init(site: SiteView, login: String, next: String, registerURL: String, why: String?, problem: String?) {
        self.site = site
        self.login = login
        self.next = next
        self.registerURL = registerURL
        self.why = why
        self.problem = problem
    }

    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "site": return .context(site)
        case "login": return .string(login)
        case "next": return .string(next)
        case "registerURL": return .string(registerURL)
        case "why": return why.map { .string($0) } ?? .null
        case "problem": return problem.map { .string($0) } ?? .null
        default: return nil
        }
    }
}

/// `message`: a refusal or a fault, and what to do.
public struct MessageView: MustacheContext {
    public let site: SiteView
    public let title: String
    public let message: String
    public let status: Int

    public init(site: SiteView, title: String, message: String, status: Int) {
        self.site = site
        self.title = title
        self.message = message
        self.status = status
    }

    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "site": return .context(site)
        case "title": return .string(title)
        case "message": return .string(message)
        case "status": return .number(Double(status))
        default: return nil
        }
    }
}

/// What the text of a message says: the site, the receiver, the appointment in the
/// receiver's zone, and the link to follow. Rendered without HTML escaping.
public struct MailView: MustacheContext {
    /// An appointment as the receiver reads it.
    public struct Appointment: Sendable {
        public var date: String
        public var start: String
        public var end: String
        public var zone: String
        public var otherName: String
        public var note: String
        public var asProfessional: Bool
        public var cancelledByMe: Bool
        public var profileURL: String

        public init(date: String, start: String, end: String, zone: String, otherName: String, note: String,
                    asProfessional: Bool, cancelledByMe: Bool, profileURL: String) {
            self.date = date
            self.start = start
            self.end = end
            self.zone = zone
            self.otherName = otherName
            self.note = note
            self.asProfessional = asProfessional
            self.cancelledByMe = cancelledByMe
            self.profileURL = profileURL
        }
    }

    public var siteTitle: String
    public var siteURL: String
    public var name: String
    public var accountURL: String
    public var appointment: Appointment?
    public var link: String?
    public var hours: Int

    public init(siteTitle: String, siteURL: String, name: String, accountURL: String, appointment: Appointment?,
                link: String?, hours: Int) {
        self.siteTitle = siteTitle
        self.siteURL = siteURL
        self.name = name
        self.accountURL = accountURL
        self.appointment = appointment
        self.link = link
        self.hours = hours
    }

    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "site": return ["title": .string(siteTitle), "url": .string(siteURL)]
        case "name": return .string(name)
        case "accountURL": return .string(accountURL)
        case "link": return link.map { .string($0) }
        case "hours": return .number(Double(hours))
        case "appointment":
            guard let a = appointment else { return nil }
            return ["date": .string(a.date), "start": .string(a.start), "end": .string(a.end), "zone": .string(a.zone),
                    "other": .string(a.otherName), "note": a.note.isEmpty ? .null : .string(a.note),
                    "asProfessional": .bool(a.asProfessional), "asClient": .bool(!a.asProfessional),
                    "cancelledByMe": .bool(a.cancelledByMe), "profileURL": .string(a.profileURL)]
        default: return nil
        }
    }
}

/// `forgot` and `reset`: asking for a reset link, and setting a new password with one.
public struct RecoveryView: MustacheContext {
    public let site: SiteView
    public let email: String
    /// The reset link's secret, carried by the reset form.
    public let token: String
    /// The request was taken (the page says to look in the mailbox).
    public let sent: Bool
    public let problem: String?
    public let errors: FieldValues

    public init(site: SiteView, email: String = "", token: String = "", sent: Bool = false, problem: String? = nil,
                errors: [String: String] = [:]) {
        self.site = site
        self.email = email
        self.token = token
        self.sent = sent
        self.problem = problem
        self.errors = FieldValues(errors)
    }

    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "site": return .context(site)
        case "email": return .string(email)
        case "token": return .string(token)
        case "sent": return .bool(sent)
        case "problem": return problem.map { .string($0) } ?? .null
        case "errors": return .context(errors)
        default: return nil
        }
    }
}
