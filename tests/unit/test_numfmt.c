/*
 * test_numfmt.c - unit tests of the Java-compatible number formatting and
 * parsing in src/util/numfmt.c.  Expected strings were taken from OpenJDK
 * (Double.toString, DecimalFormat, String.format); where JDK <= 18 prints an
 * extra digit the shortest form is expected (DML.md 3.7 impl. note).
 */
#include "util/util.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* got equal to want (both non-NULL); a failure names `what` and both strings. */
static void check_text(const char *what, const char *got, const char *want, int line)
{
    if (!check_count(strcmp(got, want) == 0))
        fprintf(stderr, "%s:%d: FAILED: %s: got [%s], want [%s]\n", __FILE__, line, what, got, want);
}

/* ---- nf_double ---------------------------------------------------------------- */

static void t_double(double v, const char *want, int line)
{
    char buf[32];
    int n = nf_double(buf, sizeof buf, v);
    check_text("nf_double", buf, want, line);
    check_at(n == (int)strlen(buf), "nf_double length", __FILE__, line);
}
#define TD(v, s) t_double((v), (s), __LINE__)

static void test_double(void)
{
    TD(0.0, "0.0");
    TD(-0.0, "-0.0");
    TD(1.0, "1.0");
    TD(5.0, "5.0");
    TD(10.0, "10.0");
    TD(-3.0, "-3.0");
    TD(0.001, "0.001");
    TD(3.5, "3.5");
    TD(100.5, "100.5");
    TD(9999999.0, "9999999.0");
    TD(9999999.999, "9999999.999");
    TD(1.0 / 3.0, "0.3333333333333333");
    TD(2.0 / 3.0, "0.6666666666666666");
    TD(0.1 + 0.2, "0.30000000000000004");
    TD(1e7, "1.0E7");
    TD(1.2345678e7, "1.2345678E7");
    TD(1e-4, "1.0E-4");
    TD(1e-5, "1.0E-5");
    TD(2.5e-10, "2.5E-10");
    TD(-1234.5678, "-1234.5678");
    TD(1e15, "1.0E15");
    TD(1e23, "1.0E23");                     /* JDK <= 18: 9.999999999999999E22 */
    TD(123456789012345678.0, "1.2345678901234568E17");
    TD(9223372036854775808.0, "9.223372036854776E18");
    TD(DBL_MAX, "1.7976931348623157E308");
    TD(-DBL_MAX, "-1.7976931348623157E308");
    TD(DBL_MIN, "2.2250738585072014E-308");
    TD(4.9e-324, "4.9E-324");               /* Double.MIN_VALUE */
    TD(-4.9e-324, "-4.9E-324");
    TD(1e-323, "9.9E-324");                 /* JDK <= 18: 1.0E-323 */
    TD(123e-310, "1.23E-308");
    TD(NAN, "NaN");
    TD(INFINITY, "Infinity");
    TD(-INFINITY, "-Infinity");
    /* the plain/scientific boundaries are on the value, not the digits */
    TD(nextafter(1e-3, 0), "9.999999999999998E-4");
    TD(nextafter(1e7, 0), "9999999.999999998");
    TD(2e-3, "0.002");
    TD(1234567.0, "1234567.0");
    TD(0.5, "0.5");
    TD(1e21, "1.0E21");
    TD(5e-324 * 3, "1.5E-323");
}

