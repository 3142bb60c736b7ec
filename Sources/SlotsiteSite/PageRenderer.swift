import SlotsiteCore
import SlotsiteRender
import SlotsiteStore

/// Turns store records into view models and view models into HTML: no files here.
public struct PageRenderer {
    public let config: SiteConfig
    public let templates: Templates
    public let site: SiteView
    /// `config.origin` and `config.host`, worked out once: a build asks for them per profile.
    private let origin: String, host: String

    public init(config: SiteConfig, templates: Templates) {
        self.config = config
        self.templates = templates
        self.site = SiteView(title: config.title, root: config.basePath, cgi: config.cgiURL)
        self.origin = config.origin
        self.host = config.host
    }

    /// A renderer with the site's own templates, each parsed when first used.
    public init(config: SiteConfig) {
        self.init(config: config, templates: config.templates())
    }

    /// The URL path of a profile page, from the site's root: the one place it is made.
    public func profileURL(_ handle: String) -> String { site.root + SitePaths.profile(handle) }

    public func profile(_ record: ProfileRecord) throws -> [UInt8] {
        var out: [UInt8] = []
        try profile(record, into: &out)
        return out
    }

    /// The profile page of `record` appended to `out`. Returns the bio's HTML when it
    /// was cooked here, for the store to keep; nil when the store had it.
    @discardableResult
    public func profile(_ record: ProfileRecord, into out: inout [UInt8]) throws -> CookedBio? {
        let zone = (try? Zone(record.user.timezone)) ?? .utc
        let (bioHTML, cooked) = bio(of: record)
        var view = ProfileView(site: site, handle: record.user.handle, name: record.user.name, bioHTML: bioHTML,
                               skills: record.user.skills, timezone: zone.identifier,
                               days: DaySchedule.group(record.freeSlots, in: zone))
        if config.slotFeeds {
            let feed = origin + profileURL(record.user.handle) + "slots.ics"
            // String(_:) of the slice: `+` with a Substring is the generic append, which
            // looks up its witnesses at run time.
            view.feed = (feed, "webcal" + String(feed.drop { $0 != ":" }))
        }
        try page("profile", .context(view), into: &out)
        return cooked
    }

    /// The HTML of `record`'s bio: the store's when it was cooked in this format,
    /// else cooked now and also returned as `cooked`.
    func bio(of record: ProfileRecord) -> (html: String, cooked: CookedBio?) {
        let user = record.user
        if user.bio.isEmpty { return ("", nil) }
        if let kept = record.cookedBio, kept.format == Markdown.format, kept.bio == user.bio { return (kept.html, nil) }
        let html = Markdown.html(from: user.bio)
        return (html, CookedBio(userID: user.id, format: Markdown.format, bio: user.bio, html: html))
    }

    /// The profile's availability feed (`slots.ics`): its free slots as events that do
    /// not block the subscriber's time; the calendar links the page to book them on.
    public func profileFeed(_ record: ProfileRecord) -> [UInt8] {
        var out: [UInt8] = []
        profileFeed(record, into: &out)
        return out
    }

    /// `profileFeed` appended to `out`.
    public func profileFeed(_ record: ProfileRecord, into out: inout [UInt8]) {
        let user = record.user
        let page = origin + profileURL(user.handle)
        var calendar = ICalendar(name: "\(user.name) — free slots (\(config.title))", refreshHourly: true, events: [])
        calendar.offers = ICalendar.Offers(host: host, summary: "Free: " + user.name, slots: record.freeSlots)
        calendar.url = page
        calendar.description = "Book a free slot of \(user.name) at \(page)"
        calendar.append(to: &out)
    }

    /// The directory entry of a profile: name, skills and the first free slot, which
    /// starts at `nextStart`. With what the user's zone says of it already known
    /// (`NextFree.offset`), the zone is not loaded.
    public func directoryEntry(user: User, nextStart: Int64?, offset: Int? = nil) -> DirectoryView.Entry {
        let next: LocalDateTime?, zoneName: String
        if let offset {
            (next, zoneName) = (nextStart.map { LocalDateTime(instant: $0, offset: offset) }, user.timezone)
        } else {
            let zone = (try? Zone(user.timezone)) ?? .utc
            (next, zoneName) = (nextStart.map { zone.local($0) }, zone.identifier)
        }
        return DirectoryView.Entry(handle: user.handle, name: user.name, skills: user.skills, next: next, zone: zoneName)
    }

    public func directory(_ entries: [DirectoryView.Entry], page: Int, previousPage: Int?, nextPage: Int?) throws -> [UInt8] {
        try self.page("directory", .context(DirectoryView(site: site, entries: entries, page: page,
                                                       previousPage: previousPage, nextPage: nextPage)))
    }

    public func content(_ page: ContentPage) throws -> [UInt8] {
        try self.page("page", .context(ContentView(site: site, title: page.title, html: Markdown.html(from: page.markdown))))
    }

    /// `sitemap.xml` listing the given site-relative paths, as UTF-8 bytes.
    public func sitemap(_ paths: [String]) -> [UInt8] {
        var xml = Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n".utf8)
        let base = Array(HTML.escape(config.baseURL).utf8)
        xml.reserveCapacity(xml.count + paths.count * (base.count + 48))
        for path in paths {
            xml += "  <url><loc>".utf8
            xml += base
            HTML.appendEscaped(path, to: &xml)
            xml += "</loc></url>\n".utf8
        }
        return xml + "</urlset>\n".utf8
    }

    /// Renders template `name` as any other page; for the CGI's own pages.
    public func render(_ name: String, _ value: MustacheValue) throws -> String {
        String(decoding: try page(name, value), as: UTF8.self)
    }

    /// Template `name` rendered as the bytes of a page file.
    func page(_ name: String, _ value: MustacheValue) throws -> [UInt8] {
        var out: [UInt8] = []
        try page(name, value, into: &out)
        return out
    }

    /// Template `name` rendered and appended to `out`; a template error names its file and line.
    private func page(_ name: String, _ value: MustacheValue, into out: inout [UInt8]) throws {
        do {
            try templates.render(name, value, into: &out)
        } catch let e as RenderError {
            throw SiteError(.badTemplate, "\(config.templatesPath)/\(e.template).mustache:\(e.line)", e.detail)
        }
    }
}
