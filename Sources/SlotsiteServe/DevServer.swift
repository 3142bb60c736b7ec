import FlyingFox
import Foundation
import SlotsiteSite

/// `slotsite serve`: the output folder as static files and the CGI as a real child
/// process under `cgi_url`, on 127.0.0.1 only.
public struct DevServer: Sendable {
    public let config: SiteConfig
    public let port: UInt16
    public let cgi: CGIProcess

    public init(config: SiteConfig, port: UInt16, cgiCommand: [String]) {
        self.config = config
        self.port = port
        self.cgi = CGIProcess(command: cgiCommand, environment: ["SLOTSITE_SITE": config.root])
    }

    /// Serves until the process is stopped.
    public func run() async throws {
        let server = HTTPServer(address: try .inet(ip4: "127.0.0.1", port: port), logger: .disabled)
        let handler = self
        await server.appendRoute("*") { request in try await handler.respond(to: request) }
        try await server.run()
    }

    func respond(to request: HTTPRequest) async throws -> HTTPResponse {
        let path = request.target.path(percentEncoded: true)
        if path == config.cgiURL || path.hasPrefix(config.cgiURL + "/") {
            return try await runCGI(request, pathInfo: String(path.dropFirst(config.cgiURL.count)))
        }
        return staticFile(request.target.path(percentEncoded: false), head: request.method == .HEAD)
    }

    private func runCGI(_ request: HTTPRequest, pathInfo: String) async throws -> HTTPResponse {
        let body = try await request.bodyData
        var variables = [
            "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1", "SERVER_SOFTWARE": "slotsite-serve",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": String(port), "REQUEST_METHOD": request.method.rawValue,
            "SCRIPT_NAME": config.cgiURL, "PATH_INFO": pathInfo.removingPercentEncoding ?? pathInfo,
            "QUERY_STRING": request.target.query(percentEncoded: true),
            "REMOTE_ADDR": request.remoteIPAddress ?? "127.0.0.1",
        ]
        if !body.isEmpty || request.method == .POST { variables["CONTENT_LENGTH"] = String(body.count) }
        for (header, value) in request.headers {
            let name = header.rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
            if name == "CONTENT_TYPE" { variables["CONTENT_TYPE"] = value; continue }
            if name == "CONTENT_LENGTH" || name == "PROXY" || name == "AUTHORIZATION" { continue } // RFC 3875 §4.1.18, httpoxy
            variables["HTTP_" + name] = value
        }
        let cgi = self.cgi
        let output = try await Task.detached { try cgi.run(variables: variables, body: body) }.value
        var headers = HTTPHeaders()
        for (name, value) in output.headers { headers.addValue(value, for: HTTPHeader(name)) }
        return HTTPResponse(statusCode: HTTPStatusCode(output.status, phrase: DevServer.phrases[output.status] ?? "Status"),
                            headers: headers, body: output.body)
    }

    private func staticFile(_ path: String, head: Bool) -> HTTPResponse {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !segments.contains(where: { $0 == ".." || $0 == "." || $0.hasPrefix(".") }) else {
            return HTTPResponse(statusCode: .notFound)
        }
        var file = config.outputPath + "/" + segments.joined(separator: "/")
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
            guard path.hasSuffix("/") else {
                return HTTPResponse(statusCode: .movedPermanently, headers: HTTPHeaders([.location: path + "/"]))
            }
            file += "/index.html"
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            return HTTPResponse(statusCode: .notFound, headers: HTTPHeaders([.contentType: "text/html; charset=utf-8"]),
                                body: Data("<!doctype html><title>Not found</title><h1>Not found</h1><p><a href=\"/\">Home</a></p>\n".utf8))
        }
        let type = DevServer.contentTypes[(file as NSString).pathExtension] ?? "application/octet-stream"
        return HTTPResponse(statusCode: .ok, headers: HTTPHeaders([.contentType: type]), body: head ? Data() : data)
    }

    static let phrases = [200: "OK", 302: "Found", 303: "See Other", 400: "Bad Request", 401: "Unauthorized",
                          403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 410: "Gone",
                          413: "Content Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests",
                          500: "Internal Server Error", 503: "Service Unavailable"]

    static let contentTypes = ["html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8",
                               "xml": "application/xml", "js": "text/javascript", "svg": "image/svg+xml",
                               "png": "image/png", "jpg": "image/jpeg", "ico": "image/x-icon", "txt": "text/plain; charset=utf-8"]
}
