#if canImport(Glibc)
import Glibc
#endif

/// The CGI's standard input and output as raw file descriptors.
public enum StandardStreams {
    /// Up to `count` bytes of standard input: fewer only when it ends early.
    public static func read(_ count: Int) -> [UInt8] {
        var body = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = body.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress! + done, count - done) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        return Array(body.prefix(done))
    }

    /// Writes all of `bytes` to standard output.
    public static func write(_ bytes: [UInt8]) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(1, $0.baseAddress! + done, bytes.count - done) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            done += n
        }
    }

    /// The process environment: the CGI meta-variables.
    public static func environment() -> [String: String] {
        var count = 0
        while environ[count] != nil { count += 1 }
        var variables = [String: String](minimumCapacity: count)
        var entry = environ
        while let pointer = entry.pointee {
            // Split at the first `=` over bytes: a Character search walked grapheme
            // boundaries through every variable the web server passes.
            let pair = UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
            if let eq = pair.firstIndex(of: UInt8(ascii: "=")) {
                variables[String(decoding: pair[..<eq], as: UTF8.self)] = String(decoding: pair[(eq + 1)...], as: UTF8.self)
            }
            entry += 1
        }
        return variables
    }

    /// Writes one line to standard error, which the web server logs.
    public static func log(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress!, bytes.count) }
    }
}
