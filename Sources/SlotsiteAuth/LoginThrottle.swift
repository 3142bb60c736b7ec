import SlotsiteCore

/// When failed logins stop being answered: per account and per client address, over
/// a sliding window.
public struct LoginThrottle: Sendable {
    public static let window: Int64 = 15 * 60
    /// Failures per account in the window before further attempts are refused.
    public static let perAccount = 10
    /// Failures per client address in the window (many accounts from one place).
    public static let perAddress = 50

    /// Seconds to wait before trying again, or nil when an attempt may go ahead.
    ///
    /// An address that has reached its own limit waits. An account that has reached
    /// its limit refuses attempts only from addresses that have failed against it, so
    /// that guesses from elsewhere cannot lock its owner out.
    public static func retryAfter(_ failures: LoginFailures, now: Int64) -> Int64? {
        let byAddress = SlidingWindow.wait(failures.address, limit: perAddress, window: window, now: now)
        let byAccount = failures.accountFromAddress > 0
            ? SlidingWindow.wait(failures.account, limit: perAccount, window: window, now: now) : nil
        return [byAccount, byAddress].compactMap { $0 }.max()
    }
}

/// Counting over a sliding window, for the throttles.
enum SlidingWindow {
    /// Seconds until the event that would bring `times` under `limit` leaves the last
    /// `window` seconds, or nil while they are under it.
    static func wait(_ times: [Int64], limit: Int, window: Int64, now: Int64) -> Int64? {
        let recent = times.filter { now - $0 < window }.sorted()
        guard recent.count >= limit else { return nil }
        return max(1, recent[recent.count - limit] + window - now)
    }
}
