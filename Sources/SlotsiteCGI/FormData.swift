// The fuzzers compile this file in one module with SlotsiteCore's ASCII.swift.
#if canImport(SlotsiteCore)
import SlotsiteCore
#endif

/// Fields of an `application/x-www-form-urlencoded` body or query, decoded strictly:
/// bad percent-encoding, invalid UTF-8 or a field given twice is an error.
public struct FormData: Sendable, Equatable {
    public private(set) var fields: [String: String] = [:]

    public static let maxFields = 64

    /// - Throws: `HTTPError` 400 naming the problem.
    public init(decoding bytes: some Collection<UInt8>) throws {
        guard !bytes.isEmpty else { return }
        var count = 0
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            count += 1
            guard count <= FormData.maxFields else { throw HTTPError.badRequest("The form has too many fields.") }
            guard !pair.isEmpty else { throw HTTPError.badRequest("The form data is malformed (an empty field).") }
            let eq = pair.firstIndex(of: UInt8(ascii: "="))
            let name = try FormData.percentDecode(eq.map { pair[pair.startIndex..<$0] } ?? pair[...])
            let value = try eq.map { try FormData.percentDecode(pair[pair.index(after: $0)...]) } ?? ""
            guard !name.isEmpty else { throw HTTPError.badRequest("The form data is malformed (a field without a name).") }
            guard fields.updateValue(value, forKey: name) == nil else {
                throw HTTPError.badRequest("The field “\(name)” was sent more than once.")
            }
        }
    }

    public init(fields: [String: String]) { self.fields = fields }

    public subscript(_ name: String) -> String? { fields[name] }

    /// Checks that only `allowed` fields were sent.
    /// - Throws: `HTTPError` 400 naming the first unexpected field.
    public func only(_ allowed: Set<String>) throws {
        if let extra = fields.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw HTTPError.badRequest("This form does not take a field “\(extra)”.")
        }
    }

    static func percentDecode(_ bytes: some Collection<UInt8>) throws -> String {
        guard let out = percentDecodedBytes(bytes, plusIsSpace: true) else {
            throw HTTPError.badRequest("The form data has a bad percent-encoding.")
        }
        guard let text = String(validating: out, as: UTF8.self) else {
            throw HTTPError.badRequest("The form data is not valid UTF-8.")
        }
        return text
    }
}
