import SlotsiteCore
import SlotsiteSite

/// The CGI program: one request in, one response out.
public enum CGIApplication {
    /// Answers one request.
    ///
    /// - Parameters:
    ///   - variables: the CGI meta-variables (the process environment).
    ///   - readBody: reads exactly the given number of bytes of the body, or fewer
    ///     when the input ends early.
    ///   - now: seconds since the epoch.
    ///   - log: where details of faults go (standard error); never to the client.
    ///   - wroteMail: called with the site's configuration when the request wrote
    ///     a message to the outbox, for a drain to start once the answer is out.
    ///   - committed: called when the request's change has committed and its pages
    ///     are about to be rendered.
    /// - Returns: the response and whether to send its body (not for HEAD).
    public static func respond(variables: [String: String], readBody: (Int) -> [UInt8], now: Int64,
                               log: @escaping (String) -> Void,
                               wroteMail: (SiteConfig) -> Void = { _ in },
                               committed: @escaping () -> Void = {},
                               keep: (AnyObject) -> Void = { _ in }) -> (response: Response, includeBody: Bool) {
        let includeBody = variables["REQUEST_METHOD"] != "HEAD"
        guard let site = variables["SLOTSITE_SITE"], !site.isEmpty else {
            log("slotsite-cgi: SLOTSITE_SITE is not set; point it at the site folder in the web server's configuration")
            return (HTMLPresenter.generic(), includeBody)
        }
        let config: SiteConfig
        do { config = try SiteConfig.load(site: site) } catch {
            log("slotsite-cgi: \(error)")
            return (HTMLPresenter.generic(), includeBody)
        }
        let presenter = HTMLPresenter(renderer: PageRenderer(config: config))
        do {
            let request = try CGIRequest(variables: variables)
            let route = try Route(request.method, request.segments)
            var form = FormData(fields: [:])
            if request.method == .post {
                let length = try request.bodyLength()
                try OriginCheck.verify(request, config: config)
                let body = length > 0 ? readBody(length) : []
                guard body.count == length else {
                    throw HTTPError.badRequest("The form arrived incomplete. Send it again.")
                }
                form = try FormData(decoding: body)
            }
            let context = CGIContext(config: config, request: request, form: form, now: now, renderer: presenter.renderer, log: log,
                                     committed: committed)
            let response = try presenter.response(try context.handle(route), log: log)
            if context.wroteMail { wroteMail(config) }
            keep(context)
            return (response, includeBody)
        } catch let error as HTTPError {
            return (presenter.page(for: error, log: log), includeBody)
        } catch {
            log("slotsite-cgi: \(error)")
            return (presenter.page(for: HTTPError(500, "Something went wrong",
                "The server could not finish this request. Nothing you typed is lost on your side: go back and try again in a moment."),
                log: log), includeBody)
        }
    }
}

/// The CSRF rule: a POST must come from the site itself.
enum OriginCheck {
    /// - Throws: `HTTPError` 403 unless `Sec-Fetch-Site` is `same-origin`, or, without
    ///   it, `Origin` is the site's origin, or, without both, `Referer` is under `base_url`.
    static func verify(_ request: CGIRequest, config: SiteConfig) throws {
        let allowed: Bool
        if let site = request.header("Sec-Fetch-Site") {
            allowed = site == "same-origin"
        } else if let origin = request.header("Origin") {
            allowed = origin == config.origin
        } else if let referer = request.header("Referer") {
            allowed = referer.hasPrefix(config.baseURL)
        } else {
            allowed = false
        }
        guard allowed else { throw HTTPError.forbiddenOrigin }
    }
}
