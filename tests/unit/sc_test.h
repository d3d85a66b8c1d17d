/* A tiny test runner: each test is a function; CHECK records failures and
 * goes on; the runner prints "N passed, N failed" and exits non-zero on any
 * failure. */
#ifndef SC_TEST_H
#define SC_TEST_H

#include <stdio.h>
#include <string.h>

static int sc_test_failures_in_case;

#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    sc_test_failures_in_case++; } } while (0)

#define CHECK_EQ_INT(a, b) do { long long va_ = (long long)(a), vb_ = (long long)(b); \
    if (va_ != vb_) { fprintf(stderr, "  %s:%d: %s == %lld, expected %s == %lld\n", \
        __FILE__, __LINE__, #a, va_, #b, vb_); sc_test_failures_in_case++; } } while (0)

#define CHECK_STR(a, b) do { const char *sa_ = (a), *sb_ = (b); \
    if (!sa_ || !sb_ || strcmp(sa_, sb_)) { fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", \
        __FILE__, __LINE__, #a, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)"); sc_test_failures_in_case++; } } while (0)

#define CHECK_CONTAINS(hay, needle) do { const char *h_ = (hay), *n_ = (needle); \
    if (!h_ || !strstr(h_, n_)) { fprintf(stderr, "  %s:%d: \"%s\" does not contain \"%s\"\n", \
        __FILE__, __LINE__, h_ ? h_ : "(null)", n_); sc_test_failures_in_case++; } } while (0)

typedef struct { const char *name; void (*fn)(void); } sc_test_case;

static inline int sc_test_run(const sc_test_case *cases, int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (const sc_test_case *c = cases; c->name; c++) {
        if (argc > 1 && !strstr(c->name, argv[1])) continue;
        sc_test_failures_in_case = 0;
        c->fn();
        if (sc_test_failures_in_case) { failed++; fprintf(stderr, "FAIL %s\n", c->name); }
        else { passed++; printf("ok   %s\n", c->name); }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#define SC_TEST_MAIN(...) int main(int argc, char **argv) { \
    static const sc_test_case cases_[] = { __VA_ARGS__, { NULL, NULL } }; \
    return sc_test_run(cases_, argc, argv); }
#define TEST(fn) { #fn, fn }

#endif
