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

    /// Every case again from compiled programs: one set of templates parses and keeps
    /// each program as bytes, a second renders from those bytes alone.
    @Test(arguments: try cases())
    func specFromKeptPrograms(_ c: Case) throws {
        var sources = c.partials
        sources["\u{0}main"] = c.template
        let kept = KeptPrograms()
        _ = try Templates(compiled: kept) { sources[$0] }.render("\u{0}main", Self.value(c.data.value))
        #expect(!kept.programs.isEmpty)
        let fromBytes = Templates(compiled: kept) { sources[$0] }
        let out = try fromBytes.render("\u{0}main", Self.value(c.data.value))
        #expect(out == c.expected, "\(c.file): \(c.name)")
        #expect(kept.kept == kept.programs.count, "nothing parsed a second time")
    }
}

/// A `CompiledTemplates` in memory, counting what it was given to keep.
final class KeptPrograms: CompiledTemplates, @unchecked Sendable {
    var programs: [String: (source: String, bytes: [UInt8])] = [:]
    var kept = 0

    func program(_ key: String, source: String) -> ArraySlice<UInt8>? {
        programs[key].flatMap { $0.source == source ? $0.bytes[...] : nil }
    }

    func keep(_ bytes: [UInt8], _ key: String, source: String) {
        programs[key] = (source, bytes)
        kept += 1
    }
}

/// Programs read back from bytes: equal renders, and damaged bytes refused or, where
/// still well formed, rendered without reading outside the program.
struct MustacheProgramBytesTests {
    static let source = """
        {{<layout}}{{$title}}T {{page.name}}{{/title}}{{$main}}
        {{#rows}}
          <li>{{name}} {{{raw}}} {{#skills}}<b>{{.}}</b>{{/skills}}{{^skills}}none{{/skills}}</li>
          {{>row}}
        {{/rows}}
        {{/main}}{{/layout}}
        """

    @Test func aProgramReadsBackToTheSameBytes() throws {
        let program = try MustacheTemplate(name: "t", source: Self.source).program
        let decoded = try #require(MustacheProgram.decoded(program.bytes[...]))
        #expect(decoded.bytes == program.bytes)
        #expect(decoded.keys == program.keys)
    }

    @Test func damagedBytesAreRefusedOrStayWithinTheProgram() throws {
        let bytes = try MustacheTemplate(name: "t", source: Self.source).program.bytes
        let context: MustacheValue = ["page": ["name": "P"], "rows": [["name": "a", "raw": "<r>", "skills": ["x"]], ["name": "b"]]]
        let templates = Templates(sources: ["layout": "<t>{{$title}}{{/title}}</t>{{$main}}{{/main}}", "row": "[{{name}}]"])
        var accepted = 0
        func check(_ damaged: [UInt8]) {
            guard let program = MustacheProgram.decoded(damaged[...]) else { return }
            accepted += 1
            // Rendering may fail or print other text; it must not read past an array.
            var out: [UInt8] = []
            _ = try? templates.render(MustacheTemplate(name: "t", program: program), context, into: &out)
        }
        for n in 0..<bytes.count { check(Array(bytes[..<n])) }
        #expect(accepted == 0, "no prefix is a whole program")
        for i in bytes.indices {
            for value: UInt8 in [0, 1, 0x7F, 0xFF] where bytes[i] != value {
                var damaged = bytes
                damaged[i] = value
                check(damaged)
            }
        }
        check(bytes + [0])
        #expect(accepted < bytes.count * 4)
    }
}
