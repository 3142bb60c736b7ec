import SlotsiteAuth
import SlotsiteCore
import SlotsiteSite
import SlotsiteStore

/// One request being answered: the parsed request and, opened on first use, the
/// store, the session and the templates.
final class CGIContext {
    let config: SiteConfig
    let request: CGIRequest
    let form: FormData
    let now: Int64
    let log: (String) -> Void
    let policy: SessionPolicy
    /// The theme, shared with the presenter: a change re-renders pages with it.
    let renderer: PageRenderer
    /// Set when the request wrote a message to the outbox: the CGI starts a drain once
    /// it has answered.
    var wroteMail = false
    /// Called once a change has committed, before its pages are rendered.
    let committed: () -> Void

    init(config: SiteConfig, request: CGIRequest, form: FormData, now: Int64, renderer: PageRenderer,
         log: @escaping (String) -> Void, committed: @escaping () -> Void = {}) {
        self.config = config
        self.request = request
        self.form = form
        self.now = now
        self.renderer = renderer
        self.log = log
        self.committed = committed
        self.policy = SessionPolicy(path: config.cgiURL, secure: config.baseURL.hasPrefix("https://"))
    }

    private var openedStore: Store?

    /// The store, opened on first use (routes that refuse early never open it).
    func store() throws -> Store {
        if let openedStore { return openedStore }
        let store = try Store(path: config.databasePath)
        openedStore = store
        return store
    }

    /// What the request asks for, done or refused.
    func handle(_ route: Route) throws -> Outcome {
        do {
            switch route {
            case .home: return .done(location: url("/account"))
            case .registerForm: return try registerForm()
            case .register: return try register()
            case .loginForm: return try loginForm()
            case .login: return try login()
            case .logout: return try logout()
            case .account: return try accountPage()
            case .listing: return try updateListing()
            case .updateProfile: return try updateProfile()
            case .createSlot: return try createSlot()
            case .deleteSlot(let id): return try deleteSlot(id)
            case .book: return try book()
            case .cancelBooking(let id): return try cancelBooking(id)
            case .changePassword: return try changePassword()
            case .changeEmail: return try changeEmail()
            case .confirmEmail: return try confirmEmail()
            case .notifications: return try updateNotifications()
            case .forgotForm: return try forgotForm()
            case .forgot: return try forgot()
            case .resetForm: return try resetForm()
            case .reset: return try reset()
            case .calendarFeed(let secret): return try calendarFeed(secret)
            case .renewCalendar: return try renewCalendar()
            case .bookingCalendar(let id): return try bookingCalendar(id)
            case .addRule: return try addAvailabilityRule()
            case .deleteRule(let id): return try deleteAvailability(.rule, id)
            case .addDay: return try addAvailabilityDay()
            case .deleteDay(let id): return try deleteAvailability(.day, id)
            case .availabilitySettings: return try updateAvailabilitySettings()
            }
        } catch let redirect as LoginRequired {
            return .done(location: url("/login") + "?next=" + FormEncoding.encode(redirect.next) + (route == .book ? "&why=book" : ""))
        } catch let error as StoreError {
            if error.reason == .busy {
                log("slotsite-cgi: database busy: \(error)")
                throw HTTPError(503, "Busy", "The site is very busy right now. Wait a moment and send the form again.",
                                headers: [("Retry-After", "2")])
            }
            throw error
        }
    }

    // MARK: URLs

    /// The URL of a CGI path such as `/account`, without scheme and host: a redirect
    /// stays on the name the browser used (`localhost` or `127.0.0.1`), which the
    /// CSP's `form-action 'self'` requires.
    func url(_ cgiPath: String) -> String { config.cgiURL + cgiPath }

    /// `path` when it is a plain local path, else nil.
    func localURL(_ path: String) -> String? {
        guard path.hasPrefix("/"), !path.hasPrefix("//"), !path.hasPrefix("/\\"), path.utf8.count <= 2000,
              !path.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || $0 == "\\" })
        else { return nil }
        return path
    }

    // MARK: Sessions

    /// The logged-in user, if the request carries a live session; refreshes its
    /// last use at most once a minute.
    func currentUser() throws -> (user: User, tokenHash: [UInt8])? {
        guard let token = SessionPolicy.token(inCookieHeader: request.variables["HTTP_COOKIE"]) else { return nil }
        let hash = token.storageHash
        let store = try store()
        guard let session = try store.session(tokenHash: hash),
              SessionPolicy.isAlive(createdAt: session.createdAt, lastSeen: session.lastSeenAt, now: now),
              let user = try store.user(id: session.userID)
        else { return nil }
        if now - session.lastSeenAt >= SessionPolicy.touchInterval {
            try store.touchSession(tokenHash: hash, now: now)
        }
        return (user, hash)
    }

    /// The logged-in user.
    /// - Throws: `LoginRequired` (answered with 303 to the login page) when there is none.
    func requireUser() throws -> User { try requireSession().user }

    /// The logged-in user and their session's hash.
    /// - Throws: `LoginRequired` when there is none.
    func requireSession() throws -> (user: User, tokenHash: [UInt8]) {
        if let current = try currentUser() { return current }
        var next = config.cgiURL + "/account"
        if request.method == .get {
            let query = request.variables["QUERY_STRING"] ?? ""
            next = config.cgiURL + (request.variables["PATH_INFO"] ?? "") + (query.isEmpty ? "" : "?" + query)
        } else if let referer = request.header("Referer") {
            // The page the form was on, under the site's origin or the name the browser used.
            let scheme = config.baseURL.hasPrefix("https://") ? "https://" : "http://"
            let origins = [config.origin] + (request.header("Host").map { [scheme + $0] } ?? [])
            if let origin = origins.first(where: { referer.hasPrefix($0 + "/") }),
               let path = localURL(String(referer.dropFirst(origin.count))) {
                next = path
            }
        }
        throw LoginRequired(next: next)
    }

    /// Starts a new session for `userID` and returns its `Set-Cookie` header.
    func startSession(for userID: Int64) throws -> (String, String) {
        let token = SessionToken.generate()
        try store().createSession(tokenHash: token.storageHash, userID: userID, now: now,
                                  idle: SessionPolicy.idleTimeout, absolute: SessionPolicy.absoluteTimeout)
        return ("Set-Cookie", policy.setCookie(token))
    }

    // MARK: Pages

    /// Re-renders the public pages a committed change touches. A failure here is a
    /// fault answered with a 500; the change is saved, and because it bumped its
    /// professional's version, the next `build --incremental` renders those pages.
    func renderPages(touchedBy change: SiteChange) throws {
        committed()
        _ = try SiteBuilder(store: try store(), renderer: renderer).render(change, now: now)
    }
}

/// Thrown by `requireUser()`: the person must log in, then come back to `next`.
struct LoginRequired: Error {
    let next: String
}
