import SlotsiteCore
import SlotsiteRender
import SlotsiteStore

/// The directory's pages: which exist, whom each lists, their neighbours.
struct DirectoryPages {
    private let byPage: [Int: [(id: Int64, version: Int64)]]
    /// Existing page numbers, ascending; page 1 always exists.
    let numbers: [Int]

    init(users: [(id: Int64, handle: String, version: Int64)], config: SiteConfig) {
        var byPage: [Int: [(id: Int64, version: Int64)]] = [1: []]
        for user in users { byPage[config.directoryPage(of: user.id), default: []].append((user.id, user.version)) }
        self.byPage = byPage
        numbers = byPage.keys.sorted()
    }

    func members(_ page: Int) -> [(id: Int64, version: Int64)] { byPage[page] ?? [] }

    func before(_ page: Int) -> Int? { numbers.last { $0 < page } }
    func after(_ page: Int) -> Int? { numbers.first { $0 > page } }

    func fingerprint(_ page: Int, theme: String) -> String {
        DirectoryPages.fingerprint(members(page), previous: before(page), next: after(page), theme: theme)
    }

    /// What a directory page is rendered from: its members' versions and its neighbours.
    /// It is recorded with a digest of what the page shows (`shown`,
    /// `PageRecord.fingerprint(inputs:shown:)`): most changes to a member (a booking of
    /// any slot but their first, a new bio) change the inputs but not what the page
    /// shows, and the digest tells so from the rows the page would be rendered from.
    static func fingerprint(_ members: [(id: Int64, version: Int64)], previous: Int?, next: Int?, theme: String) -> String {
        var f = Fingerprint()
        for member in members { f.add(member.id); f.add(member.version) }
        f.add(Int64(previous ?? 0)); f.add(Int64(next ?? 0))
        return "\(theme):d\(f.hex)"
    }

    /// What a directory page shows of one professional, besides what the theme adds.
    typealias Listed = (id: Int64, handle: String, name: String, skills: [String], timezone: String, nextStart: Int64?,
                        notice: Int64)

    static func listed(_ user: User, nextStart: Int64?) -> Listed {
        (user.id, user.handle, user.name, user.skills, user.timezone, nextStart, user.noticeSeconds)
    }

    /// A digest of everything a directory page shows: the theme, its number and
    /// neighbours, and each member's handle, name, skills, time zone and first free start.
    static func shown(_ members: [Listed], page: Int, previous: Int?, next: Int?, theme: String) -> String {
        var f = Fingerprint()
        f.add(theme)
        for number in [page, previous ?? 0, next ?? 0] { f.add(Int64(number)) }
        for member in members {
            f.add(member.id)
            f.add(member.handle)
            f.add(member.name)
            f.add(member.timezone)
            f.add(Int64(member.skills.count))
            for skill in member.skills { f.add(skill) }
            if let start = member.nextStart { f.add(start) } else { f.add("-") }
        }
        return f.hex
    }
}

/// One directory page from its rows, however they were read (streamed beside the
/// profiles in a build, or from the store for a change): what it shows, the record it
/// takes, and its HTML. The one path both builds render directory pages by.
struct DirectoryPage {
    /// A member as the page shows them, and the version they were read at.
    typealias Row = (entry: DirectoryView.Entry, listed: DirectoryPages.Listed, version: Int64)

    let number: Int
    let previous: Int?
    let next: Int?
    let rows: [Row]
    /// A digest of everything the page shows (`DirectoryPages.shown`).
    let shown: String
    /// The record's fingerprint: the members' versions and the neighbours, then `shown`.
    let fingerprint: String
    /// When the page goes stale: the earliest first free slot it shows comes within
    /// its professional's notice.
    let staleAt: Int64?

    init(_ number: Int, previous: Int?, next: Int?, rows: [Row], theme: String) {
        self.number = number
        self.previous = previous
        self.next = next
        self.rows = rows
        shown = DirectoryPages.shown(rows.map(\.listed), page: number, previous: previous, next: next, theme: theme)
        fingerprint = PageRecord.fingerprint(
            inputs: DirectoryPages.fingerprint(rows.map { ($0.listed.id, $0.version) }, previous: previous, next: next, theme: theme),
            shown: shown)
        staleAt = rows.compactMap { row in row.listed.nextStart.map { $0 - row.listed.notice } }.min()
    }

    /// A row for `user`, whose first free slot starts at `nextStart` (at UTC offset
    /// `offset` on their clock, when known).
    static func row(_ user: User, nextStart: Int64?, offset: Int? = nil, version: Int64, renderer: PageRenderer) -> Row {
        (renderer.directoryEntry(user: user, nextStart: nextStart, offset: offset), DirectoryPages.listed(user, nextStart: nextStart),
         version)
    }

    var path: String { OutputKind.directoryPath(number) }

    func html(_ renderer: PageRenderer) throws -> [UInt8] {
        try renderer.directory(rows.map(\.entry), page: number, previousPage: previous, nextPage: next)
    }
}
