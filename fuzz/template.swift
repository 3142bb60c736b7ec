// libFuzzer target: the Mustache parser and renderer, with partials and inheritance,
// over dictionaries and over typed contexts (which lists ask in place).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let templates = Templates(sources: ["main": source, "p": "<{{x}}>{{$b}}d{{/b}}", "layout": "[{{$main}}{{/main}}]"])
    let context: MustacheValue = ["x": "<&>", "list": [["x": "1"], ["x": "2"]], "flag": true, "n": .number(3.5), "o": ["x": "y"],
                                  "items": .list([.context(Item(depth: 2)), ["x": "obj"], .context(Item(depth: 0))])]
    _ = try? templates.render("main", context)
    return 0
}

/// A typed view model as the pages have: answers some names, and nests lists of its own.
struct Item: MustacheContext {
    let depth: Int

    func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "x": return .string("<\(depth)>")
        case "items": return depth > 0 ? .list([.context(Item(depth: depth - 1)), .context(Item(depth: depth - 1))]) : nil
        default: return nil
        }
    }
}
