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
    static func fingerprint(_ members: [(id: Int64, version: Int64)], previous: Int?, next: Int?, theme: String) -> String {
        var f = Fingerprint()
        for member in members { f.add(member.id); f.add(member.version) }
        f.add(Int64(previous ?? 0)); f.add(Int64(next ?? 0))
        return "\(theme):d\(f.hex)"
    }
}
