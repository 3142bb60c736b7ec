/// A request the CGI refuses, with the status it answers and what the person can do.
public struct HTTPError: Error, Equatable, Sendable {
    public let status: Int
    public let title: String
    public let message: String
    public var headers: [(String, String)] = []

    public init(_ status: Int, _ title: String, _ message: String, headers: [(String, String)] = []) {
        self.status = status
        self.title = title
        self.message = message
        self.headers = headers
    }

    public static func == (a: HTTPError, b: HTTPError) -> Bool {
        a.status == b.status && a.title == b.title && a.message == b.message
    }

    static func badRequest(_ message: String) -> HTTPError { HTTPError(400, "Bad request", message) }
    static let notFound = HTTPError(404, "Not found", "There is nothing at this address. Go back to the site and follow a link from there.")
    static let forbiddenOrigin = HTTPError(403, "Forbidden",
        "This form was not sent from this site, so it was refused. Go back to the page, reload it and submit the form again.")
}

/// Reason phrases for the statuses the CGI answers.
enum HTTPStatus {
    static func phrase(_ code: Int) -> String {
        switch code {
        case 200: return "OK"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 415: return "Unsupported Media Type"
        case 429: return "Too Many Requests"
        case 503: return "Service Unavailable"
        default: return "Internal Server Error"
        }
    }
}
