/// A rule of the domain that some input broke.
///
/// `field` names the form field or key the problem belongs to, so a form can show
/// the message next to it and a command line can name it.
public struct CoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        case invalidHandle, reservedHandle, invalidEmail, invalidPassword
        case invalidName, invalidBio, invalidNote, invalidSkills, invalidTimeZone
        case invalidDate, invalidTime, nonexistentLocalTime
        case invalidDuration, startsInPast, overlap
    }

    public let reason: Reason
    public let field: String
    public let message: String

    public init(_ reason: Reason, field: String, _ message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
