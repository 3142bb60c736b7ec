import ArgumentParser
import Foundation
import SlotsiteSite

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render the site into its output folder.",
        discussion: "Writes only files whose bytes change and removes pages that are gone.")

    @OptionGroup var options: SiteOption

    @Flag(help: "Re-render only pages whose earliest shown slot has started, or that a change marked stale (for cron).")
    var incremental = false

    func run() throws {
        try reportingErrors {
            let site = try Site.open(options.site)
            for clash in try site.store.emailClashes() {
                FileHandle.standardError.write(Data("slotsite: warning: account \(clash.handle) has the e-mail address of \(clash.sameAs) (ignoring case); it logs in by handle only until one address is changed\n".utf8))
            }
            let builder = site.builder()
            let terminal = isatty(STDERR_FILENO) == 1
            let summary: BuildSummary
            if incremental {
                summary = try builder.buildIncremental(now: currentTime())
            } else {
                summary = try builder.buildAll(now: currentTime()) { done, total in
                    guard terminal, total >= 1000 else { return }
                    FileHandle.standardError.write(Data("\rrendering profiles: \(done)/\(total)\u{1B}[K".utf8))
                    if done == total { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                }
            }
            print(summary)
        }
    }
}
