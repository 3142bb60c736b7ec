import ArgumentParser
import SlotsiteSite
import SlotsiteStore

struct Seed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add deterministic demo professionals, slots and bookings.",
        discussion: "The same arguments on the same day give the same store. Seeded accounts have no password; set one with `slotsite user passwd`.")

    @OptionGroup var options: SiteOption

    @Option(help: "How many professionals.")
    var users: Int

    @Option(help: "Future slots per professional (8 a day, hourly from 09:00 local, 45 minutes).")
    var slotsPerUser: Int

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 1

    func validate() throws {
        guard (1...1_000_000).contains(users) else { throw ValidationError("--users must be 1 to 1000000") }
        guard (0...10_000).contains(slotsPerUser) else { throw ValidationError("--slots-per-user must be 0 to 10000") }
    }

    func run() throws {
        try reportingErrors {
            let site = try Site.open(options.site)
            do {
                try Seeder(users: users, slotsPerUser: slotsPerUser, seed: seed).run(into: site.store, ledger: try site.builder().ledger(),
                                                                           now: currentTime())
            } catch let e as StoreError where e.reason == .handleTaken {
                throw SiteError(.store, site.config.databasePath,
                                "the store already has the seeded handle \(e.detail) (seeded before?); nothing was added: use another --seed, or a new site")
            }
            print("seeded \(users) professionals with \(slotsPerUser) slots each: run `slotsite build` to render them")
        }
    }
}
