import Foundation
@testable import GGUF

/// A minimal GGUF writer for tests: builds valid files (v2 or v3) and lets tests patch raw fields to
/// make handcrafted bad ones.
struct GGUFWriter {
    var version: UInt32 = 3
    var magic: UInt32 = 0x4655_4747
    var metadata: [(String, GGUFValue)] = []
    /// Tensors: name, shape (ne0 first), raw type, data bytes; `offset` nil means "next aligned offset".
    var tensors: [(name: String, shape: [UInt64], type: UInt32, data: [UInt8], offset: UInt64?)] = []
    var alignment = 32
    /// Overrides of the header counts (to write absurd counts).
    var tensorCountOverride: UInt64?
    var keyCountOverride: UInt64?

    /// Adds a tensor of `type` whose data is `data`.
    mutating func addTensor(_ name: String, shape: [UInt64], type: GGMLType, data: [UInt8], offset: UInt64? = nil) {
        tensors.append((name, shape, type.rawValue, data, offset))
    }

    /// The file bytes.
    func bytes() -> [UInt8] {
        var out = [UInt8]()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func str(_ s: String) { u64(UInt64(s.utf8.count)); out.append(contentsOf: s.utf8) }
        func type(of v: GGUFValue) -> UInt32 {
            switch v {
            case .uint8: 0
            case .int8: 1
            case .uint16: 2
            case .int16: 3
            case .uint32: 4
            case .int32: 5
            case .float32: 6
            case .bool: 7
            case .string: 8
            case .array: 9
            case .uint64: 10
            case .int64: 11
            case .float64: 12
            }
        }
        func value(_ v: GGUFValue) {
            switch v {
            case let .uint8(x): out.append(x)
            case let .int8(x): out.append(UInt8(bitPattern: x))
            case let .uint16(x): withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
            case let .int16(x): withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
            case let .uint32(x): u32(x)
            case let .int32(x): u32(UInt32(bitPattern: x))
            case let .float32(x): u32(x.bitPattern)
            case let .bool(x): out.append(x ? 1 : 0)
            case let .string(x): str(x)
            case let .array(t, xs): u32(t.rawValue); u64(UInt64(xs.count)); xs.forEach(value)
            case let .uint64(x): u64(x)
            case let .int64(x): u64(UInt64(bitPattern: x))
            case let .float64(x): u64(x.bitPattern)
            }
        }
        u32(magic)
        u32(version)
        u64(tensorCountOverride ?? UInt64(tensors.count))
        u64(keyCountOverride ?? UInt64(metadata.count))
        for (k, v) in metadata { str(k); u32(type(of: v)); value(v) }
        var next: UInt64 = 0
        var offsets = [UInt64]()
        for t in tensors {
            str(t.name)
            u32(UInt32(t.shape.count))
            t.shape.forEach(u64)
            u32(t.type)
            let offset = t.offset ?? next
            offsets.append(offset)
            u64(offset)
            next = (offset &+ UInt64(t.data.count) &+ UInt64(alignment) &- 1) / UInt64(alignment) &* UInt64(alignment)
        }
        while out.count % alignment != 0 { out.append(0) }
        let dataStart = out.count
        for (t, offset) in zip(tensors, offsets) where t.offset == nil {
            out.append(contentsOf: [UInt8](repeating: 0, count: dataStart + Int(offset) - out.count))
            out.append(contentsOf: t.data)
        }
        return out
    }

    /// A small valid model-like file exercising every value type.
    static func sample(version: UInt32 = 3) -> GGUFWriter {
        var w = GGUFWriter()
        w.version = version
        w.metadata = [
            ("general.architecture", .string("llama")),
            ("general.name", .string("tiny")),
            ("llama.context_length", .uint32(128)),
            ("llama.block_count", .uint32(1)),
            ("u8", .uint8(200)), ("i8", .int8(-5)), ("u16", .uint16(60000)), ("i16", .int16(-300)),
            ("i32", .int32(-70000)), ("f32", .float32(1.5)), ("flag", .bool(true)),
            ("u64", .uint64(1 << 40)), ("i64", .int64(-(1 << 40))), ("f64", .float64(-2.25)),
            ("tokenizer.ggml.tokens", .array(elementType: .string, [.string("a"), .string("b"), .string("ü")])),
            ("tokenizer.ggml.scores", .array(elementType: .float32, [.float32(0.5), .float32(-1)])),
            ("nested", .array(elementType: .array, [.array(elementType: .int32, [.int32(1), .int32(2)]),
                                                   .array(elementType: .int32, [])])),
            ("tokenizer.chat_template", .string("{{ messages }}")),
        ]
        w.addTensor("a.weight", shape: [4, 2], type: .f32, data: (0..<32).map { UInt8($0) })
        w.addTensor("b.weight", shape: [32, 1], type: .q8_0, data: (0..<34).map { UInt8($0) })
        w.addTensor("c.weight", shape: [2], type: .f16, data: [0, 0x3C, 0, 0xC0])
        return w
    }
}

/// Writes `bytes` to a fresh temporary file and returns its path.
func writeTemporary(_ bytes: [UInt8], name: String = "test") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("loom-gguf-tests-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent("\(name)-\(UUID().uuidString).gguf")
    try Data(bytes).write(to: url)
    return url.path
}
