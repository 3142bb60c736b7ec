/// HTML escaping for text and attribute values.
public enum HTML {
    /// `s` with `& < > " '` replaced by entities, safe in text and quoted attributes.
    public static func escape(_ s: String) -> String {
        var out = ""
        appendEscaped(s, to: &out)
        return out
    }

    static func appendEscaped(_ s: String, to out: inout String) {
        let utf8 = s.utf8
        // Most values need no escaping: copy them whole.
        guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            out += s
            return
        }
        var start = utf8.startIndex
        var i = start
        while i != utf8.endIndex {
            let entity: String?
            switch utf8[i] {
            case 0x26: entity = "&amp;"
            case 0x3C: entity = "&lt;"
            case 0x3E: entity = "&gt;"
            case 0x22: entity = "&quot;"
            case 0x27: entity = "&#39;"
            default: entity = nil
            }
            if let entity {
                out += Substring(utf8[start..<i])
                out += entity
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        out += Substring(utf8[start..<utf8.endIndex])
    }
}
