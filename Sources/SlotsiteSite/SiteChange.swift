/// A change the CGI committed, naming the professionals whose public pages it touches.
public struct SiteChange: Sendable, Equatable {
    public let userIDs: [Int64]
    /// True when a profile page appears (a registration): the sitemap changes too.
    public let addsPage: Bool

    /// A professional's slots or profile changed.
    public static func profile(_ userID: Int64) -> SiteChange { SiteChange(userIDs: [userID], addsPage: false) }

    /// A new professional registered.
    public static func registered(_ userID: Int64) -> SiteChange { SiteChange(userIDs: [userID], addsPage: true) }
}
