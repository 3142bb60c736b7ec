import Testing
import SlotsiteCore
@testable import SlotsiteAuth

struct LoginThrottleTests {
    let now: Int64 = 10_000

    @Test func anAccountBitesAtItsLimitForAddressesThatFailedIt() {
        let nine = (0..<9).map { now - Int64($0) * 10 }
        #expect(LoginThrottle.retryAfter(LoginFailures(account: nine, accountFromAddress: 9, address: nine), now: now) == nil)
        let ten = nine + [now - 100]
        let wait = LoginThrottle.retryAfter(LoginFailures(account: ten, accountFromAddress: 1, address: [now - 5]), now: now)
        #expect(wait == .some(Int64(15 * 60 - 100)))
    }

    @Test func anAddressThatHasNotFailedStillGetsItsCheck() {
        // Ten failures from elsewhere do not refuse the owner's own address.
        let ten = (0..<10).map { now - Int64($0) }
        #expect(LoginThrottle.retryAfter(LoginFailures(account: ten, accountFromAddress: 0, address: []), now: now) == nil)
    }

    @Test func failuresLeaveTheWindow() {
        let old = (0..<10).map { now - 15 * 60 - Int64($0) }
        #expect(LoginThrottle.retryAfter(LoginFailures(account: old, accountFromAddress: 10, address: old), now: now) == nil)
    }

    @Test func anAddressBitesAtItsOwnLimitWhateverTheAccount() {
        let many = (0..<50).map { now - Int64($0) }
        #expect(LoginThrottle.retryAfter(LoginFailures(account: [], accountFromAddress: 0, address: many), now: now) != nil)
        #expect(LoginThrottle.retryAfter(LoginFailures(account: [], accountFromAddress: 0, address: Array(many.prefix(49))), now: now) == nil)
    }
}
