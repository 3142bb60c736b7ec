import SlotsiteCore

/// A 64-bit FNV-1a hash: cheap, stable across runs and platforms, for telling
/// whether a page's inputs changed. Not for security.
struct Fingerprint {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for b in bytes {
            state ^= UInt64(b)
            state = state &* 0x0000_0100_0000_01B3
        }
        state ^= 0xFF // separator, so ("ab","c") and ("a","bc") differ
        state = state &* 0x0000_0100_0000_01B3
    }

    mutating func add(_ text: String) {
        var text = text
        text.withUTF8 { add($0) }
    }

    /// Adds `number`'s decimal digits, as `String(number)` spells them, without making
    /// the string (a directory page adds several numbers per member).
    mutating func add(_ number: Int64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var start = buffer.count
            var rest = number.magnitude
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            if number < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            add(UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }

    var hex: String {
        let digits = String(state, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension SiteConfig {
    /// Bumped whenever the code that renders pages changes its output, so that pages
    /// rendered by an older program are rendered again.
    static let renderFormat: Int64 = 2

    /// What every page depends on besides its data: the render format, the settings
    /// pages show, every template file, by name, size and modification time (a stat
    /// each, so the CGI need not read templates it does not render), and the zone
    /// database that turns instants into the local times pages show (`zoneDatabaseIdentity`).
    func themeFingerprint(zoneDatabase: [Int64]) -> String {
        var f = Fingerprint()
        f.add(SiteConfig.renderFormat)
        for setting in [title, baseURL, cgiURL, String(pageSize), String(slotFeeds)] { f.add(setting) }
        for number in zoneDatabase { f.add(number) }
        for name in Files.list(templatesPath) ?? [] where name.hasSuffix(".mustache") {
            f.add(name)
            for number in Files.identity(templatesPath + "/" + name) { f.add(number) }
        }
        return f.hex
    }

    /// The zone database as a stat can tell it apart: `tzdata.zi`, which the system's
    /// tzdata (Debian's, the reference distribution) replaces with every update of the
    /// rules. Where there is none, an update goes unnoticed until the pages change.
    static func zoneDatabaseIdentity() -> [Int64] { Files.identity(Zone.databasePath + "/tzdata.zi") }

    /// The directory page that lists user `id`: users 1–24 on page 1, 25–48 on page 2,
    /// and so on, so a change to one professional touches exactly one page.
    func directoryPage(of id: Int64) -> Int { Int((id - 1) / Int64(pageSize)) + 1 }

    /// The user ids directory page `page` lists.
    func userIDs(onPage page: Int) -> ClosedRange<Int64> {
        Int64(page - 1) * Int64(pageSize) + 1...Int64(page) * Int64(pageSize)
    }
}
