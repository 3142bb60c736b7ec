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
            let pair = String(cString: pointer)
            if let eq = pair.firstIndex(of: "=") {
                variables[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
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
