import SlotsiteSite

/// What a handler decided, before any HTML: `HTMLPresenter` answers it as a page (and
/// a JSON presenter will answer it as a resource or a problem).
enum Outcome {
    /// The change is done: `303 See Other` to `location`, with extra headers (a cookie).
    case done(location: String, headers: [(String, String)] = [])
    /// A page to show: a form or the account page.
    case show(Screen, status: Int = 200, headers: [(String, String)] = [])
    /// Input refused: the form again, with each field's problem by field name.
    case invalid(Screen, status: Int, problems: [String: String], headers: [(String, String)] = [])
    /// Refused outright: a status, a stable code and what to do.
    case refused(HTTPError)
    /// A file that is not a page (a calendar), with its type; `304` when the client's
    /// copy, named by `ETag`, is current.
    case resource(status: Int, contentType: String, body: String, headers: [(String, String)])
}

/// Turns outcomes into HTML responses, with the theme's templates.
struct HTMLPresenter {
    let renderer: PageRenderer

    /// - Throws: `SiteError.badTemplate` when a page cannot be rendered (a fault).
    func response(_ outcome: Outcome, log: (String) -> Void) throws -> Response {
        switch outcome {
        case .done(let location, let headers):
            return .seeOther(location, headers: headers)
        case .show(let screen, let status, let headers), .invalid(let screen, let status, _, let headers):
            return .html(status, try renderer.render(screen), headers: headers)
        case .refused(let refusal):
            return page(for: refusal, log: log)
        case .resource(let status, let contentType, let body, let headers):
            return Response(status: status, headers: (status == 304 ? [] : [("Content-Type", contentType)]) + headers, body: body)
        }
    }

    /// The page for a refusal or a fault, from the theme's `message` template; plain
    /// HTML when even that cannot be rendered.
    func page(for refusal: HTTPError, log: (String) -> Void) -> Response {
        do {
            return .html(refusal.status, try renderer.message(title: refusal.title, message: refusal.message, status: refusal.status),
                         headers: refusal.headers)
        } catch {
            log("slotsite-cgi: cannot render the error page: \(error)")
            return HTMLPresenter.generic()
        }
    }

    /// A fault with no usable configuration or theme.
    static func generic() -> Response {
        .html(500, """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Something went wrong</title></head>
        <body><h1>Something went wrong</h1><p>The server could not finish this request. Try again in a moment.</p></body></html>

        """)
    }
}
