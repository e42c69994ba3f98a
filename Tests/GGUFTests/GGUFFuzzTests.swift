import AgentCore
import XCTest
@testable import GGUF

/// Seeded mutation fuzzing: corrupted versions of a valid file must throw or open, never crash, and a
/// file that opens must have every tensor inside the mapping.
final class GGUFFuzzTests: XCTestCase {
    func testMutationsNeverCrash() throws {
        var rng = SeededGenerator(seed: 0x5EED)
        var seeds = [GGUFWriter.sample(version: 2).bytes(), GGUFWriter.sample(version: 3).bytes()]
        var aligned = GGUFWriter.sample()
        aligned.alignment = 64
        aligned.metadata.append(("general.alignment", .uint32(64)))
        seeds.append(aligned.bytes())
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loom-gguf-fuzz-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("fuzz.gguf").path
        // One file rewritten in place (creating a file per iteration costs milliseconds each).
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var opened = 0, rejected = 0
        for _ in 0..<3000 {
            var bytes = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: // flip one bit
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    bytes[i] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                case 1: // random byte
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                case 2: // truncate
                    bytes.removeLast(Int.random(in: 0..<bytes.count, using: &rng))
                    if bytes.isEmpty { bytes = [0x47] }
                default: // an extreme 8-byte value where a count, length or offset may be
                    guard bytes.count >= 8 else { break }
                    let i = Int.random(in: 0...(bytes.count - 8), using: &rng)
                    let v: UInt64 = [UInt64.max, 1 << 60, 1 << 32, 0, UInt64(Int64.max)].randomElement(using: &rng)!
                    withUnsafeBytes(of: v) { for k in 0..<8 { bytes[i + k] = $0[k] } }
                }
            }
            XCTAssertEqual(ftruncate(fd, 0), 0)
            XCTAssertEqual(bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }, bytes.count)
            do {
                let file = try GGUFFile(path: path)
                opened += 1
                _ = file.summary
                for t in file.tensors where t.byteCount > 0 {
                    XCTAssertLessThanOrEqual(t.offset + t.byteCount, file.fileSize)
                    _ = file.data(t).load(fromByteOffset: t.byteCount - 1, as: UInt8.self)
                }
                for value in file.metadata.values { _ = (value.stringArray, value.intArray, value.floatArray) }
            } catch is GGUFError {
                rejected += 1
            }
        }
        XCTAssertEqual(opened + rejected, 3000)
        XCTAssertGreaterThan(rejected, 1000)
    }
}