/* Round trip of random doubles, and shortness: dropping a digit breaks it. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int significant_digits(const char *s)
{
    int n = 0, seen = 0;
    const char *e = strchr(s, 'E');
    const char *end = e ? e : s + strlen(s);
    const char *last = NULL;
    for (const char *p = s; p < end; p++)
        if (*p >= '1' && *p <= '9') { seen = 1; last = p; }
    if (!seen) return 1;
    const char *first = s;
    while (first < end && !(*first >= '1' && *first <= '9')) first++;
    for (const char *p = first; p <= last; p++) n += *p >= '0' && *p <= '9';
    return n;
}

static void test_double_random(void)
{
    uint64_t s = 88172645463325252ULL;
    int bad_rt = 0, bad_short = 0;
    for (int i = 0; i < 100000; i++) {
        uint64_t bits = rng_next(&s);
        double v;
        if (i % 3 == 0) v = (double)(rng_next(&s) % 2000000) / 1000.0 - 1000.0;
        else memcpy(&v, &bits, sizeof v);
        if (!isfinite(v)) continue;
        char buf[32], tmp[48];
        nf_double(buf, sizeof buf, v);
        double back = strtod(buf, NULL);
        if (memcmp(&back, &v, sizeof v) != 0) {
            if (bad_rt++ < 5) printf("round trip failed for %a: %s\n", v, buf);
            continue;
        }
        int nd = significant_digits(buf);
        if (nd > 2 && fabs(v) >= DBL_MIN) {
            snprintf(tmp, sizeof tmp, "%.*e", nd - 2, v);
            if (strtod(tmp, NULL) == v && bad_short++ < 5)
                printf("not shortest for %a: %s vs %s\n", v, buf, tmp);
        }
    }
    CHECK(bad_rt == 0);
    CHECK(bad_short == 0);
}

/* ---- nf_fixed ------------------------------------------------------------------ */

static void t_fixed(double v, int dec, const char *want, int line)
{
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, "<");
    nf_fixed(&b, v, dec);
    check_text("nf_fixed", b.s + 1, want, line);
    sb_free(&b);
}
#define TF(v, d, s) t_fixed((v), (d), (s), __LINE__)

static void test_fixed(void)
{
    TF(1.0, 3, "1.000");
    TF(0.3333, 3, "0.333");
    TF(-0.0, 3, "0.000");
    TF(-0.0001, 3, "-0.000");
    TF(0.0, 0, "0");
    TF(NAN, 3, "NaN");
    TF(INFINITY, 3, "Infinity");
    TF(-INFINITY, 2, "-Infinity");
    TF(0.0015, 3, "0.002");          /* binary value is above the tie */
    TF(0.0025, 3, "0.003");
    TF(0.125, 2, "0.12");            /* exact tie: half-even */
    TF(0.375, 2, "0.38");
    TF(2.5, 0, "2");
    TF(3.5, 0, "4");
    TF(-2.5, 0, "-2");
    TF(1234567.891, 2, "1234567.89"); /* no grouping */
    TF(0.1, 20, "0.10000000000000000000");   /* Java pads the shortest digits */
    TF(1e20, 3, "100000000000000000000.000");
    TF(1e23, 2, "100000000000000000000000.00");
    TF(123456.78951, 2, "123456.79");
    TF(1.0 / 3.0, 5, "0.33333");
    TF(-7.25, 1, "-7.2");
    /* decimal < 0: DecimalFormat default, up to 3 digits, no trailing zeros */
    TF(1.0, -1, "1");
    TF(0.3333, -1, "0.333");
    TF(2.5, -1, "2.5");
    TF(0.125, -1, "0.125");
    TF(123456.78951, -1, "123456.79");
    TF(1234567.0, -1, "1234567");
    TF(-0.0001, -1, "-0");
    TF(-0.0, -1, "0");
    TF(0.0005, -1, "0.001");         /* exact binary value is above the tie */
    TF(1e20, -1, "100000000000000000000");
    TF(NAN, -1, "NaN");
}

/* ---- nf_javaformat -------------------------------------------------------------- */

static NfArg A_I(int64_t i) { NfArg a = { NF_ARG_INT, i, 0, 0, NULL }; return a; }
static NfArg A_D(double d) { NfArg a = { NF_ARG_DBL, 0, d, 0, NULL }; return a; }
static NfArg A_B(int b) { NfArg a = { NF_ARG_BOOL, 0, 0, b, NULL }; return a; }
static NfArg A_S(const char *s) { NfArg a = { NF_ARG_STR, 0, 0, 0, s }; return a; }

