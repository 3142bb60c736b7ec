import SlotsiteRender

/// The kinds of file a site's output holds. Each says where its files are, what its
/// record's fingerprint is made of, when a file goes stale and what renders it; the
/// full, incremental and change builds plan by these, and a new kind (a feed) is one
/// more case here. Profiles and directory pages are kept unread while their recorded
/// fingerprint holds and they are fresh; the other kinds are few, rendered by every
/// build and written only when their bytes change.
public enum OutputKind: CaseIterable, Sendable {
    /// `u/<handle>/index.html`, one per listed professional. Fingerprint: the theme and
    /// the professional's version, which every change to what the page shows bumps.
    /// Stale when its first free slot starts. Rendered by `PageRenderer.profile`.
    case profile
    /// `u/<handle>/slots.ics`, the profile's free slots as a calendar feed: a companion
    /// of its profile page, written after it and removed with it, under the page's
    /// record (same inputs, same staleness), unless `slot_feeds` is off. Rendered by
    /// `PageRenderer.profileFeed`.
    case profileFeed
    /// `index.html`, `page/N/index.html`: professionals by id, 24 a page. Fingerprint:
    /// the theme, its members' versions and its neighbours, then a digest of what it
    /// shows (`DirectoryPages`). Stale when its earliest first free slot starts.
    /// Rendered by `DirectoryPage`.
    case directory
    /// `<slug>/index.html`, one per page in `content/` that is not a draft.
    case content
    /// `assets/…`, copied from `templates/assets/`.
    case asset
    /// `sitemap.xml`, listing every HTML page; a change that adds or removes a page
    /// writes it too.
    case sitemap

    /// The folder of profile folders.
    static let profilesFolder = SitePaths.profilesFolder

    /// The output path of a profile page.
    public static func profilePath(_ handle: String) -> String { SitePaths.profile(handle) + "index.html" }

    /// The output path of a profile's availability feed.
    public static func feedPath(_ handle: String) -> String { SitePaths.profile(handle) + "slots.ics" }

    /// The companion file that goes with a profile page's path, if `path` is one.
    static func companion(of path: String) -> String? {
        guard path.hasPrefix(profilesFolder + "/"), path.hasSuffix("/index.html") else { return nil }
        return String(path.dropLast("index.html".count)) + "slots.ics"
    }

    /// What a profile page is rendered from: the theme and its professional's version.
    static func profileFingerprint(theme: String, version: Int64) -> String { "\(theme):p\(version)" }

    /// The output path of directory page `page` (1-based).
    public static func directoryPath(_ page: Int) -> String { DirectoryView.path(ofPage: page) + "index.html" }

    /// The output path of a content page.
    static func contentPath(_ slug: String) -> String { slug + "/index.html" }

    /// The output path of an asset, from its path under `templates/assets/`.
    static func assetPath(_ file: String) -> String { "assets/" + file }

    static let sitemapPath = "sitemap.xml"
}
