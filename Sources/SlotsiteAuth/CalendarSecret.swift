import CSodium

/// The secret in a private feed's address: an HMAC-SHA256, under the site's calendar
/// key, of the account and the address's generation. The store keeps only its SHA-256,
/// as for session tokens, yet the account page can show the address again; a new
/// generation is a new address, and the old one no longer matches.
public enum CalendarSecret {
    /// 43 characters of unpadded base64url (256 bits).
    public static func derive(key: [UInt8], userID: Int64, generation: Int64) -> SessionToken {
        Sodium.initialize()
        var mac = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        let message = Array("slotsite-calendar:\(userID):\(generation)".utf8)
        precondition(key.count == Int(crypto_auth_hmacsha256_KEYBYTES), "a calendar key is 32 bytes")
        crypto_auth_hmacsha256(&mac, message, UInt64(message.count), key)
        return SessionToken(bytes: mac)
    }

    /// A fresh calendar key from libsodium's CSPRNG.
    public static func newKey() -> [UInt8] { Sodium.randomBytes(32) }
}

extension SessionToken {
    /// The token whose value is the base64url of these 32 bytes.
    init(bytes: [UInt8]) {
        self.init(cookieValue: Base64URL.encode(bytes))!
    }
}
