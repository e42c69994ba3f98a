/// The element type of a tensor, numbered as in ggml's `enum ggml_type` and spelled as GGUF spells it.
///
/// Numbers 4, 5 and 31–33, 36–38 were removed from ggml and are not valid in GGUF files.
public enum GGMLType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case iq2_xxs = 16
    case iq2_xs = 17
    case iq3_xxs = 18
    case iq1_s = 19
    case iq4_nl = 20
    case iq3_s = 21
    case iq2_s = 22
    case iq4_xs = 23
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case iq1_m = 29
    case bf16 = 30
    case tq1_0 = 34
    case tq2_0 = 35
    case mxfp4 = 39

    /// Elements per block (1 for plain types, 32 for legacy quants, 256 for K-quants).
    public var blockSize: Int { Self.layout[self]!.blockSize }

    /// Bytes per block.
    public var typeSize: Int { Self.layout[self]!.typeSize }

    /// Bytes of a row of `n` elements; `n` must be a multiple of `blockSize`.
    public func rowBytes(_ n: Int) -> Int { n / blockSize * typeSize }

    /// The ggml name, e.g. `q4_K`.
    public var description: String { Self.layout[self]!.name }

    /// (name, elements per block, bytes per block) of each type, as in ggml's `type_traits`.
    private static let layout: [GGMLType: (name: String, blockSize: Int, typeSize: Int)] = [
        .f32: ("f32", 1, 4), .f16: ("f16", 1, 2),
        .q4_0: ("q4_0", 32, 18), .q4_1: ("q4_1", 32, 20),
        .q5_0: ("q5_0", 32, 22), .q5_1: ("q5_1", 32, 24),
        .q8_0: ("q8_0", 32, 34), .q8_1: ("q8_1", 32, 36),
        .q2_K: ("q2_K", 256, 84), .q3_K: ("q3_K", 256, 110), .q4_K: ("q4_K", 256, 144),
        .q5_K: ("q5_K", 256, 176), .q6_K: ("q6_K", 256, 210), .q8_K: ("q8_K", 256, 292),
        .iq2_xxs: ("iq2_xxs", 256, 66), .iq2_xs: ("iq2_xs", 256, 74), .iq3_xxs: ("iq3_xxs", 256, 98),
        .iq1_s: ("iq1_s", 256, 50), .iq4_nl: ("iq4_nl", 32, 18), .iq3_s: ("iq3_s", 256, 110),
        .iq2_s: ("iq2_s", 256, 82), .iq4_xs: ("iq4_xs", 256, 136),
        .i8: ("i8", 1, 1), .i16: ("i16", 1, 2), .i32: ("i32", 1, 4), .i64: ("i64", 1, 8), .f64: ("f64", 1, 8),
        .iq1_m: ("iq1_m", 256, 56), .bf16: ("bf16", 1, 2),
        .tq1_0: ("tq1_0", 256, 54), .tq2_0: ("tq2_0", 256, 66), .mxfp4: ("mxfp4", 32, 17),
    ]
}
