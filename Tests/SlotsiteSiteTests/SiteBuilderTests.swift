import Foundation
import Testing
import SlotsiteCore
@testable import SlotsiteStore
@testable import SlotsiteSite

/// A new site folder made by `SiteInit`, removed when the test ends.
final class TemporarySite {
    let directory: String

    init(seedUsers: Int = 0, slots: Int = 0, now: Int64 = SiteBuilderTests.now) throws {
        directory = NSTemporaryDirectory() + "slotsite-site-" + UUID().uuidString
        try SiteInit.create(at: directory)
        if seedUsers > 0 {
            let site = try open()
            try Seeder(users: seedUsers, slotsPerUser: slots, seed: 7).run(into: site.store, ledger: try site.builder().ledger(), now: now)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func open() throws -> Site { try Site.open(directory) }
    @discardableResult
    func build(now: Int64 = SiteBuilderTests.now) throws -> BuildSummary { try open().builder().buildAll(now: now) }
    var output: String { directory + "/public" }

    /// The open site, seeded user `index` as the professional and the first as client.
    func parties(pro index: Int) throws -> (opened: Site, pro: User, client: User) {
        let opened = try open()
        let users = try opened.store.allUsers()
        return (opened, users[index], users[0])
    }

    /// Books the professional's first free slot for the client; returns the slot.
    @discardableResult
    func book(of pro: User, for client: User, in opened: Site) throws -> Slot {
        let slot = try #require(try opened.store.profile(userID: pro.id, now: SiteBuilderTests.now)?.freeSlots.first)
        try opened.store.book(slotID: slot.id, clientID: client.id, note: "", now: SiteBuilderTests.now)
        return slot
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: output + "/" + path, encoding: .utf8) }

    /// Every file under the output with its bytes.
    func tree() throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: output)!
        while let path = enumerator.nextObject() as? String {
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: output + "/" + path, isDirectory: &isDir)
            if !isDir.boolValue { files[path] = try Data(contentsOf: URL(fileURLWithPath: output + "/" + path)) }
        }
        return files
    }

    func mtimes() throws -> [String: Date] {
        var times: [String: Date] = [:]
        for path in try tree().keys {
            times[path] = try FileManager.default.attributesOfItem(atPath: output + "/" + path)[.modificationDate] as? Date
        }
        return times
    }
}

struct SiteBuilderTests {
    /// 2026-11-27T12:00:00Z: a fixed clock, so seeded slots are the same in every run.
    static let now: Int64 = 1_795_780_800

    @Test func buildsTheDirectoryAndOneProfilePerProfessional() throws {
        let site = try TemporarySite(seedUsers: 30, slots: 40)
        let summary = try site.build()
        let users = try site.open().store.allUsers()
        #expect(users.count == 30)
        for user in users {
            #expect(FileManager.default.fileExists(atPath: site.output + "/u/\(user.handle)/index.html"))
        }
        let index = try site.read("index.html")
        #expect(index.contains("href=\"/u/\(users[0].handle)/\""))
        #expect(try site.read("sitemap.xml").contains("<loc>http://127.0.0.1:8080/u/\(users[0].handle)/</loc>"))
        #expect(try site.read("about/index.html").contains("<h1>About this site</h1>"))
        #expect(try site.read("assets/style.css").contains("--accent"))
        // 30 profiles and their feeds, 2 directory pages of 24, 2 content pages, the
        // sitemap, the stylesheet and the local-time script.
        #expect(summary.written == 67)
        #expect(FileManager.default.fileExists(atPath: site.output + "/u/\(users[0].handle)/slots.ics"))
    }

