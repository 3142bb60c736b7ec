import SlotsiteCore
import SlotsiteSite
import SlotsiteStore

/// Sends what the outbox holds: queues the reminders that are due, then takes one
/// message at a time (a claim no other drain can take), sends it outside any
/// transaction or lock, and records what happened. Run by `slotsite mail` (cron) and,
/// detached, by the CGI after it has answered.
public struct MailDrain {
    /// What one run did.
    public struct Report: Sendable, Equatable {
        public var sent = 0
        public var failed = 0
        /// Why the run stopped early, if it did (no sender configured, a hanging mail system).
        public var stopped: String?
    }

    let store: Store
    let config: SiteConfig
    let composer: MailComposer
    let transport: MailTransport
    let clock: () -> Int64

    /// How long a claim holds beyond the send's own timeout.
    static let claimMargin: Int64 = 60

    public init(store: Store, config: SiteConfig, composer: MailComposer, transport: MailTransport, clock: @escaping () -> Int64) {
        self.store = store
        self.config = config
        self.composer = composer
        self.transport = transport
        self.clock = clock
    }

    /// Sends every message due, at most `limit`.
    /// - Parameter timeout: the transport's timeout, so that a claim outlives a send.
    /// - Throws: `StoreError` when the store fails.
    public func run(limit: Int = .max, timeout: Double) throws -> Report {
        var report = Report()
        try store.queueReminders(now: clock(), hours: config.reminderHours)
        guard let from = config.mailFrom else {
            report.stopped = "mail_from is not set in slotsite.yml: messages wait"
            return report
        }
        while report.sent + report.failed < limit,
              let entry = try store.claimMail(now: clock(), lease: Int64(timeout.rounded(.up)) + MailDrain.claimMargin) {
            let failure: MailTransport.Failure?
            do {
                failure = transport.send(try composer.message(entry, from: from).bytes())
            } catch {
                failure = .init("cannot compose the message: \(error)")
            }
            if let failure {
                try store.mailFailed(id: entry.id, error: failure.message, now: clock())
                report.failed += 1
                if failure.timedOut {
                    report.stopped = failure.message
                    break
                }
            } else {
                try store.mailSent(id: entry.id, now: clock())
                report.sent += 1
            }
        }
        return report
    }
}
