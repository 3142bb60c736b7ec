/// A half-open span of time `[start, end)` between two instants (seconds since the epoch).
public struct TimeRange: Hashable, Sendable {
    public let start: Int64
    public let end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    public var duration: Int64 { end - start }

    /// True when the two share a moment; ranges that only touch do not overlap.
    public func overlaps(_ other: TimeRange) -> Bool {
        start < other.end && other.start < end
    }
}
