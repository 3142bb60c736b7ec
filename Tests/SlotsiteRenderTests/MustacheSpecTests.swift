import Foundation
import Testing
@testable import SlotsiteRender

/// Runs every case of the official Mustache spec files in `../shared/mustache-spec/`
/// (next to the repository). Without them the suite fails: a run of no cases would
/// pass while testing nothing.
struct MustacheSpecTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let file: String
        let name: String
        let template: String
        let partials: [String: String]
        let data: JSONBox
        let expected: String
        var testDescription: String { "\(file): \(name)" }
    }

    struct JSONBox: @unchecked Sendable { let value: Any }

    static let files = ["comments", "delimiters", "interpolation", "inverted", "partials", "sections", "~inheritance"]

    static var specDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/mustache-spec").standardized
    }

    static var specAvailable: Bool { FileManager.default.fileExists(atPath: specDirectory.path) }

    static func cases() throws -> [Case] {
        guard specAvailable else { return [] }
        var all: [Case] = []
        for file in files {
            let data = try Data(contentsOf: specDirectory.appendingPathComponent(file + ".json"))
            let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            for t in json["tests"] as! [[String: Any]] {
                all.append(Case(file: file, name: t["name"] as! String, template: t["template"] as! String,
                                partials: t["partials"] as? [String: String] ?? [:], data: JSONBox(value: t["data"]!),
                                expected: t["expected"] as! String))
            }
        }
        return all
    }

    static func value(_ json: Any) -> MustacheValue {
        switch json {
        case let n as NSNumber:
            // JSON booleans arrive as NSNumbers of C type char.
            return String(cString: n.objCType) == "c" ? .bool(n.boolValue) : .number(n.doubleValue)
        case let s as String: return .string(s)
        case let a as [Any]: return .list(a.map(value))
        case let d as [String: Any]: return .object(d.mapValues(value))
        default: return .null
        }
    }

    @Test func specFilesArePresent() throws {
        #expect(Self.specAvailable, "the Mustache spec data is missing at \(Self.specDirectory.path): clone next to shared/")
        #expect(try Self.cases().count == 163)
    }

    @Test(arguments: try cases())
    func spec(_ c: Case) throws {
        var sources = c.partials
        sources["\u{0}main"] = c.template
        let templates = Templates(sources: sources)
        let out = try templates.render("\u{0}main", Self.value(c.data.value))
        #expect(out == c.expected, "\(c.file): \(c.name)")
    }
}
