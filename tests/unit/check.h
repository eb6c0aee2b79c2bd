/*
 * check.h - the shared check harness of the C unit tests (tests/unit/test_*.c).
 *
 * Each test program includes this header once and stays a standalone
 * executable: everything here is static (the counters) or static inline, so
 * every program gets its own private copy and nothing is linked in.
 *
 *   CHECK(c)              c is true (non-zero)
 *   CHECK_D(a, b)         same double: NaN equal to NaN, sign of zero compared
 *   CHECK_NEAR(a, b, tol) |a - b| <= tol
 *   CHECK_S(got, want)    same C string (got may be NULL, which fails)
 *
 * A failed check prints "file:line: FAILED: what" on stderr.  Test-specific
 * checks build on check_at() (or on check_count() when they print their own
 * diagnostics).  main() ends with `return check_summary();`, which prints
 * "N passed, M failed" and returns the exit code (non-zero on any failure).
 */
#ifndef TSR_TESTS_UNIT_CHECK_H
#define TSR_TESTS_UNIT_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int g_pass, g_fail;

/* Counts one check without printing anything; returns ok. */
static inline int check_count(int ok)
{
    if (ok)
        g_pass++;
    else
        g_fail++;
    return ok;
}

/* Counts one check; a failure is reported as file:line with `what`. */
static inline void check_at(int ok, const char *what, const char *file, int line)
{
    if (!check_count(ok))
        fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
}
#define CHECK(c) check_at((c) != 0, #c, __FILE__, __LINE__)

/* Same double, NaN equal to NaN, and the sign of zero compared too. */
static inline int same_double(double a, double b)
{
    if (a != a || b != b) return a != a && b != b;
    return a == b && signbit(a) == signbit(b);
}
#define CHECK_D(a, b) check_at(same_double((a), (b)), #a " == " #b, __FILE__, __LINE__)
#define CHECK_NEAR(a, b, tol) check_at(fabs((a) - (b)) <= (tol), #a " ~ " #b, __FILE__, __LINE__)

/* got equal to want (a NULL got fails); on failure both strings are shown. */
static inline void check_str(const char *got, const char *want, const char *file, int line)
{
    int ok = got && strcmp(got, want) == 0;
    check_at(ok, want, file, line);
    if (!ok) fprintf(stderr, "   got:  \"%s\"\n   want: \"%s\"\n", got ? got : "(null)", want);
}
#define CHECK_S(a, b) check_str((a), (b), __FILE__, __LINE__)

/* Prints "N passed, M failed"; returns the exit status of the test program. */
static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail != 0;
}

#endif
