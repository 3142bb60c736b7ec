/// A request as RFC 3875 hands it over: meta-variables and, for POST, a body of
/// exactly `CONTENT_LENGTH` bytes.
public struct CGIRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", head = "HEAD", post = "POST" }

    public static let maxBody = 64 * 1024

    public let method: Method
    /// `PATH_INFO` split at `/`, without the leading empty segment.
    public let segments: [String]
    public let query: FormData
    public let variables: [String: String]

    /// Reads the method, path and query; the body is read separately, after routing.
    /// - Throws: `HTTPError` 405 for another method, 404 for a path with empty, `.`
    ///   or `..` segments, 400 for a malformed query string.
    public init(variables: [String: String]) throws {
        self.variables = variables
        guard let method = Method(rawValue: variables["REQUEST_METHOD"] ?? "") else {
            throw HTTPError(405, "Method not allowed", "Use GET to read pages and the site's forms to change anything.",
                            headers: [("Allow", "GET, HEAD, POST")])
        }
        self.method = method
        let path = variables["PATH_INFO"] ?? ""
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if segments.first == "" { segments.removeFirst() }
        if segments == [""] { segments = [] }
        guard path.isEmpty || path.hasPrefix("/"),
              !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." || $0.utf8.contains { $0 < 0x20 || $0 == 0x7F } })
        else { throw HTTPError.notFound }
        self.segments = segments
        self.query = try FormData(decoding: Array((variables["QUERY_STRING"] ?? "").utf8))
    }

    public func header(_ name: String) -> String? {
        variables["HTTP_" + String(decoding: name.utf8.map { $0 == 0x2D ? 0x5F : $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)]
    }

    /// The most of a refused body that is read and dropped: past it, a server that
    /// keeps writing is a client that ignores the limit.
    static let drainLimit = 1 << 20

    /// How much of a body to read, and drop, before answering a request refused before
    /// reading it: all of it up to `drainLimit`.
    public static func bodyToDrain(_ variables: [String: String]) -> Int {
        guard let raw = variables["CONTENT_LENGTH"], raw.utf8.count <= 9, let length = Int(raw), length > 0 else { return 0 }
        return min(length, drainLimit)
    }

    /// The body's length from `CONTENT_LENGTH`, checked before anything is read.
    /// - Throws: `HTTPError` 400 for a malformed length, 413 past 64 KiB, 415 for a
    ///   body that is not `application/x-www-form-urlencoded`.
    func bodyLength() throws -> Int {
        let raw = variables["CONTENT_LENGTH"] ?? ""
        var length = 0
        if !raw.isEmpty {
            guard raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw HTTPError.badRequest("The request's length is malformed.")
            }
            // Digits only, so a failed conversion means a number past Int.max: too large.
            length = Int(raw) ?? Int.max
        }
        guard length <= CGIRequest.maxBody else {
            throw HTTPError(413, "Too large", "The form is larger than 64 KiB. Shorten the text and send it again.")
        }
        // The media type: before any `;` parameters, without blanks, case-insensitive.
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        let type = (variables["CONTENT_TYPE"] ?? "").utf8.prefix { $0 != UInt8(ascii: ";") }
            .drop(while: blank).reversed().drop(while: blank).reversed()
            .map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        guard type.elementsEqual("application/x-www-form-urlencoded".utf8) || (type.isEmpty && length == 0) else {
            throw HTTPError(415, "Unsupported form encoding", "Send the site's own forms; they use application/x-www-form-urlencoded.")
        }
        return length
    }
}
