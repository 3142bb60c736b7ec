/// Recent failed logins, as the store reads them for the login throttle.
public struct LoginFailures: Sendable, Equatable {
    /// Instants of the account's failures, from any address.
    public var account: [Int64] = []
    /// How many of those came from this attempt's address.
    public var accountFromAddress = 0
    /// Instants of this address's failures, against any account.
    public var address: [Int64] = []

    public init(account: [Int64] = [], accountFromAddress: Int = 0, address: [Int64] = []) {
        self.account = account
        self.accountFromAddress = accountFromAddress
        self.address = address
    }
}
