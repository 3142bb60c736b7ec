import SlotsiteStore

/// An opened site folder: its configuration and store, and a builder over them.
public struct Site {
    public let config: SiteConfig
    public let store: Store

    /// Loads `slotsite.yml` and opens (creating and migrating) the store.
    /// - Throws: `SiteError` naming the config key or the database file.
    public static func open(_ directory: String) throws -> Site {
        let config = try SiteConfig.load(site: directory)
        if let slash = config.databasePath.lastIndex(of: "/") {
            try PageWriter.makeDirectories(String(config.databasePath[..<slash]))
        }
        do {
            return Site(config: config, store: try Store(path: config.databasePath))
        } catch let e as StoreError {
            throw SiteError(.store, config.databasePath, e.description)
        }
    }

    public func builder() -> SiteBuilder { SiteBuilder(config: config, store: store) }
}
