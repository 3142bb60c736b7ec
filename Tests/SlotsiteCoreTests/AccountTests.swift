import Testing
@testable import SlotsiteCore

struct AccountTests {
    @Test(arguments: ["abc", "ada-lovelace", "a1-", String(repeating: "x", count: 32)])
    func acceptsHandles(_ raw: String) throws {
        #expect(try Handle(raw).value == raw)
    }

    @Test(arguments: ["ab", "Ada", "a_b", "a/b", "..", "ada ", String(repeating: "x", count: 33), "ad\u{0}a", "adä", "admin", "assets", "u", "cgi-bin", "login"])
    func rejectsHandles(_ raw: String) {
        #expect(throws: CoreError.self) { try Handle(raw) }
    }

    @Test func passwordsAreCountedInCharactersAndNeverTrimmed() throws {
        #expect(throws: CoreError.self) { try Account.password("1234567") }
        #expect(try Account.password("  spaced  ") == "  spaced  ")
        #expect(try Account.password(String(repeating: "é", count: 1024)).count == 1024)
        #expect(throws: CoreError.self) { try Account.password(String(repeating: "a", count: 1025)) }
        #expect(throws: CoreError.self) { try Account.password("abcd\u{0}efgh") }
    }

    @Test(arguments: [("a@b.co", true), (" Ada@Example.org ", true), ("no-at.org", false), ("a@b", false), ("a@@b.org", false), ("a b@c.org", false), ("@b.org", false), ("a@.org", false)])
    func emails(_ c: (String, Bool)) {
        #expect(((try? Account.email(c.0)) != nil) == c.1)
    }

    @Test func skillsAreTrimmedAndDeduplicatedIgnoringCase() throws {
        #expect(try Skills(parsing: " Swift, design ,swift,, Design,  Coaching ").names == ["Swift", "design", "Coaching"])
        #expect(try Skills(parsing: "").names == [])
        #expect(throws: CoreError.self) { try Skills(parsing: String(repeating: "x", count: 41)) }
        #expect(throws: CoreError.self) { try Skills(parsing: (1...21).map { "s\($0)" }.joined(separator: ",")) }
        #expect(try Skills(parsing: (1...20).map { "s\($0)" }.joined(separator: ",")).names.count == 20)
    }
}
