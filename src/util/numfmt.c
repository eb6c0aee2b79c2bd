/*
 * numfmt.c - number formatting and parsing with Java semantics (nf_*):
 * Double.toString (nf_double), DecimalFormat-style fixed point for toString
 * cells (nf_fixed), a String.format subset for print's printf form
 * (nf_javaformat), and Double.parseDouble / Long.parseLong (nf_parse_*).
 *
 * Every formatter starts from the same decimal view of a double: the shortest
 * digit string that reads back to the same double (Dec, computed with
 * snprintf + strtod, see dec_shortest).  Java's formatters round *those*
 * digits (String.format: HALF_UP) and pad them with zeros, which is why
 * "%.20f" of 0.1 prints 0.10000000000000000000 in Java and here.
 *
 * Not here: locale handling (always Locale.US style: '.' and ','), date/time
 * conversions (%t), hexadecimal floats (%a).  Nothing keeps state; all
 * functions are reentrant.
 */
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ==========================================================================
 * Decimal digit strings
 * ========================================================================== */

/* A non-negative decimal d[0].d[1]...d[n-1] x 10^e.  d has no trailing zeros
 * except for zero itself ("0", n = 1, e = 0).  17 digits always suffice for a
 * double; rounding may add one leading digit, hence the slack. */
typedef struct Dec {
    char d[24];
    int n, e;
} Dec;

static const Dec DEC_ZERO = { "0", 1, 0 };

static int dec_is_zero(const Dec *x)
{
    return x->n == 1 && x->d[0] == '0';
}

static void dec_strip(Dec *x)
{
    while (x->n > 1 && x->d[x->n - 1] == '0') x->n--;
    x->d[x->n] = '\0';
}

/* Parses the output of "%.*e" ("d.ddde+xx") into x. */
static void dec_from_sci(const char *s, Dec *x)
{
    int n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && n < 23) x->d[n++] = *s;
    x->n = n;
    x->e = (*s == 'e') ? atoi(s + 1) : 0;
    dec_strip(x);
}

/* Renders x as "ddd.e<exp>" for strtod (hand-made: snprintf is slow). */
static void dec_to_c(const Dec *x, char *buf)
{
    memcpy(buf, x->d, (size_t)x->n);
    char *p = buf + x->n;
    *p++ = 'e';
    int e = x->e - (x->n - 1);
    if (e < 0) { *p++ = '-'; e = -e; }
    char t[8];
    int k = 0;
    do { t[k++] = (char)('0' + e % 10); e /= 10; } while (e);
    while (k) *p++ = t[--k];
    *p = '\0';
}

static int dec_roundtrips(const Dec *x, double a)
{
    char buf[48];
    dec_to_c(x, buf);
    return strtod(buf, NULL) == a;
}

/* "%.{p-1}e" of a, i.e. a correctly rounded to p significant digits. */
static void dec_sig(double a, int p, Dec *x)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%.*e", p - 1, a);
    dec_from_sci(buf, x);
}

/* Adds (delta = +1) or subtracts (-1) one unit in the p-th significant digit
 * of x (x holds at most p digits).  Returns 0 if that leaves p digits. */
static int dec_step(const Dec *x, int p, int delta, Dec *out)
{
    char d[24];
    memset(d, '0', (size_t)p);
    memcpy(d, x->d, (size_t)x->n);
    int i = p - 1;
    if (delta > 0) {
        while (i >= 0 && d[i] == '9') d[i--] = '0';
        if (i < 0) return -1;   /* 999.. -> 1000..: changes length, never needed */
        d[i]++;
    } else {
        while (i >= 0 && d[i] == '0') d[i--] = '9';
        if (i < 0 || (i == 0 && d[0] == '1')) return -1;
        d[i]--;
    }
    memcpy(out->d, d, (size_t)p);
    out->n = p;
    out->e = x->e;
    dec_strip(out);
    return 0;
}

/* Integers below 2^53 are exact and have neighbours at most 1 apart, so
 * their own digits (minus trailing zeros) are the shortest form. */
static void dec_from_int(uint64_t u, Dec *x)
{
    char tmp[24];
    int n = 0;
    do { tmp[n++] = (char)('0' + u % 10); u /= 10; } while (u);
    for (int i = 0; i < n; i++) x->d[i] = tmp[n - 1 - i];
    x->n = n;
    x->e = n - 1;
    dec_strip(x);
}

