import Foundation
import SlotsiteSite
import SlotsiteStore
@testable import SlotsiteCGI

/// A site in a temporary folder and a way to send it requests in-process.
final class CGIHarness {
    let directory: String
    var now: Int64 = 1_795_780_800 // 2026-11-27T12:00:00Z
    var logged: [String] = []

    init() throws {
        directory = NSTemporaryDirectory() + "slotsite-cgi-" + UUID().uuidString
        try SiteInit.create(at: directory)
        let site = try Site.open(directory)
        _ = try site.builder().buildAll(now: now)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    var store: Store { get throws { try Site.open(directory).store } }

    struct Result {
        let status: Int
        let headers: [(String, String)]
        let body: String
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var cookie: String? { header("Set-Cookie")?.split(separator: ";").first.map(String.init) }
    }

    /// Sends one request; `body` is sent as given, with a matching CONTENT_LENGTH unless overridden.
    func send(_ method: String, _ path: String, body: String? = nil, cookie: String? = nil,
              variables extra: [String: String] = [:], sameOrigin: Bool = true) -> Result {
        var v = ["SLOTSITE_SITE": directory, "REQUEST_METHOD": method, "PATH_INFO": path, "REMOTE_ADDR": "127.0.0.1"]
        if let q = path.firstIndex(of: "?") {
            v["PATH_INFO"] = String(path[..<q])
            v["QUERY_STRING"] = String(path[path.index(after: q)...])
        }
        if let body {
            v["CONTENT_LENGTH"] = String(body.utf8.count)
            v["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        }
        if sameOrigin, method == "POST" { v["HTTP_SEC_FETCH_SITE"] = "same-origin" }
        if let cookie { v["HTTP_COOKIE"] = cookie }
        for (k, value) in extra { v[k] = value }
        let bytes = Array((body ?? "").utf8)
        var offset = 0
        let (response, _) = CGIApplication.respond(variables: v, readBody: { n in
            let chunk = Array(bytes[offset..<min(bytes.count, offset + n)])
            offset += chunk.count
            return chunk
        }, now: now, log: { self.logged.append($0) })
        return Result(status: response.status, headers: response.headers, body: response.body)
    }

    func post(_ path: String, _ fields: [(String, String)] = [], cookie: String? = nil) -> Result {
        send("POST", path, body: fields.map { "\($0.0)=\(FormEncoding.encode($0.1))" }.joined(separator: "&"), cookie: cookie)
    }

    /// Registers a user (a professional with a public page unless `offer` is false) and
    /// returns their session cookie.
    func register(_ handle: String, password: String = "password1", offer: Bool = true) throws -> String {
        let r = post("/register", [("handle", handle), ("name", handle.capitalized), ("email", "\(handle)@example.org"),
                                   ("password", password)] + (offer ? [("offer", "1")] : []))
        guard r.status == 303, let cookie = r.cookie else { throw HarnessError(message: "register \(handle): \(r.status) \(r.body)") }
        return cookie
    }

    func page(_ path: String) throws -> String {
        try String(contentsOfFile: directory + "/public/" + path, encoding: .utf8)
    }

    struct HarnessError: Error { let message: String }
}
