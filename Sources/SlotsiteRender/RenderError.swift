/// A template that cannot be parsed, with the template's name and line.
public struct RenderError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        case unclosedTag, unclosedSection, unexpectedClose, badDelimiters, emptyTag
        case missingTemplate
    }

    public let reason: Reason
    public let template: String
    public let line: Int
    public let detail: String

    public init(_ reason: Reason, template: String, line: Int, _ detail: String) {
        self.reason = reason
        self.template = template
        self.line = line
        self.detail = detail
    }

    public var description: String { "\(template):\(line): \(detail)" }
}
