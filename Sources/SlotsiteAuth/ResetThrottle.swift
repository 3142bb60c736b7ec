/// When password reset requests stop being taken: per address typed (whether or not it
/// has an account, so the answer tells nothing) and per client address, over an hour.
public struct ResetThrottle: Sendable {
    public static let window: Int64 = 3600
    /// Requests for one address in the window: a mailbox is not flooded with links.
    public static let perEmail = 3
    /// Requests from one client address in the window.
    public static let perAddress = 10

    /// Seconds to wait before asking again, or nil when the request may go ahead.
    public static func retryAfter(byEmail: [Int64], byAddress: [Int64], now: Int64) -> Int64? {
        [SlidingWindow.wait(byEmail, limit: perEmail, window: window, now: now),
         SlidingWindow.wait(byAddress, limit: perAddress, window: window, now: now)].compactMap { $0 }.max()
    }
}
