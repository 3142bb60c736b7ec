/// A change the CGI committed, naming the professionals whose public pages it touches.
public struct SiteChange: Sendable, Equatable {
    public let userIDs: [Int64]
    /// True when a profile page may appear or go (a registration, a listing published
    /// or withdrawn): the sitemap and the neighbouring directory pages' links change too.
    public let addsPage: Bool

    /// A professional's slots or profile changed.
    public static func profile(_ userID: Int64) -> SiteChange { SiteChange(userIDs: [userID], addsPage: false) }

    /// A new account registered, or an account's listing was published or withdrawn.
    public static func listing(_ userID: Int64) -> SiteChange { SiteChange(userIDs: [userID], addsPage: true) }
}
