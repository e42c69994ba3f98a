import Foundation
import TestSupport
import Tokenizers
import XCTest

/// Token ids must equal llama.cpp's exactly, for both models, with special parsing on and off.
final class GoldenTokenizerTests: XCTestCase {
    func testQwenMatchesLlamaCpp() throws {
        try check(fixture: "tokenize-qwen2.5-coder-0.5b-instruct-q4_k_m.json", model: TestModels.qwen05)
    }

    func testSmolLMMatchesLlamaCpp() throws {
        try check(fixture: "tokenize-smollm2-135m-instruct-q4_1.json", model: TestModels.smollm)
    }

    private func check(fixture: String, model: String) throws {
        let golden = try GoldenTokenizerFile.load(fixture)
        XCTAssertEqual(golden.model_file, model)
        XCTAssertEqual(golden.cases.count, 31)
        let tokenizer = try SharedTokenizers.load(model)
        for c in golden.cases {
            // The hex spelling rules out any JSON escaping doubt about the input bytes.
            let hex = c.text.utf8.map { String(format: "%02x", $0) }.joined()
            XCTAssertEqual(hex, c.text_utf8_hex, "\(c.id): fixture text and hex disagree")
            XCTAssertEqual(tokenizer.encode(c.text, parseSpecial: true), c.ids_parse_special,
                           "\(model) \(c.id) (parse special)")
            XCTAssertEqual(tokenizer.encode(c.text, parseSpecial: false), c.ids_no_parse_special,
                           "\(model) \(c.id) (no parse special)")
            XCTAssertEqual(tokenizer.decode(c.ids_parse_special), c.text, "\(model) \(c.id): decode")
        }
    }
}
