import CCmark
#if canImport(Glibc)
import Glibc
#endif

/// CommonMark → HTML through libcmark in its safe mode.
///
/// Raw HTML is omitted, and a link or image may point only at `http`, `https`,
/// `mailto` or a relative URL; any other scheme is emptied.
public enum Markdown {
    /// What `html(from:)` gives for a text can change only with this number: libcmark's
    /// version above the low byte, the revision of this file's options and URL rules in
    /// it. HTML kept from another format is cooked again.
    public static let format = Int64(cmark_version()) << 8 | 1

    public static func html(from markdown: String) -> String {
        var source = markdown
        let document: OpaquePointer? = source.withUTF8 { buf in
            buf.withMemoryRebound(to: CChar.self) { cmark_parse_document($0.baseAddress, $0.count, CMARK_OPT_DEFAULT) }
        }
        guard let document else { return "" }
        defer { cmark_node_free(document) }
        restrictURLs(in: document)
        guard let rendered = cmark_render_html(document, CMARK_OPT_DEFAULT) else { return "" }
        defer { free(rendered) }
        return String(cString: rendered)
    }

    /// True for `http:`, `https:`, `mailto:` and relative URLs, judged as a browser
    /// would read the scheme: ignoring case, control characters and whitespace.
    public static func isAllowedURL(_ url: String) -> Bool {
        var scheme: [UInt8] = []
        for b in url.utf8 {
            if b <= 0x20 || b == 0x7F { continue }
            if b == UInt8(ascii: "/") || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") { return true }
            if b == UInt8(ascii: ":") {
                let name = String(decoding: scheme, as: UTF8.self).lowercased()
                return name == "http" || name == "https" || name == "mailto"
            }
            scheme.append(b)
        }
        return true
    }

    private static func restrictURLs(in document: OpaquePointer) {
        guard let iterator = cmark_iter_new(document) else { return }
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(node)
            guard type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE else { continue }
            if let url = cmark_node_get_url(node), !isAllowedURL(String(cString: url)) {
                cmark_node_set_url(node, "")
            }
        }
    }
}
