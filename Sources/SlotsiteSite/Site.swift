import SlotsiteStore

/// An opened site folder: its configuration and store, and a builder over them.
public struct Site {
    public let config: SiteConfig
    public let store: Store

    /// Loads `slotsite.yml` and opens (and migrates) the store; only `slotsite init`
    /// creates one, so that a typo in `database:` is not a new empty site.
    /// - Throws: `SiteError` naming the config key or the database file.
    public static func open(_ directory: String) throws -> Site {
        let config = try SiteConfig.load(site: directory)
        do {
            return Site(config: config, store: try Store(path: config.databasePath))
        } catch let e as StoreError where e.reason == .missing {
            throw SiteError(.badConfig, config.root + "/" + SiteConfig.fileName + ": database",
                            "there is no store at \(config.databasePath); correct the key, or run `slotsite init` for a new site")
        } catch let e as StoreError {
            throw SiteError(.store, config.databasePath, e.description)
        }
    }

    public func builder() -> SiteBuilder { SiteBuilder(config: config, store: store) }
}
