#include <gumbo.h>

/* Parses UTF-8 HTML without recording parse errors (web pages have many; recording them costs time). */
static inline GumboOutput *loom_gumbo_parse(const char *buffer, size_t length) {
    GumboOptions options = kGumboDefaultOptions;
    options.max_errors = 0;
    return gumbo_parse_with_options(&options, buffer, length);
}

/* Frees what loom_gumbo_parse returned. */
static inline void loom_gumbo_destroy(GumboOutput *output) {
    gumbo_destroy_output(&kGumboDefaultOptions, output);
}
