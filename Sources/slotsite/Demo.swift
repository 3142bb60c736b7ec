import ArgumentParser
import Foundation
import SlotsiteSite

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a seeded demo site in ./demo (once), build it and serve it.")

    @Option(help: "Port on 127.0.0.1.")
    var port: UInt16 = 8080

    @Option(help: "The demo folder (git-ignored).")
    var folder = "demo"

    func run() throws {
        try reportingErrors {
            if FileManager.default.fileExists(atPath: folder) {
                try followPort()
                return
            }
            try SiteInit.create(at: folder)
            let config = SiteInit.configTemplate
                .replacingOccurrences(of: "title: Slotsite", with: "title: Slotsite demo")
                .replacingOccurrences(of: "base_url: http://127.0.0.1:8080/", with: "base_url: http://127.0.0.1:\(port)/")
                .replacingOccurrences(of: "timezone: UTC", with: "timezone: Europe/Berlin")
            try config.write(toFile: folder + "/" + SiteConfig.fileName, atomically: true, encoding: .utf8)
            let site = try Site.open(folder)
            try Seeder(users: 24, slotsPerUser: 24, seed: 1).run(into: site.store, ledger: try site.builder().ledger(), now: currentTime())
            say("created the demo site in \(folder)/ with 24 professionals")
        }
        say("open http://127.0.0.1:\(port)/ — register two accounts to offer and book slots")
        try serve(site: folder, port: port)
    }

    /// An existing demo site takes the port it is served on: its `base_url` is rewritten,
    /// and the build that `serve` runs renders the pages for it.
    func followPort() throws {
        let path = folder + "/" + SiteConfig.fileName
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let wanted = "base_url: http://127.0.0.1:\(port)/"
        guard let i = lines.firstIndex(where: { $0.hasPrefix("base_url:") }), lines[i] != wanted else { return }
        lines[i] = wanted
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
