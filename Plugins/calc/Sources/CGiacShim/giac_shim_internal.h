// Shared between the shim's two source files; not part of the C API.
#ifndef LOOM_GIAC_SHIM_INTERNAL_H
#define LOOM_GIAC_SHIM_INTERNAL_H

#include "giac_shim.h"

#include <string>

namespace loom {

/// One evaluation's result before it crosses the pipe from the child.
struct Evaluation {
    loom_giac_status status = LOOM_GIAC_INTERNAL;
    std::string exact;
    std::string decimal;
    int special = 0;
};

/// Parses and evaluates one expression with the shared, prepared Giac context.
Evaluation evaluate(const char *expression);

/// A malloc'd copy of `text` (NULL only if malloc fails).
char *copy_string(const std::string &text);

} // namespace loom

#endif
