import Testing
@testable import SlotsiteAuth

struct PasswordHasherTests {
    let hasher = PasswordHasher.standard

    @Test func hashesAreArgon2idWithTheStandardParameters() throws {
        let hash = try hasher.hash("correct horse")
        #expect(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(hasher.verify("correct horse", against: hash))
        #expect(!hasher.verify("correct horse ", against: hash))
        #expect(!hasher.verify("Correct horse", against: hash))
        #expect(try hasher.hash("correct horse") != hash, "a fresh salt each time")
    }

    @Test func passwordsAreNotTruncatedOrTrimmed() throws {
        let long = String(repeating: "ü", count: 100) // 200 bytes, well past bcrypt's 72
        let hash = try hasher.hash(long)
        #expect(!hasher.verify(String(repeating: "ü", count: 99), against: hash))
        #expect(hasher.verify(long, against: hash))
        let spaced = try hasher.hash("  leading")
        #expect(!hasher.verify("leading", against: spaced))
    }

    @Test func lockedAndMalformedHashesNeverMatch() {
        #expect(!hasher.verify("", against: "!"))
        #expect(!hasher.verify("x", against: ""))
        #expect(!hasher.verify("x", against: "$argon2id$garbage"))
    }

    @Test func weakerHashesNeedRehash() throws {
        let weak = try PasswordHasher(opsLimit: 1, memLimit: 8 * 1024 * 1024).hash("password1")
        #expect(hasher.needsRehash(weak))
        #expect(!hasher.needsRehash(try hasher.hash("password1")))
    }
}
