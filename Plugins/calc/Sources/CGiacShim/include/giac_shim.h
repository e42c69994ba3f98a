#ifndef LOOM_GIAC_SHIM_H
#define LOOM_GIAC_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

/// Evaluates one Giac expression and returns its result as text (Giac syntax).
/// Returns 0 on success and writes a malloc'd string to *result; returns non-zero on error and
/// writes a malloc'd message to *result. The caller frees *result with free().
int loom_giac_eval(const char *expression, char **result);

#ifdef __cplusplus
}
#endif

#endif
