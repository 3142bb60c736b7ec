import Foundation
import Testing
import SlotsiteCore
@testable import SlotsiteStore
@testable import SlotsiteSite

/// Whole pages against files checked in beside this test: a refactoring that changes
/// one byte of a page fails here. `SLOTSITE_UPDATE_GOLDEN=1 swift test` rewrites the
/// files after a change that means to change pages; review their diff.
enum Golden {
    static func check(_ page: String, against name: String, file: String = #filePath) throws {
        let path = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Golden/" + name).path
        if ProcessInfo.processInfo.environment["SLOTSITE_UPDATE_GOLDEN"] == "1" {
            try page.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(page == expected, "\(name) differs from Golden/\(name)")
    }
}

struct GoldenPageTests {
    @Test func profileAndDirectoryPages() throws {
        let site = try TemporarySite(seedUsers: 3, slots: 12)
        let (opened, pro, client) = try site.parties(pro: 1)
        try site.book(of: pro, for: client, in: opened)
        try site.build()
        try Golden.check(try site.read("u/\(pro.handle)/index.html"), against: "profile.html")
        try Golden.check(try site.read("index.html"), against: "directory.html")
    }
}
