import AgentCore
import Foundation

/// Chooses the tools a question needs when many are registered, so the prompt does not grow with every
/// tool's description and schema.
///
/// Deterministic lexical retrieval: Okapi BM25 (k1 = 1.2, b = 0.75, as in Lucene's default similarity)
/// of the question's words against each tool's name (counted three times: a name is the best evidence),
/// plugin name and description. Words are lowercased runs of letters and digits, names split at `_`, `-`,
/// `.` and camel case, English stop words dropped and a plural `s` removed. The `limit` best-scoring
/// tools with a score above zero are kept (ties in catalog order), together with the agent's
/// `compute_tools` and the tools its worked examples call (the examples must stay valid). Selected tools
/// keep the catalog's order. Nothing is chosen while the catalog has at most `threshold` tools: then every
/// tool is shown, as before.
public struct ToolRetrieval: Sendable, Hashable {
    /// Catalogs up to this size are shown whole.
    public var threshold: Int
    /// How many tools retrieval keeps, besides the pinned ones.
    public var limit: Int

    /// Creates a retrieval policy; the defaults keep Loom's built-in plugins (about 15 tools) whole.
    public init(threshold: Int = 20, limit: Int = 8) {
        self.threshold = threshold
        self.limit = limit
    }

    /// What retrieval chose, for the prompt and the trace.
    public struct Selection: Sendable, Hashable {
        /// The chosen tools, qualified (`plugin.name`), in catalog order.
        public var selected: [String]
        /// How many tools the catalog offered.
        public var offered: Int
        /// The question's words that were matched against the tools.
        public var terms: [String]
    }

    /// Chooses among `catalog`'s tools for `question`, or nil when the catalog is small enough to show whole.
    public func select(question: String, catalog: ToolCatalog, agent: AgentDefinition) -> Selection? {
        let tools = catalog.tools
        guard tools.count > threshold else { return nil }
        let terms = Self.words(question)
        let documents = tools.map { tool in
            Array(repeating: Self.words(tool.name), count: 3).flatMap { $0 } + Self.words(tool.plugin) + Self.words(tool.description)
        }
        let scores = Self.bm25(query: terms, documents: documents)
        let ranked = tools.indices.filter { scores[$0] > 0 }.sorted { (scores[$0], -$0) > (scores[$1], -$1) }
        var chosen = Set(ranked.prefix(limit))
        let pinned = Set((agent.computeTools ?? []) + Self.exampleTools(agent.examples ?? ""))
        for index in tools.indices where pinned.contains(tools[index].name) || pinned.contains("\(tools[index].plugin).\(tools[index].name)") {
            chosen.insert(index)
        }
        return Selection(selected: tools.indices.filter(chosen.contains).map { "\(tools[$0].plugin).\(tools[$0].name)" },
                         offered: tools.count, terms: Array(Set(terms)).sorted())
    }

    /// BM25 score of each document for the query (both already split into words).
    static func bm25(query: [String], documents: [[String]], k1: Double = 1.2, b: Double = 0.75) -> [Double] {
        let count = Double(documents.count)
        let averageLength = max(1, Double(documents.map(\.count).reduce(0, +)) / max(1, count))
        var frequency: [String: Int] = [:]
        for document in documents { for word in Set(document) { frequency[word, default: 0] += 1 } }
        return documents.map { document in
            var termCounts: [String: Int] = [:]
            for word in document { termCounts[word, default: 0] += 1 }
            let length = Double(document.count)
            return Set(query).reduce(0.0) { score, term in
                guard let tf = termCounts[term].map(Double.init), let df = frequency[term].map(Double.init) else { return score }
                let idf = log(1 + (count - df + 0.5) / (df + 0.5))
                return score + idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / averageLength))
            }
        }
    }

    /// Lowercased words of `text`: runs of letters and digits, camel case split, stop words dropped,
    /// a final plural `s` removed from words longer than three letters.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousLower = false
        func flush() {
            if !current.isEmpty {
                var word = current.lowercased()
                if word.count > 3, word.hasSuffix("s"), !word.hasSuffix("ss") { word.removeLast() }
                if !stopWords.contains(word) { words.append(word) }
            }
            current = ""
        }
        for character in text {
            if character.isLetter || character.isNumber {
                if character.isUppercase && previousLower { flush() }
                current.append(character)
                previousLower = character.isLowercase
            } else {
                flush()
                previousLower = false
            }
        }
        flush()
        return words
    }

    /// Tool names a worked-examples text calls (`"tool": "name"`).
    static func exampleTools(_ examples: String) -> [String] {
        examples.components(separatedBy: "\"tool\": \"").dropFirst().compactMap { rest in
            rest.split(separator: "\"", maxSplits: 1).first.map(String.init)
        }
    }

    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "doe", "for", "from", "get", "give", "has",
        "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "much", "my", "of", "on", "or", "please",
        "result", "return", "show", "tell", "that", "the", "their", "then", "there", "thi", "this", "to", "tool",
        "use", "using", "was", "what", "when", "where", "which", "who", "why", "will", "with", "you", "your",
    ]
}
