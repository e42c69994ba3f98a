// GGUF file layout (all integers little-endian), as read by `GGUFFile`; mirrors ggml's `gguf.h`.
//
//  1. Magic: the four bytes "GGUF" (UInt32 0x46554747).
//  2. Version: UInt32, 2 or 3 (version 1 used 32-bit counts and is not supported).
//  3. Tensor count: UInt64.
//  4. Metadata key/value count: UInt64.
//  5. Metadata, repeated (4) times:
//       a. key: a string (UInt64 byte length, then UTF-8 bytes, no terminator);
//       b. value type: UInt32 (`GGUFValue.ValueType`: 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32,
//          7 bool (one byte), 8 string, 9 array, 10 u64, 11 i64, 12 f64);
//       c. the value; an array is its element type (UInt32), an element count (UInt64), then the
//          elements, which may themselves be arrays.
//  6. Tensor infos, repeated (3) times:
//       a. name: a string;
//       b. number of dimensions: UInt32 (1...4);
//       c. dimensions: that many UInt64, ne0 (the contiguous row length) first;
//       d. type: UInt32 (`GGMLType`);
//       e. offset of the data: UInt64, relative to the start of the data section (7), a multiple of
//          the alignment.
//  7. Padding to a multiple of the alignment (`general.alignment`, UInt32, default 32), then the
//     tensor data section; each tensor's data is rows of `type.rowBytes(ne0)` bytes.

/// A GGUF model file, mapped read-only: the metadata and tensor table are parsed and validated at
/// open; tensor data stays in the mapping and is never copied.
public final class GGUFFile: @unchecked Sendable {
    /// The file's path.
    public let path: String
    /// The format version (2 or 3).
    public let version: UInt32
    /// All metadata values by key.
    public let metadata: [String: GGUFValue]
    /// The metadata keys in file order.
    public let metadataKeys: [String]
    /// The tensor table in file order.
    public let tensors: [GGUFTensorInfo]
    /// Alignment of tensor data (bytes).
    public let alignment: Int
    /// Absolute offset of the tensor data section.
    public let dataOffset: Int
    /// Size of the file in bytes.
    public let fileSize: Int

    private let mapping: MappedFile
    private let tensorIndex: [String: Int]

    /// Arrays nested deeper than this are rejected (real files nest at most one level).
    static let maximumArrayDepth = 8
    /// Default alignment of the data section when `general.alignment` is absent.
    public static let defaultAlignment = 32

    /// Opens, maps and validates the file at `path`.
    /// - Throws: `GGUFError` describing the first problem found.
    public init(path: String) throws {
        self.path = path
        mapping = try MappedFile(path: path)
        fileSize = mapping.size
        guard let base = mapping.base, fileSize >= 4 else {
            throw GGUFError.truncated(what: "magic", offset: 0, needed: 4, fileSize: UInt64(mapping.size))
        }
        var cursor = GGUFCursor(base: base, size: fileSize)

        // 1–4: header.
        let magic = try cursor.read(UInt32.self, "magic")
        guard magic == 0x4655_4747 else { throw GGUFError.badMagic(found: magic) }
        version = try cursor.read(UInt32.self, "version")
        guard version == 2 || version == 3 else { throw GGUFError.unsupportedVersion(version) }
        let tensorCountOffset = cursor.offset
        let rawTensorCount = try cursor.read(UInt64.self, "tensor count")
        let rawKeyCount = try cursor.read(UInt64.self, "metadata key count")
        let tensorCount = try cursor.checkCount(rawTensorCount, "tensor", minimumSize: 32, at: tensorCountOffset)
        let keyCount = try cursor.checkCount(rawKeyCount, "metadata key", minimumSize: 13, at: tensorCountOffset + 8)

        // 5: metadata.
        var metadata = [String: GGUFValue](minimumCapacity: keyCount)
        var keys = [String]()
        keys.reserveCapacity(keyCount)
        for _ in 0..<keyCount {
            let key = try cursor.readString("metadata key")
            let rawType = try cursor.read(UInt32.self, "value type of '\(key)'")
            guard let type = GGUFValue.ValueType(rawValue: rawType) else {
                throw GGUFError.unknownValueType(key: key, type: rawType)
            }
            let value = try Self.readValue(type, key: key, depth: 0, &cursor)
            guard metadata.updateValue(value, forKey: key) == nil else { throw GGUFError.duplicateKey(key) }
            keys.append(key)
        }
        self.metadata = metadata
        metadataKeys = keys

        alignment = try Self.alignment(of: metadata)

        // 6: tensor infos (offsets relative for now).
        var infos = [(name: String, shape: [UInt64], rawType: UInt32, offset: UInt64)]()
        infos.reserveCapacity(tensorCount)
        for _ in 0..<tensorCount {
            let name = try cursor.readString("tensor name")
            let dims = try cursor.read(UInt32.self, "dimension count of '\(name)'")
            guard (1...4).contains(dims) else { throw GGUFError.invalidShape(name: name, shape: []) }
            var shape = [UInt64]()
            for _ in 0..<dims { shape.append(try cursor.read(UInt64.self, "shape of '\(name)'")) }
            let rawType = try cursor.read(UInt32.self, "type of '\(name)'")
            let offset = try cursor.read(UInt64.self, "offset of '\(name)'")
            infos.append((name, shape, rawType, offset))
        }

        // 7: data section.
        let padded = (cursor.offset + alignment - 1) / alignment * alignment
        dataOffset = padded
        var tensors = [GGUFTensorInfo]()
        tensors.reserveCapacity(tensorCount)
        var index = [String: Int](minimumCapacity: tensorCount)
        for info in infos {
            let tensor = try Self.validate(info, dataOffset: padded, alignment: alignment, fileSize: fileSize)
            guard index.updateValue(tensors.count, forKey: tensor.name) == nil else {
                throw GGUFError.duplicateTensorName(tensor.name)
            }
            tensors.append(tensor)
        }
        self.tensors = tensors
        tensorIndex = index
    }

