import Foundation
import Testing
@testable import SlotsiteSite

struct SiteConfigTests {
    func load(_ yaml: String) throws -> SiteConfig {
        let dir = NSTemporaryDirectory() + "slotsite-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try yaml.write(toFile: dir + "/slotsite.yml", atomically: true, encoding: .utf8)
        return try SiteConfig.load(site: dir)
    }

    @Test(arguments: [
        ("/srv/site", "/srv/site"), ("/srv/site/", "/srv/site"), ("/srv//site", "/srv/site"),
        ("/srv/./site", "/srv/site"), ("/srv/x/../site", "/srv/site"), ("/srv/site/..", "/srv"),
        ("/srv/.site/...", "/srv/.site/..."), ("/", "/"),
    ])
    func absolutePathsAreResolved(path: String, expected: String) {
        #expect(Files.absolute(path) == expected)
    }

    @Test func relativePathsStartAtTheWorkingFolder() {
        let cwd = FileManager.default.currentDirectoryPath
        #expect(Files.absolute("site/./a") == (cwd == "/" ? "" : cwd) + "/site/a")
    }

    @Test func defaultsAndValues() throws {
        let c = try load("# comment\ntitle: \"Coaches of Graz\"\nbase_url: https://example.org/book/\ntimezone: Europe/Vienna # local\n")
        #expect(c.title == "Coaches of Graz")
        #expect(c.basePath == "/book/")
        #expect(c.origin == "https://example.org")
        #expect(c.timezone == "Europe/Vienna")
        #expect(c.cgiURL == "/cgi-bin/slotsite")
        #expect(c.outputPath.hasSuffix("/public"))
    }

    @Test func flatYAMLScalars() throws {
        let yaml = try FlatYAML("""
            a: "x \\"q\\" \\n y" # c\r
            b: 'it # is not a comment' # but this is
            c: plain#hash and # comment\t
            d: Zürich 東京\r

            e:
            """, file: "f.yml")
        #expect(yaml.entries.map(\.key) == ["a", "b", "c", "d", "e"])
        #expect(yaml.entries.map(\.value) == ["x \"q\" \n y", "it # is not a comment", "plain#hash and", "Zürich 東京", ""])
        #expect(yaml.entries.map(\.line) == [1, 2, 3, 4, 6])
        #expect(throws: SiteError.self) { try FlatYAML("b: 'it''s'", file: "f.yml") }
        #expect(throws: SiteError.self) { try FlatYAML("a: 1\n  b: 2", file: "f.yml") }
        #expect(throws: SiteError.self) { try FlatYAML("ä: 1", file: "f.yml") }
        #expect(throws: SiteError.self) { try FlatYAML(": 1", file: "f.yml") }
    }

    @Test func mailKeys() throws {
        let none = try load("")
        #expect(none.mailFrom == nil && none.sendmail == ["/usr/sbin/sendmail", "-t", "-i"] && none.reminderHours == 24)
        let c = try load("mail_from: bookings@example.org\nsendmail: /usr/bin/msmtp -C /etc/msmtprc -t\nreminder_hours: 0\n"
                         + "base_url: https://book.example.org:8443/x/\n")
        #expect(c.mailFrom == "bookings@example.org" && c.sendmail == ["/usr/bin/msmtp", "-C", "/etc/msmtprc", "-t"])
        #expect(c.reminderHours == 0 && c.host == "book.example.org")
    }

    @Test func cgiURLs() throws {
        #expect(try load("cgi_url: /cgi-bin/slot.site_2-x\n").cgiURL == "/cgi-bin/slot.site_2-x")
        for bad in ["/", "//x", "/a//b", "/a/./b", "/a/..", "/a/.", "/a b", "/ä", "/a?b"] {
            #expect(throws: SiteError.self) { try load("cgi_url: \(bad)\n") }
        }
    }

    @Test(arguments: [
        ("colour: blue\n", "colour", 1),
        ("title: ok\nbase_url: ftp://x/\n", "base_url", 2),
        ("base_url: https://example.org\n", "base_url", 1),
        ("timezone: Mars/Base\n", "timezone", 1),
        ("cgi_url: cgi-bin/x\n", "cgi_url", 1),
        ("cgi_url: /cgi-bin/../x\n", "cgi_url", 1),
        ("title: \"unterminated\n", "title", 1),
        ("title: a\ntitle: b\n", "title", 2),
        ("title: [a, b]\n", "title", 1),
        ("output: .\n", "output", 1),
        ("mail_from: Bookings <b@example.org>\n", "mail_from", 1),
        ("mail_from: nobody\n", "mail_from", 1),
        ("sendmail: -t -i\n", "sendmail", 1),
        ("reminder_hours: -1\n", "reminder_hours", 1),
        ("reminder_hours: 1.5\n", "reminder_hours", 1),
    ])
    func badValuesNameKeyAndLine(_ c: (String, String, Int)) {
        #expect {
            try load(c.0)
        } throws: {
            guard let e = $0 as? SiteError else { return false }
            return e.reason == .badConfig && e.description.contains("`\(c.1)`") && e.location.hasSuffix("slotsite.yml:\(c.2)")
        }
    }

    @Test func contentFrontMatter() throws {
        let page = try ContentPage(file: "content/x.md", text: "---\ntitle: Hello\nslug: hi\ndraft: false\n---\nBody *text*\n")
        #expect(page.slug == "hi")
        #expect(page.markdown == "Body *text*\n")
        let unnamed = try ContentPage(file: "content/faq.md", text: "---\ntitle: FAQ\n---\n")
        #expect(unnamed.slug == "faq")
        for bad in ["no front matter", "---\ntitle: x\n", "---\nslug: x\n---\n", "---\ntitle: x\nauthor: y\n---\n",
                    "---\ntitle: x\nslug: u\n---\n", "---\ntitle: x\nslug: A B\n---\n", "---\ntitle: x\ndraft: maybe\n---\n"] {
            #expect(throws: SiteError.self) { try ContentPage(file: "content/x.md", text: bad) }
        }
        #expect { try ContentPage(file: "content/x.md", text: "---\ntitle: x\nauthor: y\n---\n") } throws: {
            ($0 as? SiteError)?.location == "content/x.md:3"
        }
    }
}

struct BuildSummaryTests {
    @Test func oneLineWithSeconds() {
        var s = BuildSummary()
        s.written = 3; s.unchanged = 7; s.removed = 1; s.seconds = 1.2345
        #expect(s.description == "10 pages: 3 written, 7 unchanged, 1 removed in 1.235 s")
        s.seconds = 0.009
        #expect(s.description == "10 pages: 3 written, 7 unchanged, 1 removed in 0.009 s")
    }
}
