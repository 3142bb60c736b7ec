/// A calendar date in the proleptic Gregorian calendar, without a zone.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Builds a date, or `nil` when the day does not exist (2027-02-29, 2026-13-01).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CivilDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`.
    public init?(iso text: String) {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D,
              let y = Digits.value(b[0..<4]), let m = Digits.value(b[5..<7]), let d = Digits.value(b[8..<10])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The date `days` days after 1970-01-01 (negative before it).
    public init(daysSinceEpoch days: Int64) {
        // Clamped to years 1–9999, counted from 0000-03-01 (so a leap day ends its
        // year), then split into centuries, years, months and days with the unsigned
        // multiply-and-shift steps of Neri and Schneider, "Euclidean affine functions
        // and their application to calendar algorithms" (2022): a page formats 80
        // dates, and this is three times faster than dividing by 146,097, 36,524 and 365.
        let n = UInt32(truncatingIfNeeded: min(max(days, -719_162), 2_932_896) + 719_468)
        let n1 = 4 &* n &+ 3
        let century = n1 / 146_097
        let dayOfCentury = n1 % 146_097 / 4
        let p2 = UInt64(2_939_745) &* UInt64(4 &* dayOfCentury &+ 3)
        let yearOfCentury = UInt32(truncatingIfNeeded: p2 >> 32)
        let dayOfYear = UInt32(truncatingIfNeeded: p2) / 2_939_745 / 4
        let n3 = 2141 &* dayOfYear &+ 197_913
        let january: UInt32 = dayOfYear >= 306 ? 1 : 0 // January and February end the count's year
        year = Int(100 &* century &+ yearOfCentury &+ january)
        month = Int(january == 1 ? n3 >> 16 &- 12 : n3 >> 16)
        day = Int((n3 & 0xFFFF) / 2141 + 1)
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 0 = Sunday … 6 = Saturday.
    public var weekday: Int {
        let d = (daysSinceEpoch + 4) % 7 // 1970-01-01 was a Thursday.
        return Int(d < 0 ? d + 7 : d)
    }

    /// `2026-12-01`
    public var description: String {
        Digits.string(capacity: 10, write)
    }

    /// Appends `description` to `out` as UTF-8.
    public func append(to out: inout [UInt8]) {
        Digits.append(capacity: 10, to: &out, write)
    }

    func write(into buffer: UnsafeMutableBufferPointer<UInt8>, at: inout Int) {
        Digits.write(year, width: 4, into: buffer, at: &at)
        buffer[at] = 0x2D; at += 1
        Digits.write(month, width: 2, into: buffer, at: &at)
        buffer[at] = 0x2D; at += 1
        Digits.write(day, width: 2, into: buffer, at: &at)
    }

    /// `Tuesday, 1 December 2026`
    public var longText: String {
        var out: [UInt8] = []
        appendLongText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `longText` to `out` as UTF-8, without a string of its own: every day
    /// heading and directory entry shows one.
    public func appendLongText(to out: inout [UInt8]) {
        out += CivilDate.weekdayNames[weekday].utf8
        out += ", ".utf8
        out.appendDecimal(Int64(day))
        out.append(0x20)
        out += CivilDate.monthNames[month - 1].utf8
        out.append(0x20)
        out.appendDecimal(Int64(year))
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static let weekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                             "August", "September", "October", "November", "December"]
}

extension Array where Element == UInt8 {
    /// Appends `value` in decimal, as `String(value)` writes it.
    public mutating func appendDecimal(_ value: Int64) {
        if value < 0 { append(0x2D) }
        // Written backwards from the end of a buffer, then appended at once: a page
        // shows two slot ids per slot.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = value.magnitude, first = 20
            repeat {
                first -= 1
                digits[first] = 0x30 &+ UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            } while rest > 0
            append(contentsOf: UnsafeBufferPointer(rebasing: digits[first...]))
        }
    }
}

/// Fixed-width decimal digits, without Foundation's formatters.
enum Digits {
    /// The text that `write` puts into a buffer of `capacity` bytes, as a string.
    @inline(__always)
    static func string(capacity: Int, _ write: (UnsafeMutableBufferPointer<UInt8>, inout Int) -> Void) -> String {
        String(unsafeUninitializedCapacity: capacity) { buffer in
            var at = 0
            write(buffer, &at)
            return at
        }
    }

    /// The same text appended to `out` at once, without a string of its own: pages are
    /// full of dates and times.
    @inline(__always)
    static func append(capacity: Int, to out: inout [UInt8], _ write: (UnsafeMutableBufferPointer<UInt8>, inout Int) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var at = 0
            write(buffer, &at)
            out += UnsafeBufferPointer(rebasing: buffer[..<at])
        }
    }

    static func value(_ bytes: ArraySlice<UInt8>) -> Int? {
        var v = 0
        for b in bytes {
            guard b >= 0x30, b <= 0x39 else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return v
    }

    /// Writes `v` (0 to 9999) in decimal, zero-padded to `width` digits, straight into
    /// a string's storage: pages are full of dates and times.
    @inline(__always)
    static func write(_ v: Int, width: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at: inout Int) {
        // Years, hours, minutes, months, days: the common cases, without a divisor loop.
        if width == 2, (0...99).contains(v) {
            buffer[at] = 0x30 &+ UInt8(truncatingIfNeeded: v / 10)
            buffer[at + 1] = 0x30 &+ UInt8(truncatingIfNeeded: v % 10)
            at += 2
            return
        }
        if width == 4, (0...9999).contains(v) {
            buffer[at] = 0x30 &+ UInt8(truncatingIfNeeded: v / 1000)
            buffer[at + 1] = 0x30 &+ UInt8(truncatingIfNeeded: v / 100 % 10)
            buffer[at + 2] = 0x30 &+ UInt8(truncatingIfNeeded: v / 10 % 10)
            buffer[at + 3] = 0x30 &+ UInt8(truncatingIfNeeded: v % 10)
            at += 4
            return
        }
        let value = min(max(v, 0), 9999)
        var divisor = 1, digits = 1
        while divisor <= value / 10 { divisor *= 10; digits += 1 }
        for _ in digits..<max(digits, width) { buffer[at] = 0x30; at += 1 }
        var rest = value
        while divisor > 0 {
            buffer[at] = 0x30 &+ UInt8(rest / divisor)
            at += 1
            rest %= divisor
            divisor /= 10
        }
    }
}
