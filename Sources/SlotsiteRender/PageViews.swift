import SlotsiteCore

/// Where pages are under the site's root.
public enum SitePaths {
    /// The folder that holds a folder per profile.
    public static let profilesFolder = "u"

    /// A profile's folder under the site's root, e.g. `u/ada/`.
    public static func profile(_ handle: String) -> String { profilesFolder + "/" + handle + "/" }
}

/// What every page's layout needs from the site. A class: pages look `site.…` up
/// once per slot, and a reference is copied with a retain where a struct of three
/// strings would be boxed on the heap for every lookup.
public final class SiteView: MustacheContext, Sendable {
    public let title: String
    /// Path of the public site's root, ending in `/`.
    public let root: String
    /// Path of the CGI, without a trailing `/`.
    public let cgi: String

    public init(title: String, root: String, cgi: String) {
        self.title = title
        self.root = root
        self.cgi = cgi
    }

    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "title": return .string(title)
        case "root": return .string(root)
        case "cgi": return .string(cgi)
        default: return nil
        }
    }
}

/// A public profile page: bio, skills and free slots grouped by local day.
public struct ProfileView: MustacheContext {
    public let site: SiteView
    public let handle: String
    public let name: String
    public let bioHTML: String
    public let skills: [String]
    public let timezone: String
    public let days: [DaySchedule]
    /// The page's availability feed, as a link and as a `webcal:` subscription; nil
    /// when the site publishes none.
    public var feed: (url: String, webcal: String)?

    public init(site: SiteView, handle: String, name: String, bioHTML: String, skills: [String], timezone: String, days: [DaySchedule]) {
        self.site = site
        self.handle = handle
        self.name = name
        self.bioHTML = bioHTML
        self.skills = skills
        self.timezone = timezone
        self.days = days
    }

    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "site": return .context(site)
        case "handle": return .string(handle)
        case "name": return .string(name)
        case "bio": return .string(bioHTML)
        case "hasBio": return .bool(!bioHTML.isEmpty)
        case "skills": return .list(skills.map { .string($0) })
        case "hasSkills": return .bool(!skills.isEmpty)
        case "timezone": return .string(timezone)
        case "days": return .list(days.map { .context(DayView(day: $0)) })
        case "hasDays": return .bool(!days.isEmpty)
        case "feed": return feed.map { .string($0.url) }
        case "webcal": return feed.map { .string($0.webcal) }
        default: return nil
        }
    }
}

struct DayView: MustacheContext {
    let day: DaySchedule

    func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "date": return .string(day.date.description)
        case "title": return .string(day.date.longText)
        case "slots": return .list(day.slots.map { .context(SlotView($0)) })
        default: return nil
        }
    }

    /// Digits, letters, commas and spaces: written straight into the page.
    func appendText(forKey key: String, escaped: Bool, to out: inout [UInt8]) -> Bool {
        switch key {
        case "date": day.date.append(to: &out)
        case "title": day.date.appendLongText(to: &out)
        default: return appendValue(forKey: key, escaped: escaped, to: &out)
        }
        return true
    }
}

/// One slot as templates see it. Kept to 24 bytes of plain integers so that it fits
/// an existential's inline buffer: every template lookup copies the context, and a
/// larger view would be boxed and reference-counted on each copy.
struct SlotView: MustacheContext {
    let id: Int64
    let startWall: Int64
    /// End minus start on the wall clock (high 32 bits), then the start and end
    /// offsets in minutes (16 bits each).
    let packed: Int64

    init(_ slot: DaySchedule.ShownSlot) {
        id = slot.id
        startWall = slot.startWall
        let length = slot.endWall - startWall
        packed = length << 32 | Int64(UInt16(bitPattern: Int16(slot.startOffset / 60))) << 16
            | Int64(UInt16(bitPattern: Int16(slot.endOffset / 60)))
    }

    var start: LocalDateTime { LocalDateTime(wall: startWall, offset: Int(Int16(truncatingIfNeeded: packed >> 16)) * 60) }
    var end: LocalDateTime { LocalDateTime(wall: startWall + (packed >> 32), offset: Int(Int16(truncatingIfNeeded: packed)) * 60) }

    func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "id": return .string(String(id))
        case "start": return .string(start.rfc3339)
        case "end": return .string(end.rfc3339)
        case "startTime": return .string(start.time.description)
        case "endTime": return .string(end.time.description)
        default: return nil
        }
    }

    /// Digits, colons and signs only: nothing to escape, so written as they are,
    /// straight into the page (a page has 240 of these).
    func appendText(forKey key: String, escaped: Bool, to out: inout [UInt8]) -> Bool {
        switch key {
        case "id": out.appendDecimal(id)
        case "start": start.appendRFC3339(to: &out)
        case "end": end.appendRFC3339(to: &out)
        case "startTime": LocalTime(wallSeconds: startWall).append(to: &out)
        case "endTime": LocalTime(wallSeconds: startWall + (packed >> 32)).append(to: &out)
        default: return false
        }
        return true
    }
}

