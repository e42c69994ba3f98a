import PluginKit
import CCurl
import CGumbo
print("web-fetch")
