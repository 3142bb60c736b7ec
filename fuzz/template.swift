// libFuzzer target: the Mustache parser and renderer, with partials and inheritance.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let templates = Templates(sources: ["main": source, "p": "<{{x}}>{{$b}}d{{/b}}", "layout": "[{{$main}}{{/main}}]"])
    let context: MustacheValue = ["x": "<&>", "list": [["x": "1"], ["x": "2"]], "flag": true, "n": .number(3.5), "o": ["x": "y"]]
    _ = try? templates.render("main", context)
    return 0
}
