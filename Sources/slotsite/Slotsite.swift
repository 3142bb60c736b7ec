import ArgumentParser

@main
struct Slotsite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slotsite",
        abstract: "Publish bookable appointment pages as a static site.",
        version: Slotsite.version,
        subcommands: [Init.self, Build.self, Seed.self, UserCommand.self, Mail.self, Serve.self, Demo.self, CGI.self])
}

extension Slotsite {
    static let version = "0.9.0"
}

struct SiteOption: ParsableArguments {
    @Option(name: .long, help: "The site folder.")
    var site: String = "."
}
