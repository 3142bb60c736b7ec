/// A Mustache template parsed once into a tree, rendered many times.
///
/// Supports the spec's interpolation, sections, inverted sections, comments, partials,
/// set delimiters and inheritance (parents `{{<x}}` and blocks `{{$x}}`). Lambdas are
/// not supported: view models are data.
public struct MustacheTemplate: Sendable {
    enum Node: Sendable {
        /// Literal text, as the UTF-8 bytes it is appended as.
        case text([UInt8])
        case variable(path: [String], escaped: Bool)
        case section(path: [String], inverted: Bool, nodes: [Node])
        case partial(name: String, indent: String)
        /// `indent` is the whitespace before a parent tag standing alone on its line.
        case parent(name: String, indent: String, blocks: [String: Block])
        case block(Block)
    }

    struct Block: Sendable {
        let name: String
        let nodes: [Node]
        /// How lines of an override are indented where this block expands: for a
        /// standalone tag, the indentation of its default content (or of the tag when
        /// there is none), for every line; otherwise the whitespace before the tag,
        /// for every line after the first.
        let expansionIndent: String
        let standalone: Bool
    }

    let name: String
    /// The parsed tree as rendering walks it.
    let program: MustacheProgram

    /// Parses `source`.
    /// - Throws: `RenderError` naming the template and line of an unclosed tag or
    ///   section, a stray closing tag or bad delimiters.
    public init(name: String, source: String) throws {
        self.name = name
        var parser = MustacheParser(name: name, source: source)
        program = MustacheProgram(try parser.parse())
    }

    init(name: String, program: MustacheProgram) {
        self.name = name
        self.program = program
    }
}
