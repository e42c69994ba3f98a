/// The Traces module (being built).
public enum TracesModule {}
