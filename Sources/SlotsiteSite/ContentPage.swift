/// A Markdown page from `content/`, published at `/<slug>/` unless it is a draft.
public struct ContentPage: Sendable, Equatable {
    public let file: String
    public let title: String
    public let slug: String
    public let draft: Bool
    public let markdown: String

    /// Slugs the site itself uses.
    static let reservedSlugs: Set<String> = ["u", "page", "assets", "cgi-bin", "sitemap.xml", "index.html"]

    /// Parses a file with YAML front matter between `---` lines.
    /// - Throws: `SiteError.badContent` naming the file and line of missing or bad
    ///   front matter, an unknown key or a bad slug.
    public init(file: String, text: String) throws {
        self.file = file
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard lines.first == "---", let end = lines.dropFirst().firstIndex(of: "---") else {
            throw SiteError(.badContent, "\(file):1", "start with front matter between `---` lines (title, slug, draft)")
        }
        let front: [FlatYAML.Entry]
        do {
            front = try FlatYAML(lines[1..<end].joined(separator: "\n"), file: file, firstLine: 2).entries
        } catch let e as SiteError {
            throw SiteError(.badContent, e.location, e.message)
        }
        var title: String?, slug: String?, draft = false
        for entry in front {
            let at = "\(file):\(entry.line)"
            switch entry.key {
            case "title": title = entry.value
            case "slug": slug = entry.value
            case "draft":
                guard entry.value == "true" || entry.value == "false" else {
                    throw SiteError(.badContent, at, "key `draft`: write true or false")
                }
                draft = entry.value == "true"
            default:
                throw SiteError(.badContent, at, "unknown key `\(entry.key)` (known: title, slug, draft)")
            }
        }
        guard let title, !title.isEmpty else { throw SiteError(.badContent, "\(file):1", "key `title` is missing") }
        let base = file.split(separator: "/").last.map(String.init) ?? file
        let name = base.hasSuffix(".md") ? String(base.dropLast(3)) : base
        let finalSlug = slug ?? name
        guard (1...64).contains(finalSlug.count),
              finalSlug.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }),
              !ContentPage.reservedSlugs.contains(finalSlug)
        else {
            throw SiteError(.badContent, "\(file):1", "key `slug`: use lower-case letters, digits and hyphens, not a reserved name (u, page, assets)")
        }
        lines.removeSubrange(0...end)
        self.title = title
        self.slug = finalSlug
        self.draft = draft
        self.markdown = lines.joined(separator: "\n")
    }

    /// Every `*.md` file of `directory`, sorted by file name; drafts included.
    /// - Throws: `SiteError.badContent` for the first file that does not parse, or
    ///   when two pages share a slug.
    public static func loadAll(from directory: String) throws -> [ContentPage] {
        let names = Files.list(directory) ?? []
        var pages: [ContentPage] = []
        var slugs: [String: String] = [:]
        for name in names.sorted() where name.hasSuffix(".md") {
            let path = directory + "/" + name
            guard let text = Files.readText(path) else {
                throw SiteError(.badContent, path, "cannot read the file as UTF-8")
            }
            let page = try ContentPage(file: path, text: text)
            if !page.draft, let other = slugs.updateValue(path, forKey: page.slug) {
                throw SiteError(.badContent, path, "slug `\(page.slug)` is also used by \(other)")
            }
            pages.append(page)
        }
        return pages
    }
}
