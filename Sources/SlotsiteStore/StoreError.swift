import SlotsiteCore

/// Why a store operation failed; `detail` carries the query or the engine's message.
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
        /// Another process held the store for longer than the busy wait: try again.
        case busy
        /// The database engine reported another error; `code` is its own result code,
        /// for the log (callers answer it as a fault).
        case engine(code: Int32)
    }

    public let reason: Reason
    public let detail: String

    public init(_ reason: Reason, _ detail: String = "") {
        self.reason = reason
        self.detail = detail
    }

    /// The store error for a refusal of the domain's rules.
    init(refused refusal: Refusal, _ detail: String) {
        switch refusal {
        case .notFound: self.init(.notFound, detail)
        case .forbidden: self.init(.forbidden, detail)
        case .slotOverlaps: self.init(.slotOverlaps, detail)
        case .slotBooked: self.init(.slotBooked, detail)
        case .alreadyBooked: self.init(.alreadyBooked, detail)
        case .alreadyBookedByClient: self.init(.alreadyBookedByClient, detail)
        case .slotStarted: self.init(.slotStarted, detail)
        }
    }

    public var description: String {
        switch reason {
        case .engine(let code): return "database error \(code): \(detail)"
        default: return detail.isEmpty ? "\(reason)" : "\(reason): \(detail)"
        }
    }
}