/* Exact powers of ten as doubles (10^22 is the largest). */
static const double P10[23] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * Fast exact path for "short" decimals (most data: 0.5, 123.25, 0.1, ...):
 * for k = 0, 1, ... take the integer t closest to a*10^k.  With t < 2^53 and
 * k <= 22 both t and 10^k are exact doubles, so the IEEE division t / 10^k is
 * the correctly rounded value of the decimal t*10^-k, i.e. exactly what
 * strtod would return: t*10^-k round-trips iff t / 10^k == a.  The first k
 * that works gives the fewest digits, and t the closest candidate (the fma
 * residual corrects the rounding of a*10^k).  Not used at powers of two,
 * where a farther candidate may round-trip while the closest does not.
 * Returns 0 with x filled, -1 if the caller must take the general path.
 */
static int dec_shortest_fast(double a, Dec *x)
{
    int ex;
    if (a < 1e-7 || a >= 9007199254740992.0 || frexp(a, &ex) == 0.5) return -1;
    for (int k = 1; k <= 22; k++) {
        double t = nearbyint(a * P10[k]);
        if (t >= 9007199254740992.0) return -1;
        double r = fma(a, P10[k], -t);          /* a*10^k - t, rounded once */
        if (r > 0.5) t += 1.0;
        else if (r < -0.5) t -= 1.0;
        if (t / P10[k] == a) {
            dec_from_int((uint64_t)t, x);
            int digits = 0;
            for (uint64_t u = (uint64_t)t; u; u /= 10) digits++;
            x->e = digits - 1 - k;
            return 0;
        }
    }
    return -1;
}

/* Rounds the 20 significant digits of r ("%.19e" output, correctly rounded)
 * to p digits.  Returns -1 when the dropped digits are exactly "500..": the
 * exact value may then lie on either side of the tie. */
static int dec_round_r20(const char *r, int p, Dec *x)
{
    char dg[24];
    int n = 0;
    for (const char *s = r; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && n < 20) dg[n++] = *s;
    int e = atoi(strchr(r, 'e') + 1);
    int rest_nonzero = 0;
    for (int i = p + 1; i < n; i++) rest_nonzero |= dg[i] != '0';
    if (dg[p] == '5' && !rest_nonzero) return -1;
    memcpy(x->d, dg, (size_t)p);
    x->n = p;
    x->e = e;
    if (dg[p] >= '5') {
        int i = p - 1;
        while (i >= 0 && x->d[i] == '9') x->d[i--] = '0';
        if (i >= 0) x->d[i]++;
        else { x->d[0] = '1'; x->e++; }   /* 99..9 -> 100..0 */
    }
    dec_strip(x);
    return 0;
}

/* p-digit rounding of a, from r when that is unambiguous. */
static void dec_sig_r(double a, const char *r, int p, Dec *x)
{
    if (dec_round_r20(r, p, x) != 0) dec_sig(a, p, x);
}

/*
 * Shortest round-trip digits of a finite a > 0, and among those the closest
 * to a (Java 19+ Double.toString, Ryu, Python repr).  At least two
 * significant digits are considered (Java prints 4.9E-324, not 5.0E-324).
 *
 * For normal doubles half an ulp is < 1.2e-16 * a, while half a unit of the
 * 15th significant digit is >= 5e-16 * a: so if any decimal of <= 15 digits
 * round-trips, it is the 15-digit rounding with its trailing zeros removed.
 * At 16 digits the decimal spacing is comparable to an ulp; the closest
 * candidate's neighbours matter only at powers of two, where the interval
 * below a is half as wide.  17 digits always round-trip.  All candidates come
 * from one "%.19e" conversion (printf is the expensive part).
 */
static void dec_shortest(double a, Dec *x)
{
    if (a < 9007199254740992.0 && a == floor(a)) {
        dec_from_int((uint64_t)a, x);
        return;
    }
    if (dec_shortest_fast(a, x) == 0) return;
    if (a < DBL_MIN) {            /* subnormal: wide intervals, plain search */
        for (int p = 2; p < 17; p++) {
            dec_sig(a, p, x);
            if (dec_roundtrips(x, a)) return;
        }
        dec_sig(a, 17, x);
        return;
    }
    char r[48];
    snprintf(r, sizeof r, "%.19e", a);
    Dec c16, c15, nb;
    dec_sig_r(a, r, 16, &c16);
    if (dec_roundtrips(&c16, a)) {
        *x = c16;
        if (c16.n < 16) return;       /* then it is the 15-digit rounding too */
        dec_sig_r(a, r, 15, &c15);
        if (dec_roundtrips(&c15, a)) *x = c15;
        return;
    }
    int ex;
    if (frexp(a, &ex) == 0.5) {
        for (int delta = -1; delta <= 1; delta += 2)
            if (dec_step(&c16, 16, delta, &nb) == 0 && nb.e == c16.e && dec_roundtrips(&nb, a)) {
                *x = nb;
                return;
            }
    }
    dec_sig_r(a, r, 17, x);
}