static void t_fmt(const char *fmt, const NfArg *args, int n, const char *want, int line)
{
    StrBuf b;
    Err e;
    sb_init(&b);
    err_clear(&e);
    int rc = nf_javaformat(&b, fmt, args, n, &e);
    if (want) {
        check_at(rc == 0, fmt, __FILE__, line);
        if (rc == 0) check_text(fmt, b.s, want, line);
        else fprintf(stderr, "  error: %s\n", e.msg);
    } else {
        check_at(rc == -1 && e.code != TSR_OK && e.msg[0], fmt, __FILE__, line);
    }
    sb_free(&b);
}
#define TJ(fmt, want, ...) do { NfArg a_[] = { __VA_ARGS__ }; \
        t_fmt(fmt, a_, (int)(sizeof a_ / sizeof a_[0]), want, __LINE__); } while (0)
#define TJ0(fmt, want) t_fmt(fmt, NULL, 0, want, __LINE__)

static void test_javaformat(void)
{
    TJ0("plain text", "plain text");
    TJ0("", "");
    TJ0("100%% sure%n", "100% sure\n");
    TJ0("%5%", "    %");
    TJ("%d", "42", A_I(42));
    TJ("%d", "-9223372036854775808", A_I(INT64_MIN));
    TJ("%+d", "+5", A_I(5));
    TJ("% d", " 5", A_I(5));
    TJ("%,d", "1,234,567", A_I(1234567));
    TJ("%,d", "-999", A_I(-999));
    TJ("%,d", "1,000", A_I(1000));
    TJ("%-6dX", "42    X", A_I(42));
    TJ("%06d", "-00042", A_I(-42));
    TJ("%(d", "(42)", A_I(-42));
    TJ("% ,d", " 1,234,567", A_I(1234567));
    TJ("%1$-5d|", "1    |", A_I(1));
    TJ("%x", "ff", A_I(255));
    TJ("%X", "FF", A_I(255));
    TJ("%x", "ffffffffffffffff", A_I(-1));
    TJ("%#x", "0xff", A_I(255));
    TJ("%o", "10", A_I(8));
    TJ("%#o", "010", A_I(8));
    TJ("%f", "3.141593", A_D(3.14159265));
    TJ("%.2f", "0.13", A_D(0.125));          /* HALF_UP on the decimal digits */
    TJ("%.1f", "0.2", A_D(0.15));
    TJ("%.1f", "2.3", A_D(2.25));
    TJ("%.0f", "3", A_D(2.5));
    TJ("%.0f", "-0", A_D(-0.4));
    TJ("%.20f", "0.10000000000000000000", A_D(0.1));
    TJ("%.15f", "0.300000000000000", A_D(0.1 + 0.2));
    TJ("%f", "0.000000", A_D(1e-7));
    TJ("%08.2f", "-0003.14", A_D(-3.14159));
    TJ("%,.2f", "1,234,567.89", A_D(1234567.891));
    TJ("%+,.2f", "-1,234.50", A_D(-1234.5));
    TJ("%0,10.1f", "-001,234.6", A_D(-1234.56));
    TJ("%(f", "(1.500000)", A_D(-1.5));
    TJ("%#.0f", "3.", A_D(3.0));
    TJ("%-10.1f|", "2.3       |", A_D(2.25));
    TJ("%.3f", "-0.000", A_D(-0.0));
    TJ("%e", "1.234500e+03", A_D(1234.5));
    TJ("%e", "0.000000e+00", A_D(0.0));
    TJ("%e", "-0.000000e+00", A_D(-0.0));
    TJ("%.3e", "1.001e+00", A_D(1.0005));
    TJ("%.2e", "1.00e+01", A_D(9.995));
    TJ("%.0e", "3e+01", A_D(25.0));
    TJ("%E", "1.234568E+04", A_D(12345.678));
    TJ("%10.3e", "-1.235e+04", A_D(-12345.6789));
    TJ("%e", "4.900000e-324", A_D(4.9e-324));
    TJ("%010.4e", "3.0000e+00", A_D(3.0));
    TJ("%g", "1.23457e+06", A_D(1234567.0));
    TJ("%g", "0.000100000", A_D(0.0001));
    TJ("%g", "1.00000e-05", A_D(0.00001));
    TJ("%g", "123.000", A_D(123.0));
    TJ("%g", "0.00000", A_D(0.0));
    TJ("%g", "100000", A_D(99999.95));
    TJ("%g", "1.00000e+06", A_D(999999.5));
    TJ("%.3g", "100", A_D(99.95));
    TJ("%.3g", "0.000123", A_D(0.00012345));
    TJ("%.3g", "1.23e+05", A_D(123456.0));
    TJ("%.10g", "0.3333333333", A_D(1.0 / 3.0));
    TJ("%G", "1.00000E-05", A_D(1e-5));
    TJ("%f", "NaN", A_D(NAN));
    TJ("%010f", "       NaN", A_D(NAN));
    TJ("%10f", " -Infinity", A_D(-INFINITY));
    TJ("%+f", "+Infinity", A_D(INFINITY));
    TJ("%(e", "(Infinity)", A_D(-INFINITY));
    TJ("%G", "INFINITY", A_D(INFINITY));
    TJ("%s", "1.0", A_D(1.0));
    TJ("%s", "1.0E7", A_D(1e7));
    TJ("%s", "-0.0", A_D(-0.0));
    TJ("%s %s %s %s", "3 2.5 true str", A_I(3), A_D(2.5), A_B(1), A_S("str"));
    TJ("%5s|", "   ab|", A_S("ab"));
    TJ("%-5s|", "ab   |", A_S("ab"));
    TJ("%.1s", "x", A_S("xyz"));
    TJ("%S", "ABC", A_S("abc"));
    TJ("%2$s %1$s", "b a", A_S("a"), A_S("b"));
    TJ("%s %<s", "a a", A_S("a"));
    TJ("%1$s %s %s", "a a b", A_S("a"), A_S("b"));
    TJ("%b", "true", A_B(1));
    TJ("%b", "false", A_B(0));
    TJ("%b", "true", A_I(0));                /* any non-null is true */
    TJ("%b", "true", A_S("x"));
    TJ("%B", "TRUE", A_B(1));
    TJ("%.2b", "tr", A_B(1));
    TJ("%-8b|", "false   |", A_B(0));
    TJ("%h", "5e918d2", A_S("hello"));
    TJ("%h", "3ff80000", A_D(1.5));
    TJ("%h", "4cf", A_B(1));
    TJ("%H", "FF", A_I(255));
    TJ("Iter %d: loss=%.4f ok=%b", "Iter 3: loss=0.1235 ok=true", A_I(3), A_D(0.123456), A_B(1));
    TJ("%d", "1", A_I(1), A_I(2));           /* extra args are ignored, as in Java */
    /* errors */
    TJ("%d", NULL, A_D(1.0));
    TJ("%d", NULL, A_B(1));
    TJ("%d", NULL, A_S("s"));
    TJ("%f", NULL, A_I(1));
    TJ("%e", NULL, A_I(5));
    TJ("%x", NULL, A_D(1.0));
    TJ("%c", NULL, A_I(65));
    TJ("%s %s", NULL, A_I(1));
    TJ("%2$s", NULL, A_S("a"));
    TJ("%<s", NULL, A_S("a"));
    TJ("%q", NULL, A_I(1));
    TJ("%-d", NULL, A_I(1));
    TJ("%0d", NULL, A_I(1));
    TJ("%.2d", NULL, A_I(1));
    TJ("%+s", NULL, A_I(1));
    TJ("%#s", NULL, A_S("a"));
    TJ("%,x", NULL, A_I(1));
    TJ("%05s", NULL, A_S("a"));
    TJ("%-05d", NULL, A_I(1));
    TJ("%+ d", NULL, A_I(1));
    TJ("%5n", NULL, A_I(1));
    TJ("%.2%", NULL, A_I(1));
    TJ("abc%", NULL, A_I(1));
    TJ("%.f", NULL, A_D(1.0));
    TJ("%tY", NULL, A_I(1));
}

