/// Why a site could not be loaded or built; `location` names the file, line or key.
public struct SiteError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        case badConfig, badContent, badTemplate, io, store, locked
    }

    public let reason: Reason
    public let location: String
    public let message: String

    public init(_ reason: Reason, _ location: String, _ message: String) {
        self.reason = reason
        self.location = location
        self.message = message
    }

    public var description: String { location.isEmpty ? message : "\(location): \(message)" }
}
