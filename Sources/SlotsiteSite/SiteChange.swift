/// A change the CGI committed, naming every account it touched and, among them, the
/// professionals whose public pages it may change.
public struct SiteChange: Sendable, Equatable {
    /// The professionals whose profile pages (and directory entries) may change.
    public let userIDs: [Int64]
    /// Every account the change touched: a booking touches its client too, whose own
    /// outputs (a private feed, mail) follow the change though no public page does.
    public let accounts: [Int64]
    /// True when a profile page may appear or go (a registration, a listing published
    /// or withdrawn): the sitemap and the neighbouring directory pages' links change too.
    public let addsPage: Bool

    /// A professional's slots or profile changed.
    public static func profile(_ userID: Int64) -> SiteChange { SiteChange(userIDs: [userID], accounts: [userID], addsPage: false) }

    /// A booking of `professional`'s slot by `client` was made or cancelled.
    public static func booking(professional: Int64, client: Int64) -> SiteChange {
        SiteChange(userIDs: [professional], accounts: [professional, client], addsPage: false)
    }

    /// A new account registered, or an account's listing was published or withdrawn.
    public static func listing(_ userID: Int64) -> SiteChange { SiteChange(userIDs: [userID], accounts: [userID], addsPage: true) }
}
