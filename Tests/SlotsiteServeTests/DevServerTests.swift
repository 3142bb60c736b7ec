import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import SlotsiteSite
@testable import SlotsiteServe

/// The dev server on a free port of 127.0.0.1, spoken to over a real socket.
final class RunningServer {
    let root: String
    let listener: DevServer.Listener
    private let finished = DispatchSemaphore(value: 0)

    /// `cgi`: a shell script answering as the CGI program.
    init(cgi: String = "printf 'Content-Type: text/plain\\r\\n\\r\\nhello'", log: @escaping @Sendable (String) -> Void = { _ in }) throws {
        root = NSTemporaryDirectory() + "devserver-" + UUID().uuidString
        let config = SiteConfig(root: root)
        try FileManager.default.createDirectory(atPath: config.outputPath + "/u/ada", withIntermediateDirectories: true)
        try "<h1>Ada</h1>".write(toFile: config.outputPath + "/u/ada/index.html", atomically: true, encoding: .utf8)
        try "body{}".write(toFile: config.outputPath + "/style.css", atomically: true, encoding: .utf8)
        try "secret".write(toFile: config.outputPath + "/.hidden", atomically: true, encoding: .utf8)
        let server = DevServer(config: config, port: 0, cgiCommand: ["/bin/sh", "-c", cgi], log: log)
        listener = try server.listen()
        let finished = self.finished, listener = self.listener
        Thread.detachNewThread {
            server.serve(listener)
            finished.signal()
        }
    }

    deinit {
        shutdown(listener.fd, Int32(SHUT_RDWR)) // wakes accept, which then fails and ends `serve`
        finished.wait()
        close(listener.fd)
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Sends `request` as it is and reads the whole answer: status, headers (names
    /// lowercased) and body.
    func exchange(_ request: String) throws -> (status: Int, headers: [String: String], body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = listener.port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let bytes = Array(request.utf8)
        try #require(bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count)
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += chunk[..<n]
        }
        let text = String(decoding: answer, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        var lines = parts[0].components(separatedBy: "\r\n")
        let status = Int(lines.removeFirst().split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in lines {
            let pair = line.split(separator: ":", maxSplits: 1)
            headers[pair[0].lowercased()] = pair[1].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}

struct DevServerTests {
    @Test func servesFilesFoldersAndRedirectsToTheSlash() throws {
        let server = try RunningServer()
        let page = try server.exchange("GET /u/ada/ HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(page.status == 200)
        #expect(page.body == "<h1>Ada</h1>")
        #expect(page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.headers["content-length"] == "12")
        #expect(page.headers["connection"] == "close")
        let style = try server.exchange("GET /style.css HTTP/1.1\r\n\r\n")
        #expect(style.headers["content-type"] == "text/css; charset=utf-8")
        let folder = try server.exchange("GET /u/ada?x=1 HTTP/1.1\r\n\r\n")
        #expect(folder.status == 301)
        #expect(folder.headers["location"] == "/u/ada/?x=1")
        let head = try server.exchange("HEAD /u/ada/ HTTP/1.1\r\n\r\n")
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "12")
        #expect(try server.exchange("GET /u/%61da/ HTTP/1.1\r\n\r\n").body == "<h1>Ada</h1>", "percent-decoded")
    }

    @Test func refusesWhatItShouldNotServe() throws {
        let server = try RunningServer()
        for path in ["/nothing/", "/.hidden", "/../etc/passwd", "/u/%2e%2e/%2e%2e/etc/passwd"] {
            let answer = try server.exchange("GET \(path) HTTP/1.1\r\n\r\n")
            #expect(answer.status == 404, "\(path)")
            #expect(!answer.body.contains("secret") && !answer.body.contains("root:"))
        }
        #expect(try server.exchange("GET /%zz HTTP/1.1\r\n\r\n").status == 400)
        let post = try server.exchange("POST /u/ada/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
        #expect(post.status == 405 && post.headers["allow"] == "GET, HEAD")
        #expect(try server.exchange("nonsense\r\n\r\n").status == 400)
        #expect(try server.exchange("GET /\r\n\r\n").status == 400, "no HTTP version")
        #expect(try server.exchange("GET / HTTP/1.1\r\nno colon here\r\n\r\n").status == 400)
        #expect(try server.exchange("POST /cgi-bin/slotsite/book HTTP/1.1\r\nContent-Length: 999999999\r\n\r\n").status == 413)
        #expect(try server.exchange("POST /cgi-bin/slotsite/book HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").status == 501)
        let huge = String(repeating: "X-Filler: " + String(repeating: "a", count: 1000) + "\r\n", count: 80)
        let big = try server.exchange("GET / HTTP/1.1\r\n\(huge)\r\n")
        #expect(big.status == 431, "\(big)")
    }

    @Test func runsTheCGIWithTheRequestInItsEnvironment() throws {
        let script = """
            printf 'Status: 303 See Other\\r\\nLocation: /done/\\r\\nSet-Cookie: a=b\\r\\n\\r\\n'
            printf '%s|%s|%s|%s|%s|%s|%s|' "$REQUEST_METHOD" "$SCRIPT_NAME" "$PATH_INFO" "$QUERY_STRING" \
                "$CONTENT_TYPE" "$CONTENT_LENGTH" "$HTTP_X_TEST"
            printf '%s|' "${HTTP_AUTHORIZATION-none}" "${HTTP_PROXY-none}"
            cat
            """
        let server = try RunningServer(cgi: script)
        let body = "slot=42&note=caf%C3%A9"
        let answer = try server.exchange("""
            POST /cgi-bin/slotsite/b%6Fok?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
            Content-Length: \(body.utf8.count)\r\nX-Test: one\r\nX-Test: two\r\nAuthorization: Basic eA==\r\nProxy: http://evil/\r\n\r\n\(body)
            """)
        #expect(answer.status == 303)
        #expect(answer.headers["location"] == "/done/")
        #expect(answer.headers["set-cookie"] == "a=b")
        #expect(answer.body == "POST|/cgi-bin/slotsite|/book|x=1|application/x-www-form-urlencoded|22|one, two|none|none|\(body)")
    }

    /// A CGI that refuses a POST without reading its body closes the pipe the body is
    /// written to; the server must answer and live on (it died of SIGPIPE before).
    @Test func survivesACGIThatAnswersWithoutReadingTheBody() throws {
        let lines = LogLines()
        let server = try RunningServer(cgi: "printf 'Status: 403 Forbidden\\r\\nContent-Type: text/plain\\r\\n\\r\\nno'",
                                       log: { lines.append($0) })
        let body = String(repeating: "x", count: 1 << 20)
        for _ in 0..<12 {
            let r = try server.exchange("POST /cgi-bin/slotsite/book HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
            #expect(r.status == 403)
        }
        #expect(try server.exchange("GET /u/ada/ HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
        // A line is logged once the answer is sent, which the client may read first.
        for _ in 0..<200 where !lines.all.contains(where: { $0.hasPrefix("GET /u/ada/") }) { usleep(10_000) }
        let logged = lines.all
        #expect(logged.filter { $0.hasPrefix("POST /cgi-bin/slotsite/book 403 ") && $0.hasSuffix(" ms") }.count == 12)
        #expect(logged.contains { $0.hasPrefix("GET /u/ada/ 200 ") })
    }
}

/// Lines a server logged, from its connection threads.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
