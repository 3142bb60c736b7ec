import SlotsiteCore
import SlotsiteRender

/// A site's configuration, read once from `slotsite.yml` and passed down.
public struct SiteConfig: Sendable, Equatable {
    /// The site folder, absolute.
    public var root: String
    public var title = "Slotsite"
    /// Origin and path of the public site, ending in `/`.
    public var baseURL = "http://127.0.0.1:8080/"
    /// Path of the CGI, without a trailing `/`.
    public var cgiURL = "/cgi-bin/slotsite"
    /// Zone for new users.
    public var timezone = "UTC"
    public var database = "data/slotsite.db"
    public var output = "public"
    /// Professionals per directory page: a change to one re-renders a page of 24, which
    /// costs the same whether the site lists 24 professionals or 10,000 (with 50 a page
    /// the small site's page was smaller, so the big site's booking cost more), and a
    /// grid of 2, 3, 4 or 6 columns fills it.
    public var pageSize = 24

    /// The sender of every message; while it is unset no mail leaves and messages wait.
    public var mailFrom: String?
    /// The command that takes a whole message on standard input (the sendmail interface),
    /// as words: run directly, not through a shell.
    public var sendmail = ["/usr/sbin/sendmail", "-t", "-i"]
    /// How long before a booked slot its reminders go; 0 sends none.
    public var reminderHours = 24
    /// Whether each profile page has its free slots as a calendar feed beside it.
    public var slotFeeds = true

    public static let fileName = "slotsite.yml"
    static let keys = ["title", "base_url", "cgi_url", "timezone", "database", "output", "mail_from", "sendmail", "reminder_hours",
                       "slot_feeds"]

    public init(root: String) {
        self.root = root
    }

    public var databasePath: String { resolve(database) }
    public var outputPath: String { resolve(output) }
    public var templatesPath: String { root + "/templates" }
    public var contentPath: String { root + "/content" }
    /// This host's build ledger (`BuildLedger`), beside the store file: page records
    /// and the builder's caches.
    public var ledgerPath: String { dataFolder + "/build-ledger.db" }
    /// Parsed templates kept for the next process (`CompiledTemplateFiles`), beside the ledger.
    public var compiledTemplatesPath: String { dataFolder + "/compiled-templates" }
    /// The folder of the store file.
    private var dataFolder: String {
        let db = databasePath
        return db.lastIndex(of: "/").map { String(db[..<$0]) } ?? "."
    }
    /// The site's templates, parsed at most once per source on this host.
    public func templates() -> Templates {
        Templates.directory(templatesPath, compiled: compiledTemplatesPath)
    }
    /// The lock file the CGI and the builder share while they write pages.
    public var lockPath: String { databasePath + ".render-lock" }
    /// Replaced pages kept for reuse (`SparePages`), beside the store and its lock.
    public var sparesPath: String { databasePath + ".spare-pages" }

    /// The path part of `baseURL`, e.g. `/` or `/site/`.
    public var basePath: String {
        let afterScheme = baseURL.hasPrefix("https://") ? 8 : baseURL.hasPrefix("http://") ? 7 : 0
        guard afterScheme > 0 else { return "/" }
        let rest = baseURL.dropFirst(afterScheme)
        guard let slash = rest.firstIndex(of: "/") else { return "/" }
        return String(rest[slash...])
    }

    /// Scheme, host and port of `baseURL`, e.g. `http://127.0.0.1:8080`.
    public var origin: String {
        String(baseURL.dropLast(basePath.count))
    }

    /// The host name of `baseURL`, without port: the domain of message ids and
    /// calendar UIDs.
    public var host: String {
        let hostPort = origin.drop { $0 != "/" }.drop { $0 == "/" }
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") { return String(hostPort[...close]) }
        return String(hostPort.prefix { $0 != ":" })
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : root + "/" + path
    }

    /// Loads `<site>/slotsite.yml` (every key optional; no file means all defaults).
    /// - Throws: `SiteError.badConfig` naming the file, line and key of an unknown key
    ///   or a bad value.
    public static func load(site: String) throws -> SiteConfig {
        let root = Files.absolute(site)
        var config = SiteConfig(root: root)
        let path = root + "/" + fileName
        guard Files.exists(path) else { return config }
        guard let text = Files.readText(path) else {
            throw SiteError(.badConfig, path, "cannot read the file as UTF-8")
        }
        for entry in try FlatYAML(text, file: path).entries {
            try config.apply(entry, file: path)
        }
        return config
    }

    private mutating func apply(_ entry: FlatYAML.Entry, file: String) throws {
        let at = "\(file):\(entry.line)"
        func bad(_ why: String) -> SiteError { SiteError(.badConfig, at, "key `\(entry.key)`: \(why)") }
        let v = entry.value
        switch entry.key {
        case "title":
            guard !v.isEmpty, v.count <= 200 else { throw bad("give a title of 1 to 200 characters") }
            title = v
        case "base_url":
            guard v.hasPrefix("http://") || v.hasPrefix("https://"), v.hasSuffix("/"),
                  !v.utf8.contains(where: { " \"<>?#".utf8.contains($0) }),
                  v.dropFirst(v.hasPrefix("https") ? 8 : 7).first.map({ $0 != "/" }) ?? false
            else { throw bad("give an http(s) URL ending in `/`, e.g. https://example.org/") }
            baseURL = v
        case "cgi_url":
            // Bytes, not Characters: the CGI reads this on every request, and Unicode
            // properties and substring search load tables it otherwise never needs.
            guard v.hasPrefix("/"), !v.hasSuffix("/"),
                  v.utf8.allSatisfy({ $0.isASCIILetterOrDigit || "-_./".utf8.contains($0) }),
                  v.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst().allSatisfy({
                      !$0.isEmpty && !$0.elementsEqual(".".utf8) && !$0.elementsEqual("..".utf8)
                  })
            else { throw bad("give an absolute path without a trailing `/`, e.g. /cgi-bin/slotsite") }
            cgiURL = v
        case "timezone":
            guard (try? Zone(v)) != nil else { throw bad("`\(v)` is not an IANA time zone") }
            timezone = v
        case "database":
            guard !v.isEmpty, !v.hasSuffix("/") else { throw bad("give a file path") }
            database = v
        case "output":
            guard !v.isEmpty, v != "/", v != ".", v != "..", !v.hasPrefix("templates"), !v.hasPrefix("content")
            else { throw bad("give a folder of its own, e.g. public") }
            output = v
        case "mail_from":
            guard let address = try? Account.email(v), address == v, !v.contains(" ") else {
                throw bad("give one e-mail address, e.g. bookings@example.org")
            }
            mailFrom = address
        case "sendmail":
            let words = v.split(separator: " ").map(String.init)
            guard let first = words.first, !first.hasPrefix("-"),
                  !v.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw bad("give a command that reads a whole message on stdin, e.g. /usr/sbin/sendmail -t -i")
            }
            sendmail = words
        case "slot_feeds":
            guard v == "true" || v == "false" else { throw bad("give true (a slots.ics beside each profile page) or false") }
            slotFeeds = v == "true"
        case "reminder_hours":
            guard let hours = Int(v), (0...720).contains(hours) else { throw bad("give whole hours from 0 (no reminders) to 720") }
            reminderHours = hours
        default:
            throw SiteError(.badConfig, at, "unknown key `\(entry.key)` (known: \(SiteConfig.keys.joined(separator: ", ")))")
        }
    }
}
