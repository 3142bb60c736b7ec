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
    /// - Parameters:
    ///   - accountFailures: instants of this account's failures within the window.
    ///   - addressFailures: instants of this address's failures within the window.
    public static func retryAfter(accountFailures: [Int64], addressFailures: [Int64], now: Int64) -> Int64? {
        func wait(_ failures: [Int64], _ limit: Int) -> Int64? {
            let recent = failures.filter { now - $0 < window }.sorted()
            guard recent.count >= limit else { return nil }
            // The attempt that would bring the count under the limit leaves the window at:
            return max(1, recent[recent.count - limit] + window - now)
        }
        switch (wait(accountFailures, perAccount), wait(addressFailures, perAddress)) {
        case let (a?, b?): return max(a, b)
        case let (a?, nil): return a
        case let (nil, b?): return b
        default: return nil
        }
    }
}