/* Rounds x HALF_UP (on its digits, as java.util.Formatter does) so that no
 * digit below 10^-f remains. */
static void dec_round_frac(Dec *x, int f)
{
    int keep = x->e + f + 1;          /* digits at positions >= -f */
    if (dec_is_zero(x) || keep >= x->n) return;
    if (keep < 0) { *x = DEC_ZERO; return; }
    if (keep == 0) {
        if (x->d[0] >= '5') { x->d[0] = '1'; x->n = 1; x->e = -f; x->d[1] = '\0'; }
        else *x = DEC_ZERO;
        return;
    }
    int up = x->d[keep] >= '5';
    x->n = keep;
    if (up) {
        int i = keep - 1;
        while (i >= 0 && x->d[i] == '9') x->d[i--] = '0';
        if (i >= 0) x->d[i]++;
        else {                         /* 99.9 -> 100 */
            memmove(x->d + 1, x->d, (size_t)keep);
            x->d[0] = '1';
            x->n = keep + 1;
            x->e++;
        }
    }
    dec_strip(x);
    if (x->n == 1 && x->d[0] == '0') x->e = 0;
}

/* Digit of x at decimal position p (10^p), '0' outside the digit string. */
static char dec_digit_at(const Dec *x, int p)
{
    int i = x->e - p;
    return (i >= 0 && i < x->n) ? x->d[i] : '0';
}

/* Plain notation with exactly f fraction digits (f = 0: no point unless
 * `point`), integer part grouped by ',' if `group`. */
static void dec_put_plain(StrBuf *out, const Dec *x, int f, int group, int point)
{
    int top = x->e > 0 ? x->e : 0;
    for (int p = top; p >= 0; p--) {
        sb_putc(out, dec_digit_at(x, p));
        if (group && p > 0 && p % 3 == 0) sb_putc(out, ',');
    }
    if (f > 0 || point) sb_putc(out, '.');
    for (int p = -1; p >= -f; p--) sb_putc(out, dec_digit_at(x, p));
}

/* Java %e body: "d.ddd" (f fraction digits) + 'e' + sign + >= 2 exp digits. */
static void dec_put_sci(StrBuf *out, const Dec *x, int f, int upper, int point)
{
    sb_putc(out, x->d[0]);
    if (f > 0 || point) sb_putc(out, '.');
    for (int i = 1; i <= f; i++) sb_putc(out, i < x->n ? x->d[i] : '0');
    int e = dec_is_zero(x) ? 0 : x->e;
    sb_printf(out, "%c%c%02d", upper ? 'E' : 'e', e < 0 ? '-' : '+', e < 0 ? -e : e);
}

/* ==========================================================================
 * Double.toString
 * ========================================================================== */

int nf_double(char *buf, size_t cap, double v)
{
    char tmp[48];
    size_t k = 0;
    if (isnan(v)) return snprintf(buf, cap, "NaN");
    if (isinf(v)) return snprintf(buf, cap, v > 0 ? "Infinity" : "-Infinity");
    if (signbit(v)) tmp[k++] = '-';
    double a = fabs(v);
    if (a == 0.0) return snprintf(buf, cap, "%s0.0", k ? "-" : "");
    Dec x;
    dec_shortest(a, &x);
    if (a >= 1e-3 && a < 1e7) {
        int top = x.e > 0 ? x.e : 0;
        for (int p = top; p >= 0; p--) tmp[k++] = dec_digit_at(&x, p);
        tmp[k++] = '.';
        int low = x.e - x.n + 1;            /* position of the last digit */
        if (low > -1) low = -1;
        for (int p = -1; p >= low; p--) tmp[k++] = dec_digit_at(&x, p);
    } else {
        tmp[k++] = x.d[0];
        tmp[k++] = '.';
        if (x.n == 1) tmp[k++] = '0';
        for (int i = 1; i < x.n; i++) tmp[k++] = x.d[i];
        k += (size_t)snprintf(tmp + k, sizeof tmp - k, "E%d", x.e);
    }
    tmp[k] = '\0';
    return snprintf(buf, cap, "%s", tmp);
}

/* ==========================================================================
 * Fixed point (toString cells)
 * ========================================================================== */

#define NF_FIXED_MAX_DECIMAL 100000

