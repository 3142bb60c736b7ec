/// A parsed template flattened for rendering: an array of plain operations, the
/// literal text in one byte array, names in a table. Walking it copies no
/// reference-counted payloads, where walking the parse tree retained and released
/// every node's text or name (a third of a profile page's render time).
final class MustacheProgram: Sendable {
    struct Op {
        enum Kind: UInt8 {
            /// `text[a..<b]`.
            case text
            /// `paths[a]`, escaped or not; `b` is its number of parts.
            case variable
            /// `paths[a]`; the body is the operations up to `b`.
            case section, inverted
            /// `partials[a]`, `parents[a]`, `blocks[a]`.
            case partial, parent, block
        }
        var kind: Kind
        var escaped = false
        var a: Int32
        var b: Int32 = 0
    }

    struct Partial {
        let name: String
        let indent: String
    }

    struct Parent {
        let name: String
        let indent: String
        let blocks: [String: Block]
    }

    /// A `{{$name}}` block: its default content, or an override given to a parent.
    struct Block {
        let name: String
        let program: MustacheProgram
        let expansionIndent: String
        let standalone: Bool
    }

    let ops: [Op]
    let text: [UInt8]
    let paths: [[String]]
    /// The first part of each path ("" for `.`): a variable with one part reads only
    /// this, a string that is not reference-counted when short, where reading its
    /// path would retain and release an array.
    let keys: [String]
    let partials: [Partial]
    let parents: [Parent]
    let blocks: [Block]

    convenience init(_ nodes: [MustacheTemplate.Node]) {
        var builder = Builder()
        builder.add(nodes)
        self.init(ops: builder.ops, text: builder.text, paths: builder.paths, partials: builder.partials,
                  parents: builder.parents, blocks: builder.blocks)
    }

    init(ops: [Op], text: [UInt8], paths: [[String]], partials: [Partial], parents: [Parent], blocks: [Block]) {
        self.ops = ops
        self.text = text
        self.paths = paths
        keys = paths.map { $0.first ?? "" }
        self.partials = partials
        self.parents = parents
        self.blocks = blocks
    }

    private struct Builder {
        var ops: [Op] = []
        var text: [UInt8] = []
        var paths: [[String]] = []
        var partials: [Partial] = []
        var parents: [Parent] = []
        var blocks: [Block] = []

        mutating func add(_ nodes: [MustacheTemplate.Node]) {
            for node in nodes {
                switch node {
                case .text(let bytes):
                    ops.append(Op(kind: .text, a: Int32(text.count), b: Int32(text.count + bytes.count)))
                    text += bytes
                case .variable(let path, let escaped):
                    ops.append(Op(kind: .variable, escaped: escaped, a: Int32(paths.count), b: Int32(path.count)))
                    paths.append(path)
                case .section(let path, let inverted, let inner):
                    let at = ops.count
                    ops.append(Op(kind: inverted ? .inverted : .section, a: Int32(paths.count)))
                    paths.append(path)
                    add(inner)
                    ops[at].b = Int32(ops.count)
                case .partial(let name, let indent):
                    ops.append(Op(kind: .partial, a: Int32(partials.count)))
                    partials.append(Partial(name: name, indent: indent))
                case .parent(let name, let indent, let own):
                    ops.append(Op(kind: .parent, a: Int32(parents.count)))
                    parents.append(Parent(name: name, indent: indent, blocks: own.mapValues(Block.init)))
                case .block(let block):
                    ops.append(Op(kind: .block, a: Int32(blocks.count)))
                    blocks.append(Block(block))
                }
            }
        }
    }
}

extension MustacheProgram.Block {
    init(_ block: MustacheTemplate.Block) {
        self.init(name: block.name, program: MustacheProgram(block.nodes),
                  expansionIndent: block.expansionIndent, standalone: block.standalone)
    }
}
