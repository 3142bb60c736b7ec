import Testing
@testable import SlotsiteAuth

struct ResetThrottleTests {
    /// Three requests an hour for one address, ten from one client address, whichever
    /// bites first; the wait is until the oldest counted one leaves the hour.
    @Test(arguments: [
        // ages of earlier requests for the address, from the client address → wait
        ([Int64](), [Int64](), nil as Int64?), ([100, 200], [], nil), ([100, 200, 300], [], 3300),
        ([4000, 5000, 6000], [], nil), ([], Array(repeating: 60, count: 9), nil), ([], Array(repeating: 60, count: 10), 3540),
        ([100, 200, 300], Array(repeating: 60, count: 10), 3540),
    ] as [([Int64], [Int64], Int64?)])
    func limits(_ c: ([Int64], [Int64], Int64?)) {
        let now: Int64 = 100_000
        #expect(ResetThrottle.retryAfter(byEmail: c.0.map { now - $0 }, byAddress: c.1.map { now - $0 }, now: now) == c.2)
    }
}
