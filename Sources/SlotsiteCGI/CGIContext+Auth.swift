import SlotsiteAuth
import SlotsiteCore
import SlotsiteSite
import SlotsiteStore

extension CGIContext {
    /// Verified against when the login names nobody, so that an unknown account
    /// costs the same Argon2id work as a wrong password.
    static let dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$FKflEU9H28vD5SEOpuEV9Q$HBzwRCCi3JucI7EvXnaHM4Hm2QmJDa1IJpN1AXNDq80"

    static let registerFields: Set<String> = ["handle", "name", "email", "password", "offer", "next"]

    func registerForm() throws -> Outcome {
        let next = request.query["next"].flatMap { localURL($0) != nil ? $0 : nil } ?? ""
        if try currentUser() != nil { return .done(location: localURL(next) ?? url("/account")) }
        return .show(.register(values: ["next": next], errors: [:]))
    }

    func register() throws -> Outcome {
        try form.only(CGIContext.registerFields)
        var errors: [String: String] = [:]
        func check<T>(_ body: () throws -> T) -> T? {
            do { return try body() } catch let e as CoreError { errors[e.field] = e.message; return nil } catch { return nil }
        }
        let handle = check { try Handle(form["handle"] ?? "") }
        let name = check { try Account.name(form["name"] ?? "") }
        let email = check { try Account.email(form["email"] ?? "") }
        let password = check { try Account.password(form["password"] ?? "") }
        let offer = form["offer"] ?? "0"
        if offer != "0" && offer != "1" { errors["offer"] = "Tick the box, or leave it empty, and send the form again." }
        let next = form["next"].flatMap { localURL($0) != nil ? $0 : nil }
        guard let handle, let name, let email, let password, errors.isEmpty else {
            return invalidRegistration(400, errors)
        }
        let hash = try PasswordHasher.standard.hash(password)
        let userID: Int64
        do {
            userID = try store().createUser(handle: handle, name: name, email: email, passwordHash: hash,
                                            timezone: config.timezone, listed: offer == "1", now: now)
        } catch let e as StoreError where e.reason == .handleTaken {
            return invalidRegistration(409, ["handle": "“\(handle)” is taken; choose another handle."])
        } catch let e as StoreError where e.reason == .emailTaken {
            return invalidRegistration(409, ["email": "An account with this email exists; log in instead."])
        }
        let cookie = try startSession(for: userID)
        if offer == "1" { try renderPages(touchedBy: .listing(userID)) }
        if let next, let back = localURL(next) { return .done(location: back, headers: [cookie]) }
        return .done(location: url(offer == "1" ? "/account?done=registered" : "/account?done=registered-private"), headers: [cookie])
    }

    private func invalidRegistration(_ status: Int, _ problems: [String: String]) -> Outcome {
        .invalid(.register(values: form.fields, errors: problems), status: status, problems: problems)
    }

    func loginForm() throws -> Outcome {
        let next = request.query["next"].flatMap { localURL($0) != nil ? $0 : nil } ?? ""
        if try currentUser() != nil { return .done(location: localURL(next) ?? url("/account")) }
        return .show(loginScreen(login: "", next: next, problem: nil))
    }

    func login() throws -> Outcome {
        try form.only(["login", "password", "next"])
        let login = (form["login"] ?? "").trimmingWhitespace()
        let password = form["password"] ?? ""
        let next = form["next"].flatMap { localURL($0) != nil ? $0 : nil } ?? ""
        let address = request.variables["REMOTE_ADDR"] ?? "unknown"
        let store = try store()
        // The attempt is counted before its password is checked, in the transaction
        // that decided to admit it: parallel guesses see each other's count.
        let admission = try store.admitLogin(login, address: address, now: now, window: LoginThrottle.window) {
            LoginThrottle.retryAfter($0, now: now)
        }
        guard case .admitted(let attemptID, let found) = admission else {
            guard case .refused(let wait) = admission else { fatalError("unreachable") }
            let problem = "Too many failed logins. Wait \((wait + 59) / 60) minutes and try again."
            return .invalid(loginScreen(login: login, next: next, problem: problem), status: 429, problems: ["login": problem],
                            headers: [("Retry-After", String(wait))])
        }
        let credentials = password.unicodeScalars.count > Account.passwordLength.upperBound ? nil : found
        let hasher = PasswordHasher.standard
        // Verify even for an unknown account, so both failures take as long.
        let matches = hasher.verify(password, against: credentials?.passwordHash ?? CGIContext.dummyHash)
        guard let credentials, matches else {
            let problem = "The login or the password is wrong."
            return .invalid(loginScreen(login: login, next: next, problem: problem), status: 401, problems: ["login": problem])
        }
        if hasher.needsRehash(credentials.passwordHash) {
            try store.rehashPassword(userID: credentials.user.id, try hasher.hash(password))
        }
        try store.forgetLoginFailures(attemptID: attemptID)
        let cookie = try startSession(for: credentials.user.id)
        return .done(location: localURL(next) ?? url("/account"), headers: [cookie])
    }

    private func loginScreen(login: String, next: String, problem: String?) -> Screen {
        .login(login: login, next: next,
               why: request.query["why"] == "book" ? "Log in or register to book this slot; you come back to the page afterwards." : nil,
               problem: problem)
    }

    func logout() throws -> Outcome {
        try form.only([])
        if let current = try currentUser() {
            try store().deleteSession(tokenHash: current.tokenHash)
        }
        return .done(location: config.basePath, headers: [("Set-Cookie", policy.clearCookie())])
    }
}
