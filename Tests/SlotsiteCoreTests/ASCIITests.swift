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
}
