import CSodium

/// Argon2id password hashes through libsodium (`crypto_pwhash_str_alg`).
public struct PasswordHasher: Sendable {
    /// Passes over memory (t); at least 2.
    public let opsLimit: UInt64
    /// Memory in bytes; at least 19 MiB.
    public let memLimit: Int

    /// The parameters new hashes get: t=2, 19 MiB (OWASP's Argon2id minimum).
    public static let standard = PasswordHasher(opsLimit: 2, memLimit: 19 * 1024 * 1024)

    public init(opsLimit: UInt64, memLimit: Int) {
        Sodium.initialize()
        self.opsLimit = opsLimit
        self.memLimit = memLimit
    }

    /// A self-describing `$argon2id$…` string with a fresh random salt.
    /// - Throws: `AuthError.hashingFailed` when libsodium cannot allocate the memory.
    public func hash(_ password: String) throws -> String {
        var out = [CChar](repeating: 0, count: Int(crypto_pwhash_STRBYTES))
        let length = UInt64(password.utf8.count)
        let rc = password.withCString {
            crypto_pwhash_str_alg(&out, $0, length, opsLimit, memLimit, crypto_pwhash_ALG_ARGON2ID13)
        }
        guard rc == 0 else { throw AuthError(.hashingFailed, "crypto_pwhash_str_alg returned \(rc)") }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// True when `password` matches `hash`; libsodium compares in constant time.
    /// A malformed or locked hash (such as `!`) never matches.
    public func verify(_ password: String, against hash: String) -> Bool {
        guard hash.hasPrefix("$argon2") else { return false }
        let length = UInt64(password.utf8.count)
        return password.withCString { crypto_pwhash_str_verify(hash, $0, length) == 0 }
    }

    /// True when `hash` was made with weaker parameters than these and should be
    /// replaced at the next successful login.
    public func needsRehash(_ hash: String) -> Bool {
        crypto_pwhash_str_needs_rehash(hash, opsLimit, memLimit) != 0
    }
}

/// libsodium's one-time initialisation.
enum Sodium {
    static let ready: Bool = sodium_init() >= 0

    static func initialize() {
        precondition(ready, "libsodium failed to initialise")
    }

    /// `count` bytes from libsodium's CSPRNG.
    static func randomBytes(_ count: Int) -> [UInt8] {
        initialize()
        var bytes = [UInt8](repeating: 0, count: count)
        randombytes_buf(&bytes, count)
        return bytes
    }

    /// The SHA-256 of `bytes`. Without `initialize()`: libsodium's SHA-256 has one
    /// portable implementation and no state, and the CPU probe that `sodium_init` runs
    /// traps to the hypervisor on virtual machines, for every request that has a session.
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        crypto_hash_sha256(&out, bytes, UInt64(bytes.count))
        return out
    }
}
