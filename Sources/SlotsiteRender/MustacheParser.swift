/// Turns template source into `MustacheTemplate.Node`s: tokens first, with the spec's
/// standalone-line rule applied line by line, then a tree.
struct MustacheParser {
    private struct Token {
        enum Kind { case text, variable, unescaped, section, inverted, close, comment, partial, parent, block, delimiters }
        var kind: Kind
        var content: String
        var line: Int
        var indent = ""
        var standalone = false
        /// For a block tag that is not standalone: the whitespace before it, if only whitespace is.
        var prefix = ""
        var closesParent = false

        var canStandAlone: Bool {
            switch kind {
            case .text, .variable, .unescaped: return false
            default: return true
            }
        }
    }

    private let name: String
    private let bytes: [UInt8]
    private var open: [UInt8] = Array("{{".utf8)
    private var close: [UInt8] = Array("}}".utf8)
    private var tokens: [Token] = []
    private var lineStart = 0
    private var line = 1
    private var openKinds: [Token.Kind] = []

    init(name: String, source: String) {
        self.name = name
        self.bytes = Array(source.utf8)
    }

    mutating func parse() throws -> [MustacheTemplate.Node] {
        try tokenize()
        var index = 0
        let nodes = try buildNodes(&index, closing: nil)
        return nodes
    }

    // MARK: Tokens

    private mutating func tokenize() throws {
        var i = 0
        // The next opening delimiter, found once and kept until passed: searching
        // again from every line start re-read the text up to it once per line.
        var tag: Int?
        var tagSearched = false
        while i < bytes.count {
            if !tagSearched || tag.map({ $0 < i }) ?? false {
                tag = find(open, from: i)
                tagSearched = true
            }
            let newline = bytes[i...].firstIndex(of: 0x0A)
            if let nl = newline, tag == nil || nl < tag! {
                tokens.append(Token(kind: .text, content: string(i..<nl + 1), line: line))
                i = nl + 1
                finishLine()
                line += 1
                continue
            }
            guard let start = tag else {
                tokens.append(Token(kind: .text, content: string(i..<bytes.count), line: line))
                break
            }
            if start > i { tokens.append(Token(kind: .text, content: string(i..<start), line: line)) }
            i = try readTag(at: start)
            tagSearched = false // past this tag; its delimiters may have changed
        }
        finishLine()
    }

    /// Reads the tag whose opening delimiter starts at `start`; returns the index after it.
    private mutating func readTag(at start: Int) throws -> Int {
        let bodyStart = start + open.count
        let tagLine = line
        guard bodyStart < bytes.count else { throw error(.unclosedTag, "unclosed tag") }
        let sigil = bytes[bodyStart]
        var closer = close
        if sigil == UInt8(ascii: "{") { closer = [UInt8(ascii: "}")] + close }
        if sigil == UInt8(ascii: "=") { closer = [UInt8(ascii: "=")] + close }
        guard let end = find(closer, from: bodyStart + 1) else { throw error(.unclosedTag, "unclosed tag") }
        line += bytes[start..<end].lazy.filter { $0 == 0x0A }.count
        let after = end + closer.count
        let hasSigil = "{=!#^/>&<$".utf8.contains(sigil)
        // The name between the delimiters, without surrounding blanks.
        var lo = hasSigil ? bodyStart + 1 : bodyStart
        var hi = end
        while lo < hi, MustacheParser.isTagBlank(bytes[lo]) { lo += 1 }
        while hi > lo, MustacheParser.isTagBlank(bytes[hi - 1]) { hi -= 1 }
        let content = string(lo..<hi)
        var token = Token(kind: .variable, content: content, line: tagLine)
        switch sigil {
        case UInt8(ascii: "{"), UInt8(ascii: "&"): token.kind = .unescaped
        case UInt8(ascii: "!"): token.kind = .comment
        case UInt8(ascii: "#"): token.kind = .section
        case UInt8(ascii: "^"): token.kind = .inverted
        case UInt8(ascii: "/"): token.kind = .close
        case UInt8(ascii: ">"): token.kind = .partial
        case UInt8(ascii: "<"): token.kind = .parent
        case UInt8(ascii: "$"): token.kind = .block
        case UInt8(ascii: "="):
            token.kind = .delimiters
            let parts = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2, !parts.contains(where: { $0.contains("=") }) else {
                throw error(.badDelimiters, "set delimiters as {{=<% %>=}}")
            }
            open = Array(parts[0].utf8)
            close = Array(parts[1].utf8)
        default: break
        }
        if token.kind != .comment, token.kind != .delimiters, content.isEmpty {
            throw error(.emptyTag, "empty tag")
        }
        switch token.kind {
        case .section, .inverted, .parent, .block: openKinds.append(token.kind)
        case .close: token.closesParent = openKinds.popLast() == .parent
        default: break
        }
        tokens.append(token)
        return after
    }