static void test_javaformat_messages(void)
{
    StrBuf b;
    Err e;
    NfArg d = A_D(1.5);
    sb_init(&b);
    err_clear(&e);
    CHECK(nf_javaformat(&b, "x=%d", &d, 1, &e) == -1);
    check_text("%d message", e.msg,
              "Print: invalid format specifier '%d' for a double argument "
              "(d != java.lang.Double)", __LINE__);
    err_clear(&e);
    CHECK(nf_javaformat(&b, "%s and %.2f", &d, 1, &e) == -1);
    check_text("missing arg message", e.msg, "Print: format specifier '%.2f' has no argument",
              __LINE__);
    sb_free(&b);
}

/* ---- parsing --------------------------------------------------------------------- */

static void t_parse(const char *s, int ok, double want, int line)
{
    double v = -12345.0;
    int rc = nf_parse_double(s, &v);
    char what[128];
    snprintf(what, sizeof what, "nf_parse_double(\"%s\")", s);
    if (!ok) {
        check_at(rc == -1, what, __FILE__, line);
        return;
    }
    check_at(rc == 0 && (v == want || (isnan(v) && isnan(want))), what, __FILE__, line);
}
#define TP(s, want) t_parse((s), 1, (want), __LINE__)
#define TPX(s) t_parse((s), 0, 0, __LINE__)

