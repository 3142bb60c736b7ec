import SlotsiteAuth
import SlotsiteCore
import SlotsiteRender
import SlotsiteSite
import SlotsiteStore

extension CGIContext {
    /// Verified against when the login names nobody, so that an unknown account
    /// costs the same Argon2id work as a wrong password.
    static let dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$FKflEU9H28vD5SEOpuEV9Q$HBzwRCCi3JucI7EvXnaHM4Hm2QmJDa1IJpN1AXNDq80"

    static let registerFields: Set<String> = ["handle", "name", "email", "password"]

    func registerForm() throws -> Response {
        if try currentUser() != nil { return .seeOther(url("/account")) }
        return try registerPage(200, values: [:], errors: [:])
    }

    func register() throws -> Response {
        try form.only(CGIContext.registerFields)
        var errors: [String: String] = [:]
        func check<T>(_ body: () throws -> T) -> T? {
            do { return try body() } catch let e as CoreError { errors[e.field] = e.message; return nil } catch { return nil }
        }
        let handle = check { try Handle(form["handle"] ?? "") }
        let name = check { try Account.name(form["name"] ?? "") }
        let email = check { try Account.email(form["email"] ?? "") }
        let password = check { try Account.password(form["password"] ?? "") }
        guard let handle, let name, let email, let password, errors.isEmpty else {
            return try registerPage(400, values: form.fields, errors: errors)
        }
        let hash = try PasswordHasher.standard.hash(password)
        let userID: Int64
        do {
            userID = try store().createUser(handle: handle, name: name, email: email, passwordHash: hash,
                                            timezone: config.timezone, now: now)
        } catch let e as StoreError where e.reason == .handleTaken {
            return try registerPage(409, values: form.fields, errors: ["handle": "“\(handle)” is taken; choose another handle."])
        } catch let e as StoreError where e.reason == .emailTaken {
            return try registerPage(409, values: form.fields, errors: ["email": "An account with this email exists; log in instead."])
        }
        let cookie = try startSession(for: userID)
        try publish(.registered(userID))
        return .seeOther(url("/account?done=registered"), headers: [cookie])
    }

    private func registerPage(_ status: Int, values: [String: String], errors: [String: String]) throws -> Response {
        try page(status, "register", [
            "values": .object(values.filter { $0.key != "password" }.mapValues { .string($0) }),
            "errors": .object(errors.mapValues { .string($0) }),
            "hasErrors": .bool(!errors.isEmpty),
            "siteZone": .string(config.timezone),
        ])
    }

    func loginForm() throws -> Response {
        let next = request.query["next"].flatMap { localURL($0) != nil ? $0 : nil } ?? ""
        if try currentUser() != nil { return .seeOther(localURL(next) ?? url("/account")) }
        return try loginPage(200, login: "", next: next, problem: nil)
    }

    func login() throws -> Response {
        try form.only(["login", "password", "next"])
        let login = (form["login"] ?? "").trimmingWhitespace()
        let password = form["password"] ?? ""
        let next = form["next"].flatMap { localURL($0) != nil ? $0 : nil } ?? ""
        let account = String(login.lowercased().prefix(320))
        let address = request.variables["REMOTE_ADDR"] ?? "unknown"
        let store = try store()
        let failures = try store.loginFailures(account: account, address: address, since: now - LoginThrottle.window)
        if let wait = LoginThrottle.retryAfter(accountFailures: failures.account, addressFailures: failures.address, now: now) {
            return try loginPage(429, login: login, next: next,
                                 problem: "Too many failed logins. Wait \((wait + 59) / 60) minutes and try again.",
                                 headers: [("Retry-After", String(wait))])
        }
        let credentials = login.isEmpty || password.count > Account.passwordLength.upperBound ? nil : try store.credentials(login: login)
        let hasher = PasswordHasher.standard
        // Verify even for an unknown account, so both failures take as long.
        let matches = hasher.verify(password, against: credentials?.passwordHash ?? CGIContext.dummyHash)
        guard let credentials, matches else {
            try store.recordLoginFailure(account: account, address: address, now: now, forgetBefore: now - 86_400)
            return try loginPage(401, login: login, next: next, problem: "The login or the password is wrong.")
        }
        if hasher.needsRehash(credentials.passwordHash) {
            try store.rehashPassword(userID: credentials.user.id, try hasher.hash(password))
        }
        try store.clearLoginFailures(account: account)
        let cookie = try startSession(for: credentials.user.id)
        return .seeOther(localURL(next) ?? url("/account"), headers: [cookie])
    }

    private func loginPage(_ status: Int, login: String, next: String, problem: String?, headers: [(String, String)] = []) throws -> Response {
        try page(status, "login", [
            "login": .string(login), "next": .string(next),
            "problem": problem.map { .string($0) } ?? .null,
        ], headers: headers)
    }

    func logout() throws -> Response {
        try form.only([])
        if let current = try currentUser() {
            try store().deleteSession(tokenHash: current.tokenHash)
        }
        return .seeOther(config.baseURL, headers: [("Set-Cookie", policy.clearCookie())])
    }
}
