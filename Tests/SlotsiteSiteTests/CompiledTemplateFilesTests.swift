import Foundation
import Testing
import SlotsiteRender
@testable import SlotsiteSite

/// Parsed templates kept beside the ledger: used only for the exact source they were
/// parsed from; a damaged or foreign file only means parsing again.
struct CompiledTemplateFilesTests {
    @Test func aKeptProgramServesOnlyItsOwnSource() throws {
        let site = try TemporarySite(seedUsers: 1, slots: 0)
        let config = try site.open().config
        let files = CompiledTemplateFiles(folder: config.compiledTemplatesPath)
        files.keep([1, 2, 3], "profile", source: "a {{b}}")
        #expect(files.program("profile", source: "a {{b}}").map(Array.init) == [1, 2, 3])
        #expect(files.program("profile", source: "a {{c}}") == nil, "an edited template is parsed again")
        #expect(files.program("profile", source: "") == nil)
        #expect(files.program("layout", source: "a {{b}}") == nil)
        files.keep([4], "profile", source: "a {{c}}")
        #expect(files.program("profile", source: "a {{c}}").map(Array.init) == [4])
        #expect(try FileManager.default.contentsOfDirectory(atPath: config.compiledTemplatesPath).count == 1,
                "one file per template, replaced")
    }

    @Test func pagesRenderTheSameFromKeptProgramsAndFromDamagedOnes() throws {
        let site = try TemporarySite(seedUsers: 3, slots: 4)
        let opened = try site.open()
        let config = opened.config
        let record = try #require(try opened.store.profile(userID: 1, now: SiteBuilderTests.now))
        let parsed = try PageRenderer(config: config, templates: Templates.directory(config.templatesPath)).profile(record)
        #expect(try PageRenderer(config: config).profile(record) == parsed, "parsed, then kept")
        let folder = config.compiledTemplatesPath
        let kept = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(kept.count == 2, "the profile and its layout")
        #expect(try PageRenderer(config: config).profile(record) == parsed, "from the kept programs")
        func sizes() throws -> [Int] {
            try kept.map { try FileManager.default.attributesOfItem(atPath: folder + "/" + $0)[.size] as! Int }
        }
        let whole = try sizes()
        for name in kept {
            let path = folder + "/" + name
            var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
            bytes.removeLast(7)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        #expect(try PageRenderer(config: config).profile(record) == parsed, "damaged files are parsed around")
        #expect(try sizes() == whole, "and written again")
    }
}