static void test_parse(void)
{
    TP("1.5", 1.5);
    TP(" 2 ", 2.0);
    TP("\t7\n", 7.0);
    TP("+3", 3.0);
    TP("-4e2", -400.0);
    TP("1E+3", 1000.0);
    TP("1e5f", 1e5);
    TP("1e5D", 1e5);
    TP("1.0d", 1.0);
    TP(".5", 0.5);
    TP("5.", 5.0);
    TP("0.0e-0", 0.0);
    TP("NaN", NAN);
    TP("+NaN", NAN);
    TP("Infinity", INFINITY);
    TP("+Infinity", INFINITY);
    TP("-Infinity", -INFINITY);
    TP("4.9E-324", 4.9e-324);
    TP("1.7976931348623157E308", DBL_MAX);
    TP("1e400", INFINITY);
    TP("0.30000000000000004", 0.1 + 0.2);
    TPX("");
    TPX("   ");
    TPX("abc");
    TPX("0x10");
    TPX("inf");
    TPX("nan");
    TPX("1e");
    TPX("1e+");
    TPX("1.2.3");
    TPX("--1");
    TPX("Infinityd");
    TPX("NaNd");
    TPX("1 2");
    TPX("e5");
    TPX(".");
    TPX("1_0");
    TPX("1,5");
    double v;
    CHECK(nf_parse_double_n("12.5,7", 4, &v) == 0 && v == 12.5);
    CHECK(nf_parse_double_n(" 3 |", 3, &v) == 0 && v == 3.0);

    int64_t l = 0;
    CHECK(nf_parse_long("123", &l) == 0 && l == 123);
    CHECK(nf_parse_long("+5", &l) == 0 && l == 5);
    CHECK(nf_parse_long("-0", &l) == 0 && l == 0);
    CHECK(nf_parse_long("-9223372036854775808", &l) == 0 && l == INT64_MIN);
    CHECK(nf_parse_long("9223372036854775807", &l) == 0 && l == INT64_MAX);
    CHECK(nf_parse_long("9223372036854775808", &l) == -2);
    CHECK(nf_parse_long("-9223372036854775809", &l) == -2);
    CHECK(nf_parse_long("99999999999999999999999", &l) == -2);
    CHECK(nf_parse_long("", &l) == -1);
    CHECK(nf_parse_long("-", &l) == -1);
    CHECK(nf_parse_long("1.0", &l) == -1);
    CHECK(nf_parse_long(" 1", &l) == -1);
    CHECK(nf_parse_long("1e3", &l) == -1);
}

int main(void)
{
    test_double();
    test_double_random();
    test_fixed();
    test_javaformat();
    test_javaformat_messages();
    test_parse();
    return check_summary();
}
