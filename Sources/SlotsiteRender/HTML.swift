/// HTML escaping for text and attribute values.
public enum HTML {
    /// `s` with `& < > " '` replaced by entities, safe in text and quoted attributes.
    public static func escape(_ s: String) -> String {
        var out = ""
        appendEscaped(s, to: &out)
        return out
    }

    static func appendEscaped(_ s: String, to out: inout String) {
        let done: Bool? = s.utf8.withContiguousStorageIfAvailable { bytes in
            // Most values need no escaping: copy them whole.
            guard let first = bytes.firstIndex(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
                out += s
                return true
            }
            var start = 0
            for i in first..<bytes.count {
                let entity: String
                switch bytes[i] {
                case 0x26: entity = "&amp;"
                case 0x3C: entity = "&lt;"
                case 0x3E: entity = "&gt;"
                case 0x22: entity = "&quot;"
                case 0x27: entity = "&#39;"
                default: continue
                }
                out += String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                out += entity
                start = i + 1
            }
            out += String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self)
            return true
        }
        if done == nil { appendEscaped(String(decoding: Array(s.utf8), as: UTF8.self), to: &out) }
    }
}
