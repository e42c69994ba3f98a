/// The PluginHost module (being built).
public enum PluginHostModule {}