/// One page of the directory of professionals.
public struct DirectoryView: MustacheContext {
    public struct Entry: Sendable {
        public let handle: String
        public let name: String
        public let skills: [String]
        /// The first free slot's start on the professional's clock, and that clock's zone.
        public let next: LocalDateTime?
        public let zone: String

        public init(handle: String, name: String, skills: [String], next: LocalDateTime?, zone: String) {
            self.handle = handle
            self.name = name
            self.skills = skills
            self.next = next
            self.zone = zone
        }
    }

    public let site: SiteView
    public let entries: [Entry]
    public let page: Int
    /// The nearest pages before and after this one that exist.
    public let previousPage: Int?
    public let nextPage: Int?

    public init(site: SiteView, entries: [Entry], page: Int, previousPage: Int?, nextPage: Int?) {
        self.site = site
        self.entries = entries
        self.page = page
        self.previousPage = previousPage
        self.nextPage = nextPage
    }

    /// The path of directory page `page` under the site root: `` or `page/2/`.
    public static func path(ofPage page: Int) -> String { page == 1 ? "" : "page/\(page)/" }

    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "site": return .context(site)
        case "professionals": return .list(entries.map { .context(EntryView(entry: $0, root: site.root)) })
        case "hasProfessionals": return .bool(!entries.isEmpty)
        case "page": return .number(Double(page))
        case "paginated": return .bool(previousPage != nil || nextPage != nil)
        case "previousPage": return previousPage.map { .string(site.root + DirectoryView.path(ofPage: $0)) } ?? .null
        case "nextPage": return nextPage.map { .string(site.root + DirectoryView.path(ofPage: $0)) } ?? .null
        default: return nil
        }
    }

    struct EntryView: MustacheContext {
        let entry: Entry
        let root: String

        func value(forKey key: String) -> MustacheValue? {
            switch key {
            case "handle": return .string(entry.handle)
            case "name": return .string(entry.name)
            case "url": return .string(root + SitePaths.profile(entry.handle))
            case "skills": return .list(entry.skills.map { .string($0) })
            case "zone": return .string(entry.zone)
            case "next": return entry.next.map { .context(NextFreeView(wall: $0.wall, offset: $0.offset)) } ?? .null
            default: return nil
            }
        }

        func appendText(forKey key: String, escaped: Bool, to out: inout [UInt8]) -> Bool {
            switch key {
            case "url":
                func add(_ part: String) { if escaped { HTML.appendEscaped(part, to: &out) } else { out += part.utf8 } }
                add(root)
                add(SitePaths.profile(entry.handle))
            // Written straight from the entry, without a MustacheValue for each.
            case "name": if escaped { HTML.appendEscaped(entry.name, to: &out) } else { out += entry.name.utf8 }
            case "handle": if escaped { HTML.appendEscaped(entry.handle, to: &out) } else { out += entry.handle.utf8 }
            case "zone": if escaped { HTML.appendEscaped(entry.zone, to: &out) } else { out += entry.zone.utf8 }
            default: return appendValue(forKey: key, escaped: escaped, to: &out)
            }
            return true
        }
    }

    /// A professional's first free slot, written straight into the page. Kept as two
    /// words rather than a `LocalDateTime` (six), so that it fits a `MustacheValue`
    /// without a heap allocation for each professional listed.
    struct NextFreeView: MustacheContext {
        let wall: Int64
        let offset: Int

        var next: LocalDateTime { LocalDateTime(wall: wall, offset: offset) }

        func value(forKey key: String) -> MustacheValue? {
            var out: [UInt8] = []
            guard appendText(forKey: key, escaped: false, to: &out) else { return nil }
            return .string(String(decoding: out, as: UTF8.self))
        }

        func appendText(forKey key: String, escaped: Bool, to out: inout [UInt8]) -> Bool {
            switch key {
            case "datetime": next.appendRFC3339(to: &out)
            case "text":
                let next = self.next
                next.date.appendLongText(to: &out)
                out += ", ".utf8
                next.time.append(to: &out)
            default: return false
            }
            return true
        }
    }
}

/// A content page from `content/`.
public struct ContentView: MustacheContext {
    public let site: SiteView
    public let title: String
    public let html: String

    public init(site: SiteView, title: String, html: String) {
        self.site = site
        self.title = title
        self.html = html
    }

    public func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "site": return .context(site)
        case "title": return .string(title)
        case "content": return .string(html)
        default: return nil
        }
    }
}
