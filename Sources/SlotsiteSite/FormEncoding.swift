import SlotsiteCore

/// Percent-encoding for query values in the URLs the CGI builds.
public enum FormEncoding {
    public static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if b.isASCIILetterOrDigit || "-_.~/".utf8.contains(b) {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
            }
        }
        return out
    }
}
