import XCTest
import GGUF
import TestSupport
@testable import Kernels

/// Dequantizes real tensors of the model files and compares with gguf-py's values (Fixtures/README.md).
final class RealTensorTests: XCTestCase {
    struct Fixture: Decodable {
        struct Tensor: Decodable {
            var model: String, tensor: String, type: String, count: Int
            var first: [Float], sampleIndices: [Int], samples: [Float]
            var sum: Double, sumOfSquares: Double
        }
        var tensors: [Tensor]
    }

    func testRealTensorsMatchGGUFPy() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/dequantized-tensors", withExtension: "json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertEqual(Set(fixture.tensors.map(\.type)), ["q4_1", "q5_0", "q8_0", "q6_K", "q4_K", "f32"])
        var files = [String: GGUFFile]()
        for expected in fixture.tensors {
            if files[expected.model] == nil { files[expected.model] = try GGUFFile(path: TestModels.path(expected.model)) }
            let file = try XCTUnwrap(files[expected.model])
            let info = try XCTUnwrap(file.tensor(expected.tensor))
            XCTAssertEqual(info.type.description, expected.type)
            XCTAssertEqual(info.elementCount, expected.count)
            var values = [Float](repeating: .nan, count: info.elementCount)
            values.withUnsafeMutableBufferPointer {
                dequantize(info.type, file.data(info), $0.baseAddress!, count: info.elementCount)
            }
            let label = "\(expected.model) \(expected.tensor)"
            XCTAssertEqual(Array(values.prefix(64)), expected.first, label)
            XCTAssertEqual(expected.sampleIndices.map { values[$0] }, expected.samples, label)
            let sum = values.reduce(0.0) { $0 + Double($1) }
            let squares = values.reduce(0.0) { $0 + Double($1) * Double($1) }
            XCTAssertEqual(sum, expected.sum, accuracy: 1e-9 * expected.sumOfSquares.squareRoot() * Double(expected.count), label)
            XCTAssertEqual(squares, expected.sumOfSquares, accuracy: 1e-9 * expected.sumOfSquares, label)
        }
    }
}