/*
 * Mirrors java.text.DecimalFormat without grouping: the digits are those of
 * Double.toString, padded with zeros; rounding (HALF_EVEN) looks at the exact
 * binary value.  When an ulp of v is below 10^-decimal the two views agree and
 * glibc's "%.*f" (exact value, round-half-even) gives the result directly.
 * Otherwise: if the shortest digits fit into `decimal` fraction digits they
 * are printed padded (Java: 0.1 with 20 digits -> 0.10000000000000000000),
 * else rounding is needed and, as argued in dec_shortest, rounding the exact
 * value and rounding the shortest digits cannot disagree except at exact
 * digit ties, where Java also uses the exact value: "%.*f" again.
 *
 * decimal < 0 is DecimalFormat's default "#0.###": at most 3 fraction digits
 * and no trailing zeros or point.  We do not group thousands (SystemDS turns
 * grouping off; Java's default pattern "#,##0.###" would print 1,234.5).
 */
void nf_fixed(StrBuf *out, double v, int decimal)
{
    if (isnan(v)) { sb_puts(out, "NaN"); return; }
    if (isinf(v)) { sb_puts(out, v > 0 ? "Infinity" : "-Infinity"); return; }
    if (v == 0.0) v = 0.0;                    /* exact -0.0 prints like 0.0 */
    int trim = decimal < 0;
    int f = trim ? 3 : (decimal > NF_FIXED_MAX_DECIMAL ? NF_FIXED_MAX_DECIMAL : decimal);
    size_t start = out->len;
    double a = fabs(v);
    int direct = a == 0.0;
    if (!direct) {
        double ulp = nextafter(a, INFINITY) - a;   /* a power of two: products exact */
        direct = f <= 22 ? ulp * P10[f] < 1.0 : ulp < pow(10.0, -f);
    }
    Dec x;
    if (!direct) {
        dec_shortest(a, &x);
        direct = x.n - 1 - x.e > f;           /* needs rounding */
    }
    if (direct) {
        sb_printf(out, "%.*f", f, v);
    } else {
        if (v < 0) sb_putc(out, '-');
        dec_put_plain(out, &x, f, 0, 0);
    }
    if (trim && f > 0) {
        while (out->len > start && out->s[out->len - 1] == '0') out->len--;
        if (out->len > start && out->s[out->len - 1] == '.') out->len--;
        out->s[out->len] = '\0';
    }
}

/* ==========================================================================
 * String.format subset
 * ========================================================================== */

enum {
    FL_LEFT = 1, FL_ALT = 2, FL_PLUS = 4, FL_SPACE = 8, FL_ZERO = 16, FL_GROUP = 32,
    FL_PAREN = 64, FL_PREV = 128
};

/* One parsed specifier: %[index$][flags][width][.precision]conversion */
typedef struct Spec {
    const char *start;   /* the '%' */
    int len;             /* length of the specifier text */
    int index;           /* explicit 1-based index, 0: ordinary */
    int flags, width, prec;
    char conv;
} Spec;

#define NF_MAX_WIDTH 1000000

static const char spec_flag_chars[] = "-#+ 0,(<";

static int fmt_fail(Err *err, const Spec *sp, const char *what)
{
    err_set(err, TSR_RUNTIME, "Print: %s in format specifier '%.*s'", what, sp->len, sp->start);
    return -1;
}

