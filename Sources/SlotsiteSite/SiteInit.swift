import Foundation
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
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: directory), !existing.isEmpty {
            throw SiteError(.io, directory, "the folder is not empty; choose a new one")
        }
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try configTemplate.write(toFile: directory + "/" + SiteConfig.fileName, atomically: true, encoding: .utf8)
            for file in DefaultTheme.files {
                let path = directory + "/" + file.path
                try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try file.contents.write(toFile: path, atomically: true, encoding: .utf8)
            }
        } catch let e as SiteError {
            throw e
        } catch {
            throw SiteError(.io, directory, "cannot write the new site (\(error.localizedDescription))")
        }
        let config = try SiteConfig.load(site: directory)
        try PageWriter.makeDirectories((config.databasePath as NSString).deletingLastPathComponent)
        do { _ = try Store(path: config.databasePath) } catch {
            throw SiteError(.store, config.databasePath, "\(error)")
        }
    }
}
