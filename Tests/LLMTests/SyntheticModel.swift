import Foundation

/// Writes small GGUF v3 files with f32 tensors: a tiny llama-shaped model, optionally broken.
///
/// Layout written: magic `GGUF`, version 3, tensor count, metadata count, the metadata (key, type,
/// value), the tensor table (name, dims, type, offset), padding to 32 bytes, then the tensor data,
/// each tensor 32-byte aligned.
struct SyntheticModel {
    var architecture = "llama"
    var layers = 1
    var embedding = 8
    var heads = 2
    var kvHeads = 1
    var feedForward = 16
    var vocabulary = 16
    /// Tensors to leave out.
    var omit: Set<String> = []
    /// Tensors to write with a different shape than the configuration implies.
    var reshape: [String: [Int]] = [:]

    /// Every tensor of the model with its shape (ne0 first).
    var tensors: [(String, [Int])] {
        let d = embedding, kv = kvHeads * (embedding / heads), ff = feedForward
        var list: [(String, [Int])] = [("token_embd.weight", [d, vocabulary])]
        for i in 0 ..< layers {
            let p = "blk.\(i)."
            list += [(p + "attn_norm.weight", [d]), (p + "attn_q.weight", [d, d]), (p + "attn_k.weight", [d, kv]),
                     (p + "attn_v.weight", [d, kv]), (p + "attn_output.weight", [d, d]),
                     (p + "ffn_norm.weight", [d]), (p + "ffn_gate.weight", [d, ff]),
                     (p + "ffn_up.weight", [d, ff]), (p + "ffn_down.weight", [ff, d])]
        }
        list.append(("output_norm.weight", [d]))
        return list.filter { !omit.contains($0.0) }.map { ($0.0, reshape[$0.0] ?? $0.1) }
    }

    /// Writes the file to a fresh temporary path and returns the path.
    func write() throws -> String {
        var out = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func string(_ s: String) { u64(UInt64(s.utf8.count)); out.append(contentsOf: Array(s.utf8)) }
        func pad() { while out.count % 32 != 0 { out.append(0) } }

        let a = architecture
        let ints: [(String, UInt32)] = [
            ("\(a).block_count", UInt32(layers)), ("\(a).embedding_length", UInt32(embedding)),
            ("\(a).feed_forward_length", UInt32(feedForward)), ("\(a).attention.head_count", UInt32(heads)),
            ("\(a).attention.head_count_kv", UInt32(kvHeads)), ("\(a).context_length", 64),
            ("\(a).vocab_size", UInt32(vocabulary)),
        ]
        let list = tensors
        out.append(contentsOf: Array("GGUF".utf8))
        u32(3)
        u64(UInt64(list.count))
        u64(UInt64(ints.count + 2))
        string("general.architecture"); u32(8); string(a)
        for (key, value) in ints { string(key); u32(4); u32(value) }
        string("\(a).attention.layer_norm_rms_epsilon"); u32(6); u32(Float(1e-5).bitPattern)
        var offset = 0
        for (name, shape) in list {
            string(name)
            u32(UInt32(shape.count))
            for dim in shape { u64(UInt64(dim)) }
            u32(0)  // f32
            u64(UInt64(offset))
            offset += (shape.reduce(1, *) * 4 + 31) / 32 * 32
        }
        pad()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for (name, shape) in list {
            let isNorm = name.hasSuffix("norm.weight")
            for _ in 0 ..< shape.reduce(1, *) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let value: Float = isNorm ? 1 : Float(Int(state >> 40) % 2001 - 1000) / 2000
                u32(value.bitPattern)
            }
            pad()
        }
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("loom-llm-\(UUID().uuidString).gguf").path
        try out.write(to: URL(fileURLWithPath: path))
        return path
    }
}
