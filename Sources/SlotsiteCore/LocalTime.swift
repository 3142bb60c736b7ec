/// A wall-clock time of day, `HH:MM`, 00:00 to 23:59.
public struct LocalTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let minutes: Int

    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        minutes = hour * 60 + minute
    }

    /// The time of day on a wall clock reading `wallSeconds` after 1970-01-01T00:00
    /// (seconds dropped).
    public init(wallSeconds: Int64) {
        let secondOfDay = wallSeconds % 86_400
        minutes = Int((secondOfDay < 0 ? secondOfDay + 86_400 : secondOfDay) / 60)
    }

    /// Parses exactly `HH:MM` (24:00 is not a time of day).
    public init?(text: String) {
        let b = Array(text.utf8)
        guard b.count == 5, b[2] == 0x3A, let h = Digits.value(b[0..<2]), let m = Digits.value(b[3..<5])
        else { return nil }
        self.init(hour: h, minute: m)
    }

    public var description: String {
        Digits.string(capacity: 5, write)
    }

    /// Appends `description` to `out` as UTF-8.
    public func append(to out: inout [UInt8]) {
        Digits.append(capacity: 5, to: &out, write)
    }

    func write(into buffer: UnsafeMutableBufferPointer<UInt8>, at: inout Int) {
        Digits.write(minutes / 60, width: 2, into: buffer, at: &at)
        buffer[at] = 0x3A; at += 1
        Digits.write(minutes % 60, width: 2, into: buffer, at: &at)
    }

    public static func < (a: LocalTime, b: LocalTime) -> Bool { a.minutes < b.minutes }
}
