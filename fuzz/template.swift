// libFuzzer target: the Mustache parser and renderer, with partials and inheritance.
// The same data is rendered twice, as dictionaries and as typed contexts (which lists
// ask in place, a path of its own): the two pages must be the same. The parsed program
// is also written as bytes and read back, and must render the same page again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let templates = Templates(sources: ["main": source, "p": "<{{x}}>{{$b}}d{{/b}}", "layout": "[{{$main}}{{/main}}]"])
    let item: MustacheValue = ["x": "<1>", "list": [["x": "2"], ["y": "3"]]]
    let context: MustacheValue = ["x": "<&>", "list": [["x": "1"], ["x": "2"]], "flag": true, "n": .number(3.5), "o": ["x": "y"],
                                  "items": [item, ["x": "obj"], ["items": [item, [:]]], [:]]]
    let plain = try? templates.render("main", context)
    let typed = try? templates.render("main", typedContexts(context))
    if plain != typed { fatalError("dictionaries gave \(String(describing: plain)), typed contexts \(String(describing: typed))") }
    if let parsed = try? MustacheTemplate(name: "main", source: source) {
        guard let read = MustacheProgram.decoded(parsed.program.bytes[...]) else { fatalError("a program's own bytes were refused") }
        var out: [UInt8] = []
        let again = (try? templates.render(MustacheTemplate(name: "main", program: read), context, into: &out)).map { String(decoding: out, as: UTF8.self) }
        if again != plain { fatalError("parsed gave \(String(describing: plain)), read back \(String(describing: again))") }
    }
    return 0
}

/// `value` with every dictionary in it turned into a typed context that answers the same.
func typedContexts(_ value: MustacheValue) -> MustacheValue {
    switch value {
    case .object(let fields): return .context(Fields(fields: fields))
    case .list(let items): return .list(items.map(typedContexts))
    default: return value
    }
}

struct Fields: MustacheContext {
    let fields: [String: MustacheValue]

    func value(forKey key: String) -> MustacheValue? { fields[key].map(typedContexts) }
}
