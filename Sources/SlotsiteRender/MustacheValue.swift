/// A value a template can show: what a view model answers for a key.
public enum MustacheValue {
    case null
    case bool(Bool)
    case string(String)
    case number(Double)
    case list([MustacheValue])
    case object([String: MustacheValue])
    /// A typed view model that answers keys itself, without reflection.
    case context(any MustacheContext)

    /// False for null, false and the empty list; everything else shows a section.
    var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .list(let items): return !items.isEmpty
        default: return true
        }
    }

    /// The value of `key` inside this value, or nil when it has none.
    func member(_ key: String) -> MustacheValue? {
        switch self {
        case .object(let fields): return fields[key]
        case .context(let c): return c.value(forKey: key)
        default: return nil
        }
    }

    func appendText(to out: inout [UInt8], escaped: Bool) {
        switch self {
        case .null: return
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .string(let s): if escaped { HTML.appendEscaped(s, to: &out) } else { out += s.utf8 }
        case .number(let d):
            out += (d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)).utf8
        case .list, .object, .context: return
        }
    }
}

/// A view model that templates read by key.
///
/// Each page's view model answers its keys with a `switch`, so rendering needs no
/// reflection and no dictionary per object.
public protocol MustacheContext {
    /// The value for `key`, or nil when this context has no such key (the lookup then
    /// goes on to the enclosing context).
    func value(forKey key: String) -> MustacheValue?

    /// Appends the value for `key` as UTF-8 text, escaped when asked; false when this
    /// context has no such key. A context whose values are many small strings can
    /// write them without building a `MustacheValue` first.
    func appendText(forKey key: String, escaped: Bool, to out: inout [UInt8]) -> Bool
}

extension MustacheContext {
    public func appendText(forKey key: String, escaped: Bool, to out: inout [UInt8]) -> Bool {
        appendValue(forKey: key, escaped: escaped, to: &out)
    }

    /// Appends the text of what `value(forKey:)` answers: the default `appendText`, and
    /// the fallback of contexts that write some keys themselves.
    public func appendValue(forKey key: String, escaped: Bool, to out: inout [UInt8]) -> Bool {
        guard let value = value(forKey: key) else { return false }
        value.appendText(to: &out, escaped: escaped)
        return true
    }
}

extension MustacheValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: MustacheValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, MustacheValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
}
