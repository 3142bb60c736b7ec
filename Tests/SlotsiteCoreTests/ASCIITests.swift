import Testing
import SlotsiteCore

struct ASCIITests {
    @Test func byteClasses() {
        let letters = Array("azAZ".utf8), digits = Array("09".utf8)
        let neither = Array("@[`{/:_- ~".utf8) + [0x00, 0x7F, 0xC3, 0xA4, 0xE1]
        #expect(letters.allSatisfy { $0.isASCIILetter && !$0.isASCIIDigit && $0.isASCIILetterOrDigit })
        #expect(digits.allSatisfy { $0.isASCIIDigit && !$0.isASCIILetter && $0.isASCIILetterOrDigit })
        #expect(neither.allSatisfy { !$0.isASCIILetterOrDigit })
    }

    @Test(arguments: [
        ("a%20b+c", false, "a b+c"), ("a%20b+c", true, "a b c"), ("%C3%A9%e9", false, "\u{E9}\u{FFFD}"),
        ("%41%4a%4A", false, "AJJ"), ("", true, ""),
    ])
    func percentEscapesDecode(_ c: (String, Bool, String)) throws {
        let bytes = try #require(percentDecodedBytes(c.0.utf8, plusIsSpace: c.1))
        #expect(String(decoding: bytes, as: UTF8.self) == c.2)
    }

    @Test(arguments: ["%", "%4", "%G1", "a%2", "%%41"])
    func malformedEscapesAreRefused(_ text: String) {
        #expect(percentDecodedBytes(text.utf8, plusIsSpace: true) == nil)
    }
}