static int parse_num(const char **p, int *out)
{
    long v = 0;
    while (isdigit((unsigned char)**p)) {
        if (v <= NF_MAX_WIDTH) v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v > NF_MAX_WIDTH ? NF_MAX_WIDTH + 1 : (int)v;
    return 0;
}

/* Parses the specifier at s (s[0] == '%'); returns -1 on a malformed one. */
static int spec_parse(const char *s, Spec *sp, Err *err)
{
    const char *p = s + 1;
    memset(sp, 0, sizeof *sp);
    sp->start = s;
    sp->width = sp->prec = -1;
    const char *q = p;
    while (isdigit((unsigned char)*q)) q++;
    if (q > p && *q == '$' && *p != '0') {
        parse_num(&p, &sp->index);
        p++;
    }
    const char *f;
    while (*p && (f = strchr(spec_flag_chars, *p)) != NULL) {
        sp->flags |= 1 << (f - spec_flag_chars);
        p++;
    }
    if (isdigit((unsigned char)*p)) parse_num(&p, &sp->width);
    if (*p == '.' && isdigit((unsigned char)p[1])) {
        p++;
        parse_num(&p, &sp->prec);
    }
    sp->conv = *p;
    sp->len = (int)(p - s) + (*p ? 1 : 0);
    if (!*p || !strchr("dsSbBfeEgGxXohHc%n", *p)) {
        if (*p == 't' || *p == 'T' || *p == 'a' || *p == 'A')
            err_set(err, TSR_RUNTIME, "Print: unsupported format conversion '%c'", *p);
        else
            err_set(err, TSR_RUNTIME, "Print: unknown format conversion '%c' in \"%s\"",
                    *p ? *p : '%', s);
        return -1;
    }
    if (sp->width > NF_MAX_WIDTH || sp->prec > NF_MAX_WIDTH)
        return fmt_fail(err, sp, "width or precision too large");
    return 0;
}

/* Flag and width rules shared by all conversions (java.util.Formatter). */
static int spec_check(const Spec *sp, int allowed, int prec_ok, Err *err)
{
    int fl = sp->flags & ~FL_PREV;
    if ((fl & FL_LEFT) && (fl & FL_ZERO)) return fmt_fail(err, sp, "illegal flags '-0'");
    if ((fl & FL_PLUS) && (fl & FL_SPACE)) return fmt_fail(err, sp, "illegal flags '+ '");
    if (fl & ~allowed) return fmt_fail(err, sp, "flags not allowed for this conversion");
    if ((fl & (FL_LEFT | FL_ZERO)) && sp->width < 0) return fmt_fail(err, sp, "missing width");
    if (!prec_ok && sp->prec >= 0) return fmt_fail(err, sp, "precision not allowed");
    return 0;
}

/* Appends body to out, padded to the width; zero padding goes between the
 * sign prefix (first `pre` bytes of body) and the digits. */
static void put_padded(StrBuf *out, const Spec *sp, const char *body, size_t pre, int zero)
{
    size_t n = strlen(body);
    size_t w = sp->width > 0 ? (size_t)sp->width : 0;
    size_t pad = w > n ? w - n : 0;
    if (sp->flags & FL_LEFT) {
        sb_puts(out, body);
        for (size_t i = 0; i < pad; i++) sb_putc(out, ' ');
    } else if (zero && (sp->flags & FL_ZERO)) {
        sb_putn(out, body, pre);
        for (size_t i = 0; i < pad; i++) sb_putc(out, '0');
        sb_puts(out, body + pre);
    } else {
        for (size_t i = 0; i < pad; i++) sb_putc(out, ' ');
        sb_puts(out, body);
    }
}

static void str_upper(char *s)
{
    for (; *s; s++) *s = (char)toupper((unsigned char)*s);
}

static const char *arg_java_class(const NfArg *a)
{
    switch (a->kind) {
    case NF_ARG_INT: return "java.lang.Long";
    case NF_ARG_DBL: return "java.lang.Double";
    case NF_ARG_BOOL: return "java.lang.Boolean";
    default: return "java.lang.String";
    }
}

static const char *arg_dml_type(const NfArg *a)
{
    switch (a->kind) {
    case NF_ARG_INT: return "an integer";
    case NF_ARG_DBL: return "a double";
    case NF_ARG_BOOL: return "a boolean";
    default: return "a string";
    }
}

static int conv_mismatch(const Spec *sp, const NfArg *a, Err *err)
{
    err_set(err, TSR_RUNTIME, "Print: invalid format specifier '%.*s' for %s argument (%c != %s)",
            sp->len, sp->start, arg_dml_type(a), sp->conv, arg_java_class(a));
    return -1;
}

/* Sign prefix/suffix for numbers: returns prefix length written to pre. */
static void num_affixes(const Spec *sp, int neg, char *pre, const char **suf)
{
    *suf = "";
    if (neg && (sp->flags & FL_PAREN)) { strcpy(pre, "("); *suf = ")"; }
    else if (neg) strcpy(pre, "-");
    else if (sp->flags & FL_PLUS) strcpy(pre, "+");
    else if (sp->flags & FL_SPACE) strcpy(pre, " ");
    else pre[0] = '\0';
}

static void put_number(StrBuf *out, const Spec *sp, int neg, const char *digits, int zero_ok)
{
    char pre[2];
    const char *suf;
    num_affixes(sp, neg, pre, &suf);
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, pre);
    sb_puts(&b, digits);
    sb_puts(&b, suf);
    put_padded(out, sp, b.s, strlen(pre), zero_ok);
    sb_free(&b);
}

