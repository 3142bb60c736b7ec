// libFuzzer target: the strict form decoder. Built by scripts/fuzz.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzForms(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    if let form = try? FormData(decoding: bytes) {
        _ = try? form.only(["slot", "note"])
        for (name, value) in form.fields { precondition(!name.isEmpty && value.utf8.count <= size) }
    }
    return 0
}
