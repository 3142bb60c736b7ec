/// A registered person: a professional with a public profile, and a client who books.
public struct User: Hashable, Sendable {
    public let id: Int64
    public let handle: String
    public let name: String
    public let email: String
    public let bio: String
    public let timezone: String
    public let skills: [String]
    /// Whether the profile page and directory entry are published: an account that
    /// only books stays private.
    public let listed: Bool
    /// Seconds ahead within which their slots are neither shown nor bookable.
    public let noticeSeconds: Int64

    public init(id: Int64, handle: String, name: String, email: String, bio: String, timezone: String, skills: [String],
                listed: Bool = true, noticeSeconds: Int64 = 0) {
        self.listed = listed
        self.noticeSeconds = noticeSeconds
        self.id = id
        self.handle = handle
        self.name = name
        self.email = email
        self.bio = bio
        self.timezone = timezone
        self.skills = skills
    }
}
