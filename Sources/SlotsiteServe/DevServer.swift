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
/// build and cron run pays.
public struct DevServer: Sendable {
    public let config: SiteConfig
    public let port: UInt16
    public let cgi: CGIProcess
    /// Where the request log goes: one line per request.
    public let log: @Sendable (String) -> Void

    /// The largest request head and body accepted.
    static let headLimit = 64 * 1024
    static let bodyLimit = 8 * 1024 * 1024

    public init(config: SiteConfig, port: UInt16, cgiCommand: [String], log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.config = config
        self.port = port
        self.log = log
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
        // A CGI child that answers without reading its body closes the pipe the body
        // is written to: that write must fail, not kill the server.
        signal(SIGPIPE, SIG_IGN)
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
        let started = Files.monotonicSeconds()
        var line = "- -"
        func logLine() { log("\(line) \(Int(((Files.monotonicSeconds() - started) * 1000).rounded())) ms") }
        do {
            let request = try Request.read(from: connection)
            head = request.method == "HEAD"
            // The path only (a query may carry a secret), with no control bytes for the terminal.
            line = String(decoding: "\(request.method) \(request.pathAndQuery.0)".utf8.map { $0 < 0x20 || $0 == 0x7F ? 0x3F : $0 }, as: UTF8.self)
            reply = try respond(to: request, port: port)
            line += " \(reply.status)"
        } catch DevServerError.quiet {
            line += " (closed)"
            logLine()
            return
        } catch let error as DevServerError {
            reply = error.reply
            line += " \(reply.status)"
        } catch {
            FileHandle.standardError.write(Data("slotsite serve: \(error)\n".utf8))
            reply = Reply.page(500, "The server failed to answer; its terminal says why.")
            line += " 500"
        }
        let bytes = reply.serialized(includeBody: !head)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        logLine()
        if sent < bytes.count { return }
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
