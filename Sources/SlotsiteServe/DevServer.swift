import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SlotsiteCore
import SlotsiteSite

/// `slotsite serve`: the output folder as static files and the CGI as a real child
/// process under `cgi_url`, on 127.0.0.1 only.
///
/// A small HTTP/1.1 server of its own, enough for a browser on the same machine: one
/// thread and one request per connection (`Connection: close`). An HTTP package with
/// Foundation's networking linked libcurl and some thirty libraries behind it into the
/// `slotsite` program, and loading them was two thirds of its start-up, which every
/// build and cron run pays (18.8 -> 5.9 ms with the static standard library).
public struct DevServer: Sendable {
    public let config: SiteConfig
    public let port: UInt16
    public let cgi: CGIProcess

    /// The largest request head and body accepted.
    static let headLimit = 64 * 1024
    static let bodyLimit = 8 * 1024 * 1024

    public init(config: SiteConfig, port: UInt16, cgiCommand: [String]) {
        self.config = config
        self.port = port
        self.cgi = CGIProcess(command: cgiCommand, environment: ["SLOTSITE_SITE": config.root])
    }

    /// A listening socket on 127.0.0.1 and the port it got (`port` 0: any free one).
    public struct Listener: Sendable {
        public let fd: Int32
        public let port: UInt16
    }

    /// Binds 127.0.0.1 at `port`.
    /// - Throws: `DevServerError` when the port is taken or the socket cannot be made.
    public func listen() throws -> Listener {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DevServerError.system("cannot make a socket") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && Glibc.listen(fd, 128) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else {
            let error = DevServerError.system("cannot listen on 127.0.0.1:\(port)")
            close(fd)
            throw error
        }
        return Listener(fd: fd, port: UInt16(bigEndian: address.sin_port))
    }

    /// Serves until the process is stopped.
    public func run() throws {
        serve(try listen())
    }

    /// Accepts connections on `listener`, each answered on a thread of its own, until
    /// the listener is closed.
    public func serve(_ listener: Listener) {
        while true {
            let connection = accept(listener.fd, nil, nil)
            if connection < 0 {
                if errno == EBADF || errno == EINVAL || errno == ENOTSOCK { return }
                if errno != EINTR && errno != ECONNABORTED { usleep(10_000) } // out of descriptors: wait for some
                continue
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC) // not inherited by CGI children
            Thread.detachNewThread { self.answer(connection, port: listener.port) }
        }
    }

    /// One request on `connection`: read, answered, closed.
    func answer(_ connection: Int32, port: UInt16) {
        defer { close(connection) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0) // a silent client does not keep its thread for ever
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let reply: Reply
        var head = false // a HEAD request is answered without the body
        do {
            let request = try Request.read(from: connection)
            head = request.method == "HEAD"
            reply = try respond(to: request, port: port)
        } catch DevServerError.quiet {
            return
        } catch let error as DevServerError {
            reply = error.reply
        } catch {
            FileHandle.standardError.write(Data("slotsite serve: \(error)\n".utf8))
            reply = Reply.page(500, "The server failed to answer; its terminal says why.")
        }
        let bytes = reply.serialized(includeBody: !head)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
        // A request refused before it was read to its end has bytes still coming: closing
        // with them unread would reset the connection and lose the answer. So say that
        // nothing more comes from here, and read until the client closes (briefly).
        shutdown(connection, Int32(SHUT_WR))
        timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var drained = 0, scratch = [UInt8](repeating: 0, count: 16 * 1024)
        while drained < DevServer.bodyLimit {
            let n = scratch.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            drained += n
        }
    }

    func respond(to request: Request, port: UInt16) throws -> Reply {
        let (path, query) = request.pathAndQuery
        if path == config.cgiURL || path.hasPrefix(config.cgiURL + "/") {
            return try runCGI(request, pathInfo: String(path.dropFirst(config.cgiURL.count)), query: query, port: port)
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            var reply = Reply.page(405, "Only GET and HEAD reach static pages.")
            reply.headers.append(("Allow", "GET, HEAD"))
            return reply
        }
        guard let decoded = DevServer.percentDecoded(path) else { return Reply.page(400, "The address is not valid.") }
        return staticFile(decoded, raw: path, query: query)
    }

    private func runCGI(_ request: Request, pathInfo: String, query: String, port: UInt16) throws -> Reply {
        var variables = [
            "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_SOFTWARE": "slotsite-serve",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": String(port), "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": config.cgiURL, "PATH_INFO": DevServer.percentDecoded(pathInfo) ?? pathInfo,
            "QUERY_STRING": query, "REMOTE_ADDR": "127.0.0.1",
        ]
        if !request.body.isEmpty || request.method == "POST" { variables["CONTENT_LENGTH"] = String(request.body.count) }
        for (header, value) in request.headers {
            let name = String(header.uppercased().map { $0 == "-" ? "_" : $0 })
            if name == "CONTENT_TYPE" { variables["CONTENT_TYPE"] = value; continue }
            if name == "CONTENT_LENGTH" || name == "PROXY" || name == "AUTHORIZATION" { continue } // RFC 3875 §4.1.18, httpoxy
            variables["HTTP_" + name] = variables["HTTP_" + name].map { $0 + ", " + value } ?? value
        }
        let output = try cgi.run(variables: variables, body: Data(request.body))
        return Reply(status: output.status, headers: output.headers, body: [UInt8](output.body))
    }

    private func staticFile(_ path: String, raw: String, query: String) -> Reply {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !segments.contains(where: { $0.hasPrefix(".") || $0.contains("\0") }) else {
            return Reply.page(404, "There is no page at this address.")
        }
        var file = config.outputPath + "/" + segments.joined(separator: "/")
        if Files.isDirectory(file) {
            guard path.hasSuffix("/") else {
                return Reply(status: 301, headers: [("Location", raw + "/" + (query.isEmpty ? "" : "?" + query))], body: [])
            }
            file += "/index.html"
        }
        guard let bytes = readFileBytes(file) else { return Reply.page(404, "There is no page at this address.") }
        let suffix = file.split(separator: "/").last?.split(separator: ".").last.map(String.init) ?? ""
        return Reply(status: 200, headers: [("Content-Type", DevServer.contentTypes[suffix] ?? "application/octet-stream")], body: bytes)
    }

    /// `%XX` sequences decoded; nil when one is malformed or the result is not UTF-8.
    static func percentDecoded(_ text: String) -> String? {
        percentDecodedBytes(text.utf8, plusIsSpace: false).flatMap { String(validating: $0, as: UTF8.self) }
    }

    static let contentTypes = ["html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
                               "xml": "application/xml", "js": "text/javascript", "svg": "image/svg+xml",
                               "png": "image/png", "jpg": "image/jpeg", "ico": "image/x-icon", "txt": "text/plain; charset=utf-8"]
}

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