    /// Applies the standalone rule to the line just read: a line holding only
    /// whitespace and tags that print nothing loses its whitespace and newline. More
    /// than one tag may share such a line only next to a parent tag, whose other
    /// content is ignored anyway.
    private mutating func finishLine() {
        defer { lineStart = tokens.count }
        // One pass over the line's tokens, reading fields in place: most lines hold
        // text alone, and copying tokens into arrays to decide was most of parsing.
        var tags = 0, canStandAlone = true, blankText = true, nextToParent = false, hasBlock = false
        for k in lineStart..<tokens.count {
            switch tokens[k].kind {
            case .text:
                if blankText, !isBlank(tokens[k].content) { blankText = false }
            case let kind:
                tags += 1
                canStandAlone = canStandAlone && tokens[k].canStandAlone
                nextToParent = nextToParent || kind == .parent || tokens[k].closesParent
                hasBlock = hasBlock || kind == .block
            }
        }
        guard tags > 0 else { return }
        if canStandAlone, blankText, tags == 1 || nextToParent {
            var indent = ""
            for k in lineStart..<tokens.count { if tokens[k].kind == .text { indent += tokens[k].content } else { break } }
            var kept = tokens[lineStart...].filter { $0.kind != .text }
            for k in kept.indices { kept[k].standalone = true }
            kept[kept.startIndex].indent = indent
            tokens.replaceSubrange(lineStart..., with: kept)
        } else if hasBlock {
            var before = ""
            var onlyWhitespace = true
            for k in lineStart..<tokens.count {
                if tokens[k].kind == .text {
                    onlyWhitespace = onlyWhitespace && isBlank(tokens[k].content)
                    before += tokens[k].content
                } else {
                    if tokens[k].kind == .block, onlyWhitespace { tokens[k].prefix = before }
                    onlyWhitespace = false
                }
            }
        }
    }

    // MARK: Tree

    private func buildNodes(_ index: inout Int, closing: Token?) throws -> [MustacheTemplate.Node] {
        var nodes: [MustacheTemplate.Node] = []
        while index < tokens.count {
            let t = tokens[index]
            index += 1
            switch t.kind {
            case .text:
                // A run of text is one token a line: gathered into one buffer here, not
                // by copying the node so far once per line.
                var text = Array(t.content.utf8)
                while index < tokens.count, tokens[index].kind == .text {
                    text += tokens[index].content.utf8
                    index += 1
                }
                if case .text(let previous)? = nodes.last {
                    nodes[nodes.count - 1] = .text(previous + text)
                } else {
                    nodes.append(.text(text))
                }
            case .variable, .unescaped:
                nodes.append(.variable(path: path(t.content), escaped: t.kind == .variable))
            case .comment, .delimiters:
                continue
            case .partial:
                nodes.append(.partial(name: t.content, indent: t.indent))
            case .section, .inverted:
                let inner = try buildNodes(&index, closing: t)
                nodes.append(.section(path: path(t.content), inverted: t.kind == .inverted, nodes: inner))
            case .parent:
                let inner = try buildNodes(&index, closing: t)
                var blocks: [String: MustacheTemplate.Block] = [:]
                for case .block(let b) in inner { blocks[b.name] = b }
                nodes.append(.parent(name: t.content, indent: t.indent, blocks: blocks))
            case .block:
                let inner = try buildNodes(&index, closing: t)
                var indent = t.prefix
                if t.standalone {
                    indent = t.indent
                    if case .text(let first)? = inner.first {
                        let lead = String(decoding: first.prefix { $0 == 0x20 || $0 == 0x09 }, as: UTF8.self)
                        if !lead.isEmpty { indent = lead }
                    }
                }
                nodes.append(.block(.init(name: t.content, nodes: inner, expansionIndent: indent, standalone: t.standalone)))
            case .close:
                guard let closing, closing.content == t.content else {
                    throw RenderError(.unexpectedClose, template: name, line: t.line, "unexpected {{/\(t.content)}}")
                }
                return nodes
            }
        }
        if let closing {
            throw RenderError(.unclosedSection, template: name, line: closing.line, "{{\(closing.content)}} is never closed")
        }
        return nodes
    }

    // MARK: Helpers

    /// A tag's name split at its dots, as bytes: `String.split` walks Characters, which
    /// took a quarter of parsing the templates a booking renders.
    private func path(_ name: String) -> [String] {
        name == "." ? [] : Array(name.utf8).split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// Space, tab, CR or LF: what may surround a tag's name.
    private static func isTagBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    private func isBlank(_ s: String) -> Bool {
        s.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
            && !s.utf8.dropLast().contains(0x0A)
    }

    private func find(_ needle: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        var i = from
        let last = bytes.count - needle.count
        let first = needle[0]
        while i <= last {
            if bytes[i] == first {
                var k = 1
                while k < needle.count, bytes[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    private func string(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    private func error(_ reason: RenderError.Reason, _ detail: String) -> RenderError {
        RenderError(reason, template: name, line: line, detail)
    }
}
