import ArgumentParser
import SlotsiteSite

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a new site folder: config, default templates and content, an empty store.")

    @Argument(help: "The folder to create.")
    var directory: String

    func run() throws {
        try reportingErrors {
            try SiteInit.create(at: directory)
            print("created \(directory): run `slotsite build --site \(directory)` to render it")
        }
    }
}
