import Foundation
import Testing
import SlotsiteCore
import SlotsiteRender
import SlotsiteSite
@testable import SlotsiteMail
@testable import SlotsiteStore

/// A site folder with a store, two parties and a booking between them.
final class MailSite {
    let directory: String
    var config: SiteConfig
    let store: Store
    let now: Int64 = 1_800_000_000

    init(mailFrom: String? = "bookings@example.org") throws {
        directory = NSTemporaryDirectory() + "slotsite-mail-" + UUID().uuidString
        try SiteInit.create(at: directory)
        config = try SiteConfig.load(site: directory)
        config.mailFrom = mailFrom
        config.title = "Coaching & Co"
        config.baseURL = "https://book.example.org/"
        store = try Store(path: config.databasePath)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func book() throws {
        let pro = try store.createUser(handle: Handle("ada"), name: "Ada Lovelace", email: "ada@example.org", passwordHash: "!",
                                       timezone: "Europe/Berlin", now: now)
        let client = try store.createUser(handle: Handle("zoe"), name: "Zoë \"Z\" Ångström", email: "zoe@example.org",
                                          passwordHash: "!", timezone: "America/New_York", listed: false, now: now)
        // 2027-01-20 09:00 in Berlin, 03:00 in New York: days ahead, no reminder due.
        let slot = try store.createSlot(userID: pro, range: TimeRange(start: 1_800_432_000, end: 1_800_434_700), now: now)
        try store.book(slotID: slot, clientID: client, note: "Room 4; bring notes, please", now: now)
    }

    func drain(_ transport: MailTransport) -> MailDrain {
        MailDrain(store: store, config: config, composer: MailComposer(config: config), transport: transport, clock: { self.now })
    }
}

/// Keeps what it is given; fails while `failing` says so.
final class Capture: @unchecked Sendable {
    var sent: [[UInt8]] = []
    var failing: MailTransport.Failure?
    var transport: MailTransport {
        MailTransport { bytes in
            if let failure = self.failing { return failure }
            self.sent.append(bytes)
            return nil
        }
    }
    var texts: [String] { sent.map { String(decoding: $0, as: UTF8.self) } }
}

struct MailDrainTests {
    @Test func aBookingReachesBothPartiesInTheirOwnZones() throws {
        let site = try MailSite()
        try site.book()
        let capture = Capture()
        let report = try site.drain(capture.transport).run(timeout: 5)
        #expect(report == MailDrain.Report(sent: 2, failed: 0, stopped: nil))
        let (pro, client) = (capture.texts[0], capture.texts[1])
        #expect(pro.contains("From: Coaching & Co <bookings@example.org>\r\n"))
        #expect(pro.contains("To: Ada Lovelace <ada@example.org>\r\n"))
        #expect(pro.contains("Message-ID: <1.1800000000.booking@book.example.org>\r\n"))
        // The text is quoted-printable: the zone names and times are plain ASCII in it.
        #expect(pro.contains("09:00") && pro.contains("(Europe/Berlin)"))
        #expect(client.contains("03:00") && client.contains("(America/New_York)"))
        #expect(client.contains("To: =?UTF-8?B?"))
        #expect(pro.contains("Content-Type: text/calendar; charset=utf-8; method=REQUEST"))
        #expect(try site.store.unsentMail().isEmpty)
        // Sent once: a second run finds nothing.
        #expect(try site.drain(capture.transport).run(timeout: 5).sent == 0)
    }

    @Test func withoutASenderNothingLeavesAndMessagesWait() throws {
        let site = try MailSite(mailFrom: nil)
        try site.book()
        let capture = Capture()
        let report = try site.drain(capture.transport).run(timeout: 5)
        #expect(report.sent == 0 && report.stopped?.contains("mail_from") == true && capture.sent.isEmpty)
        #expect(try site.store.unsentMail().count == 2)
    }

