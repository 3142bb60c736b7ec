// libFuzzer target: CGI request parsing and routing. The input's lines are
// REQUEST_METHOD, PATH_INFO, QUERY_STRING, CONTENT_LENGTH, CONTENT_TYPE and the rest.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.split(separator: "\n", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
    let names = ["REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "CONTENT_LENGTH", "CONTENT_TYPE", "HTTP_COOKIE"]
    var variables: [String: String] = [:]
    for (name, value) in zip(names, lines) { variables[name] = value }
    guard let request = try? CGIRequest(variables: variables) else { return 0 }
    _ = try? Route(request.method, request.segments)
    if let length = try? request.bodyLength() { precondition(length >= 0 && length <= CGIRequest.maxBody) }
    return 0
}
