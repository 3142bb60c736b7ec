import Foundation
import Testing
@testable import SlotsiteSite

struct ProfileFoldersTests {
    @Test func makesExactlyTheGivenFoldersOnlyWhenThereAreNone() throws {
        let output = NSTemporaryDirectory() + "slotsite-folders-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: output) }
        let handles = (0..<200).map { "pro-\($0)" }
        let folders = try #require(ProfileFolders(output: output, handles: handles))
        folders.finish()
        let made = try FileManager.default.contentsOfDirectory(atPath: output + "/u")
        #expect(Set(made) == Set(handles))
        for handle in handles {
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: output + "/u/" + handle, isDirectory: &isDirectory) && isDirectory.boolValue)
        }
        // With profile folders already there, it makes none and leaves them as they are.
        #expect(ProfileFolders(output: output, handles: ["someone-else"]) == nil)
        #expect(!FileManager.default.fileExists(atPath: output + "/u/someone-else"))
    }
}
