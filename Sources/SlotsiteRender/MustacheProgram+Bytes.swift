/// A program as bytes and back, so that a compiled template can be kept on disk and
/// a process that renders one page need not parse its templates again.
///
/// Little-endian 32-bit counts and lengths; a string is its UTF-8 length and bytes.
/// First the format, then the program: its operations (kind, escaped, a, b), its text, its paths, partials,
/// parents with their blocks, and its own blocks, each block holding a program.
extension MustacheProgram {
    /// Bumped whenever the layout below or the meaning of an operation changes.
    static let byteFormat = 1

    /// The program's bytes.
    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count + ops.count * 10 + 256)
        withUnsafeBytes(of: UInt32(MustacheProgram.byteFormat).littleEndian) { out += $0 }
        encode(into: &out)
        return out
    }

    /// The program `bytes` hold, or nil unless they are exactly one well-formed
    /// program whose every index stays within its own arrays.
    static func decoded(_ bytes: ArraySlice<UInt8>) -> MustacheProgram? {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = ByteReader(bytes: buffer)
            guard reader.int32() == Int32(byteFormat), let program = decode(&reader, depth: 0), reader.at == buffer.count else { return nil }
            return program
        }
    }

    private func encode(into out: inout [UInt8]) {
        func count(_ n: Int) { withUnsafeBytes(of: UInt32(n).littleEndian) { out += $0 } }
        func string(_ s: String) { count(s.utf8.count); out += s.utf8 }
        func block(_ b: Block) {
            string(b.name)
            string(b.expansionIndent)
            out.append(b.standalone ? 1 : 0)
            b.program.encode(into: &out)
        }
        count(ops.count)
        for op in ops {
            out.append(op.kind.rawValue)
            out.append(op.escaped ? 1 : 0)
            withUnsafeBytes(of: op.a.littleEndian) { out += $0 }
            withUnsafeBytes(of: op.b.littleEndian) { out += $0 }
        }
        count(text.count)
        out += text
        count(paths.count)
        for path in paths {
            count(path.count)
            for part in path { string(part) }
        }
        count(partials.count)
        for partial in partials { string(partial.name); string(partial.indent) }
        count(parents.count)
        for parent in parents {
            string(parent.name)
            string(parent.indent)
            // In name order, so that equal programs have equal bytes.
            let names = parent.blocks.keys.sorted()
            count(names.count)
            for name in names { block(parent.blocks[name]!) }
        }
        count(blocks.count)
        for b in blocks { block(b) }
    }

    /// Programs nest no deeper than this in bytes, as sections do in a program: a
    /// damaged file cannot make reading recurse until the stack ends.
    private static let maxDepth = 100

    private static func decode(_ r: inout ByteReader, depth: Int) -> MustacheProgram? {
        guard depth < maxDepth, let opCount = r.count(each: 10) else { return nil }
        var ops: [Op] = []
        ops.reserveCapacity(opCount)
        for _ in 0..<opCount {
            guard let kind = r.byte().flatMap(Op.Kind.init(rawValue:)), let escaped = r.byte(), escaped <= 1,
                  let a = r.int32(), let b = r.int32() else { return nil }
            ops.append(Op(kind: kind, escaped: escaped == 1, a: a, b: b))
        }
        guard let textCount = r.count(each: 1), let text = r.take(textCount),
              let pathCount = r.count(each: 4) else { return nil }
        var paths: [[String]] = []
        paths.reserveCapacity(pathCount)
        for _ in 0..<pathCount {
            guard let partCount = r.count(each: 4) else { return nil }
            var path: [String] = []
            path.reserveCapacity(partCount)
            for _ in 0..<partCount {
                guard let part = r.string() else { return nil }
                path.append(part)
            }
            paths.append(path)
        }
        guard let partialCount = r.count(each: 8) else { return nil }
        var partials: [Partial] = []
        for _ in 0..<partialCount {
            guard let name = r.string(), let indent = r.string() else { return nil }
            partials.append(Partial(name: name, indent: indent))
        }
        guard let parentCount = r.count(each: 12) else { return nil }
        var parents: [Parent] = []
        for _ in 0..<parentCount {
            guard let name = r.string(), let indent = r.string(), let blockCount = r.count(each: 9) else { return nil }
            var own: [String: Block] = [:]
            for _ in 0..<blockCount {
                guard let b = block(&r, depth: depth), own.updateValue(b, forKey: b.name) == nil else { return nil }
            }
            parents.append(Parent(name: name, indent: indent, blocks: own))
        }
        guard let blockCount = r.count(each: 9) else { return nil }
        var blocks: [Block] = []
        for _ in 0..<blockCount {
            guard let b = block(&r, depth: depth) else { return nil }
            blocks.append(b)
        }
        let program = MustacheProgram(ops: ops, text: Array(text), paths: paths, partials: partials, parents: parents, blocks: blocks)
        return program.isWellFormed(0..<ops.count, depth: 0) ? program : nil
    }

    private static func block(_ r: inout ByteReader, depth: Int) -> Block? {
        guard let name = r.string(), let indent = r.string(), let standalone = r.byte(), standalone <= 1,
              let program = decode(&r, depth: depth + 1) else { return nil }
        return Block(name: name, program: program, expansionIndent: indent, standalone: standalone == 1)
    }

    /// Whether every operation in `range` refers only to what this program holds and
    /// every section's body ends within the range that holds it: what rendering, which
    /// reads these arrays without checks, relies on.
    private func isWellFormed(_ range: Range<Int>, depth: Int) -> Bool {
        guard depth < MustacheProgram.maxDepth else { return false }
        var i = range.lowerBound
        while i < range.upperBound {
            let op = ops[i]
            let a = Int(op.a), b = Int(op.b)
            i += 1
            switch op.kind {
            case .text:
                guard 0 <= a, a <= b, b <= text.count else { return false }
            case .variable:
                guard 0 <= a, a < paths.count, b == paths[a].count else { return false }
            case .section, .inverted:
                guard 0 <= a, a < paths.count, i <= b, b <= range.upperBound, isWellFormed(i..<b, depth: depth + 1) else { return false }
                i = b
            case .partial:
                guard 0 <= a, a < partials.count else { return false }
            case .parent:
                guard 0 <= a, a < parents.count else { return false }
            case .block:
                guard 0 <= a, a < blocks.count else { return false }
            }
        }
        return true
    }
}

