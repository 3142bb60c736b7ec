import ArgumentParser
import SlotsiteAuth
import SlotsiteCore
import SlotsiteSite
import SlotsiteStore

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage accounts.",
        subcommands: [Add.self, List.self, Passwd.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an account; the password is read from standard input.")
        @OptionGroup var options: SiteOption
        @Option var handle: String
        @Option var name: String
        @Option var email: String
        @Option(help: "IANA time zone (default: the site's).")
        var timezone: String?

        func run() throws {
            try reportingErrors {
                let site = try Site.open(options.site)
                let handle = try Handle(self.handle)
                let name = try Account.name(self.name)
                let email = try Account.email(self.email)
                let zone = try Zone(timezone ?? site.config.timezone)
                let hash = try newPasswordHash(prompt: "Password for \(handle): ")
                do {
                    try site.store.createUser(handle: handle, name: name, email: email, passwordHash: hash,
                                              timezone: zone.identifier, now: currentTime())
                } catch let e as StoreError where e.reason == .handleTaken || e.reason == .emailTaken {
                    throw CoreError(.invalidHandle, field: e.reason == .handleTaken ? "handle" : "email",
                                    "\(e.reason == .handleTaken ? handle.value : email) is already taken")
                }
                print("added \(handle): run `slotsite build` to publish the profile")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts: handle, name, email, time zone.")
        @OptionGroup var options: SiteOption

        func run() throws {
            try reportingErrors {
                for user in try Site.open(options.site).store.allUsers() {
                    print([user.handle, user.name, user.email, user.timezone].joined(separator: "\t"))
                }
            }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an account's password (read from standard input); ends its sessions.")
        @OptionGroup var options: SiteOption
        @Argument var handle: String

        func run() throws {
            try reportingErrors {
                let site = try Site.open(options.site)
                guard try site.store.user(handle: handle) != nil else {
                    throw CoreError(.invalidHandle, field: "handle", "no account \(handle)")
                }
                let hash = try newPasswordHash(prompt: "New password for \(handle): ")
                try site.store.setPasswordHash(handle: handle, hash, now: currentTime())
                print("password of \(handle) changed")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an account with its slots and bookings.")
        @OptionGroup var options: SiteOption
        @Argument var handle: String

        func run() throws {
            try reportingErrors {
                do {
                    try Site.open(options.site).store.removeUser(handle: handle)
                } catch let e as StoreError where e.reason == .notFound {
                    throw CoreError(.invalidHandle, field: "handle", "no account \(handle)")
                }
                print("removed \(handle): run `slotsite build` to take the profile down")
            }
        }
    }
}

/// Reads a password from standard input, checks the length rules and hashes it.
/// - Throws: `CoreError.invalidPassword` when none is given or it breaks a rule.
private func newPasswordHash(prompt: String) throws -> String {
    guard let password = readPassword(prompt: prompt) else {
        throw CoreError(.invalidPassword, field: "password", "no password on standard input")
    }
    return try PasswordHasher.standard.hash(try Account.password(password))
}
