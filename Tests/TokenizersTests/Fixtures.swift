import Foundation
import GGUF
import TestSupport
import Tokenizers
import XCTest

/// Loads the real tokenizers once per test process (the Qwen vocabulary takes a noticeable moment).
enum SharedTokenizers {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Tokenizer] = [:]

    /// The tokenizer of a model file under `TestModels` (skips locally / fails in CI when missing).
    static func load(_ file: String) throws -> Tokenizer {
        let path = try TestModels.path(file)
        lock.lock()
        defer { lock.unlock() }
        if let cached = cache[file] { return cached }
        let tokenizer = try Tokenizer(gguf: GGUFFile(path: path))
        cache[file] = tokenizer
        return tokenizer
    }
}

/// The golden tokenizer cases from llama.cpp (`Fixtures/tokenize-*.json`, see `Fixtures/README.md`).
struct GoldenTokenizerFile: Decodable {
    struct Case: Decodable {
        var id: String
        var text: String
        var text_utf8_hex: String
        var ids_parse_special: [Int]
        var ids_no_parse_special: [Int]
    }

    var model_file: String
    var cases: [Case]

    /// Reads `Fixtures/<name>`.
    static func load(_ name: String) throws -> GoldenTokenizerFile {
        let url = try XCTUnwrap(Bundle.module.resourceURL).appendingPathComponent("Fixtures/\(name)")
        return try JSONDecoder().decode(GoldenTokenizerFile.self, from: Data(contentsOf: url))
    }
}
