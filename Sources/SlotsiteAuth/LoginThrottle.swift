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
        func wait(_ failures: [Int64], _ limit: Int) -> Int64? {
            let recent = failures.filter { now - $0 < window }.sorted()
            guard recent.count >= limit else { return nil }
            // The attempt that would bring the count under the limit leaves the window at:
            return max(1, recent[recent.count - limit] + window - now)
        }
        let byAddress = wait(failures.address, perAddress)
        let byAccount = failures.accountFromAddress > 0 ? wait(failures.account, perAccount) : nil
        switch (byAccount, byAddress) {
        case let (a?, b?): return max(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        default: return nil
        }
    }
}
