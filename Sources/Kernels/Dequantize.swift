import CKernels
import GGUF

/// dst (count,) = `count` elements of `type` at `src`, converted to f32.
///
/// `count` must be a multiple of `type.blockSize` and `src` must hold `type.rowBytes(count)` bytes.
/// The caller checks `Kernels.supportsDequantize(type)` when it loads the tensor; an unsupported type
/// here is a programming error.
public func dequantize(_ type: GGMLType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) {
    precondition(count % type.blockSize == 0, "\(count) elements is not a whole number of \(type) blocks")
    let status = loom_dequantize(type.rawValue, src, dst, Int64(count))
    precondition(status == 0, "dequantize does not support \(type)")
}

/// dst (count,) = `count` elements of `type` at `src` as f32 (the same as `dequantize(_:_:_:count:)`).
public func dequantize(_ type: GGMLType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) {
    dequantize(type, src, dst, count: count)
}
