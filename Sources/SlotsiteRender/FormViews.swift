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
