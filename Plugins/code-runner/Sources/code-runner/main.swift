import PluginKit
print("code-runner")
