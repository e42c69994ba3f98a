/// The Tokenizers module (being built).
public enum TokenizersModule {}
