import PluginKit
print("calc")
