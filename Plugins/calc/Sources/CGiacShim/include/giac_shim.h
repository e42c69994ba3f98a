#ifndef LOOM_GIAC_SHIM_H
#define LOOM_GIAC_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

/// Evaluates one Giac expression in this process and returns its result as text (Giac syntax).
/// Returns 0 on success and writes a malloc'd string to *result; returns non-zero on error and
/// writes a malloc'd message to *result. The caller frees *result with free().
/// Giac runs in its secure mode. No time limit: the calc plugin uses loom_giac_run instead.
int loom_giac_eval(const char *expression, char **result);

/// How a loom_giac_run call ended.
typedef enum {
    /// Evaluated; `exact` holds the result and `decimal` its approximation (or NULL).
    LOOM_GIAC_OK = 0,
    /// The expression does not parse; `exact` holds Giac's description of where.
    LOOM_GIAC_SYNTAX_ERROR = 1,
    /// The expression calls a function Giac does not know; `exact` holds its name.
    LOOM_GIAC_UNKNOWN_FUNCTION = 2,
    /// Giac raised an error while evaluating; `exact` holds its message.
    LOOM_GIAC_EVAL_ERROR = 3,
    /// The evaluation ran past the time limit and was killed.
    LOOM_GIAC_TIMEOUT = 4,
    /// The evaluating process died (out of memory, a crash); `exact` says how.
    LOOM_GIAC_CRASHED = 5,
    /// The result was larger than the transfer limit and was dropped.
    LOOM_GIAC_TOO_LARGE = 6,
    /// The shim could not start an evaluation (fork or pipe failed); `exact` says why.
    LOOM_GIAC_INTERNAL = 7,
} loom_giac_status;

/// Result of loom_giac_run. Free it with loom_giac_outcome_free.
typedef struct {
    /// How the call ended.
    loom_giac_status status;
    /// Result in Giac syntax, or a message for non-OK statuses. Never NULL after loom_giac_run.
    char *exact;
    /// Decimal approximation (15 significant digits) when the exact result is a number that is not
    /// already written as a plain integer or decimal; NULL otherwise.
    char *decimal;
    /// 1 when the result is the unsigned `infinity` (as from 1/0), 2 when it is `undef` (as from 0/0),
    /// 3 when it is `+infinity` or `-infinity`, else 0.
    int special;
} loom_giac_outcome;

/// Initialises Giac once in this process: secure mode, 15 significant digits, Giac's own output
/// streams sent to stderr, and a warm-up evaluation so forked evaluations start hot. Idempotent.
void loom_giac_prepare(void);

/// Evaluates `expression` in a forked child process under a seccomp filter (no exec, no opening
/// files, no sockets) with stdout redirected to stderr, killing it after `time_limit_ms`.
/// At most one evaluation runs at a time. `max_result_bytes` bounds the bytes read back.
void loom_giac_run(const char *expression, int time_limit_ms, long max_result_bytes,
                   loom_giac_outcome *outcome);

/// Frees the strings of an outcome filled by loom_giac_run.
void loom_giac_outcome_free(loom_giac_outcome *outcome);

#ifdef __cplusplus
}
#endif

#endif
