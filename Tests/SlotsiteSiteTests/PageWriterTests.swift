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

    @Test func aWriterDroppedBeforeFlushLeavesNoTrace() throws {
        defer { try? FileManager.default.removeItem(atPath: output) }
        do {
            let writer = PageWriter(output: output, deferSync: true)
            try writer.write("a/index.html", Array("a".utf8))
        }
        #expect(files() == ["a"])
    }
}
