import Foundation
import Testing
@testable import SlotsiteServe

struct CGIProcessTests {
    @Test func parsesStatusHeadersAndBody() throws {
        let out = try CGIProcess.parse(Data("Status: 303 See Other\r\nLocation: http://x/a\r\nSet-Cookie: a=b\r\n\r\n<p>hi</p>".utf8))
        #expect(out.status == 303)
        #expect(out.headers.map(\.0) == ["Location", "Set-Cookie"])
        #expect(String(decoding: out.body, as: UTF8.self) == "<p>hi</p>")
        #expect(try CGIProcess.parse(Data("Content-Type: text/plain\n\nx".utf8)).status == 200)
        #expect(try CGIProcess.parse(Data("Location: http://x/\n\n".utf8)).status == 302)
        #expect(throws: (any Error).self) { try CGIProcess.parse(Data("no header block".utf8)) }
    }

    @Test func runsARealChildWithTheRequestInItsEnvironment() throws {
        let script = "printf 'Status: 201 Created\\r\\nX-Method: %s\\r\\n\\r\\n' \"$REQUEST_METHOD\"; cat; printf '|%s|%s' \"$PATH_INFO\" \"$SLOTSITE_SITE\""
        let cgi = CGIProcess(command: ["/bin/sh", "-c", script], environment: ["SLOTSITE_SITE": "/site"])
        let out = try cgi.run(variables: ["REQUEST_METHOD": "POST", "PATH_INFO": "/book"], body: Data("slot=1".utf8))
        #expect(out.status == 201)
        #expect(out.headers.first?.1 == "POST")
        #expect(String(decoding: out.body, as: UTF8.self) == "slot=1|/book|/site")
    }
}
