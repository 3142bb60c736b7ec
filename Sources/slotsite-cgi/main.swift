// slotsite-cgi: run by the web server for every request under `cgi_url` (RFC 3875).
// The site folder comes from SLOTSITE_SITE; everything else is in SlotsiteCGI.
// No Foundation here or below: a CGI starts once per request.
import Glibc
import SlotsiteCGI

// A file-size limit must fail a write (answered 500), not kill the process mid-page.
signal(SIGXFSZ, SIG_IGN)
// The process lives for one request: its heap grows in large steps and never shrinks,
// which spares most of its brk calls.
_ = mallopt(-1 /* M_TRIM_THRESHOLD */, 1 << 30)
_ = mallopt(-2 /* M_TOP_PAD */, 1 << 20)
CGIApplication.run(variables: StandardStreams.environment(), now: Int64(time(nil)))

/// mallopt(3) from <malloc.h>, which Swift's Glibc module does not include.
@_silgen_name("mallopt")
func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
