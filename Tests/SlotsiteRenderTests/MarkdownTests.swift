import Foundation
import Testing
@testable import SlotsiteRender

struct MarkdownTests {
    @Test func rendersCommonMark() {
        #expect(Markdown.html(from: "## About\n\nI help with **Swift**.\n\n- one\n- two\n")
            == "<h2>About</h2>\n<p>I help with <strong>Swift</strong>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n")
        #expect(Markdown.html(from: "[site](https://example.org/a?b=1&c=2)")
            == "<p><a href=\"https://example.org/a?b=1&amp;c=2\">site</a></p>\n")
        #expect(Markdown.html(from: "[me](mailto:a@b.org) [rel](/u/ada/) [frag](#x)")
            == "<p><a href=\"mailto:a@b.org\">me</a> <a href=\"/u/ada/\">rel</a> <a href=\"#x\">frag</a></p>\n")
    }

    static let vectors = [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](javascript&#58;alert(1))",
        "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](%6a%61vascript:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](DATA:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox(1))",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml,<svg onload=alert(1)>)",
        "[x]: javascript:alert(1)\n\n[x]",
        "<javascript:alert(1)>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<div onmouseover=\"alert(1)\">hover</div>",
        "`<script>`</script>",
        "[x](file:///etc/passwd)",
        "<style>body{display:none}</style>",
    ]

    @Test(arguments: vectors)
    func dangerousMarkupNeverReachesOutput(_ input: String) {
        let html = Markdown.html(from: input).lowercased()
        for tag in ["<script", "<iframe", "<div", "<style", "<svg", "<img src=\"x\""] {
            #expect(!html.contains(tag), "\(tag) in \(html)")
        }
        // Every URL that reaches an attribute is one the policy allows.
        for attribute in ["href=\"", "src=\""] {
            var rest = html[...]
            while let r = rest.range(of: attribute) {
                let value = rest[r.upperBound...].prefix { $0 != "\"" }
                let decoded = value.replacingOccurrences(of: "&amp;", with: "&")
                #expect(!decoded.contains("&#"), "entity left in \(value)")
                #expect(Markdown.isAllowedURL(decoded), "\(value) in \(html)")
                rest = rest[r.upperBound...]
            }
        }
        // Event handlers only ever appear as escaped text, never inside a tag.
        #expect(!html.contains(" onerror="))
        #expect(!html.contains(" onload="))
        #expect(!html.contains(" onmouseover="))
    }

    @Test(arguments: [("https://a.b", true), ("HTTP://a.b", true), ("mailto:x@y.z", true), ("/rel", true), ("rel/x:y", true),
                      ("", true), ("java\nscript:x", false), (" javascript:x", false), ("ftp://x", false), ("tel:123", false)])
    func urlPolicy(_ c: (String, Bool)) {
        #expect(Markdown.isAllowedURL(c.0) == c.1)
    }

    @Test func pathologicalInputsFinish() {
        // cmark is linear on these; the test fails by hanging, never by a clock.
        let inputs = [String(repeating: "[", count: 50_000), String(repeating: "*a", count: 50_000),
                      String(repeating: "> ", count: 10_000) + "x", String(repeating: "<a>", count: 20_000)]
        for input in inputs { #expect(!Markdown.html(from: input).isEmpty) }
    }
}
