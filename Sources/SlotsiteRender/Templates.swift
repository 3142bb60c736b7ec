/// Parsed templates kept between processes: each under the template's key (its name,
/// and the indentation of a partial) with the exact source it was parsed from.
public protocol CompiledTemplates {
    /// The bytes kept for `key` parsed from exactly `source`, if any.
    func program(_ key: String, source: String) -> ArraySlice<UInt8>?
    /// Keeps `bytes`, the program parsed from `source`, for `key`.
    func keep(_ bytes: [UInt8], _ key: String, source: String)
}

/// A theme's templates, each parsed once on first use and kept.
///
/// Partials and parents are looked up by name in the same set. Not thread-safe:
/// give each thread its own.
public final class Templates {
    private let load: (String) throws -> String?
    private var cache: [String: MustacheTemplate?] = [:]
    /// Partials, parents and block overrides nested deeper than this are an error:
    /// a template that includes itself would otherwise recurse until the stack ends.
    private static let maxDepth = 64

    /// Templates given as source text by name (tests, built-in themes).
    public convenience init(sources: [String: String]) {
        self.init { sources[$0] }
    }

    /// Whether `{{name}}` escapes HTML: not for the text of mail, where an ampersand in a
    /// name is an ampersand (its header and calendar writers do their own escaping).
    private let escapesHTML: Bool

    /// Where parsed templates are kept between processes, if anywhere.
    private let compiled: (any CompiledTemplates)?

    public init(escapesHTML: Bool = true, compiled: (any CompiledTemplates)? = nil, load: @escaping (String) throws -> String?) {
        self.load = load
        self.escapesHTML = escapesHTML
        self.compiled = compiled
    }

    /// The source text of template `name`, unparsed, or nil when there is none.
    public func source(_ name: String) throws -> String? { try load(name) }

    /// The template `name` indented by `indent` on every line, or nil when there is none.
    /// - Throws: `RenderError` when its source does not parse.
    public func template(_ name: String, indent: String = "") throws -> MustacheTemplate? {
        let key = indent.isEmpty ? name : name + "\u{0}" + indent
        if let cached = cache[key] { return cached }
        var parsed: MustacheTemplate?
        if var source = try load(name) {
            if !indent.isEmpty { source = MustacheTemplate.indent(source, by: indent) }
            if let bytes = compiled?.program(key, source: source), let program = MustacheProgram.decoded(bytes) {
                parsed = MustacheTemplate(name: name, program: program)
            } else {
                let template = try MustacheTemplate(name: name, source: source)
                compiled?.keep(template.program.bytes, key, source: source)
                parsed = template
            }
        }
        cache[key] = .some(parsed)
        return parsed
    }

