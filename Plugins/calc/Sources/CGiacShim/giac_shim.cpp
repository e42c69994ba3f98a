// A small C API over Giac's C++ API, so the Swift calc plugin can call it.
#include "giac_shim.h"

#include <giac/config.h>
#include <giac/giac.h>

#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

namespace {

char *copy_string(const std::string &text) {
    char *out = static_cast<char *>(std::malloc(text.size() + 1));
    if (out != nullptr) std::memcpy(out, text.c_str(), text.size() + 1);
    return out;
}

giac::context *shared_context() {
    static giac::context *ctx = [] {
        auto *c = new giac::context();
        return c;
    }();
    return ctx;
}

} // namespace

extern "C" int loom_giac_eval(const char *expression, char **result) {
    try {
        giac::context *ctx = shared_context();
        giac::gen input(std::string(expression), ctx);
        giac::gen value = giac::eval(input, 1, ctx);
        *result = copy_string(value.print(ctx));
        return 0;
    } catch (const std::exception &error) {
        *result = copy_string(error.what());
        return 1;
    } catch (...) {
        *result = copy_string("unknown Giac error");
        return 1;
    }
}
