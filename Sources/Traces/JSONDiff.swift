import AgentCore

/// Finds the first place where two JSON values differ, as a path like `messages[2].content`.
public enum JSONDiff {
    /// The first difference: where, and the two values there (strings shown around their first
    /// differing character).
    public struct Difference: Sendable, Hashable, Codable {
        /// Path of the differing field.
        public var path: String
        /// The recorded value there.
        public var recorded: String
        /// The value now.
        public var now: String
    }

    /// The first difference between `recorded` and `now`, or nil when equal. Object keys are
    /// visited in sorted order; `ignoring` names keys (at any depth) that are not compared.
    public static func first(_ recorded: JSONValue, _ now: JSONValue, path: String = "",
                             ignoring: Set<String> = []) -> Difference? {
        switch (recorded, now) {
        case (.object(let a), .object(let b)):
            for key in Set(a.keys).union(b.keys).sorted() where !ignoring.contains(key) {
                let sub = path.isEmpty ? key : "\(path).\(key)"
                if let found = first(a[key] ?? .null, b[key] ?? .null, path: sub, ignoring: ignoring) { return found }
            }
            return nil
        case (.array(let a), .array(let b)):
            for index in 0..<min(a.count, b.count) {
                if let found = first(a[index], b[index], path: "\(path)[\(index)]", ignoring: ignoring) { return found }
            }
            if a.count != b.count {
                return Difference(path: "\(path).count", recorded: String(a.count), now: String(b.count))
            }
            return nil
        case (.string(let a), .string(let b)):
            return a == b ? nil : around(a, b, path: path)
        case (.int(let a), .double(let b)) where Double(a) == b: return nil
        case (.double(let a), .int(let b)) where a == Double(b): return nil
        default:
            return recorded == now ? nil : Difference(path: path, recorded: recorded.compactText, now: now.compactText)
        }
    }

    /// Two strings shown from a little before their first differing character.
    static func around(_ a: String, _ b: String, path: String) -> Difference {
        let x = Array(a), y = Array(b)
        var index = 0
        while index < min(x.count, y.count), x[index] == y[index] { index += 1 }
        let start = max(index - 30, 0)
        func window(_ chars: [Character]) -> String {
            let end = min(index + 50, chars.count)
            return (start > 0 ? "…" : "") + String(chars[min(start, chars.count)..<end]) + (end < chars.count ? "…" : "")
        }
        return Difference(path: "\(path) (character \(index))", recorded: window(x).debugDescription,
                          now: window(y).debugDescription)
    }
}
