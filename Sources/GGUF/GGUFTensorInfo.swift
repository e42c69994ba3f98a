/// One entry of the tensor table.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor name, e.g. `blk.0.attn_q.weight`.
    public var name: String
    /// Dimensions, ne0 first: `shape[0]` is the contiguous row length.
    public var shape: [Int]
    /// The element type.
    public var type: GGMLType
    /// Absolute byte offset of the data in the file.
    public var offset: Int
    /// Bytes of data (`rowBytes(shape[0]) * rows`).
    public var byteCount: Int

    /// Creates a tensor entry.
    public init(name: String, shape: [Int], type: GGMLType, offset: Int, byteCount: Int) {
        self.name = name
        self.shape = shape
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
    }

    /// The number of elements (product of the shape).
    public var elementCount: Int { shape.reduce(1, *) }

    /// The number of rows (product of all dimensions but the first).
    public var rowCount: Int { shape.dropFirst().reduce(1, *) }
}
