import Foundation

/// Runs a CGI program as a child process for one request (RFC 3875): meta-variables
/// in the environment, the body on standard input, the response on standard output.
public struct CGIProcess: Sendable {
    /// The program and any arguments before the request.
    public let command: [String]
    /// Extra environment, such as `SLOTSITE_SITE`.
    public let environment: [String: String]

    public init(command: [String], environment: [String: String]) {
        self.command = command
        self.environment = environment
    }

    /// What the program answered.
    public struct Output: Sendable, Equatable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data

        public static func == (a: Output, b: Output) -> Bool {
            a.status == b.status && a.body == b.body && a.headers.elementsEqual(b.headers, by: { $0 == $1 })
        }
    }

    /// Runs the program with `variables` and `body`.
    /// - Throws: when the program cannot start or answers without a header block.
    public func run(variables: [String: String], body: Data) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        // Only what RFC 3875 defines, plus our own settings: nothing of this process leaks in.
        var env = environment
        env["PATH"] = "/usr/bin:/bin"
        for (k, v) in variables { env[k] = v }
        process.environment = env
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        // Write the body on another thread: the program may answer without reading it.
        let writer = Thread {
            try? input.fileHandleForWriting.write(contentsOf: body)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try CGIProcess.parse(data)
    }

    /// Splits a CGI response into status, headers and body.
    public static func parse(_ data: Data) throws -> Output {
        let bytes = [UInt8](data)
        var end: Int?, skip = 0
        for i in bytes.indices {
            if bytes[i] == 0x0A, i + 1 < bytes.count, bytes[i + 1] == 0x0A { end = i; skip = 2; break }
            if bytes[i] == 0x0D, i + 3 < bytes.count, bytes[i + 1] == 0x0A, bytes[i + 2] == 0x0D, bytes[i + 3] == 0x0A {
                end = i; skip = 4; break
            }
        }
        guard let end else { throw CGIProcessError(message: "the CGI program answered without a header block") }
        var status = 200
        var headers: [(String, String)] = []
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        for line in head.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "status" {
                status = Int(value.prefix(3)) ?? 500
            } else {
                headers.append((name, value))
            }
        }
        if status == 200, headers.contains(where: { $0.0.lowercased() == "location" }) { status = 302 }
        return Output(status: status, headers: headers, body: Data(bytes[(end + skip)...]))
    }
}

struct CGIProcessError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
