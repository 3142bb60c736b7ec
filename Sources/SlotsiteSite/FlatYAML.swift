/// The part of YAML that `slotsite.yml` and front matter use: one `key: value` a line,
/// `#` comments, plain, single- or double-quoted scalars. Anything else is an error
/// that names the line, rather than a guess.
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
        var seen = Set<String>()
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = firstLine + offset
            var line = Substring(raw)
            if line.hasSuffix("\r") { line = line.dropLast() }
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            guard trimmed.count == line.count else {
                throw SiteError(.badConfig, "\(file):\(lineNumber)", "nested values are not supported; write `key: value`")
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw SiteError(.badConfig, "\(file):\(lineNumber)", "expected `key: value`")
            }
            let key = String(line[..<colon])
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw SiteError(.badConfig, "\(file):\(lineNumber)", "bad key `\(key)`")
            }
            guard seen.insert(key).inserted else {
                throw SiteError(.badConfig, "\(file):\(lineNumber)", "key `\(key)` given twice")
            }
            let value = try FlatYAML.scalar(String(line[line.index(after: colon)...]), at: "\(file):\(lineNumber)", key: key)
            entries.append(Entry(key: key, value: value, line: lineNumber))
        }
        self.entries = entries
    }

    private static func scalar(_ raw: String, at location: String, key: String) throws -> String {
        var text = Substring(raw).drop { $0 == " " || $0 == "\t" }
        if let quote = text.first, quote == "\"" || quote == "'" {
            text = text.dropFirst()
            var out = ""
            var escaped = false
            var closed = false
            var rest = Substring("")
            for (i, c) in zip(text.indices, text) {
                if escaped {
                    switch c {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    default: out.append(c)
                    }
                    escaped = false
                } else if quote == "\"" && c == "\\" {
                    escaped = true
                } else if c == quote {
                    closed = true
                    rest = text[text.index(after: i)...]
                    break
                } else {
                    out.append(c)
                }
            }
            let tail = rest.drop { $0 == " " || $0 == "\t" }
            guard closed, tail.isEmpty || tail.hasPrefix("#") else {
                throw SiteError(.badConfig, location, "unterminated quoted value for key `\(key)`")
            }
            return out
        }
        // A comment starts at a `#` after a blank.
        var previous: Character = " "
        for i in text.indices {
            if text[i] == "#", previous == " " || previous == "\t" { text = text[..<i]; break }
            previous = text[i]
        }
        let value = String(text).trimmingCharacters(in: " \t")
        if value.hasPrefix("[") || value.hasPrefix("{") || value.hasPrefix("|") || value.hasPrefix(">") || value.hasPrefix("&") || value.hasPrefix("*") {
            throw SiteError(.badConfig, location, "key `\(key)`: only plain or quoted single-line values are supported")
        }
        return value
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        guard let a = firstIndex(where: { !chars.contains($0) }) else { return "" }
        let b = lastIndex(where: { !chars.contains($0) })!
        return String(self[a...b])
    }
}
