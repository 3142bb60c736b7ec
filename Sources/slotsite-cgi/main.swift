// slotsite-cgi: run by the web server for every request under `cgi_url` (RFC 3875).
// The site folder comes from SLOTSITE_SITE; everything else is in SlotsiteCGI.
// No Foundation here or below: a CGI starts once per request.
import Glibc
import SlotsiteCGI

// A file-size limit must fail a write (answered 500), not kill the process mid-page.
signal(SIGXFSZ, SIG_IGN)
let (response, includeBody) = CGIApplication.respond(
    variables: StandardStreams.environment(),
    readBody: StandardStreams.read,
    now: Int64(time(nil)),
    log: StandardStreams.log)
StandardStreams.write(response.cgiOutput(includeBody: includeBody))