/* %d */
static int fmt_int(StrBuf *out, const Spec *sp, const NfArg *a, Err *err)
{
    if (a->kind != NF_ARG_INT) return conv_mismatch(sp, a, err);
    if (spec_check(sp, FL_LEFT | FL_PLUS | FL_SPACE | FL_ZERO | FL_GROUP | FL_PAREN, 0, err))
        return -1;
    int neg = a->i < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)a->i : (uint64_t)a->i;
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)u);
    StrBuf b;
    sb_init(&b);
    size_t n = strlen(tmp);
    for (size_t i = 0; i < n; i++) {
        sb_putc(&b, tmp[i]);
        if ((sp->flags & FL_GROUP) && (n - 1 - i) > 0 && (n - 1 - i) % 3 == 0) sb_putc(&b, ',');
    }
    put_number(out, sp, neg, b.s, 1);
    sb_free(&b);
    return 0;
}

/* %x %X %o: two's complement of the long, like Long.toHexString. */
static int fmt_radix(StrBuf *out, const Spec *sp, const NfArg *a, Err *err)
{
    if (a->kind != NF_ARG_INT) return conv_mismatch(sp, a, err);
    if (spec_check(sp, FL_LEFT | FL_ALT | FL_ZERO, 0, err)) return -1;
    char tmp[40];
    int o = sp->conv == 'o';
    const char *prefix = !(sp->flags & FL_ALT) ? "" : (o ? "0" : (sp->conv == 'X' ? "0X" : "0x"));
    snprintf(tmp, sizeof tmp, o ? "%s%llo" : "%s%llx", prefix, (unsigned long long)a->i);
    if (sp->conv == 'X') str_upper(tmp);
    put_padded(out, sp, tmp, strlen(prefix), 1);
    return 0;
}

/* Appends the DML/Java printed form of an argument (String.valueOf). */
static void arg_to_string(StrBuf *b, const NfArg *a)
{
    char tmp[48];
    switch (a->kind) {
    case NF_ARG_INT: sb_printf(b, "%lld", (long long)a->i); break;
    case NF_ARG_DBL: nf_double(tmp, sizeof tmp, a->d); sb_puts(b, tmp); break;
    case NF_ARG_BOOL: sb_puts(b, a->b ? "true" : "false"); break;
    default: sb_puts(b, a->s ? a->s : "null"); break;
    }
}

/* Java hashCode of the boxed argument (for %h). */
static uint32_t arg_hash(const NfArg *a)
{
    uint64_t bits;
    switch (a->kind) {
    case NF_ARG_INT: return (uint32_t)((uint64_t)a->i ^ ((uint64_t)a->i >> 32));
    case NF_ARG_DBL: {
        double d = isnan(a->d) ? NAN : a->d;   /* canonical NaN like doubleToLongBits */
        memcpy(&bits, &d, sizeof bits);
        if (isnan(a->d)) bits = 0x7ff8000000000000ULL;
        return (uint32_t)(bits ^ (bits >> 32));
    }
    case NF_ARG_BOOL: return a->b ? 1231u : 1237u;
    default: {
        uint32_t h = 0;   /* UTF-16 code units in Java; bytes here (ASCII agrees) */
        for (const unsigned char *s = (const unsigned char *)(a->s ? a->s : ""); *s; s++)
            h = 31u * h + *s;
        return h;
    }
    }
}

/* Truncates a UTF-8 string to at most n code points (byte length). */
static size_t utf8_prefix(const char *s, int n)
{
    size_t i = 0;
    for (int k = 0; k < n && s[i]; k++) {
        i++;
        while ((s[i] & 0xC0) == 0x80) i++;
    }
    return i;
}

/* %s %S %b %B %h %H */
static int fmt_general(StrBuf *out, const Spec *sp, const NfArg *a, Err *err)
{
    if (spec_check(sp, FL_LEFT, 1, err)) return -1;
    StrBuf b;
    sb_init(&b);
    char c = (char)tolower((unsigned char)sp->conv);
    if (c == 's') arg_to_string(&b, a);
    else if (c == 'b') sb_puts(&b, a->kind == NF_ARG_BOOL ? (a->b ? "true" : "false")
                                 : (a->kind == NF_ARG_STR && !a->s) ? "false" : "true");
    else sb_printf(&b, "%x", (unsigned)arg_hash(a));
    if (!b.s) sb_puts(&b, "");
    if (sp->prec >= 0) {
        b.len = utf8_prefix(b.s, sp->prec);
        b.s[b.len] = '\0';
    }
    if (isupper((unsigned char)sp->conv)) str_upper(b.s);
    put_padded(out, sp, b.s, 0, 0);
    sb_free(&b);
    return 0;
}

