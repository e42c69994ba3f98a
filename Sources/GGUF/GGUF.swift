/// The GGUF module (being built).
public enum GGUFModule {}
