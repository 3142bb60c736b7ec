import SlotsiteCore

/// The part of YAML that `slotsite.yml` and front matter use: one `key: value` a line,
/// `#` comments, plain, single- or double-quoted scalars. Anything else is an error
/// that names the line, rather than a guess.
///
/// Reads UTF-8 bytes: every byte it looks at is ASCII, so no Unicode tables are loaded
/// (the CGI parses `slotsite.yml` on every request).
struct FlatYAML {
    struct Entry: Equatable {
        let key: String
        let value: String
        let line: Int
    }

    let entries: [Entry]

    /// - Throws: `SiteError.badConfig` naming `file` and the line.
    init(_ text: String, file: String, firstLine: Int = 1) throws {
        var entries: [Entry] = []
        var text = text
        try text.withUTF8 { bytes in
            var lineNumber = firstLine
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != ASCII.newline { end += 1 }
                defer { start = end + 1; lineNumber += 1 }
                let line = bytes[start..<(end > start && bytes[end - 1] == ASCII.carriageReturn ? end - 1 : end)]
                guard let first = line.firstIndex(where: { !ASCII.isBlank($0) }), line[first] != ASCII.hash else { continue }
                func at() -> String { "\(file):\(lineNumber)" }
                guard first == line.startIndex else {
                    throw SiteError(.badConfig, at(), "nested values are not supported; write `key: value`")
                }
                guard let colon = line.firstIndex(of: ASCII.colon) else {
                    throw SiteError(.badConfig, at(), "expected `key: value`")
                }
                let key = String(decoding: line[..<colon], as: UTF8.self)
                guard colon > line.startIndex, line[..<colon].allSatisfy({ $0.isASCIILetterOrDigit || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }) else {
                    throw SiteError(.badConfig, at(), "bad key `\(key)`")
                }
                guard !entries.contains(where: { $0.key == key }) else {
                    throw SiteError(.badConfig, at(), "key `\(key)` given twice")
                }
                let value = try FlatYAML.scalar(line[(colon + 1)...], at: at(), key: key)
                entries.append(Entry(key: key, value: value, line: lineNumber))
            }
        }
        self.entries = entries
    }

    private static func scalar(_ raw: Slice<UnsafeBufferPointer<UInt8>>, at location: @autoclosure () -> String, key: String) throws -> String {
        var text = raw.drop(while: ASCII.isBlank)
        if let quote = text.first, quote == ASCII.doubleQuote || quote == ASCII.singleQuote {
            text = text.dropFirst()
            var out: [UInt8] = []
            var escaped = false
            var rest: Slice<UnsafeBufferPointer<UInt8>>?
            // Integer ranges rather than `indices`, which is not specialised for this slice
            // type: each call looked up its generic witnesses at run time (2% of a request).
            for i in text.startIndex..<text.endIndex {
                let c = text[i]
                if escaped {
                    out.append(c == UInt8(ascii: "n") ? ASCII.newline : c == UInt8(ascii: "t") ? ASCII.tab : c)
                    escaped = false
                } else if quote == ASCII.doubleQuote && c == ASCII.backslash {
                    escaped = true
                } else if c == quote {
                    rest = text[(i + 1)...]
                    break
                } else {
                    out.append(c)
                }
            }
            guard let tail = rest?.drop(while: ASCII.isBlank), tail.first.map({ $0 == ASCII.hash }) ?? true else {
                throw SiteError(.badConfig, location(), "unterminated quoted value for key `\(key)`")
            }
            return String(decoding: out, as: UTF8.self)
        }
        // A comment starts at a `#` after a blank.
        if let hash = (text.startIndex..<text.endIndex).first(where: { text[$0] == ASCII.hash && ($0 == text.startIndex || ASCII.isBlank(text[$0 - 1])) }) {
            text = text[..<hash]
        }
        while let last = text.last, ASCII.isBlank(last) { text = text.dropLast() }
        if let first = text.first, "[{|>&*".utf8.contains(first) {
            throw SiteError(.badConfig, location(), "key `\(key)`: only plain or quoted single-line values are supported")
        }
        return String(decoding: text, as: UTF8.self)
    }
}

/// The ASCII bytes FlatYAML looks at.
private enum ASCII {
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let tab = UInt8(ascii: "\t")
    static let hash = UInt8(ascii: "#")
    static let colon = UInt8(ascii: ":")
    static let backslash = UInt8(ascii: "\\")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")

    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == tab }
}
