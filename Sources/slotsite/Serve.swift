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
/// Listens before it says so, logs a line per request, and runs the cron build every
/// 30 seconds, so that slots that have started leave the pages as they do in production.
func serve(site directory: String, port: UInt16?) throws {
    var server: DevServer?
    var listener: DevServer.Listener?
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
        let dev = DevServer(config: config, port: chosen, cgiCommand: cgiCommand(), log: say)
        do { listener = try dev.listen() } catch {
            throw SiteError(.io, "127.0.0.1:\(chosen)", "cannot listen (\(error)); is another server on that port? Try --port")
        }
        server = dev
        say("serving \(config.baseURL) (also as http://localhost:\(chosen)/; the CGI at \(config.cgiURL)); stop with Ctrl-C")
    }
    guard let server, let listener else { return }
    Thread.detachNewThread { cronBuilds(site: directory, every: 30) }
    server.serve(listener)
}

/// What cron does in production: `build --incremental` every `seconds`, printing
/// only builds that wrote or removed something.
func cronBuilds(site directory: String, every seconds: UInt32) {
    while true {
        sleep(seconds)
        do {
            let summary = try Site.open(directory).builder().buildIncremental(now: currentTime())
            if summary.written + summary.removed > 0 { say("cron build: \(summary)") }
        } catch {
            FileHandle.standardError.write(Data("slotsite serve: cron build: \(error)\n".utf8))
        }
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
        CGIApplication.run(variables: ProcessInfo.processInfo.environment, now: currentTime())
    }
}