    @Test func profileMarkupFollowsTheSpecAndHidesBookedAndStartedSlots() throws {
        let site = try TemporarySite(seedUsers: 30, slots: 40)
        // Build two hours after the first 09:00 slots in Tokyo start.
        let tokyo = try Zone("Asia/Tokyo")
        let firstDay = CivilDate(daysSinceEpoch: tokyo.local(Self.now).date.daysSinceEpoch + 1)
        let buildTime = try tokyo.instant(of: firstDay, LocalTime(hour: 10, minute: 30)!)
        try site.build(now: buildTime)
        let store = try site.open().store
        let booked = Set(try store.database.prepare("SELECT slot_id FROM bookings").map { $0.int(0) })
        #expect(!booked.isEmpty)
        for user in try store.allUsers() {
            let html = try site.read("u/\(user.handle)/index.html")
            let zone = try Zone(user.timezone)
            let dates = html.captures(#"<section class="day" data-date="([0-9-]+)">"#)
            #expect(dates == dates.sorted() && Set(dates).count == dates.count)
            let starts = html.captures(#"<button><time datetime="([^"]+)">"#)
            #expect(starts == starts.sorted(), "slots ascending for \(user.handle)")
            let ids = html.captures(#"<li class="slot" data-slot="([0-9]+)">"#).map { Int64($0)! }
            #expect(ids.allSatisfy { !booked.contains($0) }, "no booked slot shown")
            for id in ids {
                let slot = try #require(try store.slot(id: id))
                #expect(slot.range.start > buildTime, "no started slot shown")
                let local = zone.local(slot.range.start)
                #expect(html.contains("""
                    <li class="slot" data-slot="\(id)">
                          <form method="post" action="/cgi-bin/slotsite/book">
                            <input type="hidden" name="slot" value="\(id)">
                            <button><time datetime="\(local.rfc3339)">\(local.time)</time>–<time datetime="\(zone.local(slot.range.end).rfc3339)">\(zone.local(slot.range.end).time)</time></button>
                            <input name="note" maxlength="1000" placeholder="Note (optional)" aria-label="Note with this booking">
                          </form>
                        </li>
                    """))
            }
            let free = try #require(try store.profile(userID: user.id, now: buildTime)).freeSlots
            #expect(ids.sorted() == free.map(\.id).sorted())
            #expect(html.contains("<section class=\"day\" data-date=\"\(dates.first ?? "")\">\n  <h2>"))
        }
    }

    @Test func aSecondBuildWritesNothing() throws {
        let site = try TemporarySite(seedUsers: 5, slots: 8)
        try site.build()
        let before = try site.mtimes()
        Thread.sleep(forTimeInterval: 0.02)
        let again = try site.build()
        #expect(again.written == 0)
        // Every file but the feeds, which are kept under their pages' records unread.
        #expect(again.unchanged == before.count - 5)
        #expect(try site.mtimes() == before)
    }

    @Test(arguments: [false, true])
    func anEmptiedPageIsRenderedAgain(afterACrash: Bool) throws {
        let site = try TemporarySite(seedUsers: 3, slots: 4)
        try site.build()
        let page = try #require(try site.tree().keys.first { $0.hasPrefix("u/") && $0.hasSuffix("index.html") })
        let bytes = try site.read(page)
        // What a power cut can leave of a page renamed but not yet synced.
        try "".write(toFile: site.output + "/" + page, atomically: false, encoding: .utf8)
        // A crashed writer's pid in the lock file makes the build walk the output instead.
        if afterACrash { try "4242\n".write(toFile: try site.open().config.lockPath, atomically: false, encoding: .utf8) }
        let again = try site.build()
        #expect(again.written == 1)
        #expect(try site.read(page) == bytes)
    }

    @Test func sameSeedSameSite() throws {
        let a = try TemporarySite(seedUsers: 12, slots: 16)
        let b = try TemporarySite(seedUsers: 12, slots: 16)
        try a.build()
        try b.build()
        let ta = try a.tree(), tb = try b.tree()
        #expect(ta.count > 12)
        #expect(ta == tb)
    }

    @Test func removingAUserRemovesTheirPageOnTheNextBuild() throws {
        let site = try TemporarySite(seedUsers: 3, slots: 2)
        try site.build()
        let victim = try site.open().store.allUsers()[1].handle
        try site.open().store.removeUser(handle: victim)
        let summary = try site.build()
        #expect(summary.removed == 2, "the page and its feed")
        #expect(!FileManager.default.fileExists(atPath: site.output + "/u/\(victim)"))
        #expect(try !site.read("sitemap.xml").contains(victim))
        #expect(try !site.read("index.html").contains(victim))
    }

    @Test func onlyFilesTheBuildWroteAreRemoved() throws {
        let site = try TemporarySite(seedUsers: 2, slots: 2)
        try site.build()
        try "mine".write(toFile: site.output + "/robots.txt", atomically: true, encoding: .utf8)
        try "left by a crash".write(toFile: site.output + "/u/" + PageWriter.temporaryPrefix + "1-index.html", atomically: true, encoding: .utf8)
        // A writer killed while holding the lock leaves its pid in the lock file.
        try "4242\n".write(toFile: try site.open().config.lockPath, atomically: false, encoding: .utf8)
        try site.build()
        #expect(FileManager.default.fileExists(atPath: site.output + "/robots.txt"))
        #expect(!FileManager.default.fileExists(atPath: site.output + "/u/" + PageWriter.temporaryPrefix + "1-index.html"))
        #expect(try !SiteLock(path: site.open().config.lockPath).needsSweep, "swept once, not again")
    }

    /// A profile's feed lists what its page lists, from the same store byte for byte,
    /// and goes when the site stops publishing feeds.
    @Test func feedsFollowTheirPagesAndCanBeTurnedOff() throws {
        let site = try TemporarySite(seedUsers: 5, slots: 3)
        try site.build()
        let opened = try site.open()
        let user = try opened.store.allUsers()[0]
        let record = try #require(try opened.store.profile(userID: user.id, now: Self.now))
        let feed = try site.read("u/\(user.handle)/slots.ics")
        #expect(feed.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") && feed.contains("REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"))
        for slot in record.freeSlots { #expect(feed.contains("UID:slot-\(slot.id)@127.0.0.1\r\n")) }
        #expect(feed.components(separatedBy: "BEGIN:VEVENT").count - 1 == record.freeSlots.count)
        #expect(try site.read("u/\(user.handle)/index.html").contains("<link rel=\"alternate\" type=\"text/calendar\""))
        let tree = try site.tree()
        try FileManager.default.removeItem(atPath: site.output)
        try site.build()
        #expect(try site.tree() == tree, "the same store gives the same bytes")
        try "slot_feeds: false\n".write(toFile: site.directory + "/slotsite.yml", atomically: true, encoding: .utf8)
        let off = try site.build()
        #expect(off.removed == 5)
        #expect(!FileManager.default.fileExists(atPath: site.output + "/u/\(user.handle)/slots.ics"))
        #expect(try !site.read("u/\(user.handle)/index.html").contains("text/calendar"))
    }

    @Test func aChangeRendersExactlyWhatAFullBuildWould() throws {
        let site = try TemporarySite(seedUsers: 120, slots: 4)
        try site.build()
        let (opened, pro, client) = try site.parties(pro: 60)
        let slot = try site.book(of: pro, for: client, in: opened)
        let summary = try opened.builder().render(.profile(pro.id), now: Self.now)
        #expect(summary.written == 3, "the profile, its feed and directory page 3 (users 49-72)")
        #expect(try site.read("page/3/index.html").contains(pro.handle))
        #expect(try !site.read("u/\(pro.handle)/index.html").contains("data-slot=\"\(slot.id)\""))
        let incremental = try site.tree()
        #expect(try site.build().written == 0, "a full build finds nothing left to write")
        #expect(try site.tree() == incremental)
    }

    /// Past 64 profiles a build reads the store on one thread while worker threads
    /// render: every page must be what rendering that profile alone gives.
    @Test func profilesRenderedOnWorkerThreadsAreThoseRenderedOneByOne() throws {
        let site = try TemporarySite(seedUsers: 300, slots: 6)
        let summary = try site.build()
        let opened = try site.open()
        let users = try opened.store.allUsers()
        #expect(summary.written == 2 * users.count + 13 + 5, "300 profiles and feeds, 13 directory pages, 2 content pages, sitemap, 2 assets")
        let renderer = opened.builder().renderer
        for user in users {
            let record = try #require(try opened.store.profile(userID: user.id, now: Self.now))
            #expect(try site.read("u/\(user.handle)/index.html") == String(decoding: renderer.profile(record), as: UTF8.self))
            #expect(try site.read("u/\(user.handle)/slots.ics") == String(decoding: renderer.profileFeed(record), as: UTF8.self))
        }
        #expect(try opened.builder().ledger().builtPages().count == summary.written - users.count,
                "every file recorded, a feed under its page's record")
        // With the output folder gone, every page is written again, byte for byte.
        let tree = try site.tree()
        try FileManager.default.removeItem(atPath: site.output)
        #expect(try site.build().written == summary.written)
        #expect(try site.tree() == tree)
    }

    /// Pages show each bio's HTML as the store keeps it cooked (seeding cooks it); where
    /// the store has none for the current bio and format, the build cooks it from the
    /// Markdown, byte for byte the same, and keeps it.
    @Test func biosCookedOrNotGiveTheSamePages() throws {
        let site = try TemporarySite(seedUsers: 80, slots: 2)
        let opened = try site.open()
        let db = try opened.builder().ledger().database
        func cooked() throws -> Int64? { try db.prepare("SELECT count(*) FROM cooked_bios").scalar() }
        #expect(try cooked() == 80)
        try site.build()
        let tree = try site.tree()
        let pro = try opened.store.allUsers()[5]
        let path = "u/\(pro.handle)/index.html"
        // What the store keeps is what the page shows...
        try db.execute("UPDATE cooked_bios SET html = '<p>kept</p>' WHERE user_id = \(pro.id)")
        func rebuild() throws {
            try FileManager.default.removeItem(atPath: site.output)
            try db.execute("DELETE FROM pages")
            try site.build()
        }
        try rebuild()
        #expect(try site.read(path).contains("<div class=\"bio\">\n<p>kept</p>\n</div>"))
        // ...unless it was cooked in another format, or none is kept: then the Markdown is.
        try db.execute("UPDATE cooked_bios SET format = format + 1 WHERE user_id = \(pro.id)")
        try db.execute("DELETE FROM cooked_bios WHERE user_id > \(pro.id)")
        try rebuild()
        #expect(try site.tree() == tree)
        #expect(try cooked() == 80, "cooked again and kept")
        try rebuild()
        #expect(try site.tree() == tree)
        // A bio changed by plain SQL is cooked anew, by a build as by the CGI's render of a change.
        try opened.store.database.execute("UPDATE users SET bio = 'A **new** bio' WHERE id = \(pro.id)")
        try site.build()
        #expect(try site.read(path).contains("<p>A <strong>new</strong> bio</p>"))
        #expect(try db.prepare("SELECT count(*) FROM cooked_bios WHERE bio = 'A **new** bio'").scalar() == 1)
        try opened.store.database.execute("UPDATE users SET bio = 'An *edited* bio' WHERE id = \(pro.id)")
        try opened.builder().render(.profile(pro.id), now: Self.now)
        #expect(try site.read(path).contains("<p>An <em>edited</em> bio</p>"))
        #expect(try db.prepare("SELECT count(*) FROM cooked_bios WHERE bio = 'An *edited* bio'").scalar() == 1)
    }

    @Test func theSitemapListsEachHTMLPageOnceInOrder() throws {
        let builder = try TemporarySite().open().builder()
        let paths = ["u/bo/index.html", "index.html", "u/al/index.html", "assets/x/index.html", "u/bo/index.html",
                     "sitemap.xml", "page/2/index.html", "about/index.html", "u/al/index.html"]
        #expect(builder.sitemapPaths(paths) == ["", "about/", "page/2/", "u/al/", "u/bo/"])
        #expect(builder.sitemapPaths([]) == [])
    }

    /// A template that fails on a worker thread fails the build with its file and line,
    /// and nothing is recorded: the next build starts over.
    @Test func aTemplateFailingOnAWorkerThreadFailsTheBuild() throws {
        let site = try TemporarySite(seedUsers: 200, slots: 2)
        let config = try site.open().config
        let path = config.templatesPath + "/profile.mustache"
        let good = try String(contentsOfFile: path, encoding: .utf8)
        try (good + "{{#never}}\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try site.build()
        } throws: { error in
            guard let e = error as? SiteError else { return false }
            return e.description.contains("profile.mustache") && e.description.contains("never")
        }
        #expect(try site.open().builder().ledger().builtPages().isEmpty)
        try good.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try site.build().written == 400 + 9 + 5, "200 profiles and feeds, 9 directory pages of 24, and the rest")
    }

    /// A booking of any slot but the professional's first, or a new bio, changes their
    /// profile but not what the directory shows of them: the directory page is not
    /// rendered, and its record takes the new inputs, so a full build leaves it alone
    /// too. A change the directory shows (the first free slot, the name) renders it.
    @Test func aChangeTheDirectoryDoesNotShowLeavesItsPageAlone() throws {
        let site = try TemporarySite(seedUsers: 60, slots: 4)
        try site.build()
        let (opened, pro, client) = try site.parties(pro: 10)
        let directory = OutputKind.directoryPath(opened.config.directoryPage(of: pro.id))
        let built = try site.read(directory)
        // A page that was rendered again would lose this.
        try (built + "<!-- as the build left it -->").write(toFile: site.output + "/" + directory, atomically: true, encoding: .utf8)
        let profile = try #require(try opened.store.profile(userID: pro.id, now: Self.now))
        let free = profile.freeSlots
        #expect(!profile.user.skills.isEmpty)
        try opened.store.book(slotID: free[2].id, clientID: client.id, note: "", now: Self.now)
        var summary = try opened.builder().render(.profile(pro.id), now: Self.now)
        #expect(summary.written == 2 && summary.unchanged == 1, "the profile and its feed only")
        #expect(try !site.read("u/\(pro.handle)/index.html").contains("data-slot=\"\(free[2].id)\""))
        try opened.store.updateProfile(userID: pro.id, name: pro.name, bio: "A new bio.", skills: profile.user.skills, timezone: pro.timezone, now: Self.now)
        summary = try opened.builder().render(.profile(pro.id), now: Self.now)
        #expect(summary.written == 1 && summary.unchanged == 2, "the profile only: its feed shows no bio")
        #expect(try site.build().written == 0)
        #expect(try site.read(directory).hasSuffix("<!-- as the build left it -->"), "neither the change nor the build rendered it")
        // What it shows is what rendering it now gives.
        try FileManager.default.removeItem(atPath: site.output + "/" + directory)
        #expect(try site.build().written == 1)
        #expect(try site.read(directory) == built)

        try opened.store.updateProfile(userID: pro.id, name: "Renamed Person", bio: "A new bio.", skills: profile.user.skills, timezone: pro.timezone, now: Self.now)
        #expect(try opened.builder().render(.profile(pro.id), now: Self.now).written == 3)
        #expect(try site.read(directory).contains("Renamed Person"))
        try site.book(of: pro, for: client, in: opened)
        #expect(try opened.builder().render(.profile(pro.id), now: Self.now).written == 3, "its first free slot is gone")
        let afterChange = try site.tree()
        #expect(try site.build().written == 0)
        #expect(try site.tree() == afterChange)
    }

    @Test func aChangeAlreadyPublishedIsNotRenderedAgain() throws {
        let site = try TemporarySite(seedUsers: 60, slots: 4)
        try site.build()
        let (opened, pro, client) = try site.parties(pro: 10)
        try site.book(of: pro, for: client, in: opened)
        #expect(try opened.builder().render(.profile(pro.id), now: Self.now).written == 3)
        // Another process's render of the same commit finds both pages recorded as
        // rendered from the current inputs and leaves them alone, unread.
        let profile = opened.config.outputPath + "/u/\(pro.handle)/index.html"
        try "written by the first process".write(toFile: profile, atomically: true, encoding: .utf8)
        let again = try opened.builder().render(.profile(pro.id), now: Self.now)
        #expect(again.written == 0 && again.unchanged == 2, "the page (its feed with it) and the directory page")
        #expect(try site.read("u/\(pro.handle)/index.html") == "written by the first process")
        // A later commit changes the inputs: both pages are rendered again.
        let second = try site.book(of: pro, for: client, in: opened)
        #expect(try opened.builder().render(.profile(pro.id), now: Self.now).written == 3)
        #expect(try !site.read("u/\(pro.handle)/index.html").contains("data-slot=\"\(second.id)\""))
        let afterChange = try site.tree()
        #expect(try site.build().written == 0)
        #expect(try site.tree() == afterChange)
    }

    /// Builds and the CGI leave their pages unsynced and mark their records with the
    /// boot: a build in the same boot trusts them; a build after a reboot, when a power
    /// cut may have lost a write, renders them again, rewrites the one that was lost
    /// and clears the marks of those it finds intact.
    @Test(arguments: [false, true])
    func pagesLeftUnsyncedAreRenderedAgainAfterAReboot(rebooted: Bool) throws {
        let boot = try #require(Files.bootID, "needs Linux's /proc/sys/kernel/random/boot_id")
        let site = try TemporarySite(seedUsers: 60, slots: 4)
        #expect(try site.build().written > 60)
        let (opened, pro, client) = try site.parties(pro: 10)
        let ledger = try opened.builder().ledger().database
        let pages = try #require(try ledger.prepare("SELECT count(*) FROM pages").scalar())
        func marked() throws -> [String?] {
            try ledger.prepare("SELECT DISTINCT unsynced_boot FROM pages").map { $0.isNull(0) ? nil : $0.text(0) }
        }
        #expect(try marked() == [boot], "every page the build wrote is recorded as unsynced in this boot")
        let profile = "u/\(pro.handle)/index.html"
        let before = try site.read(profile)
        try site.book(of: pro, for: client, in: opened)
        #expect(try opened.builder().render(.profile(pro.id), now: Self.now).written == 3)
        #expect(try marked() == [boot], "the CGI's three files too")
        let booked = try site.read(profile)
        #expect(booked != before)
        // What a power cut before the kernel wrote the page back leaves: the old page.
        try before.write(toFile: site.output + "/" + profile, atomically: true, encoding: .utf8)
        if rebooted {
            try ledger.execute("UPDATE pages SET unsynced_boot = 'an-earlier-boot'")
        }
        let summary = try site.build()
        // Within the boot nothing can have been lost, so the records are trusted as they are.
        #expect(try site.read(profile) == (rebooted ? booked : before))
        #expect(summary.written == (rebooted ? 1 : 0), "the directory page is on disk either way")
        let left = try ledger.prepare("SELECT path, unsynced_boot FROM pages WHERE unsynced_boot IS NOT NULL")
            .map { "\($0.text(0)) \($0.text(1))" }
        #expect(left.count == (rebooted ? 1 : Int(pages)))
        if rebooted { #expect(left == ["\(profile) \(boot)"], "only the page written again is unsynced, in this boot") }
        #expect(try site.build().written == 0)
    }

    @Test func incrementalBuildRerendersOnlyPagesWhoseFirstSlotStarted() throws {
        let site = try TemporarySite(seedUsers: 40, slots: 8)
        // Working hours would reach a new day on the way (AvailabilityStoreTests covers that).
        try site.open().store.database.execute("DELETE FROM availability_rules")
        try site.build()
        let store = try site.open().store
        let firstStart = try #require(try store.database.prepare("SELECT min(starts_at) FROM slots WHERE starts_at > \(Self.now)").scalar())
        let later = firstStart + 60
        var due: [Int64] = []
        try store.forEachProfile(now: Self.now) { if let first = $0.freeSlots.first, first.range.start <= later { due.append($0.user.id) } }
        #expect(!due.isEmpty)
        let config = try site.open().config
        let summary = try site.open().builder().buildIncremental(now: later)
        // Those professionals' profiles and feeds, and the directory pages that show their next slots.
        #expect(summary.written == 2 * due.count + Set(due.map(config.directoryPage(of:))).count)
        #expect(try site.open().builder().buildIncremental(now: later).written == 0)
        let incremental = try site.tree()
        #expect(try site.build(now: later).written == 0)
        #expect(try site.tree() == incremental)
    }

    /// Cron runs only the incremental build: after any edit of the theme, an asset, a
    /// content page or the configuration, it must leave what a full build leaves.
    @Test(arguments: ["template", "layout", "asset", "content", "draft", "config"])
    func anIncrementalBuildAfterAnEditEqualsAFullBuild(_ edit: String) throws {
        let site = try TemporarySite(seedUsers: 30, slots: 4)
        try site.build()
        let d = site.directory
        func append(_ path: String, _ text: String) throws {
            let handle = try #require(FileHandle(forWritingAtPath: d + "/" + path))
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try handle.close()
        }
        switch edit {
        case "template": try append("templates/profile.mustache", "<!-- edited -->")
        case "layout": try String(contentsOfFile: d + "/templates/layout.mustache", encoding: .utf8)
            .replacingOccurrences(of: "<main", with: "<main data-edited").write(toFile: d + "/templates/layout.mustache", atomically: true, encoding: .utf8)
        case "asset": try "body { color: red }".write(toFile: d + "/templates/assets/extra.css", atomically: true, encoding: .utf8)
        case "content": try append("content/about.md", "\nOne more line.\n")
        case "draft": try "---\ntitle: New\nslug: new-page\n---\nHello.\n".write(toFile: d + "/content/new.md", atomically: true, encoding: .utf8)
        default: try String(contentsOfFile: d + "/slotsite.yml", encoding: .utf8)
            .replacingOccurrences(of: "title: Slotsite", with: "title: Renamed").write(toFile: d + "/slotsite.yml", atomically: true, encoding: .utf8)
        }
        try site.open().builder().buildIncremental(now: SiteBuilderTests.now)
        let incremental = try site.tree()
        try FileManager.default.removeItem(atPath: site.output)
        try site.open().builder().ledger().database.execute("DELETE FROM pages")
        try site.build()
        #expect(incremental == (try site.tree()))
    }

    /// An account made private (by the migration, or in the store) loses its page,
    /// its directory entry and its sitemap line at the next cron build.
    @Test func aPrivateAccountsPageGoesAtTheNextBuild() throws {
        let site = try TemporarySite(seedUsers: 3, slots: 4)
        try site.build()
        let (opened, pro, _) = try site.parties(pro: 1)
        #expect(try site.read("u/\(pro.handle)/index.html").contains(pro.name))
        try opened.store.setListed(userID: pro.id, false, now: SiteBuilderTests.now)
        let summary = try site.open().builder().buildIncremental(now: SiteBuilderTests.now)
        #expect(summary.removed == 2, "the page and its feed")
        #expect(!FileManager.default.fileExists(atPath: site.output + "/u/\(pro.handle)/index.html"))
        #expect(try !site.read("index.html").contains(pro.handle))
        #expect(try !site.read("sitemap.xml").contains(pro.handle))
    }

    @Test func theEmbeddedThemeMatchesTheRepository() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized.path
        for file in DefaultTheme.files {
            let onDisk = try String(contentsOfFile: repo + "/" + file.path, encoding: .utf8)
            #expect(onDisk == file.contents, "\(file.path) changed: run scripts/embed-theme")
        }
        let templates = try FileManager.default.contentsOfDirectory(atPath: repo + "/templates").filter { $0.hasSuffix(".mustache") }
        #expect(Set(templates.map { "templates/" + $0 }).isSubset(of: Set(DefaultTheme.files.map(\.path))))
    }
}

extension String {
    /// The first capture group of every match of `pattern`.
    func captures(_ pattern: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: self, range: NSRange(startIndex..., in: self)).map {
            String(self[Range($0.range(at: 1), in: self)!])
        }
    }
}

extension Statement {
    func map<T>(_ row: (Statement) -> T) throws -> [T] {
        var out: [T] = []
        try forEach { out.append(row($0)) }
        return out
    }
}