    @Test func aFailureIsRecordedAndRetriedAndAHangStopsTheRun() throws {
        let site = try MailSite()
        try site.book()
        let capture = Capture()
        capture.failing = .init("exited with status 75")
        #expect(try site.drain(capture.transport).run(timeout: 5) == MailDrain.Report(sent: 0, failed: 2, stopped: nil))
        #expect(try site.store.unsentMail().allSatisfy { $0.lastError == "exited with status 75" && $0.dueAt == site.now + 60 })
        try site.store.database.execute("UPDATE outbox SET due_at = 0")
        capture.failing = .init("did not finish", timedOut: true)
        let hung = try site.drain(capture.transport).run(timeout: 5)
        #expect(hung.failed == 1 && hung.stopped == "did not finish")
        try site.store.database.execute("UPDATE outbox SET due_at = 0")
        capture.failing = nil
        #expect(try site.drain(capture.transport).run(timeout: 5).sent == 2)
    }

    @Test func textTemplatesDoNotEscapeHTML() throws {
        let site = try MailSite()
        try site.book()
        let entry = try #require(try site.store.claimMail(now: site.now, lease: 60))
        let message = try MailComposer(config: site.config).message(entry, from: "bookings@example.org")
        #expect(message.text.contains("Zoë \"Z\" Ångström booked one of your slots"))
        #expect(message.text.contains("Note: Room 4; bring notes, please"))
        #expect(message.text.hasSuffix("— Coaching & Co\n"))
        #expect(message.subject == "New booking: Zoë \"Z\" Ångström, Wednesday, 20 January 2027 09:00")
        let calendar = String(decoding: try #require(message.calendar).bytes, as: UTF8.self)
        #expect(calendar.contains("UID:booking-1@book.example.org\r\n"))
        #expect(calendar.contains("DESCRIPTION:Room 4\\; bring notes\\, please\r\n"))
        #expect(calendar.contains("ORGANIZER;CN=\"Ada Lovelace\":mailto:bookings@example.org\r\n"))
    }
}

struct SendmailTests {
    /// A command running `body` as a shell script. The script is read by `/bin/sh`, not
    /// executed: a file just written can be "busy" to exec while a test running beside
    /// this one forks with its descriptor still open.
    func script(_ body: String) throws -> [String] {
        let path = NSTemporaryDirectory() + "slotsite-sendmail-" + UUID().uuidString
        try (body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return ["/bin/sh", path]
    }

    @Test func theCommandGetsTheWholeMessageOnStandardInput() throws {
        let out = NSTemporaryDirectory() + "slotsite-sent-" + UUID().uuidString
        defer { unlink(out) }
        let command = try script("cat > \(out); [ \"$1\" = -t ] && [ \"$2\" = -i ]")
        let message = Array(repeating: Array("A line of a long message.\r\n".utf8), count: 20_000).joined()
        #expect(Sendmail.run(command + ["-t", "-i"], input: Array(message), timeout: 10) == nil)
        #expect(FileManager.default.contents(atPath: out).map(Array.init) == Array(message))
    }

    @Test func aFailureSaysWhy() throws {
        let failing = try script("echo 'relay refused' >&2; exit 75")
        #expect(Sendmail.run(failing, input: Array("x".utf8), timeout: 10) == .init("/bin/sh exited with status 75: relay refused"))
        let missing = Sendmail.run(["/nonexistent/sendmail"], input: [], timeout: 10)
        #expect(missing?.message.hasPrefix("cannot run /nonexistent/sendmail") == true)
    }

    @Test func aHangingCommandIsKilledWithWhatItStarted() throws {
        let marker = NSTemporaryDirectory() + "slotsite-hang-" + UUID().uuidString
        let hanging = try script("sleep 30 & echo $! > \(marker); wait")
        let started = Date()
        let failure = Sendmail.run(hanging, input: Array("x".utf8), timeout: 1)
        #expect(failure?.timedOut == true)
        #expect(Date().timeIntervalSince(started) < 5)
        let child = try #require(Int32((try String(contentsOfFile: marker, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        usleep(100_000)
        // Gone, or a zombie that nobody reaps in a container.
        let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: ")").last?
            .split(separator: " ").first
        #expect(state == nil || state == "Z", "the command's own child was killed with it")
    }
}
