/// Byte tests for text that is ASCII by rule (keys, names, paths, zone ids). Unicode
/// properties such as `Character.isLetter` load tables on first use, which a CGI
/// process would pay for on every request.
extension UInt8 {
    public var isASCIILetter: Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self | 0x20) }
    public var isASCIIDigit: Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) }
    public var isASCIILetterOrDigit: Bool { isASCIILetter || isASCIIDigit }
    /// The value of a hexadecimal digit (either case), as in `%XX` escapes.
    public var asciiHexValue: UInt8? {
        switch self {
        case 0x30...0x39: return self - 0x30
        case 0x41...0x46: return self - 0x41 + 10
        case 0x61...0x66: return self - 0x61 + 10
        default: return nil
        }
    }
}

/// The bytes `text` stands for with its `%XX` escapes decoded (and `+` as a space, in
/// form data); nil when an escape is malformed. Whether the bytes are UTF-8 is the
/// caller's to check.
///
/// Inlinable so that each caller gets a copy specialised to its collection: called
/// generically across modules, it looked up its witnesses at run time (2% of a request).
@inlinable
public func percentDecodedBytes(_ text: some Collection<UInt8>, plusIsSpace: Bool) -> [UInt8]? {
    var out: [UInt8] = []
    out.reserveCapacity(text.count)
    var input = text.makeIterator()
    while let byte = input.next() {
        switch byte {
        case UInt8(ascii: "+") where plusIsSpace: out.append(0x20)
        case UInt8(ascii: "%"):
            guard let high = input.next()?.asciiHexValue, let low = input.next()?.asciiHexValue else { return nil }
            out.append(high << 4 | low)
        default: out.append(byte)
        }
    }
    return out
}
