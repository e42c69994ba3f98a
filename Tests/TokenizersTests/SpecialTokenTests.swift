import Foundation
import TestSupport
import Tokenizers
import XCTest

/// CONTROL tokens only with special parsing, USER_DEFINED always, end-of-generation sets, decoding modes.
final class SpecialTokenTests: XCTestCase {
    func testControlTokensNeedSpecialParsing() throws {
        let qwen = try SharedTokenizers.load(TestModels.qwen05)
        let imStart = try XCTUnwrap(qwen.tokenID(spelledAs: "<|im_start|>"))
        let imEnd = try XCTUnwrap(qwen.tokenID(spelledAs: "<|im_end|>"))
        XCTAssertEqual(qwen.type(of: imStart), .control)
        XCTAssertEqual(qwen.encode("<|im_start|><|im_end|>", parseSpecial: true), [imStart, imEnd])
        let plain = qwen.encode("<|im_start|><|im_end|>", parseSpecial: false)
        XCTAssertFalse(plain.contains(imStart) || plain.contains(imEnd))
        XCTAssertEqual(qwen.decode(plain), "<|im_start|><|im_end|>")

        // Text right against a special token stays its own fragment on both sides.
        let ids = qwen.encode("x<|im_end|>y", parseSpecial: true)
        XCTAssertEqual(ids, qwen.encode("x") + [imEnd] + qwen.encode("y"))
    }

    func testUserDefinedTokensAreAlwaysRecognised() throws {
        let qwen = try SharedTokenizers.load(TestModels.qwen05)
        let open = try XCTUnwrap(qwen.tokenID(spelledAs: "<tool_call>"))
        let close = try XCTUnwrap(qwen.tokenID(spelledAs: "</tool_call>"))
        XCTAssertEqual(qwen.type(of: open), .userDefined)
        for parseSpecial in [false, true] {
            let ids = qwen.encode("<tool_call>{}</tool_call>", parseSpecial: parseSpecial)
            XCTAssertEqual(ids.first, open)
            XCTAssertEqual(ids.last, close)
        }
    }

    func testDecodingWithoutSpecialTokens() throws {
        let qwen = try SharedTokenizers.load(TestModels.qwen05)
        let ids = qwen.encode("<|im_start|>user\nhi<tool_call><|im_end|>", parseSpecial: true)
        XCTAssertEqual(qwen.decode(ids, renderSpecial: true), "<|im_start|>user\nhi<tool_call><|im_end|>")
        XCTAssertEqual(qwen.decode(ids, renderSpecial: false), "user\nhi<tool_call>")
    }

    func testEndOfGenerationTokens() throws {
        let qwen = try SharedTokenizers.load(TestModels.qwen05)
        XCTAssertEqual(qwen.eosToken, 151_645)
        XCTAssertEqual(qwen.bosToken, 151_643)
        // eos/<|im_end|>, <|endoftext|>, and the FIM pad/repo/file-separator tokens llama.cpp also stops on.
        XCTAssertEqual(qwen.endOfGenerationTokens, [151_643, 151_645, 151_662, 151_663, 151_664])
        let smol = try SharedTokenizers.load(TestModels.smollm)
        XCTAssertEqual(smol.endOfGenerationTokens, [0, 2])
        XCTAssertEqual(smol.spelling(of: 2), "<|im_end|>")
    }

    func testSpecialTextInsideWordsIsFound() throws {
        let smol = try SharedTokenizers.load(TestModels.smollm)
        // A control token glued to letters on both sides is still cut out.
        let ids = smol.encode("abc<|im_end|>def", parseSpecial: true)
        XCTAssertEqual(ids, smol.encode("abc") + [2] + smol.encode("def"))
        // Out-of-range ids are ignored by decode rather than trapping.
        XCTAssertEqual(smol.decode([-1, 1_000_000] + smol.encode("ok")), "ok")
    }
}
