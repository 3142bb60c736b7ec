import SlotsiteRender
import SlotsiteSite

/// Pages for refused and failed requests.
enum ErrorPage {
    /// The page for `error`, from the theme's `message` template; plain HTML when even
    /// that cannot be rendered.
    static func render(_ refusal: HTTPError, config: SiteConfig, log: (String) -> Void) -> Response {
        let renderer = PageRenderer(config: config, templates: Templates.directory(config.templatesPath))
        do {
            let body = try renderer.render("message", [
                "site": .context(renderer.site), "title": .string(refusal.title), "message": .string(refusal.message),
                "status": .number(Double(refusal.status)),
            ])
            return .html(refusal.status, body, headers: refusal.headers)
        } catch {
            log("slotsite-cgi: cannot render the error page: \(error)")
            return generic()
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
