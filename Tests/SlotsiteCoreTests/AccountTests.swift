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

/// Text limits count Unicode code points of the text as stored (LF line breaks), the
/// way the store's CHECKs count; at and around each limit, with scripts, combining
/// marks and emoji.
struct TextLimitTests {
    static let units = ["a", "é", "e\u{301}", "👍🏽", "\u{1F469}\u{200D}\u{1F4BB}", "漢", "\r\n"]

    @Test(arguments: units)
    func bioLimitCountsStoredCodePoints(_ unit: String) throws {
        let stored = unit.withLFLineBreaks().unicodeScalars.count
        let fits = String(repeating: unit, count: Account.bioLimit / stored)
        let bio = try Account.bio(fits)
        #expect(bio.unicodeScalars.count <= Account.bioLimit)
        #expect(!bio.contains("\r"))
        #expect(throws: CoreError.self) { try Account.bio(fits + String(repeating: "x", count: Account.bioLimit - bio.unicodeScalars.count + 1)) }
    }

    @Test(arguments: units)
    func noteAndNameLimits(_ unit: String) throws {
        let stored = unit.withLFLineBreaks().unicodeScalars.count
        let note = try Account.note("x" + String(repeating: unit, count: (Account.noteLimit - 2) / stored) + "x")
        #expect(note.unicodeScalars.count <= Account.noteLimit)
        #expect(throws: CoreError.self) { try Account.note(String(repeating: "y", count: 1001)) }
        #expect(throws: CoreError.self) { try Account.note("x" + String(repeating: unit, count: 1001 / stored + 1) + "x") }
        guard !unit.unicodeScalars.contains("\r") else { return }
        let name = try Account.name(String(repeating: unit, count: 100 / stored))
        #expect(name.unicodeScalars.count <= 100)
        #expect(throws: CoreError.self) { try Account.name(String(repeating: unit, count: 100 / stored + 1)) }
    }

    @Test func lineBreaksAreStoredAsLF() {
        #expect("a\r\nb\rc\nd\r\n\r\n".withLFLineBreaks() == "a\nb\nc\nd\n\n")
        #expect("plain".withLFLineBreaks() == "plain")
    }

    @Test func skillsCountCodePoints() throws {
        #expect(throws: CoreError.self) { try Skills(parsing: String(repeating: "e\u{301}", count: 21)) }
        #expect(try Skills(parsing: String(repeating: "e\u{301}", count: 20)).names.count == 1)
    }
}

struct EmailKeyTests {
    @Test(arguments: [("ida@bücher.example", "IDA@BÜCHER.EXAMPLE"), ("ida@bu\u{308}cher.example", "Ida@Bücher.Example"),
                      ("strasse@x.de", "STRAßE@X.DE"), ("σ@x.gr", "Σ@X.GR"), ("ς@x.gr", "σ@x.gr"), (" a@b.co ", "A@B.CO")])
    func foldedAddressesAreOneKey(_ pair: (String, String)) {
        #expect(Account.emailKey(pair.0) == Account.emailKey(pair.1))
    }

    @Test func differentAddressesStayApart() {
        #expect(Account.emailKey("ida@bücher.example") != Account.emailKey("ida@bucher.example"))
    }
}
