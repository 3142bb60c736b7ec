import SlotsiteCore

/// Why a store operation failed; `detail` carries the SQL or SQLite's message.
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The row does not exist (or is not visible to the caller).
        case notFound
        /// There is no store file where one was expected (only `init` creates one).
        case missing
        /// The row belongs to someone else, or the caller may not act on it.
        case forbidden
        case handleTaken, emailTaken
        case slotOverlaps, slotBooked, alreadyBooked
        /// The slot's active booking is this very client's (a form sent twice).
        case alreadyBookedByClient
        /// The slot has started and can no longer be booked.
        case slotStarted
        /// SQLite reported an error; `code` is its extended result code.
        case sqlite(code: Int32)
    }

    public let reason: Reason
    public let detail: String

    public init(_ reason: Reason, _ detail: String = "") {
        self.reason = reason
        self.detail = detail
    }

    public var description: String {
        switch reason {
        case .sqlite(let code): return "SQLite error \(code): \(detail)"
        default: return detail.isEmpty ? "\(reason)" : "\(reason): \(detail)"
        }
    }
}
