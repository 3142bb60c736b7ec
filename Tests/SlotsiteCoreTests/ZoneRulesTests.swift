import Foundation
import Testing
@testable import SlotsiteCore

/// Our TZif and POSIX-rule arithmetic against Foundation's TimeZone (ICU) as the oracle.
struct ZoneRulesTests {
    static let zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Australia/Sydney", "Asia/Tokyo",
                        "America/Sao_Paulo", "Pacific/Chatham", "Asia/Kolkata", "Africa/Casablanca", "America/Santiago",
                        "Europe/London", "Pacific/Apia", "America/St_Johns", "Asia/Tehran", "UTC", "Etc/GMT+5"]

    @Test(arguments: zones)
    func offsetsMatchFoundation(_ name: String) throws {
        let zone = try Zone(name)
        let oracle = try #require(TimeZone(identifier: name))
        var instant: Int64 = 0 // 1970 to 2100, every 97 hours and 13 minutes, plus each side of each transition
        while instant < 4_102_444_800 {
            let expected = oracle.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
            #expect(zone.offset(at: instant) == expected, "\(name) at \(instant)")
            if zone.offset(at: instant) != expected { return }
            instant += 97 * 3600 + 13 * 60
        }
        var probe = Date(timeIntervalSince1970: 1_500_000_000)
        for _ in 0..<40 {
            guard let next = oracle.nextDaylightSavingTimeTransition(after: probe) else { break }
            let t = Int64(next.timeIntervalSince1970)
            for at in [t - 1, t, t + 1] {
                #expect(zone.offset(at: at) == oracle.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(at))), "\(name) at \(at)")
            }
            probe = next
        }
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
}