/* Java GENERAL (%g): round to prec significant digits, then fixed notation
 * for 1e-4 <= x < 10^prec, else scientific; trailing zeros kept. */
static void fmt_g_body(StrBuf *b, Dec *x, int prec, const Spec *sp)
{
    if (prec == 0) prec = 1;
    if (dec_is_zero(x)) {
        dec_put_plain(b, x, prec - 1, sp->flags & FL_GROUP, 0);
        return;
    }
    dec_round_frac(x, prec - 1 - x->e);
    if (x->e < -4 || x->e >= prec) {
        dec_put_sci(b, x, prec - 1, sp->conv == 'G', 0);
    } else {
        dec_put_plain(b, x, prec - 1 - x->e, sp->flags & FL_GROUP, 0);
    }
}

/* %f %e %E %g %G */
static int fmt_float(StrBuf *out, const Spec *sp, const NfArg *a, Err *err)
{
    if (a->kind != NF_ARG_DBL) return conv_mismatch(sp, a, err);
    int allowed = FL_LEFT | FL_ALT | FL_PLUS | FL_SPACE | FL_ZERO | FL_PAREN;
    if (sp->conv == 'f' || sp->conv == 'g' || sp->conv == 'G') allowed |= FL_GROUP;
    if (sp->conv == 'g' || sp->conv == 'G') allowed &= ~FL_ALT;
    if (spec_check(sp, allowed, 1, err)) return -1;
    double v = a->d;
    int neg = signbit(v) && !isnan(v);
    if (!isfinite(v)) {
        int up = sp->conv == 'E' || sp->conv == 'G';
        if (isnan(v)) put_padded(out, sp, up ? "NAN" : "NaN", 0, 0);  /* no sign, no zeros */
        else put_number(out, sp, neg, up ? "INFINITY" : "Infinity", 0);
        return 0;
    }
    int prec = sp->prec >= 0 ? sp->prec : 6;
    Dec x = DEC_ZERO;
    if (v != 0.0) dec_shortest(fabs(v), &x);
    StrBuf b;
    sb_init(&b);
    int alt = (sp->flags & FL_ALT) != 0;
    if (sp->conv == 'f') {
        dec_round_frac(&x, prec);
        dec_put_plain(&b, &x, prec, sp->flags & FL_GROUP, alt);
    } else if (sp->conv == 'e' || sp->conv == 'E') {
        if (!dec_is_zero(&x)) dec_round_frac(&x, prec - x.e);
        dec_put_sci(&b, &x, prec, sp->conv == 'E', alt);
    } else {
        fmt_g_body(&b, &x, prec, sp);
    }
    put_number(out, sp, neg, b.s, 1);
    sb_free(&b);
    return 0;
}

/* One conversion with its argument (NULL for %% and %n). */
static int fmt_one(StrBuf *out, const Spec *sp, const NfArg *a, Err *err)
{
    switch (sp->conv) {
    case 'd': return fmt_int(out, sp, a, err);
    case 'x': case 'X': case 'o': return fmt_radix(out, sp, a, err);
    case 'f': case 'e': case 'E': case 'g': case 'G': return fmt_float(out, sp, a, err);
    case 'c': return conv_mismatch(sp, a, err);   /* Long/Double/...: Java rejects them all */
    default: return fmt_general(out, sp, a, err);
    }
}

/* %% and %n take no argument. */
static int fmt_literal(StrBuf *out, const Spec *sp, Err *err)
{
    if (sp->conv == 'n') {
        if (sp->flags || sp->width >= 0 || sp->prec >= 0)
            return fmt_fail(err, sp, "flags, width or precision not allowed");
        sb_putc(out, '\n');
        return 0;
    }
    if (spec_check(sp, FL_LEFT, 0, err)) return -1;
    put_padded(out, sp, "%", 0, 0);
    return 0;
}

int nf_javaformat(StrBuf *out, const char *fmt, const NfArg *args, int nargs, Err *err)
{
    int ordinary = 0, last = -1;
    const char *p = fmt;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) { sb_puts(out, p); break; }
        sb_putn(out, p, (size_t)(pct - p));
        Spec sp;
        if (spec_parse(pct, &sp, err)) return -1;
        p = pct + sp.len;
        if (sp.conv == '%' || sp.conv == 'n') {
            if (fmt_literal(out, &sp, err)) return -1;
            continue;
        }
        int idx;
        if (sp.flags & FL_PREV) idx = last;
        else if (sp.index > 0) idx = sp.index - 1;
        else idx = ordinary++;
        if (idx < 0 || idx >= nargs) {
            err_set(err, TSR_RUNTIME, "Print: format specifier '%.*s' has no argument", sp.len,
                    sp.start);
            return -1;
        }
        last = idx;
        if (fmt_one(out, &sp, &args[idx], err)) return -1;
    }
    if (!out->s) sb_puts(out, "");
    return 0;
}

