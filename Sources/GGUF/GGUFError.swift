/// Everything that can be wrong with a GGUF file; each case says where.
public enum GGUFError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened, stat'ed or mapped.
    case cannotOpen(path: String, reason: String)
    /// The file ended while reading `what` at `offset` (needing `needed` bytes).
    case truncated(what: String, offset: UInt64, needed: UInt64, fileSize: UInt64)
    /// The first four bytes are not `GGUF`.
    case badMagic(found: UInt32)
    /// The version is not 2 or 3.
    case unsupportedVersion(UInt32)
    /// A count (tensors, keys, array elements) that cannot fit in the remaining bytes.
    case countTooLarge(what: String, count: UInt64, offset: UInt64, remainingBytes: UInt64)
    /// A string length that cannot fit in the remaining bytes.
    case stringTooLong(length: UInt64, offset: UInt64, remainingBytes: UInt64)
    /// A metadata value type that GGUF does not define.
    case unknownValueType(key: String, type: UInt32)
    /// Arrays nested deeper than the reader accepts.
    case arrayNestingTooDeep(key: String, depth: Int)
    /// The same metadata key twice.
    case duplicateKey(String)
    /// A metadata key the reader relies on has the wrong type or an invalid value.
    case invalidValue(key: String, reason: String)
    /// The same tensor name twice.
    case duplicateTensorName(String)
    /// A tensor type that ggml does not define (or that was removed).
    case unknownTensorType(name: String, type: UInt32)
    /// A tensor with zero or more than four dimensions, or with a dimension out of range.
    case invalidShape(name: String, shape: [UInt64])
    /// A tensor whose row length is not a multiple of its type's block size.
    case rowNotBlockAligned(name: String, rowLength: UInt64, blockSize: Int)
    /// A tensor offset that is not a multiple of the file's alignment.
    case misalignedOffset(name: String, offset: UInt64, alignment: Int)
    /// A tensor whose data extends beyond the end of the file.
    case tensorOutOfBounds(name: String, offset: UInt64, fileSize: UInt64)

    /// A one-line explanation for people.
    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open \(path): \(reason)"
        case let .truncated(what, offset, needed, fileSize):
            return "truncated GGUF file: reading \(what) at byte \(offset) needs \(needed) bytes, file has \(fileSize)"
        case let .badMagic(found): return "not a GGUF file (magic 0x\(String(found, radix: 16)))"
        case let .unsupportedVersion(v): return "unsupported GGUF version \(v) (2 and 3 are supported)"
        case let .countTooLarge(what, count, offset, remaining):
            return "absurd \(what) count \(count) at byte \(offset): only \(remaining) bytes remain"
        case let .stringTooLong(length, offset, remaining):
            return "absurd string length \(length) at byte \(offset): only \(remaining) bytes remain"
        case let .unknownValueType(key, type): return "metadata key '\(key)' has unknown value type \(type)"
        case let .arrayNestingTooDeep(key, depth): return "metadata key '\(key)' nests arrays deeper than \(depth)"
        case let .duplicateKey(key): return "duplicate metadata key '\(key)'"
        case let .invalidValue(key, reason): return "metadata key '\(key)': \(reason)"
        case let .duplicateTensorName(name): return "duplicate tensor name '\(name)'"
        case let .unknownTensorType(name, type): return "tensor '\(name)' has unknown type \(type)"
        case let .invalidShape(name, shape): return "tensor '\(name)' has invalid shape \(shape)"
        case let .rowNotBlockAligned(name, n, bs):
            return "tensor '\(name)' row length \(n) is not a multiple of its block size \(bs)"
        case let .misalignedOffset(name, offset, alignment):
            return "tensor '\(name)' offset \(offset) is not a multiple of the alignment \(alignment)"
        case let .tensorOutOfBounds(name, offset, fileSize):
            return "tensor '\(name)' data at byte \(offset) extends beyond the end of the file (\(fileSize) bytes)"
        }
    }
}