    /// Renders template `name` with `context`.
    /// - Throws: `RenderError.missingTemplate` when there is no such template, or a
    ///   parse error of it or of a partial it uses.
    public func render(_ name: String, _ context: MustacheValue) throws -> String {
        var out: [UInt8] = []
        try render(name, context, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `render` appended to `out` as UTF-8 bytes, which is how pages are written:
    /// templates and values go into one byte buffer, without a string's bookkeeping per
    /// append, and a caller rendering many pages keeps one buffer for all.
    public func render(_ name: String, _ context: MustacheValue, into out: inout [UInt8]) throws {
        guard let template = try template(name) else {
            throw RenderError(.missingTemplate, template: name, line: 0, "no template named \(name)")
        }
        try render(template, context, into: &out)
    }

    /// `template` rendered with `context`, its partials and parents from this set.
    func render(_ template: MustacheTemplate, _ context: MustacheValue, into out: inout [UInt8]) throws {
        var stack = [context]
        try render(template.program, &stack, blocks: [:], depth: 0, into: &out)
    }

    private typealias Block = MustacheProgram.Block

    private func render(_ program: MustacheProgram, _ stack: inout [MustacheValue],
                        blocks: [String: Block], depth: Int, into out: inout [UInt8]) throws {
        try program.ops.withUnsafeBufferPointer { ops in
            try program.text.withUnsafeBufferPointer { text in
                try program.paths.withUnsafeBufferPointer { paths in
                    try program.keys.withUnsafeBufferPointer { keys in
                        var walk = Walk(program: program, ops: ops, text: text, paths: paths, keys: keys)
                        try run(0..<ops.count, &walk, &stack, blocks: blocks, depth: depth, into: &out)
                    }
                }
            }
        }
    }

    /// One program being rendered: its arrays, read in place, and inside a list section
    /// what the names its body looks up found below the list's item.
    private struct Walk {
        let program: MustacheProgram
        let ops: UnsafeBufferPointer<MustacheProgram.Op>
        let text: UnsafeBufferPointer<UInt8>
        let paths: UnsafeBufferPointer<[String]>
        let keys: UnsafeBufferPointer<String>
        /// Inside a list: the stack level of its item, else 0.
        var base = 0
        /// How many lists are running, one inside the other.
        var lists = 0
        /// Which run of a list this is (each list run gets the next number).
        var run = 0, runs = 0
        /// By list depth, then name index: what the levels below `base` give for the
        /// name. Those levels do not change while a list runs, so a name that the item
        /// does not answer, `{{site.cgi}}` in every slot, is found once per run and,
        /// for a `{{name}}`, written once into `belowText` and copied from there for
        /// every later item (it was a third of a profile page's render). Later runs
        /// (the next day's slots) reuse the entries instead of allocating their own.
        var below: [Below] = []
        var belowText: [UInt8] = []
        /// Inside a list whose item is a context: that context, and its stack level
        /// (else -1). A name is asked of it here, in place, where reading it from the
        /// stack would copy it out of its `MustacheValue` for every name.
        var item: any MustacheContext = NoContext()
        var itemLevel = -1
    }

    private struct Below {
        /// The list run that found `value`; older entries are stale.
        var run = 0
        var value = MustacheValue.null
        /// Its text in `belowText`, once written (`end` -1: not yet).
        var start = 0, end = -1
    }

    private struct NoContext: MustacheContext {
        func value(forKey key: String) -> MustacheValue? { nil }
    }

    /// Runs `walk.ops[range]`.
    private func run(_ range: Range<Int>, _ walk: inout Walk, _ stack: inout [MustacheValue],
                     blocks: [String: Block], depth: Int, into out: inout [UInt8]) throws {
        var i = range.lowerBound
        while i < range.upperBound {
            let op = walk.ops[i]
            i += 1
            switch op.kind {
            case .text:
                out += UnsafeBufferPointer(rebasing: walk.text[Int(op.a)..<Int(op.b)])
            case .variable:
                appendText(Int(op.a), parts: Int(op.b), &walk, stack, escaped: op.escaped && escapesHTML, into: &out)
            case .section, .inverted:
                let body = i..<Int(op.b)
                i = Int(op.b)
                let value = lookup(Int(op.a), &walk, stack)
                if op.kind == .inverted {
                    if !value.isTruthy { try run(body, &walk, &stack, blocks: blocks, depth: depth, into: &out) }
                } else if case .list(let items) = value {
                    let outer = (walk.base, walk.run)
                    let outerItem = (walk.item, walk.itemLevel)
                    walk.base = stack.count
                    walk.lists += 1
                    walk.runs += 1
                    walk.run = walk.runs
                    defer {
                        (walk.base, walk.run) = outer
                        (walk.item, walk.itemLevel) = outerItem
                        walk.lists -= 1
                    }
                    try items.withUnsafeBufferPointer { items in
                        for item in items.indices {
                            if case .context(let context) = items[item] {
                                walk.item = context
                                walk.itemLevel = stack.count
                            } else {
                                walk.itemLevel = -1
                            }
                            stack.append(items[item])
                            try run(body, &walk, &stack, blocks: blocks, depth: depth, into: &out)
                            stack.removeLast()
                        }
                    }
                } else if value.isTruthy {
                    stack.append(value)
                    try run(body, &walk, &stack, blocks: blocks, depth: depth, into: &out)
                    stack.removeLast()
                }
            case .partial:
                let partial = walk.program.partials[Int(op.a)]
                try renderNamed(partial.name, indent: partial.indent, stack: &stack, blocks: blocks, depth: depth, into: &out)
            case .parent:
                let parent = walk.program.parents[Int(op.a)]
                // Blocks given further out win over those given here.
                let merged = parent.blocks.merging(blocks) { _, outer in outer }
                try renderNamed(parent.name, indent: parent.indent, stack: &stack, blocks: merged, depth: depth, into: &out)
            case .block:
                let block = walk.program.blocks[Int(op.a)]
                if let override = blocks[block.name] {
                    guard depth < Templates.maxDepth else {
                        throw RenderError(.unclosedSection, template: block.name, line: 0, "blocks nested more than \(Templates.maxDepth) deep")
                    }
                    // Rendered in place, then moved to this block's indentation if it differs.
                    let start = out.count
                    try render(override.program, &stack, blocks: blocks, depth: depth + 1, into: &out)
                    MustacheTemplate.reindent(&out, from: start, to: block.expansionIndent, firstLine: block.standalone)
                } else {
                    try render(block.program, &stack, blocks: blocks, depth: depth, into: &out)
                }
            }
        }
    }

    private func renderNamed(_ name: String, indent: String, stack: inout [MustacheValue],
                             blocks: [String: Block], depth: Int, into out: inout [UInt8]) throws {
        guard depth < Templates.maxDepth else {
            throw RenderError(.unclosedSection, template: name, line: 0, "partials nested more than \(Templates.maxDepth) deep")
        }
        guard let template = try template(name, indent: indent) else { return }
        try render(template.program, &stack, blocks: blocks, depth: depth + 1, into: &out)
    }

    /// `{{name}}`: the same search as `lookup`, but each context is asked to write its
    /// text directly, without building a value first.
    private func appendText(_ index: Int, parts: Int, _ walk: inout Walk, _ stack: [MustacheValue], escaped: Bool,
                            into out: inout [UInt8]) {
        guard parts == 1 else {
            if parts == 0 {
                (stack.last ?? .null).appendText(to: &out, escaped: escaped)
            } else if let value = search(index, &walk, stack, from: stack.count - 1, downTo: walk.base) {
                value.appendText(to: &out, escaped: escaped)
            } else if walk.base > 0 {
                appendBelow(index, &walk, stack, escaped: escaped, into: &out)
            }
            return
        }
        let key = walk.keys[index]
        var level = stack.count - 1
        while level >= walk.base {
            if level == walk.itemLevel {
                if walk.item.appendText(forKey: key, escaped: escaped, to: &out) { return }
                level -= 1
                continue
            }
            switch stack[level] {
            case .context(let context):
                if context.appendText(forKey: key, escaped: escaped, to: &out) { return }
            case .object(let fields):
                if let value = fields[key] {
                    value.appendText(to: &out, escaped: escaped)
                    return
                }
            default:
                break
            }
            level -= 1
        }
        if walk.base > 0 { appendBelow(index, &walk, stack, escaped: escaped, into: &out) }
    }

    /// `{{name}}` for name `index` as the levels below the current list's item give it:
    /// written once per list run, copied for every later item.
    private func appendBelow(_ index: Int, _ walk: inout Walk, _ stack: [MustacheValue], escaped: Bool,
                             into out: inout [UInt8]) {
        let entry = below(index, &walk, stack)
        if walk.below[entry].end < 0 {
            let start = walk.belowText.count
            walk.below[entry].value.appendText(to: &walk.belowText, escaped: escaped)
            (walk.below[entry].start, walk.below[entry].end) = (start, walk.belowText.count)
        }
        let (start, end) = (walk.below[entry].start, walk.below[entry].end)
        walk.belowText.withUnsafeBufferPointer { out += UnsafeBufferPointer(rebasing: $0[start..<end]) }
    }

    /// The value of name `index`: its first part from the innermost context that has
    /// it, the rest looked up inside that value; null when none has it.
    private func lookup(_ index: Int, _ walk: inout Walk, _ stack: [MustacheValue]) -> MustacheValue {
        guard !walk.paths[index].isEmpty else { return stack.last ?? .null }
        if let value = search(index, &walk, stack, from: stack.count - 1, downTo: walk.base) { return value }
        return walk.base > 0 ? walk.below[below(index, &walk, stack)].value : .null
    }

    /// Name `index` looked up in `stack[bottom...top]`, the list's item asked in place:
    /// nil when no level there has its first part; null when one has but the rest is missing.
    private func search(_ index: Int, _ walk: inout Walk, _ stack: [MustacheValue], from top: Int, downTo bottom: Int) -> MustacheValue? {
        let key = walk.keys[index]
        var level = top
        while level >= bottom {
            if level == walk.itemLevel {
                if let value = walk.item.value(forKey: key) { return rest(of: index, after: value, &walk) }
            } else if let value = stack[level].member(key) {
                return rest(of: index, after: value, &walk)
            }
            level -= 1
        }
        return nil
    }

    /// Name `index` looked up inside `value`, the value of its first part.
    private func rest(of index: Int, after value: MustacheValue, _ walk: inout Walk) -> MustacheValue {
        var value = value
        for part in walk.paths[index].dropFirst() {
            guard let next = value.member(part) else { return .null }
            value = next
        }
        return value
    }

    /// The entry of `walk.below` that holds name `index` as the levels below the current
    /// list's item give it, looked up once per list run.
    private func below(_ index: Int, _ walk: inout Walk, _ stack: [MustacheValue]) -> Int {
        let entry = (walk.lists - 1) * walk.paths.count + index
        if walk.below.count <= entry {
            walk.below += repeatElement(Below(), count: walk.lists * walk.paths.count - walk.below.count)
        }
        if walk.below[entry].run != walk.run {
            let value = search(walk.paths[index], stack, from: walk.base - 1, downTo: 0) ?? .null
            walk.below[entry] = Below(run: walk.run, value: value)
        }
        return entry
    }

    /// `path` looked up in `stack[bottom...top]`: nil when no level there has its first
    /// part; null when one has but the rest is missing.
    private func search(_ path: [String], _ stack: [MustacheValue], from top: Int, downTo bottom: Int) -> MustacheValue? {
        var level = top
        while level >= bottom {
            if var value = stack[level].member(path[0]) {
                for key in path.dropFirst() {
                    guard let next = value.member(key) else { return .null }
                    value = next
                }
                return value
            }
            level -= 1
        }
        return nil
    }
}

extension MustacheTemplate {
    /// `source` with `indent` before each line, as a standalone partial tag asks.
    static func indent(_ source: String, by indent: String) -> String {
        var out = ""
        var atLineStart = true
        for ch in source {
            if atLineStart { out += indent }
            out.append(ch)
            atLineStart = ch == "\n" || ch == "\r\n"
        }
        return out
    }

    /// An override's rendered text, `out[start...]`, moved from the indentation it was
    /// written at (its first non-empty line's) to `indent`.
    static func reindent(_ out: inout [UInt8], from start: Int, to indent: String, firstLine: Bool) {
        // The indentation it was written at: leading blanks of the first non-empty line.
        var i = start
        while i < out.count, out[i] == 0x0A { i += 1 }
        var j = i
        while j < out.count, out[j] == 0x20 || out[j] == 0x09 { j += 1 }
        if i == j, indent.isEmpty { return }
        let text = Array(out[start...])
        let written = text[(i - start)..<(j - start)]
        out.removeSubrange(start...)
        for (n, line) in text.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            if n > 0 { out.append(0x0A) }
            let body = line.starts(with: written) ? line.dropFirst(written.count) : line
            if !body.isEmpty, n > 0 || firstLine { out += indent.utf8 }
            out += body
        }
    }
}
