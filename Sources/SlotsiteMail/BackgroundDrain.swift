#if canImport(Glibc)
import Glibc
#endif
import SlotsiteSite
import SlotsiteStore

/// The drain the CGI starts after it has answered: a detached process, so the web
/// server sees the response end at once, and one at a time per site (a lock file), so
/// a burst of bookings runs one drain that sends them all.
public enum BackgroundDrain {
    /// How long one message may take the mail system before it is killed.
    public static let timeout: Double = 30

    /// Starts this program again as a detached drain (`drainVariable` set, its own
    /// session, no descriptor of the web server's) and returns at once. A new process,
    /// not a fork: SQLite's connections and locks must not cross a fork. A drain already
    /// running for the site sends the new messages too: it looks again after letting go
    /// of its lock.
    public static func start(environment: [String: String]) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, spawnSetSID)
        var variables = environment
        variables[drainVariable] = "1"
        let env: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("slotsite-mail-drain"), nil]
        defer { for p in env + argv { free(p) } }
        var pid: pid_t = 0
        // Not waited for: it outlives this process, and init reaps it.
        _ = posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, argv, env)
    }

    /// glibc's `POSIX_SPAWN_SETSID` (spawn.h), which Swift's Glibc module leaves out.
    static let spawnSetSID: Int16 = 0x80

    /// Set in the environment of a drain that `start` began.
    public static let drainVariable = "SLOTSITE_MAIL_DRAIN"

    /// Sends what is due under the site's mail lock; when another process holds it,
    /// leaves the work to that one. A store fault ends it: the messages wait for cron's
    /// `slotsite mail`, which reports it.
    public static func drainWhileDue(config: SiteConfig) {
        let path = config.databasePath + ".mail-lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        // Under a burst most drains find the lock taken: they go before opening the store.
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return }
        do {
            let store = try Store(path: config.databasePath)
            let drain = MailDrain(store: store, config: config, composer: MailComposer(config: config),
                                  transport: .sendmail(config.sendmail, timeout: timeout),
                                  clock: { Int64(time(nil)) })
            repeat {
                let report = try drain.run(timeout: timeout)
                flock(fd, LOCK_UN)
                // A message written while this drain held the lock found it taken and
                // left its sending here: look once more after letting go.
                guard report.stopped == nil, try store.mailDue(now: Int64(time(nil))) else { break }
            } while flock(fd, LOCK_EX | LOCK_NB) == 0
        } catch {}
    }
}
