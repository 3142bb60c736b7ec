import Foundation
import Testing
@testable import SlotsiteCGI

struct GoldenAccountTests {
    /// The account page of a professional with slots, a booking of one of them and a
    /// booking they made, against Golden/account.html (`SLOTSITE_UPDATE_GOLDEN=1`
    /// rewrites it).
    @Test func accountPage() throws {
        let h = try CGIHarness()
        let ada = try h.register("ada-g")
        let bob = try h.register("bob-g")
        for (date, start, end) in [("2026-12-01", "09:00", "09:45"), ("2026-12-01", "10:00", "10:45"), ("2026-12-02", "14:00", "15:00")] {
            #expect(h.post("/slots", [("date", date), ("start", start), ("end", end)], cookie: ada).status == 303)
        }
        #expect(h.post("/slots", [("date", "2026-12-03"), ("start", "08:00"), ("end", "08:30")], cookie: bob).status == 303)
        #expect(h.post("/book", [("slot", "1"), ("note", "Bring <the> notes & \"drafts\"")], cookie: bob).status == 303)
        #expect(h.post("/book", [("slot", "4"), ("note", "")], cookie: ada).status == 303)
        let page = h.send("GET", "/account", cookie: ada)
        #expect(page.status == 200)
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/account.html").path
        if ProcessInfo.processInfo.environment["SLOTSITE_UPDATE_GOLDEN"] == "1" {
            try page.body.write(toFile: path, atomically: true, encoding: .utf8)
        } else {
            #expect(page.body == (try String(contentsOfFile: path, encoding: .utf8)), "the account page differs from Golden/account.html")
        }
    }
}
