import CSodium

/// A session token: 256 random bits given to the browser; only its SHA-256 is stored.
public struct SessionToken: Sendable, Equatable {
    /// The cookie value: 43 characters of unpadded base64url.
    public let value: String

    /// A fresh token from libsodium's CSPRNG.
    public static func generate() -> SessionToken {
        SessionToken(value: Base64URL.encode(Sodium.randomBytes(32)))
    }

    /// Accepts a cookie value only in the form `generate()` makes.
    public init?(cookieValue: String) {
        guard cookieValue.utf8.count == 43, Base64URL.decode(cookieValue)?.count == 32 else { return nil }
        value = cookieValue
    }

    private init(value: String) { self.value = value }

    /// The SHA-256 of the token, which is what the store keeps.
    public var storageHash: [UInt8] { Sodium.sha256(Array(value.utf8)) }
}

/// Unpadded base64url (RFC 4648 §5).
enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var chunk = UInt32(bytes[i]) << 16
            if n > 1 { chunk |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { chunk |= UInt32(bytes[i + 2]) }
            for k in 0..<(n + 1) { out.append(alphabet[Int((chunk >> (18 - 6 * UInt32(k))) & 63)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var bits: UInt32 = 0, count = 0
        var out: [UInt8] = []
        for c in text.utf8 {
            guard let v = alphabet.firstIndex(of: c) else { return nil }
            bits = bits << 6 | UInt32(v)
            count += 6
            if count >= 8 {
                count -= 8
                out.append(UInt8((bits >> UInt32(count)) & 0xFF))
            }
        }
        return out
    }
}

extension SessionToken {
    /// The SHA-256 of `bytes` in lowercase hex: a digest for ETags.
    public static func digest(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        return String(decoding: Sodium.sha256(bytes).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] }, as: UTF8.self)
    }
}
