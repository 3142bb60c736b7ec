/// HTML escaping for text and attribute values.
public enum HTML {
    /// `s` with `& < > " '` replaced by entities, safe in text and quoted attributes.
    public static func escape(_ s: String) -> String {
        var out: [UInt8] = []
        appendEscaped(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `s` as `escape` would write it, in UTF-8.
    public static func appendEscaped(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { bytes in
            // Most values need no escaping: copy them whole.
            var start = 0
            for i in 0..<bytes.count {
                let entity: StaticString
                switch bytes[i] {
                case 0x26: entity = "&amp;"
                case 0x3C: entity = "&lt;"
                case 0x3E: entity = "&gt;"
                case 0x22: entity = "&quot;"
                case 0x27: entity = "&#39;"
                default: continue
                }
                out += UnsafeBufferPointer(rebasing: bytes[start..<i])
                out += UnsafeBufferPointer(start: entity.utf8Start, count: entity.utf8CodeUnitCount)
                start = i + 1
            }
            out += UnsafeBufferPointer(rebasing: bytes[start...])
        }
    }
}
