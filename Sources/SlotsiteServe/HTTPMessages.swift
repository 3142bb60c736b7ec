import Foundation
#if canImport(Glibc)
import Glibc
#endif

// HTTP/1.1 as the development server speaks it: one request read off a connection,
// one reply written back, and the errors that become a status page.

/// A request as read off a connection.
struct Request {
    var method: String
    var target: String
    var headers: [(String, String)]
    var body: [UInt8]

    /// The target's path (still percent-encoded) and query.
    var pathAndQuery: (String, String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// Reads one request: the head up to its empty line, then `Content-Length` bytes of body.
    /// - Throws: `DevServerError` with the 4xx or 5xx to answer.
    static func read(from fd: Int32) throws -> Request {
        var buffer: [UInt8] = []
        var headEnd: (head: Int, body: Int)?
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        func receive() throws -> Bool {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0, errno == EINTR { return true }
            if n < 0 { throw DevServerError.quiet }
            buffer += chunk[..<n]
            return n > 0
        }
        while headEnd == nil {
            guard buffer.count <= DevServer.headLimit + chunk.count else {
                throw DevServerError.status(431, "The request's headers are too large.")
            }
            guard try receive() else { throw DevServerError.quiet }
            headEnd = endOfHead(buffer)
        }
        guard headEnd!.head <= DevServer.headLimit else { throw DevServerError.status(431, "The request's headers are too large.") }
        // Split as bytes: to Swift, "\r\n" is one character.
        var lines = buffer[..<headEnd!.head].split(separator: 0x0A, omittingEmptySubsequences: false).map {
            String(decoding: $0.last == 0x0D ? $0.dropLast() : $0, as: UTF8.self)
        }
        let parts = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), !parts[0].isEmpty, parts[1].hasPrefix("/") else {
            throw DevServerError.status(400, "The request line is not HTTP/1.x with a path.")
        }
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw DevServerError.status(400, "A header line has no name.")
            }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
        if header("transfer-encoding") != nil {
            throw DevServerError.status(501, "Request bodies must come with a Content-Length.")
        }
        var length = 0
        if let value = header("content-length") {
            guard let n = Int(value), n >= 0 else { throw DevServerError.status(400, "Content-Length is not a number.") }
            guard n <= DevServer.bodyLimit else { throw DevServerError.status(413, "The request's body is too large.") }
            length = n
        }
        let bodyStart = headEnd!.body
        while buffer.count - bodyStart < length {
            guard try receive() else { throw DevServerError.status(400, "The body ended before its Content-Length.") }
        }
        return Request(method: String(parts[0]), target: String(parts[1]), headers: headers,
                       body: Array(buffer[bodyStart..<(bodyStart + length)]))
    }

    /// Where the head ends (before its empty line) and the body starts, once the buffer holds both.
    private static func endOfHead(_ bytes: [UInt8]) -> (head: Int, body: Int)? {
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x0A {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { return (i, i + 2) }
                if i + 2 < bytes.count, bytes[i + 1] == 0x0D, bytes[i + 2] == 0x0A { return (i, i + 3) }
            }
            i += 1
        }
        return nil
    }
}

/// A response to write back.
struct Reply {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    /// A small HTML page saying what went wrong and what to do.
    static func page(_ status: Int, _ message: String) -> Reply {
        let title = Reply.phrases[status] ?? "Error"
        let html = "<!doctype html><title>\(title)</title><h1>\(title)</h1><p>\(message)</p><p><a href=\"/\">Home</a></p>\n"
        return Reply(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(html.utf8))
    }

    func serialized(includeBody: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(Reply.phrases[status] ?? "Status")\r\n"
        for (name, value) in headers where name.lowercased() != "content-length" && name.lowercased() != "connection" {
            text += "\(name): \(value)\r\n"
        }
        text += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(text.utf8) + (includeBody ? body : [])
    }

    static let phrases = [200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other", 400: "Bad Request",
                          401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
                          409: "Conflict", 410: "Gone", 413: "Content Too Large", 415: "Unsupported Media Type",
                          429: "Too Many Requests", 431: "Request Header Fields Too Large",
                          500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable"]
}

enum DevServerError: Error, CustomStringConvertible {
    /// Answer with this status and a page saying `message`.
    case status(Int, String)
    /// The client went away or timed out: nothing to answer.
    case quiet
    /// A system call failed: what was attempted and why.
    case failed(String)

    static func system(_ attempt: String) -> DevServerError {
        .failed("\(attempt) (\(String(cString: strerror(errno))))")
    }

    var reply: Reply {
        switch self {
        case .status(let status, let message): return Reply.page(status, message)
        case .quiet, .failed: return Reply.page(500, "The server failed to answer.")
        }
    }

    var description: String {
        switch self {
        case .status(let status, let message): return "\(status): \(message)"
        case .quiet: return "the client went away"
        case .failed(let what): return what
        }
    }
}
