import AgentRuntime
import ArgumentParser
import Foundation

/// `loom tokenize`: Print the token ids of a text under a model's tokenizer.
struct Tokenize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "Print the token ids of a text under a model's tokenizer.")

    @Option(help: "Model name (see 'loom models list') or path to a .gguf file.") var model: String
    @Flag(help: "Turn control-token text such as <|im_start|> into its token (off: it is ordinary text).") var special = false
    @Flag(help: "Print JSON: ids and the text of each token.") var json = false
    @Argument(help: "The text to tokenize.") var text: String

    func run() async throws {
        let path = try ModelStore().resolve(model).path
        let tokens = try Tokenization(modelPath: path, text: text, special: special)
        let ids = tokens.ids
        guard json else {
            print("[" + ids.map(String.init).joined(separator: ", ") + "]")
            return
        }
        struct Output: Encodable {
            var ids: [Int]
            var pieces: [String]
            var count: Int
        }
        let output = Output(ids: ids, pieces: tokens.pieces, count: ids.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(output), as: UTF8.self))
    }
}
