/// The Kernels module (being built).
public enum KernelsModule {}
