import GGUF
import LLM
import TestSupport
import XCTest

/// Loading: configuration from metadata, the architecture registry, and every bad-file case.
final class ModelLoadingTests: XCTestCase {
    private var paths: [String] = []

    override func tearDown() {
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
        paths.removeAll()
    }

    private func write(_ model: SyntheticModel) throws -> String {
        let path = try model.write()
        paths.append(path)
        return path
    }

    func testSyntheticModelLoadsAndRuns() throws {
        let model = try Transformer(path: try write(SyntheticModel()))
        XCTAssertEqual(model.configuration, ModelConfiguration(
            architecture: "llama", layerCount: 1, embeddingLength: 8, feedForwardLength: 16, headCount: 2,
            headCountKV: 1, ropeFrequencyBase: 10_000, rmsNormEpsilon: 1e-5, trainedContextLength: 64,
            vocabularySize: 16))
        // No output.weight: tied to the embedding.
        XCTAssertEqual(model.weights.output.name, "token_embd.weight")
        let session = try InferenceSession(model: model, contextLength: 16, threads: 2)
        let logits = try session.logits(after: [1, 2, 3])
        XCTAssertEqual(logits.count, 16)
        XCTAssertTrue(logits.allSatisfy(\.isFinite))
    }

    func testUnknownArchitectureIsAnError() throws {
        let path = try write(SyntheticModel(architecture: "mamba"))
        XCTAssertThrowsError(try Transformer(path: path)) { error in
            XCTAssertEqual(error as? LLMError, .unknownArchitecture("mamba", known: ["llama", "qwen2"]))
        }
    }

    func testMissingTensorIsAnError() throws {
        let path = try write(SyntheticModel(omit: ["blk.0.ffn_up.weight"]))
        XCTAssertThrowsError(try Transformer(path: path)) { error in
            XCTAssertEqual(error as? LLMError, .missingTensor(name: "blk.0.ffn_up.weight"))
        }
    }

    func testQwen2WithoutBiasesIsAnError() throws {
        let path = try write(SyntheticModel(architecture: "qwen2"))
        XCTAssertThrowsError(try Transformer(path: path)) { error in
            XCTAssertEqual(error as? LLMError, .missingTensor(name: "blk.0.attn_q.bias"))
        }
    }

    func testIllShapedTensorIsAnError() throws {
        let path = try write(SyntheticModel(reshape: ["blk.0.attn_k.weight": [8, 8]]))
        XCTAssertThrowsError(try Transformer(path: path)) { error in
            XCTAssertEqual(error as? LLMError, .tensorShape(name: "blk.0.attn_k.weight", expected: [8, 4], found: [8, 8]))
        }
    }

    func testHeadCountNotDividingTheWidthIsAnError() throws {
        let path = try write(SyntheticModel(heads: 3, kvHeads: 1))
        XCTAssertThrowsError(try Transformer(path: path)) { error in
            guard case .invalidMetadata(let key, _)? = error as? LLMError else { return XCTFail("\(error)") }
            XCTAssertEqual(key, "llama.attention.head_count")
        }
    }

    func testRealModelConfigurations() throws {
        let smol = try Transformer(path: try TestModels.path(TestModels.smollm)).configuration
        XCTAssertEqual(smol.architecture, "llama")
        XCTAssertEqual(smol.ropeFrequencyBase, 100_000)
        XCTAssertEqual(smol.rmsNormEpsilon, 1e-5)
        let qwen = try Transformer(path: try TestModels.path(TestModels.qwen05))
        XCTAssertEqual(qwen.configuration.architecture, "qwen2")
        XCTAssertEqual(qwen.configuration.headCountKV, 2)
        XCTAssertEqual(qwen.configuration.ropeFrequencyBase, 1_000_000)
        XCTAssertEqual(qwen.configuration.rmsNormEpsilon, 1e-6)
        XCTAssertEqual(qwen.configuration.vocabularySize, 151_936)
        XCTAssertEqual(qwen.weights.output.name, "output.weight")
        XCTAssertNotNil(qwen.weights.blocks[0].queryBias)
    }
}
