// libFuzzer target: the reader of compiled templates (`MustacheProgram.decoded`), fed
// any bytes. What it accepts is rendered, with partials and inheritance: under the
// address sanitizer, a program that reads outside its own arrays is a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProgram(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var bytes = withUnsafeBytes(of: UInt32(MustacheProgram.byteFormat).littleEndian, Array.init)
    bytes += UnsafeBufferPointer(start: data, count: size)
    guard let program = MustacheProgram.decoded(bytes[...]) else { return 0 }
    let templates = Templates(sources: ["p": "<{{x}}>{{$b}}d{{/b}}", "layout": "[{{$main}}{{/main}}]"])
    let context: MustacheValue = ["x": "<&>", "list": [["x": "1"], ["y": "2"]], "flag": true, "o": ["x": "y"]]
    var out: [UInt8] = []
    _ = try? templates.render(MustacheTemplate(name: "main", program: program), context, into: &out)
    return 0
}
