import SlotsiteAuth
import SlotsiteCore
import SlotsiteSite
import SlotsiteStore

// Passwords and addresses: changed while logged in, recovered by a mailed link.
extension CGIContext {
    // MARK: Forgotten password

    func forgotForm() throws -> Outcome {
        .show(.forgot(email: "", sent: request.query["sent"] == "1", problem: nil, errors: [:]))
    }

    /// Takes a reset request. Known and unknown addresses get the same answer after the
    /// same work (one write transaction; the link's message is a row in it).
    func forgot() throws -> Outcome {
        try form.only(["email"])
        let typed = form["email"] ?? ""
        let email: String
        do { email = try Account.email(typed) } catch let e as CoreError {
            return .invalid(.forgot(email: typed, sent: false, problem: nil, errors: ["email": e.message]), status: 400,
                            problems: ["email": e.message])
        }
        let token = SessionToken.generate()
        let admission = try store().requestPasswordReset(
            email: email, address: request.variables["REMOTE_ADDR"] ?? "unknown", token: token.value,
            tokenHash: token.storageHash, now: now, window: ResetThrottle.window) { byEmail, byAddress in
            ResetThrottle.retryAfter(byEmail: byEmail, byAddress: byAddress, now: now)
        }
        if case .refused(let wait) = admission {
            let problem = "Too many requests for a reset link. Wait \((wait + 59) / 60) minutes and try again."
            return .invalid(.forgot(email: email, sent: false, problem: problem, errors: [:]), status: 429,
                            problems: ["email": problem], headers: [("Retry-After", String(wait))])
        }
        // Started for unknown addresses too, so that both answers end alike.
        wroteMail = true
        return .done(location: url("/password/forgot?sent=1"))
    }

    // MARK: Reset link

    /// The link's page: the form, only while the link works. The link's secret is in
    /// the address, so the page sends no Referer anywhere.
    func resetForm() throws -> Outcome {
        guard let token = request.query["token"].flatMap(SessionToken.init(cookieValue:)),
              try store().resetLinkWorks(tokenHash: token.storageHash, now: now) else { throw CGIContext.deadLink }
        return .show(.reset(token: token.value, problem: nil, errors: [:]), headers: [("Referrer-Policy", "no-referrer")])
    }

    func reset() throws -> Outcome {
        try form.only(["token", "password"])
        guard let token = form["token"].flatMap(SessionToken.init(cookieValue:)) else { throw CGIContext.deadLink }
        let password: String
        do { password = try Account.password(form["password"] ?? "") } catch let e as CoreError {
            return .invalid(.reset(token: token.value, problem: nil, errors: ["password": e.message]), status: 400,
                            problems: ["password": e.message], headers: [("Referrer-Policy", "no-referrer")])
        }
        let hash = try PasswordHasher.standard.hash(password)
        let userID: Int64
        do {
            userID = try store().resetPassword(tokenHash: token.storageHash, passwordHash: hash, now: now)
        } catch let e as StoreError where e.reason == .notFound {
            throw CGIContext.deadLink
        }
        let cookie = try startSession(for: userID)
        return .done(location: url("/account?done=password-reset"), headers: [cookie])
    }

    static let deadLink = HTTPError(400, "This link does not work",
        "The link is unknown, used already, or expired (a reset link works for 60 minutes, an address link for 24 hours). Ask for a new one from the log-in page.")

    // MARK: Logged in

    func changePassword() throws -> Outcome {
        let (user, session) = try requireSession()
        try form.only(["current", "password"])
        if let problem = try wrongCurrentPassword(user) {
            return try refusedOnAccount(400, user: user, problems: ["passwordCurrent": problem],
                                        summary: "The password was not changed: \(problem)")
        }
        let password: String
        do { password = try Account.password(form["password"] ?? "") } catch let e as CoreError {
            return try refusedOnAccount(400, user: user, problems: ["newPassword": e.message],
                                        summary: "The password was not changed: \(e.message)")
        }
        try store().changePassword(userID: user.id, passwordHash: try PasswordHasher.standard.hash(password), keeping: session, now: now)
        return .done(location: url("/account?done=password-changed"))
    }

    func changeEmail() throws -> Outcome {
        let user = try requireUser()
        try form.only(["current", "email"])
        let sent = ["email": form["email"] ?? ""]
        if let problem = try wrongCurrentPassword(user) {
            return try refusedOnAccount(400, user: user, email: sent, problems: ["emailCurrent": problem],
                                        summary: "The address was not changed: \(problem)")
        }
        let email: String
        do { email = try Account.email(form["email"] ?? "") } catch let e as CoreError {
            return try refusedOnAccount(400, user: user, email: sent, problems: ["newEmail": e.message],
                                        summary: "The address was not changed: \(e.message)")
        }
        if Account.emailKey(email) == Account.emailKey(user.email) {
            let problem = "This is already your address."
            return try refusedOnAccount(400, user: user, email: sent, problems: ["newEmail": problem],
                                        summary: "The address was not changed: \(problem)")
        }
        let token = SessionToken.generate()
        do {
            try store().requestEmailChange(userID: user.id, email: email, token: token.value, tokenHash: token.storageHash, now: now)
        } catch let e as StoreError where e.reason == .emailTaken {
            let problem = "Another account has this address."
            return try refusedOnAccount(409, user: user, email: sent, problems: ["newEmail": problem],
                                        summary: "The address was not changed: \(problem)")
        }
        wroteMail = true
        return .done(location: url("/account?done=email-sent"))
    }

    func confirmEmail() throws -> Outcome {
        guard let token = request.query["token"].flatMap(SessionToken.init(cookieValue:)) else { throw CGIContext.deadLink }
        do {
            try store().confirmEmail(tokenHash: token.storageHash, now: now)
        } catch let e as StoreError where e.reason == .notFound {
            throw CGIContext.deadLink
        } catch let e as StoreError where e.reason == .emailTaken {
            throw HTTPError(409, "Address taken", "Another account took this address meanwhile, so yours stays as it was.")
        }
        return .done(location: url("/account?done=email-changed"))
    }

    func updateNotifications() throws -> Outcome {
        let user = try requireUser()
        try form.only(["booking_mail", "reminder_mail"])
        // An unticked box sends nothing: absent is 0.
        let booking = form["booking_mail"] ?? "0", reminder = form["reminder_mail"] ?? "0"
        guard ["0", "1"].contains(booking), ["0", "1"].contains(reminder) else {
            throw HTTPError.badRequest("The e-mail settings take 1 (yes) or 0 (no). Go back to your account page and use its boxes.")
        }
        try store().setNotifications(userID: user.id, bookingMail: booking == "1", reminderMail: reminder == "1")
        return .done(location: url("/account?done=notifications"))
    }

    /// Why the `current` field does not prove the person is the account's owner, or nil.
    private func wrongCurrentPassword(_ user: User) throws -> String? {
        let current = form["current"] ?? ""
        let hash = try store().passwordHash(userID: user.id) ?? CGIContext.dummyHash
        guard current.unicodeScalars.count <= Account.passwordLength.upperBound,
              PasswordHasher.standard.verify(current, against: hash) else { return "The current password is wrong." }
        return nil
    }
}
