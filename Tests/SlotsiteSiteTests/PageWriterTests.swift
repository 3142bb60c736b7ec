import Foundation
import Testing
@testable import SlotsiteSite

@Suite struct PageWriterTests {
    let output = NSTemporaryDirectory() + "slotsite-writer-" + UUID().uuidString

    func files() -> [String] {
        (FileManager.default.enumerator(atPath: output)?.allObjects as? [String] ?? []).sorted()
    }

    func read(_ path: String) -> String? { try? String(contentsOfFile: output + "/" + path, encoding: .utf8) }

    @Test(arguments: [false, true])
    func filesAppearOnFlushWithoutTemporaries(deferSync: Bool) throws {
        defer { try? FileManager.default.removeItem(atPath: output) }
        let writer = PageWriter(output: output, deferSync: deferSync)
        // More than are synced one by one, so the batch also takes the syncfs path.
        let count = PageWriter.individualSyncLimit * 2 + 3
        for i in 0..<count { #expect(try writer.write("u/p\(i)/index.html", Array("page \(i)".utf8))) }
        #expect(read("u/p0/index.html") == nil)
        try writer.flush()
        try writer.syncRenamed()
        #expect(read("u/p0/index.html") == "page 0")
        #expect(read("u/p\(count - 1)/index.html") == "page \(count - 1)")
        #expect(!files().contains { $0.contains(PageWriter.temporaryPrefix) })

        // Same bytes: nothing staged; new bytes replace the file at the next flush.
        let again = PageWriter(output: output, deferSync: deferSync)
        #expect(try !again.write("u/p1/index.html", Array("page 1".utf8)))
        #expect(try again.write("u/p2/index.html", Array("page two".utf8)))
        #expect(read("u/p2/index.html") == "page 2")
        try again.flush()
        #expect(read("u/p2/index.html") == "page two")
        try again.syncRenamed()
        #expect(files().filter { $0.hasSuffix(".html") }.count == count)
    }

    /// In a first build's profile folders (`ProfileFolders` making them ahead), a
    /// writer neither looks for an old page nor waits for a folder not made yet.
    @Test func aWriterOfNewFoldersMakesTheOnesNotMadeYet() throws {
        defer { try? FileManager.default.removeItem(atPath: output) }
        let folders = try #require(ProfileFolders(output: output, handles: ["made"]))
        folders.finish()
        let writer = PageWriter(output: output)
        writer.foldersAreNew = true
        #expect(try writer.write("u/made/index.html", Array("one".utf8)))
        #expect(try writer.write("u/not-yet/index.html", Array("two".utf8)))
        try writer.flush()
        #expect(read("u/made/index.html") == "one")
        #expect(read("u/not-yet/index.html") == "two")
        #expect(!files().contains { $0.contains(PageWriter.temporaryPrefix) })
    }

    @Test func aWriterDroppedBeforeFlushLeavesNoTrace() throws {
        defer { try? FileManager.default.removeItem(atPath: output) }
        do {
            let writer = PageWriter(output: output, deferSync: true)
            try writer.write("a/index.html", Array("a".utf8))
        }
        #expect(files() == ["a"])
    }
    /// Inode number of the file at `path`.
    func inode(_ path: String) -> UInt64? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.systemFileNumber] as? UInt64
    }

    func replace(_ path: String, with text: String, spares: String) throws {
        let writer = PageWriter(output: output, deferSync: true, spares: spares)
        #expect(try writer.write(path, Array(text.utf8)))
        try writer.flush()
        writer.closeRenamed()
    }

    @Test func replacedPagesSwapNamesWithSpares() throws {
        defer { try? FileManager.default.removeItem(atPath: output) }
        let spares = output + "/../" + UUID().uuidString + "-spares"
        defer { try? FileManager.default.removeItem(atPath: spares) }
        let page = output + "/u/a/index.html"
        try replace("u/a/index.html", with: "one", spares: spares) // a new page: no spare taken
        #expect((try? FileManager.default.contentsOfDirectory(atPath: spares))?.isEmpty ?? true)
        let first = try #require(inode(page))

        // The first replacement writes a new spare; the old page takes its name.
        try replace("u/a/index.html", with: "two", spares: spares)
        #expect(read("u/a/index.html") == "two")
        #expect(inode(spares + "/0") == first)
        #expect(try String(contentsOfFile: spares + "/0", encoding: .utf8) == "one")
        let second = try #require(inode(page))

        // The next one reuses that spare: no inode is created or freed.
        try replace("u/a/index.html", with: "three, longer than before", spares: spares)
        #expect(read("u/a/index.html") == "three, longer than before")
        #expect(inode(page) == first)
        #expect(inode(spares + "/0") == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: spares) == ["0"])
        #expect(!files().contains { $0.contains(PageWriter.temporaryPrefix) })
    }

    @Test func aSpareThatIsStillOpenOrLinkedIsNotWritten() throws {
        defer { try? FileManager.default.removeItem(atPath: output) }
        let spares = output + "/../" + UUID().uuidString + "-spares"
        defer { try? FileManager.default.removeItem(atPath: spares) }
        try replace("u/a/index.html", with: "one", spares: spares)
        // A reader (a web server sending the page) opens it before it is replaced.
        let reader = try #require(FileHandle(forReadingAtPath: output + "/u/a/index.html"))
        defer { try? reader.close() }
        try replace("u/a/index.html", with: "two", spares: spares)  // "one" becomes spare 0
        try replace("u/a/index.html", with: "three", spares: spares) // spare 0 is open: a new spare 1
        try replace("u/a/index.html", with: "four", spares: spares)  // spare 1 ("two") is free
        #expect(read("u/a/index.html") == "four")
        #expect(try reader.readToEnd() == Data("one".utf8))
        #expect(try String(contentsOfFile: spares + "/0", encoding: .utf8) == "one")
        #expect(try String(contentsOfFile: spares + "/1", encoding: .utf8) == "three")

        // A spare with a second name (a swap cut short) is a live file too: left alone.
        try FileManager.default.linkItem(atPath: spares + "/1", toPath: output + "/kept.html")
        try replace("u/a/index.html", with: "five", spares: spares)  // 0 is open, 1 linked: a new 2
        #expect(read("kept.html") == "three")
        #expect(try String(contentsOfFile: spares + "/2", encoding: .utf8) == "four")
        try reader.close()
        try replace("u/a/index.html", with: "six", spares: spares)   // 0 is free again
        #expect(try String(contentsOfFile: spares + "/0", encoding: .utf8) == "five")
        #expect(read("u/a/index.html") == "six")
    }

    @Test func aPageThatIsASymbolicLinkIsReplacedWithoutSwapping() throws {
        defer { try? FileManager.default.removeItem(atPath: output) }
        let spares = output + "/../" + UUID().uuidString + "-spares"
        defer { try? FileManager.default.removeItem(atPath: spares) }
        try FileManager.default.createDirectory(atPath: output + "/u/a", withIntermediateDirectories: true)
        try "one".write(toFile: output + "/target.html", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: output + "/u/a/index.html", withDestinationPath: output + "/target.html")
        try replace("u/a/index.html", with: "two", spares: spares)
        #expect(read("u/a/index.html") == "two")
        #expect(read("target.html") == "one")
        #expect(try FileManager.default.attributesOfItem(atPath: output + "/u/a/index.html")[.type] as? FileAttributeType == .typeRegular)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: spares))?.isEmpty ?? true)
    }

    @Test func aSpareTakenAndNotSwappedInLeavesThePageAsItWas() throws {
        defer { try? FileManager.default.removeItem(atPath: output) }
        let spares = output + "/../" + UUID().uuidString + "-spares"
        defer { try? FileManager.default.removeItem(atPath: spares) }
        try replace("u/a/index.html", with: "one", spares: spares)
        do {
            let writer = PageWriter(output: output, deferSync: true, spares: spares)
            #expect(try writer.write("u/a/index.html", Array("two".utf8)))
        }
        #expect(read("u/a/index.html") == "one")
        #expect(files() == ["u", "u/a", "u/a/index.html"])
        try replace("u/a/index.html", with: "three", spares: spares)
        #expect(read("u/a/index.html") == "three")
    }
}
