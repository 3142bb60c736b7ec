#if canImport(Glibc)
import Glibc
#endif
import SlotsiteMail
import SlotsiteSite

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

    /// Reads and drops up to `count` bytes of standard input.
    public static func drain(_ count: Int) {
        var left = count
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        while left > 0 {
            let n = scratch.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress!, min(left, $0.count)) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { return }
            left -= n
        }
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

extension CGIApplication {
    /// Answers the request of this process: the body from standard input, the response
    /// to standard output, fault details to standard error.
    public static func run(variables: [String: String], now: Int64) {
        if variables[BackgroundDrain.drainVariable] == "1" {
            // Started by an earlier request of this site, after it answered.
            guard let site = variables["SLOTSITE_SITE"], let config = try? SiteConfig.load(site: site) else { return }
            BackgroundDrain.drainWhileDue(config: config)
            return
        }
        var consumed = 0
        var drain = false
        var kept: AnyObject?
        let (response, includeBody) = respond(
            variables: variables,
            readBody: { count in
                let body = StandardStreams.read(count)
                consumed += body.count
                return body
            },
            // While no sender is configured messages wait, and there is nothing to start.
            now: now, log: StandardStreams.log, wroteMail: { drain = $0.mailFrom != nil },
            // What is left of a change is rendering its pages: at a lower priority, so
            // that under load the processes still heading for the store's write lock,
            // and the one holding it, get the cores first.
            committed: { setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19) },
            // A process that ends with its request need not take its store, schema and
            // pages apart first: what the kernel reclaims anyway is left to it.
            keep: { kept = $0 })
        // A request refused before its body was read (403, 405, 413, 415) still has a body
        // on the way: read it first, or a server still writing it (Apache's mod_cgid)
        // cuts the answer.
        StandardStreams.drain(CGIRequest.bodyToDrain(variables) - consumed)
        StandardStreams.write(response.cgiOutput(includeBody: includeBody))
        // Only now, with the answer written: nothing is sent before the CGI has answered.
        if drain { BackgroundDrain.start(environment: variables) }
        withExtendedLifetime(kept) { exit(0) }
    }
}
