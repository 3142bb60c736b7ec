// slotsite-cgi: run by the web server for every request under `cgi_url` (RFC 3875).
// The site folder comes from SLOTSITE_SITE; everything else is in SlotsiteCGI.
import Foundation
import SlotsiteCGI

let (response, includeBody) = CGIApplication.respond(
    variables: ProcessInfo.processInfo.environment,
    readBody: StandardStreams.read,
    now: Int64(Date().timeIntervalSince1970),
    log: StandardStreams.log)
StandardStreams.write(response.cgiOutput(includeBody: includeBody))
