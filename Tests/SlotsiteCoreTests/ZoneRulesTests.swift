import Glibc
import Testing
@testable import SlotsiteCore

/// Our TZif and POSIX-rule arithmetic against glibc's `localtime_r`, an independent
/// reader of the same system zone files. (Foundation's TimeZone is no oracle here: ICU
/// carries its own copy of the tz data, which differs for zones such as Casablanca.)
/// Serialized, because glibc takes the zone from the process-wide TZ variable.
@Suite(.serialized)
struct ZoneRulesTests {
    /// Seconds east of UTC at `instant` in zone `name`, according to glibc.
    static func glibcOffset(_ name: String, _ instant: Int64) -> Int {
        setenv("TZ", ":" + name, 1)
        tzset()
        var t = time_t(instant)
        var parts = tm()
        localtime_r(&t, &parts)
        return parts.tm_gmtoff
    }

    static let zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Australia/Sydney", "Asia/Tokyo",
                        "America/Sao_Paulo", "Pacific/Chatham", "Asia/Kolkata", "Africa/Casablanca", "America/Santiago",
                        "Europe/London", "Pacific/Apia", "America/St_Johns", "Asia/Tehran", "UTC", "Etc/GMT+5"]

    @Test(arguments: zones)
    func offsetsMatchGlibc(_ name: String) throws {
        let zone = try Zone(name)
        // 1970 to 2100 every 97 hours and 13 minutes; where the offset changes between
        // two probes, every second around the change is compared too.
        var instant: Int64 = 0
        var previous = Self.glibcOffset(name, 0)
        var transitions = 0
        while instant < 4_102_444_800 {
            let expected = Self.glibcOffset(name, instant)
            #expect(zone.offset(at: instant) == expected, "\(name) at \(instant)")
            if zone.offset(at: instant) != expected { return }
            if expected != previous {
                transitions += 1
                var low = instant - (97 * 3600 + 13 * 60), high = instant
                while high - low > 1 {
                    let mid = (low + high) / 2
                    if Self.glibcOffset(name, mid) == previous { low = mid } else { high = mid }
                }
                for at in [low - 1, low, high, high + 1] {
                    #expect(zone.offset(at: at) == Self.glibcOffset(name, at), "\(name) at \(at)")
                }
            }
            previous = expected
            instant += 97 * 3600 + 13 * 60
        }
        if !["UTC", "Etc/GMT+5", "Asia/Tokyo", "Asia/Kolkata"].contains(name) { #expect(transitions > 10) }
    }

    @Test(arguments: [
        ("CET-1CEST,M3.5.0,M10.5.0/3", Int64(1_782_864_000), 7200),    // 2026-07-01: summer
        ("CET-1CEST,M3.5.0,M10.5.0/3", Int64(1_798_761_600), 3600),    // 2027-01-01: winter
        ("EST5EDT,M3.2.0,M11.1.0", Int64(1_782_864_000), -14400),
        ("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", Int64(1_798_761_600), 39600), // southern summer
        ("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", Int64(1_782_864_000), 37800),
        ("JST-9", Int64(1_782_864_000), 32400),
        ("<-03>3", Int64(1_782_864_000), -10800),
    ])
    func posixFooterRules(_ c: (String, Int64, Int)) throws {
        let rule = try #require(PosixRule(c.0))
        #expect(rule.offset(at: c.1) == c.2)
    }

    @Test(arguments: ["", "X", "CET", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.5.0", "<+01-1"])
    func badPosixRules(_ text: String) {
        #expect(PosixRule(text) == nil)
    }

    @Test func damagedFilesAreRefused() {
        #expect(throws: CoreError.self) { try ZoneRules(tzif: Array("TZif2".utf8)) }
        #expect(throws: CoreError.self) { try ZoneRules(tzif: [UInt8](repeating: 0, count: 100)) }
        #expect(throws: CoreError.self) { try Zone("posix/Europe/Berlin") }
        #expect(throws: CoreError.self) { try Zone("localtime") }
    }

    @Test func zoneNamesAreCheckedBeforeAnyFileIsRead() throws {
        for bad in ["right/Europe/Berlin", "europe/Berlin", "Europe//Berlin", "Europe/../Berlin", "Europe/.Berlin",
                    "/etc/passwd", "Europe/Berlín", "Ëurope/Berlin", "", "Etc/GMT+1 ", String(repeating: "A", count: 65)] {
            #expect(throws: CoreError.self, "\(bad)") { try Zone(bad) }
        }
        for good in ["Etc/GMT+1", "Etc/GMT-14", "America/Port-au-Prince", "America/Argentina/Buenos_Aires", "EST5EDT"] {
            #expect(try Zone(good).identifier == good)
        }
    }
}