/* ==========================================================================
 * Parsing
 * ========================================================================== */

/* Java's String.trim(): strips chars <= ' ' on both ends. */
static void trim_span(const char **s, size_t *n)
{
    while (*n > 0 && (unsigned char)(*s)[0] <= ' ') { (*s)++; (*n)--; }
    while (*n > 0 && (unsigned char)(*s)[*n - 1] <= ' ') (*n)--;
}

/* Validates the Java FloatingDecimal grammar on s[0..n) (already trimmed):
 * [+-] (NaN | Infinity | digits [. digits] [(e|E) [+-] digits] [fFdD]).
 * Returns the length without the type suffix, 0 if invalid; *special is set
 * to 1 for NaN, 2 for Infinity. */
static size_t java_number_span(const char *s, size_t n, int *special)
{
    size_t i = 0, digits = 0;
    *special = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (n - i == 3 && memcmp(s + i, "NaN", 3) == 0) { *special = 1; return n; }
    if (n - i == 8 && memcmp(s + i, "Infinity", 8) == 0) { *special = 2; return n; }
    while (i < n && isdigit((unsigned char)s[i])) { i++; digits++; }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && isdigit((unsigned char)s[i])) { i++; digits++; }
    }
    if (digits == 0) return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        size_t ed = 0;
        while (i < n && isdigit((unsigned char)s[i])) { i++; ed++; }
        if (ed == 0) return 0;
    }
    size_t end = i;
    if (i < n && strchr("fFdD", s[i]) && s[i]) i++;
    return i == n ? end : 0;
}

/*
 * Clinger's fast path on an already validated decimal: with at most 15
 * significant digits the mantissa m is an exact double, and for |e| <= 22 so
 * is 10^|e|; one IEEE multiplication or division is then correctly rounded,
 * exactly like strtod.  Returns -1 when the number is outside that range.
 */
static int clinger_fast(const char *s, size_t n, double *out)
{
    size_t i = 0;
    int neg = 0, sig = 0, frac = 0, seen_point = 0;
    uint64_t m = 0;
    if (s[i] == '+' || s[i] == '-') neg = s[i++] == '-';
    for (; i < n; i++) {
        char c = s[i];
        if (c == '.') { seen_point = 1; continue; }
        if (c < '0' || c > '9') break;
        if (m == 0 && c == '0') { frac += seen_point; continue; }   /* leading zeros */
        if (++sig > 15) return -1;
        m = m * 10 + (uint64_t)(c - '0');
        frac += seen_point;
    }
    long e = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        i++;
        if (s[i] == '+' || s[i] == '-') eneg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if (e < 100000) e = e * 10 + (s[i] - '0');
        if (eneg) e = -e;
    }
    e -= frac;
    double v = (double)m;
    if (m == 0) v = 0.0;
    else if (e >= 0 && e <= 22) v *= P10[e];
    else if (e < 0 && e >= -22) v /= P10[-e];
    else return -1;
    *out = neg ? -v : v;
    return 0;
}

int nf_parse_double_n(const char *s, size_t n, double *out)
{
    trim_span(&s, &n);
    int special;
    size_t len = java_number_span(s, n, &special);
    if (len == 0) return -1;
    if (special) {
        *out = special == 1 ? NAN : (s[0] == '-' ? -INFINITY : INFINITY);
        return 0;
    }
    if (clinger_fast(s, len, out) == 0) return 0;
    char small[64];
    char *buf = len < sizeof small ? small : malloc(len + 1);
    if (!buf) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    *out = strtod(buf, NULL);    /* grammar checked: consumes exactly len */
    if (buf != small) free(buf);
    return 0;
}

int nf_parse_double(const char *s, double *out)
{
    return nf_parse_double_n(s, strlen(s), out);
}

int nf_parse_long(const char *s, int64_t *out)
{
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    if (!*p) return -1;
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    int over = 0;
    for (; *p; p++) {
        if (!isdigit((unsigned char)*p)) return -1;
        unsigned dgt = (unsigned)(*p - '0');
        if (v > (lim - dgt) / 10) over = 1;
        else v = v * 10 + dgt;
    }
    if (over) return -2;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}
