/// A professional's skills: trimmed, duplicates dropped ignoring case, order kept.
public struct Skills: Equatable, Sendable {
    public static let maxCount = 20
    public static let maxLength = 40

    public let names: [String]

    /// Parses the comma-separated form field.
    /// - Throws: `CoreError.invalidSkills` when there are more than 20 skills or one is
    ///   longer than 40 characters.
    public init(parsing raw: String) throws {
        var seen = Set<String>()
        var names: [String] = []
        for part in raw.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(part).trimmingWhitespace()
            guard !name.isEmpty else { continue }
            guard name.unicodeScalars.count <= Skills.maxLength,
                  !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else {
                throw CoreError(.invalidSkills, field: "skills",
                                "Each skill may have at most 40 characters on one line.")
            }
            if seen.insert(name.lowercased()).inserted { names.append(name) }
        }
        guard names.count <= Skills.maxCount else {
            throw CoreError(.invalidSkills, field: "skills", "List at most 20 skills.")
        }
        self.names = names
    }

    public init(validated names: [String]) { self.names = names }
}
