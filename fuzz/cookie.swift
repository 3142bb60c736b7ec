// libFuzzer target: the Cookie header parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCookie(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let header = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let token = SessionPolicy.token(inCookieHeader: header) {
        precondition(token.value.utf8.count == 43 && header.contains(token.value))
    }
    return 0
}
