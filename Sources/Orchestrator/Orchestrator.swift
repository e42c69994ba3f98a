/// The Orchestrator module (being built).
public enum OrchestratorModule {}
