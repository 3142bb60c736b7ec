import ArgumentParser
import SlotsiteCore
import SlotsiteMail
import SlotsiteSite
import SlotsiteStore

struct Mail: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send the messages that are due (for cron, every minute), or show what waits.",
        discussion: """
            Messages go through the `sendmail` command of slotsite.yml (default /usr/sbin/sendmail -t -i), from \
            `mail_from`; while that is unset they wait. A failed message is tried again with backoff for 24 hours, \
            then marked failed.
            """)

    @OptionGroup var options: SiteOption

    @Flag(help: "List the messages that wait and those that failed, and send nothing.")
    var status = false

    @Option(help: "Seconds a message may take the mail system before it is killed and tried later.")
    var timeout: Double = BackgroundDrain.timeout

    func validate() throws {
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be 1 to 3600 seconds") }
    }

    func run() throws {
        try reportingErrors {
            let site = try Site.open(options.site)
            if status { return try showStatus(site) }
            let drain = MailDrain(store: site.store, config: site.config, composer: MailComposer(config: site.config),
                                  transport: .sendmail(site.config.sendmail, timeout: timeout), clock: currentTime)
            let report = try drain.run(timeout: timeout)
            // Quiet when there was nothing to do: cron mails whatever a job prints.
            if report.sent + report.failed > 0 {
                print("mail: \(report.sent) sent, \(report.failed) failed to send" + (report.stopped.map { "; stopped: \($0)" } ?? ""))
            } else if let why = report.stopped, case let waiting = try site.store.unsentMail().filter({ $0.failedAt == nil }).count,
                      waiting > 0 {
                print("mail: \(waiting) waiting; \(why)")
            }
        }
    }

    private func showStatus(_ site: Site) throws {
        let now = currentTime()
        let unsent = try site.store.unsentMail()
        let waiting = unsent.filter { $0.failedAt == nil }, failed = unsent.filter { $0.failedAt != nil }
        print("mail: \(waiting.count) waiting, \(failed.count) failed, \(try site.store.sentMailCount(since: now - 86_400)) sent in the last 24 hours"
              + (site.config.mailFrom == nil ? " (mail_from is not set: nothing is sent)" : ""))
        for entry in unsent {
            let state = entry.failedAt.map { "failed \(age(now - $0)) ago" }
                ?? (entry.dueAt <= now ? "due now" : "due in \(age(entry.dueAt - now))")
            let tries = entry.attempts == 1 ? "1 try" : "\(entry.attempts) tries"
            print("  #\(entry.id) \(entry.notice.kind.rawValue) to \(entry.notice.to.address), \(state), \(tries)"
                  + (entry.lastError.map { ": \($0)" } ?? ""))
        }
    }

    private func age(_ seconds: Int64) -> String {
        seconds < 120 ? "\(seconds) s" : seconds < 7200 ? "\(seconds / 60) min" : "\(seconds / 3600) h"
    }
}