    /// The tensor called `name`, if any.
    public func tensor(_ name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// A pointer to the tensor's data inside the mapping (valid while this file is alive).
    public func data(_ t: GGUFTensorInfo) -> UnsafeRawPointer {
        // A tensor table entry always has data inside a non-empty mapping (checked at open).
        mapping.base.unsafelyUnwrapped + t.offset
    }

    /// The whole mapping as bytes (valid while this file is alive).
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: mapping.base, count: fileSize)
    }

    /// Reads one value of `type`; arrays recurse up to `maximumArrayDepth`.
    private static func readValue(_ type: GGUFValue.ValueType, key: String, depth: Int,
                                  _ c: inout GGUFCursor) throws -> GGUFValue {
        let what = "value of '\(key)'"
        switch type {
        case .uint8: return .uint8(try c.read(UInt8.self, what))
        case .int8: return .int8(try c.read(Int8.self, what))
        case .uint16: return .uint16(try c.read(UInt16.self, what))
        case .int16: return .int16(try c.read(Int16.self, what))
        case .uint32: return .uint32(try c.read(UInt32.self, what))
        case .int32: return .int32(try c.read(Int32.self, what))
        case .float32: return .float32(Float(bitPattern: try c.read(UInt32.self, what)))
        case .bool: return .bool(try c.read(UInt8.self, what) != 0)
        case .string: return .string(try c.readString(what))
        case .uint64: return .uint64(try c.read(UInt64.self, what))
        case .int64: return .int64(try c.read(Int64.self, what))
        case .float64: return .float64(Double(bitPattern: try c.read(UInt64.self, what)))
        case .array:
            guard depth < maximumArrayDepth else { throw GGUFError.arrayNestingTooDeep(key: key, depth: maximumArrayDepth) }
            let rawType = try c.read(UInt32.self, "array type of '\(key)'")
            guard let elementType = GGUFValue.ValueType(rawValue: rawType) else {
                throw GGUFError.unknownValueType(key: key, type: rawType)
            }
            let count = try c.readCount("array '\(key)' element", minimumSize: elementType.minimumSize)
            var values = [GGUFValue]()
            values.reserveCapacity(count)
            if elementType == .string {
                for _ in 0..<count { values.append(.string(try c.readString(what))) }
            } else {
                for _ in 0..<count { values.append(try readValue(elementType, key: key, depth: depth + 1, &c)) }
            }
            return .array(elementType: elementType, values)
        }
    }

    /// The data alignment from `general.alignment` (a non-zero power of two, UInt32), or 32.
    private static func alignment(of metadata: [String: GGUFValue]) throws -> Int {
        guard let value = metadata["general.alignment"] else { return defaultAlignment }
        guard case let .uint32(a) = value else {
            throw GGUFError.invalidValue(key: "general.alignment", reason: "must be a uint32")
        }
        guard a > 0, a & (a - 1) == 0 else {
            throw GGUFError.invalidValue(key: "general.alignment", reason: "\(a) is not a power of two")
        }
        return Int(a)
    }

    /// Checks type, shape, alignment and bounds of one tensor and makes its offset absolute.
    private static func validate(_ info: (name: String, shape: [UInt64], rawType: UInt32, offset: UInt64),
                                 dataOffset: Int, alignment: Int, fileSize: Int) throws -> GGUFTensorInfo {
        guard let type = GGMLType(rawValue: info.rawType) else {
            throw GGUFError.unknownTensorType(name: info.name, type: info.rawType)
        }
        // The element count at most 2^50, so the byte arithmetic below cannot overflow.
        var elements: UInt64 = 1
        for d in info.shape {
            let product = elements.multipliedReportingOverflow(by: d)
            guard !product.overflow, product.partialValue <= 1 << 50 else {
                throw GGUFError.invalidShape(name: info.name, shape: info.shape)
            }
            elements = product.partialValue
        }
        guard info.shape[0] % UInt64(type.blockSize) == 0 else {
            throw GGUFError.rowNotBlockAligned(name: info.name, rowLength: info.shape[0], blockSize: type.blockSize)
        }
        guard info.offset % UInt64(alignment) == 0 else {
            throw GGUFError.misalignedOffset(name: info.name, offset: info.offset, alignment: alignment)
        }
        let byteCount = elements / UInt64(type.blockSize) * UInt64(type.typeSize)
        let start = UInt64(dataOffset).addingReportingOverflow(info.offset)
        guard !start.overflow, start.partialValue <= UInt64(fileSize),
              byteCount <= UInt64(fileSize) - start.partialValue else {
            throw GGUFError.tensorOutOfBounds(name: info.name, offset: start.partialValue, fileSize: UInt64(fileSize))
        }
        return GGUFTensorInfo(name: info.name, shape: info.shape.map { Int($0) }, type: type,
                              offset: Int(start.partialValue), byteCount: Int(byteCount))
    }
}
