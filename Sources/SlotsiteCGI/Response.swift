/// An answer to write to the web server in CGI form (RFC 3875 §6).
public struct Response: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: String

    public init(status: Int, headers: [(String, String)] = [], body: String = "") {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Headers every CGI answer carries: no caching of private pages, no framing,
    /// no sniffing, and a policy that allows only the site's own styles and forms.
    static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cache-Control", "no-store"),
    ]

    /// A page of HTML.
    static func html(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Response {
        Response(status: status, headers: [("Content-Type", "text/html; charset=utf-8")] + headers, body: body)
    }

    /// `303 See Other` to `location`, a path on the name the browser used.
    static func seeOther(_ location: String, headers: [(String, String)] = []) -> Response {
        Response(status: 303, headers: [("Location", location), ("Content-Type", "text/html; charset=utf-8")] + headers,
                 body: "<!doctype html><title>See other</title><p>Continue to <a href=\"\(location.htmlEscaped)\">\(location.htmlEscaped)</a>.</p>\n")
    }

    /// The bytes for standard output; a HEAD request gets the headers only.
    public func cgiOutput(includeBody: Bool = true) -> [UInt8] {
        // Bytes, not Characters: filtering the header values Character by Character
        // walked grapheme boundaries through the long policy header on every request.
        var out: [UInt8] = []
        out.reserveCapacity(1024 + (includeBody ? body.utf8.count : 0))
        out += "Status: \(status) \(HTTPStatus.phrase(status))\r\n".utf8
        // A response's own header (a stricter Referrer-Policy) replaces the default one.
        let defaults = Response.securityHeaders.filter { d in !headers.contains { $0.0 == d.0 } }
        for (name, value) in headers + defaults {
            out += name.utf8
            out += ": ".utf8
            // Values are built by this program; strip line breaks all the same.
            for byte in value.utf8 where byte != 0x0D && byte != 0x0A { out.append(byte) }
            out += "\r\n".utf8
        }
        out += "\r\n".utf8
        if includeBody { out += body.utf8 }
        return out
    }
}

extension String {
    var htmlEscaped: String {
        var out = ""
        for c in unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
