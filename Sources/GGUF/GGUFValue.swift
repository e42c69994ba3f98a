/// A metadata value: every GGUF value type, arrays possibly nested.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    case string(String)
    /// An array; `elementType` is the declared type of its elements (kept so empty arrays are typed).
    case array(elementType: ValueType, [GGUFValue])
    case uint64(UInt64)
    case int64(Int64)
    case float64(Double)

    /// The on-disk value type codes (`enum gguf_type`).
    public enum ValueType: UInt32, Sendable {
        case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
        case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

        /// The fewest bytes one value of this type takes on disk (used to reject absurd counts).
        var minimumSize: UInt64 {
            switch self {
            case .uint8, .int8, .bool: return 1
            case .uint16, .int16: return 2
            case .uint32, .int32, .float32: return 4
            case .uint64, .int64, .float64, .string: return 8
            case .array: return 12
            }
        }
    }

    /// Any integer value (a UInt64 above Int.max gives nil).
    public var int: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(v)
        default: return nil
        }
    }

    /// Any numeric value as a Double (integers convert).
    public var double: Double? {
        switch self {
        case let .float32(v): return Double(v)
        case let .float64(v): return v
        default: return int.map(Double.init)
        }
    }

    /// The string of a `.string` value.
    public var string: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// The flag of a `.bool` value.
    public var bool: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    /// The elements of an `.array` value.
    public var array: [GGUFValue]? {
        if case let .array(_, values) = self { return values }
        return nil
    }

    /// The elements of an array of strings (nil if any element is not a string).
    public var stringArray: [String]? { elements { $0.string } }

    /// The elements of an array of integers (nil if any element is not an integer).
    public var intArray: [Int]? { elements { $0.int } }

    /// The elements of an array of numbers as Floats (nil if any element is not numeric).
    public var floatArray: [Float]? {
        elements { value in
            if case let .float32(f) = value { return f }
            return value.double.map { Float($0) }
        }
    }

    /// The elements of an array, each converted by `convert` (nil if not an array or any conversion fails).
    private func elements<T>(_ convert: (GGUFValue) -> T?) -> [T]? {
        guard case let .array(_, values) = self else { return nil }
        var result = [T]()
        result.reserveCapacity(values.count)
        for value in values {
            guard let converted = convert(value) else { return nil }
            result.append(converted)
        }
        return result
    }
}
