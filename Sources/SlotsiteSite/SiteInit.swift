import SlotsiteStore

/// Creates new site folders.
public enum SiteInit {
    /// The commented `slotsite.yml` a new site starts with.
    public static let configTemplate = """
    # Slotsite configuration. Every key is optional; these are the defaults.
    title: Slotsite
    # Origin and path of the public site.
    base_url: http://127.0.0.1:8080/
    # Path of the CGI program on the same server.
    cgi_url: /cgi-bin/slotsite
    # Time zone for new users (IANA name).
    timezone: UTC
    database: data/slotsite.db
    output: public

    """

    /// Writes config, default templates and content and an empty migrated store into
    /// `directory`, which must not exist or be empty.
    /// - Throws: `SiteError.io` when the folder has files or cannot be written.
    public static func create(at directory: String) throws {
        if let existing = Files.list(directory), !existing.isEmpty {
            throw SiteError(.io, directory, "the folder is not empty; choose a new one")
        }
        try PageWriter.makeDirectories(directory)
        try Files.write(configTemplate, to: directory + "/" + SiteConfig.fileName)
        for file in DefaultTheme.files {
            try Files.write(file.contents, to: directory + "/" + file.path)
        }
        let config = try SiteConfig.load(site: directory)
        if let slash = config.databasePath.lastIndex(of: "/") {
            try PageWriter.makeDirectories(String(config.databasePath[..<slash]))
        }
        do { _ = try Store(path: config.databasePath, create: true) } catch {
            throw SiteError(.store, config.databasePath, "\(error)")
        }
    }
}
