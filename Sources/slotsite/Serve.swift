import ArgumentParser
import Foundation
import SlotsiteCGI
import SlotsiteServe
import SlotsiteSite

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build, then serve the site and its CGI on 127.0.0.1 (development).")

    @OptionGroup var options: SiteOption

    @Option(help: "Port (default: the port of base_url).")
    var port: UInt16?

    func run() throws {
        try serve(site: options.site, port: port)
    }
}

/// Builds the site and serves it until interrupted: shared by `serve` and `demo`.
func serve(site directory: String, port: UInt16?) throws {
    var server: DevServer?
    try reportingErrors {
        let site = try Site.open(directory)
        let config = site.config
        let basePort = URL(string: config.baseURL)?.port.map(UInt16.init) ?? 80
        let chosen = port ?? basePort
        guard chosen == basePort, config.origin.hasPrefix("http://127.0.0.1") || config.origin.hasPrefix("http://localhost") else {
            throw SiteError(.badConfig, config.root + "/slotsite.yml",
                            "key `base_url` is \(config.baseURL); to serve on port \(chosen) set it to http://127.0.0.1:\(chosen)/")
        }
        say("\(try site.builder().buildAll(now: currentTime()))")
        server = DevServer(config: config, port: chosen, cgiCommand: cgiCommand())
        say("serving \(config.baseURL) (the CGI at \(config.cgiURL)); stop with Ctrl-C")
    }
    do { try server?.run() } catch {
        FileHandle.standardError.write(Data("slotsite: cannot serve: \(error)\n".utf8))
        throw ExitCode.failure
    }
}

/// `slotsite-cgi` next to this program, or this program's own `cgi` command when
/// only `slotsite` was built (as `swift run slotsite` does).
func cgiCommand() -> [String] {
    let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let sibling = (me as NSString).deletingLastPathComponent + "/slotsite-cgi"
    return FileManager.default.isExecutableFile(atPath: sibling) ? [sibling] : [me, "cgi"]
}

/// `slotsite cgi`: the CGI program itself, for servers that run `slotsite` directly.
struct CGI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cgi", abstract: "Answer one CGI request (what slotsite-cgi does).", shouldDisplay: false)

    func run() throws {
        let (response, includeBody) = CGIApplication.respond(
            variables: ProcessInfo.processInfo.environment, readBody: StandardStreams.read,
            now: currentTime(), log: StandardStreams.log)
        StandardStreams.write(response.cgiOutput(includeBody: includeBody))
    }
}