/// Little-endian reads that answer nil past the end.
private struct ByteReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    mutating func byte() -> UInt8? {
        guard at < bytes.count else { return nil }
        defer { at += 1 }
        return bytes[at]
    }

    mutating func int32() -> Int32? {
        guard bytes.count - at >= 4 else { return nil }
        defer { at += 4 }
        return Int32(bitPattern: UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24)
    }

    /// A count of items that take at least `each` bytes: nil when that many could not
    /// fit in what is left, so a damaged count cannot make a reader reserve gigabytes.
    mutating func count(each: Int) -> Int? {
        guard let n = int32(), n >= 0, Int(n) <= (bytes.count - at) / max(each, 1) else { return nil }
        return Int(n)
    }

    mutating func take(_ n: Int) -> UnsafeBufferPointer<UInt8>? {
        guard n >= 0, bytes.count - at >= n else { return nil }
        defer { at += n }
        return UnsafeBufferPointer(rebasing: bytes[at..<at + n])
    }

    /// The string's UTF-8 as written (a damaged byte becomes U+FFFD: a name that matches
    /// nothing, as no key has one; String(validating:) is unspecialized and costs ten
    /// times as much for the short names programs hold).
    mutating func string() -> String? {
        guard let n = count(each: 1), let utf8 = take(n) else { return nil }
        return String(decoding: utf8, as: UTF8.self)
    }
}
