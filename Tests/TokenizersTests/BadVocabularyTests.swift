import GGUF
import Tokenizers
import XCTest

/// Every malformed or unsupported tokenizer description is a `TokenizerError`, never a crash.
final class BadVocabularyTests: XCTestCase {
    /// A tiny but valid byte-level vocabulary: the 256 byte tokens, "ab", "abc" and `<|end|>`.
    private func metadata() -> [String: GGUFValue] {
        var tokens = (0...255).map { byte -> String in
            let scalar: UInt32
            switch byte {
            case 0x21...0x7E, 0xA1...0xAC, 0xAE...0xFF: scalar = UInt32(byte)
            default:
                let earlier = (0..<byte).filter { !((0x21...0x7E).contains($0) || (0xA1...0xAC).contains($0) || (0xAE...0xFF).contains($0)) }
                scalar = 256 + UInt32(earlier.count)
            }
            return String(Character(Unicode.Scalar(scalar)!))
        }
        tokens += ["ab", "abc", "<|end|>"]
        var types = [Int](repeating: 1, count: tokens.count)
        types[types.count - 1] = 3
        return [
            "tokenizer.ggml.model": .string("gpt2"),
            "tokenizer.ggml.pre": .string("qwen2"),
            "tokenizer.ggml.tokens": .array(elementType: .string, tokens.map { .string($0) }),
            "tokenizer.ggml.token_type": .array(elementType: .int32, types.map { .int32(Int32($0)) }),
            "tokenizer.ggml.merges": .array(elementType: .string, [.string("a b"), .string("ab c")]),
            "tokenizer.ggml.eos_token_id": .uint32(258),
        ]
    }

    func testTinyVocabularyWorks() throws {
        let tokenizer = try Tokenizer(metadata: metadata())
        XCTAssertEqual(tokenizer.encode("abcab"), [257, 256])
        XCTAssertEqual(tokenizer.encode("<|end|>", parseSpecial: true), [258])
        XCTAssertEqual(tokenizer.endOfGenerationTokens, [258])
        XCTAssertEqual(tokenizer.decode(tokenizer.encode("zabc a")), "zabc a")
    }

    func testMissingModelKey() {
        var m = metadata()
        m["tokenizer.ggml.model"] = nil
        XCTAssertThrowsError(try Tokenizer(metadata: m)) { XCTAssertEqual($0 as? TokenizerError, .missingKey("tokenizer.ggml.model")) }
    }

    func testUnsupportedModel() {
        var m = metadata()
        m["tokenizer.ggml.model"] = .string("llama")
        XCTAssertThrowsError(try Tokenizer(metadata: m)) { XCTAssertEqual($0 as? TokenizerError, .unsupportedModel("llama")) }
    }

    func testUnsupportedPreTokenizer() {
        var m = metadata()
        m["tokenizer.ggml.pre"] = .string("llama-bpe")
        XCTAssertThrowsError(try Tokenizer(metadata: m)) {
            XCTAssertEqual($0 as? TokenizerError, .unsupportedPreTokenizer("llama-bpe"))
            XCTAssertTrue("\($0)".contains("qwen2, smollm"))
        }
        m["tokenizer.ggml.pre"] = nil
        XCTAssertThrowsError(try Tokenizer(metadata: m)) { XCTAssertEqual($0 as? TokenizerError, .unsupportedPreTokenizer("(none)")) }
    }

    func testTokensOfTheWrongType() {
        var m = metadata()
        m["tokenizer.ggml.tokens"] = .array(elementType: .int32, [.int32(1)])
        XCTAssertThrowsError(try Tokenizer(metadata: m)) {
            XCTAssertEqual($0 as? TokenizerError, .invalidValue(key: "tokenizer.ggml.tokens", reason: "not an array of strings"))
        }
        m["tokenizer.ggml.tokens"] = nil
        XCTAssertThrowsError(try Tokenizer(metadata: m)) { XCTAssertEqual($0 as? TokenizerError, .missingKey("tokenizer.ggml.tokens")) }
    }

    func testTooFewTokenTypes() {
        var m = metadata()
        m["tokenizer.ggml.token_type"] = .array(elementType: .int32, [.int32(1)])
        XCTAssertThrowsError(try Tokenizer(metadata: m)) {
            guard case .invalidValue(key: "tokenizer.ggml.token_type", _)? = $0 as? TokenizerError else {
                return XCTFail("unexpected \($0)")
            }
        }
    }

    func testSpecialTokenOutOfRange() {
        var m = metadata()
        m["tokenizer.ggml.eos_token_id"] = .uint32(9999)
        XCTAssertThrowsError(try Tokenizer(metadata: m)) {
            XCTAssertEqual($0 as? TokenizerError,
                           .specialTokenOutOfRange(key: "tokenizer.ggml.eos_token_id", id: 9999, vocabularySize: 259))
        }
        m["tokenizer.ggml.eos_token_id"] = .string("two")
        XCTAssertThrowsError(try Tokenizer(metadata: m)) {
            XCTAssertEqual($0 as? TokenizerError, .invalidValue(key: "tokenizer.ggml.eos_token_id", reason: "not an integer"))
        }
    }

    func testDuplicateToken() {
        var m = metadata()
        guard case let .array(type, values)? = m["tokenizer.ggml.tokens"] else { return XCTFail() }
        m["tokenizer.ggml.tokens"] = .array(elementType: type, values.dropLast() + [.string("ab")])
        XCTAssertThrowsError(try Tokenizer(metadata: m)) {
            XCTAssertEqual($0 as? TokenizerError, .duplicateToken(text: "ab", firstID: 256, secondID: 258))
        }
    }

    func testMergesWithUnknownPartsAndMalformedRulesDoNotCrash() throws {
        var m = metadata()
        // "x y" produces "xy", which is not a token: llama.cpp still merges it and then falls back to
        // single-byte tokens of its spelling; "nospace" has no separator and is ignored.
        m["tokenizer.ggml.merges"] = .array(elementType: .string, [.string("x y"), .string("nospace"), .string("a b")])
        let tokenizer = try Tokenizer(metadata: m)
        XCTAssertEqual(tokenizer.mergeCount, 2)
        XCTAssertEqual(tokenizer.decode(tokenizer.encode("xyab")), "xyab")
    }

    func testEmptyTokenSpellingIsRenamed() throws {
        var m = metadata()
        guard case let .array(type, values)? = m["tokenizer.ggml.tokens"] else { return XCTFail() }
        m["tokenizer.ggml.tokens"] = .array(elementType: type, values.dropLast() + [.string("")])
        let tokenizer = try Tokenizer(metadata: m)
        XCTAssertEqual(tokenizer.spelling(of: 258), "[EMPTY_258]")
    }

    func testChatTemplateMustBeAString() {
        var m = metadata()
        m["tokenizer.chat_template"] = .int32(3)
        XCTAssertThrowsError(try Tokenizer(metadata: m)) {
            XCTAssertEqual($0 as? TokenizerError, .invalidValue(key: "tokenizer.chat_template", reason: "not a string"))
        }
    }
}
