/// What a build did, for its one summary line.
public struct BuildSummary: Sendable, Equatable, CustomStringConvertible {
    public var written = 0
    public var unchanged = 0
    public var removed = 0
    public var seconds = 0.0

    public init() {}

    public var description: String {
        let total = written + unchanged
        let millis = Int((seconds * 1000).rounded())
        let time = "\(millis / 1000)." + String(repeating: "0", count: 3 - String(millis % 1000).count) + "\(millis % 1000) s"
        return "\(total) pages: \(written) written, \(unchanged) unchanged, \(removed) removed in \(time)"
    }
}
