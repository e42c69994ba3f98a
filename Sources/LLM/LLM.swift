/// The LLM module (being built).
public enum LLMModule {}
