// A small C API over Giac's C++ API, so the Swift calc plugin can call it.
// This file holds the Giac side: preparing the engine and evaluating one expression in this process.
// Running an evaluation in an isolated child process is in child_process.cpp.
#include "giac_shim.h"
#include "giac_shim_internal.h"

#include <giac/config.h>
#include <giac/giac.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <mutex>
#include <string>

namespace {

giac::context *shared_context() {
    static giac::context *ctx = new giac::context();
    return ctx;
}

/// Giac prints lists, sets, sequences and matrices as `list[...]`, `set[...]`, `a,b` or `matrix[...]`;
/// the plugin shows plain brackets, which is what models (and SymPy) read. A modular integer
/// (`17 mod 5` is `2 % 5`, and `4 mod 5` is `-1 % 5`) becomes its remainder in 0..m-1.
giac::gen plain_lists(const giac::gen &value, giac::context *ctx) {
    if (value.type == giac::_MOD) {
        const giac::gen &residue = value._MODptr[0];
        const giac::gen &modulus = value._MODptr[1];
        if (!residue.is_integer() || !modulus.is_integer()) return value;
        return giac::is_strictly_positive(-residue, ctx) ? residue + modulus : residue;
    }
    if (value.type != giac::_VECT) return value;
    giac::vecteur items;
    items.reserve(value._VECTptr->size());
    for (const giac::gen &item : *value._VECTptr) items.push_back(plain_lists(item, ctx));
    int subtype = value.subtype;
    if (subtype == giac::_SEQ__VECT || subtype == giac::_SET__VECT || subtype == giac::_LIST__VECT ||
        subtype == giac::_MATRIX__VECT) {
        subtype = 0;
    }
    return giac::gen(items, subtype);
}

/// A number with no symbols left: integers, rationals, floats, complex numbers, and lists of them.
bool is_numeric_tree(const giac::gen &value) {
    switch (value.type) {
    case giac::_DOUBLE_:
        return std::isfinite(value._DOUBLE_val);
    case giac::_INT_: case giac::_ZINT: case giac::_REAL: case giac::_FLOAT_:
        return true;
    case giac::_CPLX:
        return is_numeric_tree(value._CPLXptr[0]) && is_numeric_tree(value._CPLXptr[1]);
    case giac::_VECT:
        if (value._VECTptr->empty()) return false;
        for (const giac::gen &item : *value._VECTptr) if (!is_numeric_tree(item)) return false;
        return true;
    default:
        return false;
    }
}

/// Already written as a plain number (an integer of at most 15 digits or a float): no decimal needed.
bool is_plain_number(const giac::gen &value, giac::context *ctx) {
    switch (value.type) {
    case giac::_INT_: case giac::_DOUBLE_: case giac::_REAL: case giac::_FLOAT_:
        return true;
    case giac::_ZINT:
        return value.print(ctx).size() <= 16;
    case giac::_VECT:
        for (const giac::gen &item : *value._VECTptr) if (!is_plain_number(item, ctx)) return false;
        return true;
    default:
        return false;
    }
}

/// The name of the first function applied in `value` that Giac does not know (`foo(3)`), or an empty
/// string. Giac parses such calls as `of(name, args)`. One-letter names are left alone: Giac reads
/// `x(x+1)` as the product `x*(x+1)`.
std::string unknown_function(const giac::gen &value) {
    if (value.type == giac::_VECT) {
        for (const giac::gen &item : *value._VECTptr) {
            std::string name = unknown_function(item);
            if (!name.empty()) return name;
        }
        return "";
    }
    if (value.type != giac::_SYMB) return "";
    const giac::gen &args = value._SYMBptr->feuille;
    if (value._SYMBptr->sommet == giac::at_of && args.type == giac::_VECT && !args._VECTptr->empty()) {
        const giac::gen &head = args._VECTptr->front();
        if (head.type == giac::_IDNT) {
            std::string name = head.print(nullptr);
            if (name.size() > 1) return name;
        }
    }
    return unknown_function(args);
}

} // namespace

namespace loom {

Evaluation evaluate(const char *expression) {
    giac::context *ctx = shared_context();
    Evaluation out;
    try {
        giac::first_error_line(0, ctx);
        giac::gen parsed(std::string(expression), ctx);
        if (giac::first_error_line(ctx) > 0) {
            out.status = LOOM_GIAC_SYNTAX_ERROR;
            out.exact = giac::error_token_name(ctx);
            return out;
        }
        std::string unknown = unknown_function(parsed);
        if (!unknown.empty()) {
            out.status = LOOM_GIAC_UNKNOWN_FUNCTION;
            out.exact = unknown;
            return out;
        }
        giac::gen value = plain_lists(giac::eval(parsed, 1, ctx), ctx);
        if (value.type == giac::_STRNG) {
            out.status = LOOM_GIAC_EVAL_ERROR;
            out.exact = *value._STRNGptr;
            return out;
        }
        out.status = LOOM_GIAC_OK;
        if (giac::is_undef(value)) out.special = 2;
        else if (value == giac::unsigned_inf) out.special = 1;
        else if (giac::is_inf(value)) out.special = 3;
        out.exact = value.print(ctx);
        if (out.special == 0 && !is_plain_number(value, ctx)) {
            giac::gen approx = plain_lists(giac::evalf(value, 1, ctx), ctx);
            if (is_numeric_tree(approx)) out.decimal = approx.print(ctx);
        }
    } catch (const std::bad_alloc &) {
        out.status = LOOM_GIAC_EVAL_ERROR;
        out.exact = "out of memory";
    } catch (const std::exception &error) {
        out.status = LOOM_GIAC_EVAL_ERROR;
        out.exact = error.what();
    } catch (...) {
        out.status = LOOM_GIAC_EVAL_ERROR;
        out.exact = "unknown Giac error";
    }
    return out;
}

char *copy_string(const std::string &text) {
    char *out = static_cast<char *>(std::malloc(text.size() + 1));
    if (out != nullptr) std::memcpy(out, text.c_str(), text.size() + 1);
    return out;
}

} // namespace loom

extern "C" void loom_giac_prepare(void) {
    static std::once_flag once;
    std::call_once(once, [] {
        // Giac writes diagnostics through std::cout in places; stdout is the MCP channel.
        std::cout.rdbuf(std::cerr.rdbuf());
        giac::secure_run = true;
        giac::threads_allowed = false;
        giac::context *ctx = shared_context();
        giac::decimal_digits(15, ctx);
        // Touch the parser, the integrator, the solver and the printer once so children start warm.
        const char *warmup[] = {"integrate(x^2*sin(x),x)", "solve(x^2-2=0,x)", "factor(x^4-1)",
                                "evalf(pi)", "limit(sin(x)/x,x,0)", "series(exp(x),x=0,3)",
                                "det([[1,2],[3,4]])", "sum(1/k^2,k,1,inf)"};
        for (const char *expression : warmup) loom::evaluate(expression);
    });
}

extern "C" int loom_giac_eval(const char *expression, char **result) {
    loom_giac_prepare();
    static std::mutex lock;
    std::lock_guard<std::mutex> guard(lock);
    loom::Evaluation evaluation = loom::evaluate(expression);
    *result = loom::copy_string(evaluation.exact);
    return evaluation.status == LOOM_GIAC_OK ? 0 : 1;
}

extern "C" void loom_giac_outcome_free(loom_giac_outcome *outcome) {
    std::free(outcome->exact);
    std::free(outcome->decimal);
    outcome->exact = nullptr;
    outcome->decimal = nullptr;
}
