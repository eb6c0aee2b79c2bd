/*
 * test_compiler.c - the block compiler (src/compiler: HOP DAG, rewrites,
 * fusion, branch removal, -explain) through the embedding API.
 *
 * Every rewrite gets a case where it fires and at least one where it must
 * not: the case runs a small script with -explain hops at -O2 and checks
 * the block's "rewrites:" counters and opcodes, and every script must print
 * exactly the same text (values, warnings, error message and location) at
 * -O0 and -O2 (for the sign-of-zero cases in every block format).  The
 * statement under test follows a print("go"): inputs made before it are
 * block inputs (rvar) of known size, and the block after the marker is the
 * one inspected.  Values that a rewrite reassociates use small integers so
 * that the sums are exact.  Then golden -explain hops / runtime texts of
 * three plans.
 * Standalone: prints "N passed, M failed" and exits non-zero on failure.
 */
#include "tessera.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---- running scripts ------------------------------------------------------------------ */

typedef struct Out {
    int rc;
    char *text;    /* print() output, warnings and explain text */
    char *err;     /* the error message of a failed run */
} Out;

static Out run(const char *script, int optlevel, int block_format, int explain,
               const tsr_args *args)
{
    Out r;
    size_t n1, n2;
    FILE *out = open_memstream(&r.text, &n1), *err = open_memstream(&r.err, &n2);
    tsr_options o;
    tsr_options_default(&o);
    o.out = out;
    o.err = out;   /* warnings among the printed text, in order */
    o.optlevel = optlevel;
    o.block_format = block_format;
    o.explain = explain;
    tsr_ctx *c = tsr_open(&o);
    if (!c) {
        fprintf(stderr, "tsr_open failed\n");
        exit(2);
    }
    r.rc = tsr_run(c, "t.dml", script, args);
    if (r.rc) fputs(tsr_errmsg(c), err);
    tsr_close(c);
    fclose(out);
    fclose(err);
    return r;
}

static void out_free(Out *o)
{
    free(o->text);
    free(o->err);
}

/* Explain text of the blocks compiled after each print("go") of a script. */
#define MAX_GO 8
typedef struct Rw {
    int folded, cse, simplified, chain, physical, fused, multiagg, dead;
} Rw;

typedef struct Case {
    Out plain;              /* the -O2 run (block format auto) */
    Out o2;                 /* the -O2 run with -explain hops (block format auto) */
    char *blk[MAX_GO];      /* HOPS header + indented lines of the first block after go k */
    Rw rw[MAX_GO];
    int nblk;
} Case;

/* The first "HOPS:" block at or after p: its header and the indented lines
 * after it (a copy), or NULL. */
static char *hops_block(const char *p)
{
    const char *h = strstr(p, "HOPS:");
    while (h && h != p && h[-1] != '\n') h = strstr(h + 1, "HOPS:");
    if (!h) return NULL;
    const char *e = strchr(h, '\n');
    while (e && e[1] == ' ' && e[2] == ' ') e = strchr(e + 1, '\n');
    size_t n = e ? (size_t)(e + 1 - h) : strlen(h);
    char *s = malloc(n + 1);
    memcpy(s, h, n);
    s[n] = 0;
    return s;
}

static Rw counters(const char *blk)
{
    Rw r;
    memset(&r, 0, sizeof r);
    const char *p = blk ? strstr(blk, "  rewrites: ") : NULL;
    if (p &&
        sscanf(p, "  rewrites: %d folded, %d cse, %d simplified, %d chain, %d physical, %d fused, "
                  "%d multi-agg, %d dead", &r.folded, &r.cse, &r.simplified, &r.chain,
               &r.physical, &r.fused, &r.multiagg, &r.dead) != 8)
        memset(&r, -1, sizeof r);
    return r;
}

/* Occurrences of s in text. */
static int count(const char *text, const char *s)
{
    int n = 0;
    for (const char *p = text ? strstr(text, s) : NULL; p; p = strstr(p + 1, s)) n++;
    return n;
}

/* The script gives the same output, status and error at -O0 and -O2 in the
 * block formats of mask fmts (bit 0 auto, 1 dense, 2 sparse); returns the
 * -O2 run of the first format. */
static Out same_at(const char *script, const tsr_args *args, int fmts, int line)
{
    Out first;
    memset(&first, 0, sizeof first);
    for (int f = 0; f <= 2; f++) {
        if (!(fmts & (1 << f))) continue;
        Out a = run(script, 0, f, 0, args), b = run(script, 2, f, 0, args);
        int ok = a.rc == b.rc && !strcmp(a.text, b.text) && !strcmp(a.err, b.err);
        check_at(ok, "same output at -O0 and -O2", __FILE__, line);
        if (!ok)
            fprintf(stderr, "   block format %d\n   -O0 (rc %d): \"%s%s\"\n"
                    "   -O2 (rc %d): \"%s%s\"\n", f, a.rc, a.text, a.err, b.rc, b.text, b.err);
        out_free(&a);
        if (!first.text) first = b;
        else out_free(&b);
    }
    return first;
}

static Case run_case_at(const char *script, const tsr_args *args, int fmts, int line)
{
    Case c;
    memset(&c, 0, sizeof c);
    c.plain = same_at(script, args, fmts, line);
    c.o2 = run(script, 2, 0, 1, args);
    for (const char *p = c.o2.text; c.nblk < MAX_GO;) {
        const char *g = strstr(p, "go\n");
        while (g && g != c.o2.text && g[-1] != '\n') g = strstr(g + 1, "go\n");
        if (!g) break;
        c.blk[c.nblk] = hops_block(g + 3);
        c.rw[c.nblk] = counters(c.blk[c.nblk]);
        c.nblk++;
        p = g + 3;
    }
    return c;
}
#define RUN_CASE(script) run_case_at((script), NULL, 1, __LINE__)
#define RUN_CASE_ARGS(script, args) run_case_at((script), (args), 1, __LINE__)
#define RUN_CASE_ALL_FORMATS(script) run_case_at((script), NULL, 7, __LINE__)

static void case_free(Case *c)
{
    out_free(&c->plain);
    out_free(&c->o2);
    for (int k = 0; k < c->nblk; k++) free(c->blk[k]);
}

/* Checks that block k exists and contains s (n times when n >= 0). */
static void has_at(const Case *c, int k, const char *s, int n, int line)
{
    const char *b = k < c->nblk ? c->blk[k] : NULL;
    int got = count(b, s);
    int ok = b && (n < 0 ? got > 0 : got == n);
    check_at(ok, s, __FILE__, line);
    if (!ok) fprintf(stderr, "   block %d: want %d x \"%s\", got %d in:\n%s\n", k, n, s, got,
                     b ? b : "(no block)");
}
#define HAS(c, k, s) has_at(&(c), (k), (s), -1, __LINE__)
#define HAS_N(c, k, s, n) has_at(&(c), (k), (s), (n), __LINE__)
#define HAS_NOT(c, k, s) has_at(&(c), (k), (s), 0, __LINE__)

/* The -O2 output (without explain) contains s. */
static void prints_at(const Case *c, const char *s, int line)
{
    int ok = strstr(c->plain.text, s) != NULL;
    check_at(ok, s, __FILE__, line);
    if (!ok) fprintf(stderr, "   output:\n%s%s\n", c->plain.text, c->plain.err);
}
#define PRINTS(c, s) prints_at(&(c), (s), __LINE__)

/* ---- constant folding ---------------------------------------------------------------- */

static void test_fold(void)
{
    Case c = RUN_CASE("X = rand(rows=3, cols=5, seed=1)\n"
                      "a = 5\n"
                      "print(\"go\")\n"
                      "x = 2 + 3 * 4\n"
                      "y = -x * 2.5\n"
                      "n = nrow(X) + ncol(X) * length(X)\n"
                      "b = a * 1\n"
                      "c = a + 1\n"
                      "print(x)\nprint(y)\nprint(n)\nprint(b)\nprint(c)\n");
    CHECK(c.rw[0].folded == 9);   /* 3*4, 2+12, -14, *2.5, nrow, ncol, length, *, + */
    HAS(c, 0, "lit 14 [scalar INT64");
    HAS(c, 0, "lit -35.0 [scalar FP64");
    HAS(c, 0, "lit 78 [scalar INT64");
    HAS_NOT(c, 0, "nrow");
    HAS(c, 0, "* (");   /* a * 1 with a variable a: a scalar, not simplified */
    HAS(c, 0, "+ (");
    PRINTS(c, "14\n-35.0\n78\n5\n6\n");
    case_free(&c);

    /* integer overflow: not folded, the run-time error at its location */
    c = RUN_CASE("print(\"go\")\nb = 9223372036854775807 + 1\nprint(b)\n");
    CHECK(c.rw[0].folded == 0);
    HAS(c, 0, "+ (");
    CHECK(c.o2.rc != 0);
    CHECK_S(c.o2.err, "t.dml:2:5: error: Integer operation created numerical result overflow "
                      "(9.223372036854776E18 > 9223372036854775807).");
    case_free(&c);

    c = RUN_CASE("print(\"go\")\nx = 1\nb = \"a\" * 2\nprint(b)\n");
    CHECK(c.rw[0].folded == 0);
    HAS(c, 0, "* (");
    CHECK_S(c.o2.err, "t.dml:3:5: error: Arithmetic '*' not supported over string inputs.");
    case_free(&c);
}

/* ---- common subexpressions ----------------------------------------------------------- */

static void test_cse(void)
{
    Case c = RUN_CASE("X = rand(rows=3, cols=3, seed=1)\n"
                      "Y = rand(rows=3, cols=3, seed=2)\n"
                      "print(\"go\")\n"
                      "A = (X + Y) * 2\n"
                      "B = (X + Y) / 3\n"
                      "print(toString(A + B, decimal=17))\n");
    CHECK(c.rw[0].cse == 1);
    HAS_N(c, 0, "+ (", 1);
    case_free(&c);

    /* rand without a seed: two different matrices */
    c = RUN_CASE("print(\"go\")\n"
                 "B = rand(rows=2, cols=2) - rand(rows=2, cols=2)\n"
                 "print(sum(B != 0))\n");
    CHECK(c.rw[0].cse == 0);
    HAS_N(c, 0, "rand (", 2);
    PRINTS(c, "go\n4.0\n");
    case_free(&c);

    /* user functions (side effects): called twice */
    c = RUN_CASE("f = function(Matrix[Double] A) return (Matrix[Double] B) {\n"
                 "  print(\"called\")\n"
                 "  B = A * 2\n"
                 "}\n"
                 "X = matrix(\"1 2 3 4\", rows=2, cols=2)\n"
                 "print(\"go\")\n"
                 "A = f(X) + f(X)\n"
                 "print(toString(A))\n");
    CHECK(c.rw[0].cse == 0);
    HAS_N(c, 0, "(interpreted)", 2);
    CHECK(count(c.plain.text, "called\n") == 2);
    case_free(&c);
}

/* ---- algebraic simplifications ---------------------------------------------------------- */

static void test_identities(void)
{
    Case c = RUN_CASE("X = matrix(\"1 -2 3 0 5 6\", rows=3, cols=2)\n"
                      "print(\"go\")\n"
                      "A = t(t(X))\nB = X * 1\nC = 1 * X\nD = X / 1\nE = X - 0\nF = X ^ 1\n"
                      "G = X * 2\n"
                      "print(toString(A + B + C + D + E + F + G, decimal=17))\n");
    CHECK(c.rw[0].simplified == 6);
    HAS_NOT(c, 0, "t (");
    HAS_N(c, 0, "* (", 1);   /* X * 2 stays */
    HAS_NOT(c, 0, "/ (");
    HAS_NOT(c, 0, "^ (");
    HAS(c, 0, "A = (2)\n  B = (2)\n  C = (2)\n  D = (2)\n  E = (2)\n  F = (2)\n");
    case_free(&c);

    /* X + 0 -> X only when X can never be -0.0 (-0 + 0 is +0) */
    const char *plus0 = "X = matrix(\"0 1 -2 0 3 -4\", rows=3, cols=2)\n"
                        "print(\"go\")\n"
                        "A = abs(X) + 0\n"
                        "print(toString(1 / A, decimal=17))\n"
                        "print(\"go\")\n"
                        "B = 0 + exp(X)\n"
                        "print(toString(B, decimal=17))\n"
                        "print(\"go\")\n"
                        "C = (X * -1) + 0\n"
                        "print(toString(1 / C, decimal=17))\n"
                        "print(\"go\")\n"
                        "D = X + 0\n"
                        "print(toString(1 / D, decimal=17))\n";
    c = RUN_CASE_ALL_FORMATS(plus0);
    CHECK(c.rw[0].simplified == 1);
    HAS_NOT(c, 0, "+ (");
    CHECK(c.rw[1].simplified == 1);
    HAS_NOT(c, 1, "+ (");
    CHECK(c.rw[2].simplified == 0);
    HAS(c, 2, "r4 = r2 + r3");   /* fused, the + 0 kept */
    CHECK(c.rw[3].simplified == 0);
    HAS(c, 3, "+ (");
    case_free(&c);
    /* the -0 of X * -1 must turn into +0 */
    Out d = run("X = matrix(\"0 1 -2 0 3 -4\", rows=3, cols=2)\nprint(\"go\")\n"
                "C = (X * -1) + 0\nprint(toString(1 / C))\n", 2, 1, 0, NULL);
    CHECK_S(d.text, "go\nInfinity -1.000\n0.500 Infinity\n-0.333 0.250\n\n");
    out_free(&d);
}

static void test_agg_rules(void)
{
    Case c = RUN_CASE("X = rand(rows=30, cols=20, seed=1)\n"
                      "print(\"go\")\n"
                      "s = sum(t(X))\nm = max(t(X))\nn = min(t(X))\na = mean(t(X))\n"
                      "print(s)\nprint(m)\nprint(n)\nprint(a)\n"
                      "print(\"go\")\n"
                      "R = rowSums(t(X))\n"
                      "print(toString(R, decimal=17))\n");
    CHECK(c.rw[0].simplified == 4);
    HAS_NOT(c, 0, "t (");
    HAS(c, 0, "sum [sum] (");
    CHECK(c.rw[1].simplified == 0);   /* not a full aggregate */
    HAS(c, 1, "t (");
    case_free(&c);

    /* rowSums of a column vector and colSums of a row vector: X + 0 (the -0 of
     * v * -1 becomes +0 like the one-cell sum) */
    c = RUN_CASE_ALL_FORMATS("v = matrix(\"0 1 -2 3\", rows=4, cols=1) * -1\n"
                             "w = matrix(\"0 1 -2 3\", rows=1, cols=4) * -1\n"
                             "print(\"go\")\n"
                             "r = rowSums(v)\nc = colSums(w)\n"
                             "print(toString(1 / r, decimal=17))\n"
                             "print(toString(1 / c, decimal=17))\n"
                             "print(\"go\")\n"
                             "r2 = rowSums(w)\nc2 = colSums(v)\n"
                             "print(toString(r2, decimal=17))\n"
                             "print(toString(c2, decimal=17))\n");
    CHECK(c.rw[0].simplified == 2);
    HAS_NOT(c, 0, "rowSums");
    HAS_NOT(c, 0, "colSums");
    HAS_N(c, 0, "+ (", 2);
    CHECK(c.rw[1].simplified == 0);
    HAS(c, 1, "rowSums [rowsum] (");
    HAS(c, 1, "colSums [colsum] (");
    PRINTS(c, "go\nInfinity\n-1.00000000000000000\n");
    case_free(&c);
}

/* trace(X %*% Y) -> sum(X * t(Y)), sum(X %*% Y) -> sum(t(colSums(X)) * rowSums(Y)) */
static void test_product_sums(void)
{
    Case c = RUN_CASE("X = matrix(\"1 2 3 4 5 6\", rows=2, cols=3)\n"
                      "Y = matrix(\"1 -1 2 0 3 5\", rows=3, cols=2)\n"
                      "Q = rand(rows=2, cols=3, seed=5, sparsity=0.05)\n"   /* small: CSR below 0.1 */
                      "print(\"go\")\n"
                      "t1 = trace(X %*% Y)\n"
                      "print(t1)\n"
                      "print(\"go\")\n"
                      "s1 = sum(X %*% Y)\n"
                      "print(s1)\n"
                      "print(\"go\")\n"
                      "t2 = trace(Q %*% Y)\n"   /* sparse, finite: guarded, rewritten */
                      "print(t2)\n"
                      "print(\"go\")\n"
                      "s2 = sum(Q %*% Y)\n"
                      "print(s2)\n"
                      "print(\"go\")\n"
                      "P = X %*% Y\n"           /* the product is used twice */
                      "t3 = trace(P)\n"
                      "s3 = sum(P)\n"
                      "print(t3)\nprint(s3)\n"
                      "print(\"go\")\n"
                      "X2 = X * 2\n"            /* not a dense block input */
                      "t4 = trace(X2 %*% Y)\n"
                      "print(t4)\n");
    CHECK(c.nblk == 6);
    CHECK(c.rw[0].simplified == 1);
    HAS_NOT(c, 0, "ba+*");
    HAS_NOT(c, 0, "trace");
    HAS(c, 0, "t (");
    CHECK(c.rw[1].simplified == 1);
    HAS_NOT(c, 1, "ba+*");
    HAS(c, 1, "colSums [colsum] (");
    HAS(c, 1, "rowSums [rowsum] (");
    /* Sparse products skip zero cells (0 * Inf counts 0), but with the
     * guard (every cell finite, no overflow possible) that is the value of
     * the rewritten form too: the plan carries the guard. */
    HAS(c, 2, "Q[2x3,sparse]");
    HAS(c, 2, "guards max|Q|");
    CHECK(c.rw[2].simplified == 1);
    HAS_NOT(c, 2, "ba+*");
    CHECK(c.rw[3].simplified == 1);
    HAS_NOT(c, 3, "ba+*");
    CHECK(c.rw[4].simplified == 0);
    HAS_N(c, 4, "ba+* (", 1);   /* shared by the two statements */
    CHECK(c.rw[5].simplified == 0);
    HAS(c, 5, "ba+* (");
    PRINTS(c, "go\n40.0\ngo\n86.0\n");
    case_free(&c);

    /* a non-square product: trace fails as written */
    c = RUN_CASE("X = matrix(\"1 2 3 4 5 6\", rows=2, cols=3)\n"
                 "W = matrix(\"1 2 3\", rows=3, cols=1)\n"
                 "print(\"go\")\n"
                 "t1 = trace(X %*% W)\n"
                 "print(t1)\n");
    CHECK(c.rw[0].simplified == 0);
    HAS(c, 0, "trace (");
    CHECK_S(c.o2.err, "t.dml:4:6: error: Trace is only defined on squared matrices but found "
                      "[2x1].");
    case_free(&c);
}

/* The product rewrites must keep the overflow of the products: sum(X %*% Y)
 * is NaN when a product cell is Inf - Inf, and the rewritten form computes
 * colSums(X) = 0 first. */
static void test_product_sums_overflow(void)
{
    Case c = RUN_CASE("X = matrix(\"1e200 -1e200\", rows=2, cols=1)\n"
                      "Y = matrix(\"1e200 1\", rows=1, cols=2)\n"
                      "print(\"go\")\n"
                      "s1 = sum(X %*% Y)\n"
                      "print(s1)\n");
    PRINTS(c, "go\nNaN\n");
    /* the guard fails for these values: the block runs unrewritten */
    HAS(c, 0, "unguarded");
    CHECK(c.rw[0].simplified == 0);
    case_free(&c);
    /* an Inf cell in a sparse input: the product would skip 0 * Inf */
    c = RUN_CASE("X = matrix(\"0 1 0 0 0 0\", rows=2, cols=3)\n"
                 "Y = matrix(\"Infinity 1 2 0 3 5\", rows=3, cols=2)\n"
                 "print(\"go\")\n"
                 "t1 = trace(X %*% Y)\n"
                 "print(t1)\n");
    HAS(c, 0, "unguarded");
    CHECK(c.rw[0].simplified == 0);
    case_free(&c);
}

/* (A %*% B) + (A %*% C) -> A %*% (B + C), (B %*% A) + (C %*% A) -> (B + C) %*% A */
static void test_distribute(void)
{
    Case c = RUN_CASE("A = matrix(\"1 2 3 4 5 6\", rows=2, cols=3)\n"
                      "B = matrix(\"1 -1 2 0 3 5\", rows=3, cols=2)\n"
                      "C = matrix(\"2 1 0 1 -3 4\", rows=3, cols=2)\n"
                      "print(\"go\")\n"
                      "D = (A %*% B) + (A %*% C)\n"
                      "print(toString(D, decimal=17))\n"
                      "print(\"go\")\n"
                      "E = (t(A) %*% t(B)) + (t(A) %*% t(C))\n"
                      "print(toString(E, decimal=17))\n"
                      "print(\"go\")\n"
                      "F = (B %*% A) + (C %*% A)\n"
                      "print(toString(F, decimal=17))\n"
                      "print(\"go\")\n"
                      "P = A %*% B\n"   /* used elsewhere: two products */
                      "G = P + (A %*% C)\n"
                      "print(toString(G + P, decimal=17))\n");
    CHECK(c.rw[0].simplified == 1);
    HAS_N(c, 0, "ba+* (", 1);
    HAS_N(c, 0, "+ (", 1);
    CHECK(c.rw[1].simplified == 1);
    HAS_N(c, 1, "ba+* (", 1);
    CHECK(c.rw[2].simplified == 1);
    HAS_N(c, 2, "ba+* (", 1);
    CHECK(c.rw[3].simplified == 0);
    HAS_N(c, 3, "ba+* (", 2);
    PRINTS(c, "go\n7.00000000000000000 29.00000000000000000\n"
              "22.00000000000000000 59.00000000000000000\n");
    case_free(&c);

    /* B and C of different shapes: the + fails as written */
    c = RUN_CASE("A = matrix(\"1 2 3 4 5 6\", rows=2, cols=3)\n"
                 "B = matrix(\"1 -1 2 0 3 5\", rows=3, cols=2)\n"
                 "C = matrix(\"2 1 0 1 -3 4 1 1 1\", rows=3, cols=3)\n"
                 "print(\"go\")\n"
                 "D = (A %*% B) + (A %*% C)\n"
                 "print(toString(D))\n");
    CHECK(c.rw[0].simplified == 0);
    HAS_N(c, 0, "ba+* (", 2);
    CHECK_S(c.o2.err, "t.dml:5:6: error: Block sizes are not matched for binary cell operations: "
                      "2x2 vs 2x3");
    case_free(&c);
}

/* A %*% (B + C) differs from A %*% B + A %*% C where a sparse product skips
 * the zero cells of B + C that meet an Inf of A (Inf * 0 is NaN), and where
 * the products overflow (Inf - Inf) but B + C cancels first. */
static void test_distribute_inf(void)
{
    Case o = RUN_CASE("A = matrix(\"1e200 1\", rows=1, cols=2)\n"
                      "B = matrix(\"1e200 0\", rows=2, cols=1)\n"
                      "C = matrix(\"-1e200 0\", rows=2, cols=1)\n"
                      "print(\"go\")\n"
                      "D = (A %*% B) + (A %*% C)\n"
                      "print(toString(D))\n");
    PRINTS(o, "go\nNaN\n");
    case_free(&o);
    Case c = RUN_CASE_ALL_FORMATS("A = cbind(matrix(1/0, rows=1, cols=1), matrix(1, rows=1, "
                                  "cols=1))\n"
                                  "B = matrix(\"1 0\", rows=2, cols=1)\n"
                                  "C = matrix(\"-1 0\", rows=2, cols=1)\n"
                                  "print(\"go\")\n"
                                  "D = (A %*% B) + (A %*% C)\n"
                                  "print(toString(D))\n");
    PRINTS(c, "go\nNaN\n");
    case_free(&c);
}

/* ---- matrix-chain ordering -------------------------------------------------------------- */

static void test_chain(void)
{
    Case c = RUN_CASE("A = round(rand(rows=200, cols=200, seed=1) * 10)\n"
                      "B = round(rand(rows=200, cols=200, seed=2) * 10)\n"
                      "C = round(rand(rows=200, cols=200, seed=4) * 10)\n"
                      "v = round(rand(rows=200, cols=1, seed=3) * 10)\n"
                      "print(\"go\")\n"
                      "w = A %*% B %*% v\n"
                      "print(toString(t(w), decimal=17))\n"
                      "print(\"go\")\n"
                      "u = t(v) %*% A %*% B\n"   /* already optimal */
                      "print(toString(u, decimal=17))\n"
                      "print(\"go\")\n"
                      "Z = A %*% B %*% C\n"      /* all orders cost the same */
                      "print(sum(Z))\n");
    CHECK(c.rw[0].chain == 1);
    /* A %*% (B %*% v): the inner product reads B and v */
    HAS(c, 0, "(3) rvar B");
    HAS(c, 0, "(4) rvar v");
    HAS(c, 0, "ba+* (3,4) [matrix 200x1");
    CHECK(c.rw[1].chain == 0);
    HAS_N(c, 1, "[matrix 1x200", 2);
    HAS_N(c, 1, "[matrix 200x200", 2);   /* A and B: no A %*% B */
    CHECK(c.rw[2].chain == 0);
    case_free(&c);
}

/* ---- physical product operators --------------------------------------------------------- */

/* Integer data; Xt = t(X) materialised in the block before, so that the
 * reference products Xt %*% ... are plain ba+*.  X has more cells than
 * MB_SMALL_CELLS, so that density 0.2 is CSR. */
#define PHYS_SETUP(sparsity)                                                       \
    "X = round(rand(rows=20000, cols=4, seed=1, sparsity=" sparsity ") * 10)\n"   \
    "v = round(rand(rows=4, cols=1, seed=2) * 10)\n"                              \
    "w = round(rand(rows=20000, cols=1, seed=3) * 10)\n"                          \
    "A = round(rand(rows=20000, cols=3, seed=4) * 10)\n"                          \
    "M = round(rand(rows=5, cols=4, seed=6) * 10)\n"                              \
    "Xt = t(X)\n"

static void test_physical_at(const char *setup, int sparse)
{
    char script[4096];
    snprintf(script, sizeof script,
             "%s"
             "print(\"go\")\n"
             "G = t(X) %%*%% X\n"
             "print(\"go\")\n"
             "H = X %%*%% t(X)\n"
             "print(\"go\")\n"
             "c1 = t(X) %%*%% (X %%*%% v)\n"
             "print(\"go\")\n"
             "c2 = t(X) %%*%% (w * (X %%*%% v))\n"
             "print(\"go\")\n"
             "c3 = t(X) %%*%% ((X %%*%% v) * w)\n"
             "print(\"go\")\n"
             "P = t(X) %%*%% A\n"
             "print(\"go\")\n"
             "Q = X %%*%% t(M)\n"
             "print(\"go\")\n"
             "W = t(X) %%*%% (X * w)\n"
             "print(\"ref\")\n"
             "G0 = Xt %%*%% X\n"
             "H0 = X %%*%% Xt\n"
             "c10 = Xt %%*%% (X %%*%% v)\n"
             "c20 = Xt %%*%% (w * (X %%*%% v))\n"
             "c30 = Xt %%*%% ((X %%*%% v) * w)\n"
             "P0 = Xt %%*%% A\n"
             "Mt = t(M)\n"
             "print(\"ref2\")\n"
             "Q0 = X %%*%% Mt\n"
             "W0 = Xt %%*%% (X * w)\n"
             "print(sum(G != G0) + sum(H != H0) + sum(c1 != c10) + sum(c2 != c20) + sum(c3 != c30)"
             " + sum(P != P0) + sum(Q != Q0) + sum(W != W0))\n"
             "print(sum(G) + sum(H) + sum(c1) + sum(c2) + sum(c3) + sum(P) + sum(Q) + sum(W))\n",
             setup);
    Case c = run_case_at(script, NULL, 7, __LINE__);
    CHECK(c.nblk == 8);
    HAS(c, 0, "tsmm (");
    HAS(c, 0, "tsmm left");
    CHECK(c.rw[0].physical == 1);
    HAS(c, 1, "tsmm right");
    CHECK(c.rw[1].physical == 1);
    for (int k = 2; k <= 4; k++) {
        HAS_N(c, k, "mmchain (", 1);
        HAS_NOT(c, k, "ba+*");
        HAS_NOT(c, k, "t (");
        CHECK(c.rw[k].physical == 1);
    }
    HAS(c, 3, "mmchain (2,");   /* X, v, w */
    HAS(c, 5, "ba+* transposed (t=1,0)");
    HAS_NOT(c, 5, "t (");
    HAS(c, 6, "ba+* transposed (t=0,1)");
    HAS(c, 7, "wtsmm (");   /* t(X) %*% (X * w): X, w; CSR X runs unfused */
    HAS_NOT(c, 7, "t (");
    HAS_NOT(c, 7, "* (");
    PRINTS(c, "ref2\n0.0\n");
    if (sparse) HAS(c, 0, ",sparse]");
    case_free(&c);
}

static void test_physical(void)
{
    test_physical_at(PHYS_SETUP("1.0"), 0);
    test_physical_at(PHYS_SETUP("0.2"), 1);

    /* not mmchain: v with 17 columns (t(X) %*% (X %*% V) cheaper as written),
     * a scalar weight, a weight of the wrong shape */
    Case c = RUN_CASE("X = round(rand(rows=4, cols=20, seed=1) * 10)\n"
                      "V = round(rand(rows=20, cols=17, seed=5) * 10)\n"
                      "V2 = round(rand(rows=20, cols=2, seed=5) * 10)\n"
                      "w = round(rand(rows=4, cols=1, seed=3) * 10)\n"
                      "print(\"go\")\n"
                      "n1 = t(X) %*% (X %*% V)\n"
                      "print(\"go\")\n"
                      "n3 = t(X) %*% (2 * (X %*% V2))\n"
                      "print(\"go\")\n"
                      "c4 = t(X) %*% ((X %*% V2) * w)\n"   /* v with 2 columns, w on the right */
                      "print(sum(n1))\nprint(toString(n3))\nprint(toString(c4))\n"
                      "print(\"go\")\n"
                      "n4 = t(X) %*% (w * (X %*% V2))\n"   /* w on the left: 4x1 * 4x2 fails */
                      "print(toString(n4))\n");
    CHECK(c.nblk == 4);
    HAS_NOT(c, 0, "mmchain");
    HAS(c, 0, "ba+* transposed (t=1,0)");
    CHECK(c.rw[0].chain == 0);
    HAS_NOT(c, 1, "mmchain");
    HAS(c, 2, "mmchain (");
    HAS_NOT(c, 3, "mmchain");
    CHECK_S(c.o2.err, "t.dml:15:16: error: Block sizes are not matched for binary cell operations: "
                      "4x1 vs 4x2");
    case_free(&c);

    /* a 1x1 weight broadcasts: not an mmchain weight */
    c = RUN_CASE("X = round(rand(rows=6, cols=4, seed=1) * 10)\n"
                 "v = round(rand(rows=4, cols=1, seed=2) * 10)\n"
                 "w = matrix(3, rows=1, cols=1)\n"
                 "print(\"go\")\n"
                 "c = t(X) %*% ((X %*% v) * w)\n"
                 "print(toString(c))\n");
    HAS_NOT(c, 0, "mmchain");
    case_free(&c);

    /* not wtsmm: a 1x1 weight, a row-vector weight, X times another matrix */
    c = RUN_CASE("X = round(rand(rows=6, cols=4, seed=1) * 10)\n"
                 "Y = round(rand(rows=6, cols=4, seed=2) * 10)\n"
                 "w1 = matrix(3, rows=1, cols=1)\n"
                 "r = round(rand(rows=1, cols=4, seed=3) * 10)\n"
                 "print(\"go\")\n"
                 "a = t(X) %*% (X * w1)\n"
                 "b = t(X) %*% (X * r)\n"
                 "d = t(X) %*% (X * Y)\n"
                 "print(toString(a))\nprint(toString(b))\nprint(toString(d))\n");
    HAS_NOT(c, 0, "wtsmm");
    case_free(&c);

    /* gram: t(X) %*% cbind(X * w, V...) in one operator (X, w, V; several V
     * bound into one); not when X * w has another use */
    c = RUN_CASE("X = round(rand(rows=30, cols=5, seed=1) * 10)\n"
                 "w = round(rand(rows=30, cols=1, seed=2) * 10)\n"
                 "s = round(rand(rows=30, cols=1, seed=3) * 10)\n"
                 "print(\"go\")\n"
                 "G = t(X) %*% cbind(X * w, s, w)\n"
                 "print(\"go\")\n"
                 "Y = X * w\n"
                 "H = t(X) %*% cbind(Y, s)\n"
                 "print(sum(Y))\n"
                 "print(\"go\")\n"
                 "G0 = cbind(t(X) %*% (X * w), t(X) %*% s, t(X) %*% w)\n"
                 "print(sum(G != G0))\n");
    HAS(c, 0, "gram (");
    HAS(c, 0, "cbind (");   /* s, w -> V */
    HAS_NOT(c, 0, "t (");
    HAS_NOT(c, 0, "* (");
    HAS_NOT(c, 1, "gram");
    PRINTS(c, "0.0\n");
    case_free(&c);

    /* mmchain whose X %*% v has another use: the chain outputs it too (one
     * pass), unless the weight is computed from it; same values as -O0 */
    c = RUN_CASE_ALL_FORMATS("X = round(rand(rows=300, cols=7, seed=1) * 10)\n"
                             "v = round(rand(rows=7, cols=1, seed=2) * 10)\n"
                             "w = round(rand(rows=300, cols=1, seed=3) * 10)\n"
                             "print(\"go\")\n"
                             "Xv = X %*% v\n"
                             "q = t(X) %*% (w * Xv)\n"
                             "e = Xv + 1\n"
                             "print(toString(q))\n"
                             "print(sum(e))\n"
                             "print(\"go\")\n"
                             "Xv2 = X %*% v\n"
                             "q2 = t(X) %*% (exp(Xv2 / 1000) * Xv2)\n"
                             "print(sum(q2))\n");
    HAS(c, 0, "mmchain with X %*% v");
    HAS_N(c, 0, "out 1 (", 1);
    HAS_NOT(c, 0, "ba+*");
    HAS_NOT(c, 1, "mmchain");
    case_free(&c);

    /* a t(X) shared by several products: read transposed by each when X is
     * dense (never materialised), transposed once when X is CSR */
    c = RUN_CASE("X = rand(rows=40, cols=6, seed=1)\n"
                 "S = rand(rows=40, cols=6, sparsity=0.05, seed=1)\n"
                 "u = rand(rows=40, cols=2, seed=2)\n"
                 "v = rand(rows=40, cols=3, seed=3)\n"
                 "print(\"go\")\n"
                 "A = t(X) %*% u\n"
                 "B = t(X) %*% v\n"
                 "print(sum(A) + sum(B))\n"
                 "print(\"go\")\n"
                 "C = t(S) %*% u\n"
                 "D = t(S) %*% v\n"
                 "print(sum(C) + sum(D))\n");
    HAS_N(c, 0, "ba+* transposed (t=1,0)", 2);
    HAS_NOT(c, 0, "t (");
    HAS(c, 1, "t (");
    HAS_NOT(c, 1, "transposed");
    case_free(&c);
}

/* ---- fusion ------------------------------------------------------------------------------- */

/* ifelse joins the fused programs (a cellwise select, NaN conditions true):
 * the same bits as the unfused operator for every format, -0.0 and NaN in
 * the condition and the branches included */
static void test_fusion_ifelse(void)
{
    Case c = RUN_CASE_ALL_FORMATS(
        "y = floor(rand(rows=60, cols=7, seed=1) * 3)\n"
        "mu = rand(rows=60, cols=7, seed=2) + 0.5\n"
        "y[3, 2] = NaN\n"
        "mu[4, 1] = -0.0\n"
        "mu[5, 3] = 1/0\n"
        "print(\"go\")\n"
        "f = sum(ifelse(y == 0, 0, y * (log(y + (y == 0)) - log(mu))) - (y - mu))\n"
        "print(f)\n"
        "print(\"go\")\n"
        "s = sum(ifelse(y, mu * 2, -mu) ^ 2)\n"
        "print(s)\n"
        "print(\"go\")\n"
        "z = ifelse(y > 1, -0.0, mu + 1)\n"
        "print(toString(1 / z, decimal=17))\n"
        "print(\"go\")\n"
        "r = rowSums(ifelse(y > 0, mu, 0.5) * y)\n"
        "print(toString(r, decimal=17))\n");
    CHECK(c.nblk == 4);
    HAS(c, 0, "= ifelse(r");
    HAS_N(c, 0, "fused_agg", 1);
    HAS_NOT(c, 0, "ifelse (");
    HAS(c, 1, "fused_agg");
    HAS(c, 1, "= ifelse(r");
    HAS(c, 3, "fused_rowagg");
    case_free(&c);
}

static void test_fusion(void)
{
    Case c = RUN_CASE("X = rand(rows=70, cols=50, seed=1) - 0.5\n"
                      "Y = rand(rows=70, cols=50, seed=2)\n"
                      "Z = rand(rows=70, cols=50, seed=3)\n"
                      "mu = rand(rows=1, cols=50, seed=4)\n"
                      "print(\"go\")\n"
                      "s = sum((X * 2 + Y) ^ 2 / (Z + 1))\n"
                      "print(s)\n"
                      "print(\"go\")\n"
                      "r = rowSums((X - mu) ^ 2)\n"
                      "print(toString(r, decimal=17))\n"
                      "print(\"go\")\n"
                      "cs = colSums(X * Y)\n"
                      "print(toString(cs, decimal=17))\n"
                      "print(\"go\")\n"
                      "W = X * 2 + Y ^ 2\n"
                      "print(toString(W, decimal=17))\n"
                      "print(\"go\")\n"
                      "V = (X * 2 + Y * 3) ^ 2\n"
                      "print(toString(V, decimal=17))\n"
                      "print(\"go\")\n"
                      "S = X * 2\n"                 /* one operation: the plain kernel */
                      "print(toString(S, decimal=17))\n"
                      "print(\"go\")\n"
                      "T = X * 2\n"                 /* used twice: an input of the fused op */
                      "U = (T + Y) ^ 2\n"
                      "print(toString(U + T, decimal=17))\n"
                      "print(\"go\")\n"
                      "m = max(abs(X) * 2 + Y ^ 2)\n"
                      "print(m)\n");
    CHECK(c.nblk == 8);
    CHECK(c.rw[0].fused == 1);
    HAS_N(c, 0, "fused_agg (", 1);
    HAS_NOT(c, 0, "^ (");
    HAS_NOT(c, 0, "/ (");
    HAS(c, 0, "out0 = sum(r9)");
    HAS_N(c, 1, "fused_rowagg (", 1);
    HAS(c, 1, "out0 = rowSums(");
    HAS_NOT(c, 1, "- (");
    HAS_N(c, 2, "fused_colagg (", 1);
    HAS(c, 2, "out0 = colSums(");
    HAS_N(c, 3, "fused_cell (", 1);
    HAS(c, 3, "out0 = cells(");
    HAS_NOT(c, 3, "+ (");
    HAS_N(c, 4, "fused_cell (", 1);
    HAS_NOT(c, 4, "* (");
    CHECK(c.rw[5].fused == 0);
    HAS(c, 5, "* (");
    CHECK(c.rw[6].fused == 1);
    HAS_N(c, 6, "* (", 1);          /* T stays an operation ... */
    HAS(c, 6, "fused_cell (0,");     /* ... and is input 0 of the fused one */
    HAS_N(c, 7, "fused_agg (", 1);
    HAS(c, 7, "out0 = max(");
    case_free(&c);

    /* X * 2 + Y * 3: X * 2 may be -0.0 (X is any input) and the sum shows
     * it (-0 + -0), while unfused a sparse intermediate would drop it: the
     * products stay separate operations (docs/explain.md) */
    c = RUN_CASE("X = rand(rows=7, cols=5, seed=1)\n"
                 "Y = rand(rows=7, cols=5, seed=2)\n"
                 "print(\"go\")\n"
                 "Z = X * 2 + Y * 3\n"
                 "print(toString(Z, decimal=17))\n");
    CHECK(c.rw[0].fused == 0);
    HAS_N(c, 0, "* (", 2);
    case_free(&c);

    /* a sum is never -0.0 (it starts at +0): -2 * (X %*% t(C)) + t(rowSums(C ^ 2))
     * fuses; C's zero row makes product cells -0 (-2 * 0) plus a +0 sum */
    c = RUN_CASE("X = rand(rows=9, cols=4, seed=1)\n"
                 "C = rand(rows=3, cols=4, seed=2)\n"
                 "C[2, ] = matrix(0, rows=1, cols=4)\n"
                 "print(\"go\")\n"
                 "D = -2 * (X %*% t(C)) + t(rowSums(C ^ 2))\n"
                 "print(toString(1 / D, decimal=17))\n");
    HAS_N(c, 0, "fused_cell (", 1);
    HAS_NOT(c, 0, "+ (");
    CHECK(strstr(c.o2.text, "Infinity") && !strstr(c.o2.text, "-Infinity"));
    case_free(&c);

    /* a size mismatch inside a fusable chain: the plain error */
    c = RUN_CASE("X = matrix(\"1 2 3 4 5 6\", rows=3, cols=2)\n"
                 "Y = matrix(\"1 2 3 4 5 6\", rows=2, cols=3)\n"
                 "print(\"go\")\n"
                 "s = sum((X * 2 + Y) ^ 2)\n"
                 "print(s)\n");
    CHECK(c.rw[0].fused == 0);
    HAS_NOT(c, 0, "fused");
    CHECK_S(c.o2.err, "t.dml:4:10: error: Block sizes are not matched for binary cell operations: "
                      "3x2 vs 2x3");
    case_free(&c);
    /* ... also in the block that builds the inputs, and after a fused statement */
    c = RUN_CASE("X = matrix(\"1 2 3 4 5 6\", rows=3, cols=2)\n"
                 "Y = matrix(\"1 2 3 4 5 6\", rows=2, cols=3)\n"
                 "a = sum(X ^ 2 + 1)\n"
                 "s = sum((X * 2 + Y) ^ 2)\n"
                 "print(s)\n");
    CHECK_S(c.o2.err, "t.dml:4:10: error: Block sizes are not matched for binary cell operations: "
                      "3x2 vs 2x3");
    case_free(&c);
}

static void test_sparse_driver(void)
{
    Case c = RUN_CASE_ALL_FORMATS("S = rand(rows=50, cols=40, seed=1, sparsity=0.05)\n"
                                  "X = rand(rows=50, cols=40, seed=2)\n"
                                  "print(\"go\")\n"
                                  "a = sum(S ^ 2)\n"
                                  "print(a)\n"
                                  "print(\"go\")\n"
                                  "C = (S * 3) ^ 2\n"
                                  "print(sum(C))\nprint(toString(C[1:5, 1:5], decimal=17))\n"
                                  "print(\"go\")\n"
                                  "R = rowSums(abs(S) * (S != 0))\n"
                                  "print(toString(t(R), decimal=17))\n"
                                  "print(\"go\")\n"
                                  "d = sum(S * X)\n"   /* X could hold Inf: 0 * Inf */
                                  "print(d)\n"
                                  "print(\"go\")\n"
                                  "e = sum(S + 1)\n"   /* not zero where S is */
                                  "print(e)\n"
                                  "print(\"go\")\n"
                                  "D = S * 3 + 0\n"
                                  "print(sum(D))\n");
    CHECK(c.nblk == 6);
    HAS(c, 0, "sparse-safe");
    HAS(c, 0, "r0 = in0 (sparse driver)");
    HAS(c, 0, "S[50x40,sparse]");
    HAS(c, 1, "fused_cell (");
    HAS(c, 1, "sparse-safe");
    HAS(c, 2, "fused_rowagg (");
    HAS(c, 2, "sparse-safe");
    HAS(c, 3, "fused_agg (");
    HAS_NOT(c, 3, "sparse-safe");
    HAS(c, 4, "fused_agg (");
    HAS_NOT(c, 4, "sparse-safe");
    HAS(c, 5, "fused_cell (");   /* S * 3 + 0: fused (the + 0 absorbs the sign) ... */
    HAS(c, 5, "sparse-safe");    /* ... and zero wherever S is */
    case_free(&c);
}

/* -0.0: a sparse intermediate keeps no -0.0, a fused one would; every
 * script prints the same in every block format. */
static void test_sign_of_zero(void)
{
    Case c = RUN_CASE_ALL_FORMATS("X = matrix(\"1 -2 0 3 -4 5\", rows=2, cols=3)\n"
                                  "print(\"go\")\n"
                                  "A = 1 / (X * 0)\n"
                                  "print(toString(A))\n"
                                  "print(\"go\")\n"
                                  "B = 1 / (X * 0 + X * 0)\n"
                                  "print(toString(B))\n"
                                  "print(\"go\")\n"
                                  "C = (X * 0) / 2\n"
                                  "print(toString(1 / C))\n"
                                  "print(\"go\")\n"
                                  "s = sum(1 / (X * 0))\n"
                                  "print(s)\n"
                                  "print(\"go\")\n"
                                  "D = (X ^ 2) * -0.0\n"
                                  "print(toString(1 / D))\n"
                                  "print(\"go\")\n"
                                  "E = 1 / (abs(X) * 0 + 0)\n"
                                  "print(toString(E))\n"
                                  "print(\"go\")\n"
                                  "F = max(X * 0, -1)\n"
                                  "print(toString(1 / F))\n"
                                  "print(\"go\")\n"
                                  "r = rowSums(X * 0)\n"
                                  "print(toString(1 / r))\n");
    HAS(c, 0, "* (");   /* X * 0 is a divisor: stays a separate operation */
    HAS(c, 3, "* (");
    case_free(&c);

    /* min/max/rowMins over a product that may be -0.0 */
    c = RUN_CASE_ALL_FORMATS("X = matrix(\"1 -2 0 3 -4 5\", rows=2, cols=3)\n"
                             "Y = matrix(\"-1 -2 -3 -4 -5 -6\", rows=2, cols=3)\n"
                             "print(\"go\")\n"
                             "m = min(X * 0)\n"
                             "print(1 / m)\n"
                             "print(\"go\")\n"
                             "M = max(Y * 0)\n"
                             "print(1 / M)\n"
                             "print(\"go\")\n"
                             "r = rowMins(X * 0)\n"
                             "print(toString(1 / r))\n");
    case_free(&c);
}

/* ---- multi-aggregates ---------------------------------------------------------------------- */

static void test_multiagg(void)
{
    const char *setup = "X = rand(rows=300, cols=20, seed=1)\n"
                        "Y = rand(rows=300, cols=20, seed=2)\n"
                        "S = rand(rows=300, cols=20, seed=3, sparsity=0.05)\n"
                        "mu = rand(rows=1, cols=20, seed=4)\n";
    char script[4096];
    snprintf(script, sizeof script,
             "%s"
             "print(\"go\")\n"
             "a = sum(X ^ 2)\nb = sum(X * Y)\nc = sum(Y ^ 2)\n"
             "print(a)\nprint(b)\nprint(c)\n"
             "print(\"go\")\n"
             "b = sum(X * Y)\na = sum(X ^ 2)\nc = sum(Y ^ 2)\n"
             "print(a)\nprint(b)\nprint(c)\n",
             setup);
    Case c = run_case_at(script, NULL, 1, __LINE__);
    /* the three sums in one pass */
    CHECK(c.rw[0].multiagg == 1);
    HAS_N(c, 0, "fused_multiagg (", 1);
    HAS(c, 0, "out2 = sum(");
    HAS_NOT(c, 0, "fused_agg");
    CHECK(c.rw[1].multiagg == 1);
    HAS_N(c, 1, "fused_multiagg (", 1);
    HAS(c, 1, "out2 = sum(");
    HAS_N(c, 1, "out 2 (", 1);
    HAS_NOT(c, 1, "fused_agg");
    case_free(&c);

    /* not merged: different cell spaces, a sum that needs the other one
     * first, a sparse-driven sum */
    snprintf(script, sizeof script,
             "%s"
             "print(\"go\")\n"
             "a = sum(X * mu)\nb = sum(mu ^ 2)\n"
             "print(a)\nprint(b)\n"
             "print(\"go\")\n"
             "a = sum(X ^ 2)\nb = sum((X * a) ^ 2)\n"
             "print(a)\nprint(b)\n"
             "print(\"go\")\n"
             "a = sum(S ^ 2)\nb = sum(S * X)\n"
             "print(a)\nprint(b)\n",
             setup);
    c = run_case_at(script, NULL, 1, __LINE__);
    CHECK(c.nblk == 3);
    for (int k = 0; k < 3; k++) {
        CHECK(c.rw[k].multiagg == 0);
        CHECK(c.rw[k].fused == 2);
        HAS_NOT(c, k, "fused_multiagg");
    }
    case_free(&c);
}

/* ---- dead assignments ----------------------------------------------------------------------- */

static void test_dead(void)
{
    Case c = RUN_CASE("f = function(Matrix[Double] A) return (Matrix[Double] B) {\n"
                      "  print(\"f called\")\n"
                      "  B = A * 2\n"
                      "}\n"
                      "X = matrix(\"1 2 3 4 5 6\", rows=2, cols=3)\n"
                      "Y = matrix(\"1 2 3 4\", rows=2, cols=2)\n"
                      "a = 9223372036854775807\n"
                      "print(\"go\")\n"
                      "x = X * 2\n"
                      "x = X + 1\n"
                      "print(toString(x))\n"
                      "print(\"go\")\n"
                      "y = X * 2\n"
                      "z = y + 1\n"
                      "y = X + 1\n"
                      "print(toString(z + y))\n"
                      "print(\"go\")\n"
                      "x = f(X)\n"
                      "x = X + 1\n"
                      "print(toString(x))\n"
                      "print(\"go\")\n"
                      "x = X * \"a\"\n"   /* fails: must run */
                      "x = X + 1\n"
                      "print(toString(x))\n");
    CHECK(c.nblk == 4);
    CHECK(c.rw[0].dead == 1);
    HAS(c, 0, "removed dead assignment to x (line 9)");
    HAS_NOT(c, 0, "* (");
    CHECK(c.rw[1].dead == 0);
    HAS_NOT(c, 1, "removed");
    HAS_NOT(c, 2, "removed");
    PRINTS(c, "go\nf called\n");
    CHECK(c.rw[3].dead == 0);
    HAS_NOT(c, 3, "removed");
    CHECK_S(c.o2.err, "t.dml:22:5: error: Arithmetic '*' not supported over string inputs.");
    case_free(&c);

    /* a scalar operation that overflows, a size mismatch: the errors stay */
    c = RUN_CASE("a = 9223372036854775807\n"
                 "print(\"go\")\n"
                 "x = a + 1\n"
                 "x = 5\n"
                 "print(x)\n");
    CHECK(c.rw[0].dead == 0);
    CHECK_S(c.o2.err, "t.dml:3:5: error: Integer operation created numerical result overflow "
                      "(9.223372036854776E18 > 9223372036854775807).");
    case_free(&c);
    c = RUN_CASE("X = matrix(\"1 2 3 4 5 6\", rows=2, cols=3)\n"
                 "Y = matrix(\"1 2 3 4\", rows=2, cols=2)\n"
                 "print(\"go\")\n"
                 "w = X + Y\n"
                 "w = X * 3\n"
                 "print(toString(w))\n");
    CHECK(c.rw[0].dead == 0);
    CHECK_S(c.o2.err, "t.dml:4:5: error: Block sizes are not matched for binary cell operations: "
                      "2x3 vs 2x2");
    case_free(&c);

    /* a function that returns nothing does not overwrite: x keeps 3 */
    c = RUN_CASE("f = function() { print(\"f called\") }\n"
                 "print(\"go\")\n"
                 "x = 3\n"
                 "x = f()\n"
                 "print(x)\n");
    CHECK(c.rw[0].dead == 0);
    PRINTS(c, "go\nf called\n3\n");
    case_free(&c);

    /* variables read nowhere in their scope (cp_find_unread) */
    c = RUN_CASE("g = function(Matrix[Double] A) return (Matrix[Double] B) {\n"
                 "  T = A * 5\n"          /* never read in g: dropped */
                 "  B = A + 1\n"          /* the output: kept */
                 "}\n"
                 "X = matrix(\"1 2 3 4 5 6\", rows=2, cols=3)\n"
                 "Y = matrix(\"1 2 3 4\", rows=2, cols=2)\n"
                 "print(\"go\")\n"
                 "U = X * 2\n"             /* never read: dropped */
                 "s = 3 + 4\n"             /* never read: dropped */
                 "V = X + 1\n"             /* read by exists(\"V\"): kept */
                 "W = X - 1\n"             /* read in a loop: kept */
                 "for (i in 1:2) { print(sum(W)) }\n"
                 "print(exists(\"V\"))\n"
                 "print(\"go\")\n"
                 "print(toString(g(X)))\n"
                 "print(\"go\")\n"
                 "E = X + Y\n"             /* never read, but fails: runs */
                 "print(\"unreached\")\n");
    CHECK(c.nblk == 3);
    CHECK(c.rw[0].dead == 2);
    HAS(c, 0, "removed dead assignment to U (line 8)");
    HAS(c, 0, "removed dead assignment to s (line 9)");
    HAS_NOT(c, 0, "removed dead assignment to V");
    HAS_NOT(c, 0, "removed dead assignment to W");
    CHECK(c.rw[1].dead == 1);
    HAS(c, 1, "removed dead assignment to T (line 2)");
    CHECK(c.rw[2].dead == 0);
    CHECK_S(c.o2.err, "t.dml:17:5: error: Block sizes are not matched for binary cell operations: "
                      "2x3 vs 2x2");
    case_free(&c);
}

/* ---- branch removal ------------------------------------------------------------------------- */

static void test_branches(void)
{
    const char *script = "x = 1\n"
                         "if (1 == 1) {\n  x = 2\n} else {\n  x = 3\n}\n"
                         "if ($a > 2) {\n  x = x * 10\n}\n"
                         "while (FALSE) {\n  x = 0\n}\n"
                         "y = x + 1\n"
                         "print(y)\n";
    const char *keys[] = { "a" }, *five[] = { "5" }, *one[] = { "1" };
    tsr_args args = { NULL, 0, keys, five, 1 };
    Case c = RUN_CASE_ARGS(script, &args);
    CHECK(!strncmp(c.o2.text, "PROGRAM REWRITES: 3 constant branches removed\n", 46));
    CHECK(count(c.o2.text, "HOPS:") == 1);   /* one block: x = 2; x = x * 10; y = x + 1 */
    CHECK(count(c.o2.text, "lit 21 [scalar INT64") == 1);
    CHECK_S(c.plain.text, "21\n");
    case_free(&c);
    args.vals = one;
    c = RUN_CASE_ARGS(script, &args);
    CHECK(!strncmp(c.o2.text, "PROGRAM REWRITES: 3 constant branches removed\n", 46));
    CHECK_S(c.plain.text, "3\n");
    case_free(&c);
    /* -O0 keeps the program as written: one block per statement run
     * (x = 1, x = 2, y = x + 1 with $a = 1) */
    Out o = run(script, 0, 0, 1, &args);
    CHECK(count(o.text, "PROGRAM REWRITES") == 0);
    CHECK(count(o.text, "HOPS:") == 3);
    out_free(&o);

    c = RUN_CASE("x = 1\nif (TRUE) {\n  x = 2\n}\nprint(x)\n");
    CHECK(!strncmp(c.o2.text, "PROGRAM REWRITES: 1 constant branch removed\n", 44));
    case_free(&c);

    /* not constant: a variable, a string (an error as written) */
    c = RUN_CASE("x = 3\nprint(\"go\")\nif (x > 2) {\n  x = 2\n}\nprint(x)\n");
    CHECK(count(c.o2.text, "PROGRAM REWRITES") == 0);
    case_free(&c);
    c = RUN_CASE("x = 1\nif (\"a\") {\n  x = 2\n}\nprint(x)\n");
    CHECK(count(c.o2.text, "PROGRAM REWRITES") == 0);
    CHECK(c.o2.rc != 0);
    CHECK_S(c.o2.err, "t.dml:2:5: error: String value 'a' is not allowed for iterable predicate");
    case_free(&c);
}

/* ---- golden explain output --------------------------------------------------------------- */

/* The explain text printed after "go\n" up to the next line not produced by
 * explain (a printed value). */
static char *explain_after_go(const char *text)
{
    const char *g = strstr(text, "go\n");
    if (!g) return NULL;
    const char *p = g + 3, *e = p;
    while (*e && (!strncmp(e, "HOPS:", 5) || !strncmp(e, "PROGRAM:", 8) || !strncmp(e, "  ", 2))) {
        const char *nl = strchr(e, '\n');
        e = nl ? nl + 1 : e + strlen(e);
    }
    size_t n = (size_t)(e - p);
    char *s = malloc(n + 1);
    memcpy(s, p, n);
    s[n] = 0;
    return s;
}

static void golden_at(const char *script, int explain, const char *want, int line)
{
    Out o = run(script, 2, 0, explain, NULL);
    char *got = explain_after_go(o.text);
    check_str(got, want, __FILE__, line);
    free(got);
    out_free(&o);
}
#define GOLDEN(script, explain, want) golden_at((script), (explain), (want), __LINE__)

static void test_golden(void)
{
    const char *fused = "X = matrix(\"1 2 3 4 5 6\", rows=3, cols=2)\n"
                        "Y = matrix(\"6 5 4 3 2 1\", rows=3, cols=2)\n"
                        "Z = matrix(\"0 1 0 1 0 1\", rows=3, cols=2)\n"
                        "print(\"go\")\n"
                        "s = sum((X * 2 + Y) ^ 2 / (Z + 1))\n"
                        "print(s)\n";
    GOLDEN(fused, 1,
           "HOPS: block t.dml lines 5-5 (1 statement), inputs X[3x2] Y[3x2] Z[3x2]\n"
           "  (5) rvar X [matrix 3x2, nnz 6, mem 48 B]  @5:10\n"
           "  (7) rvar Y [matrix 3x2, nnz 6, mem 48 B]  @5:18\n"
           "  (10) rvar Z [matrix 3x2, nnz 3, mem 48 B]  @5:28\n"
           "  (12) fused_agg (5,7,10) [scalar FP64, mem 8 B]  @5:5\n"
           "      r0 = in0\n"
           "      r1 = 2\n"
           "      r2 = r0 * r1\n"
           "      r3 = in1\n"
           "      r4 = r2 + r3\n"
           "      r5 = r4 ^ r1\n"
           "      r6 = in2\n"
           "      r7 = 1\n"
           "      r8 = r6 + r7\n"
           "      r9 = r5 / r8\n"
           "      out0 = sum(r9)\n"
           "  s = (12)\n"
           "  rewrites: 0 folded, 0 cse, 0 simplified, 0 chain, 0 physical, 1 fused, 0 multi-agg, "
           "0 dead\n");
    GOLDEN(fused, 2,
           "PROGRAM: block t.dml lines 5-5 (1 statement), inputs X[3x2] Y[3x2] Z[3x2]\n"
           "    1 rvar X -> _0\n"
           "    2 rvar Y -> _1\n"
           "    3 rvar Z -> _2\n"
           "    4 fused_agg _0 _1 _2 -> _3  free _0 _1 _2\n"
           "    5 assign s _3  free _3\n");
    Out o = run(fused, 2, 0, 0, NULL);
    CHECK_S(o.text, "go\n493.5\n");
    out_free(&o);

    const char *products = "X = matrix(\"1 2 3 4 5 6\", rows=3, cols=2)\n"
                           "v = matrix(\"1 -1\", rows=2, cols=1)\n"
                           "w = matrix(\"2 0 1\", rows=3, cols=1)\n"
                           "print(\"go\")\n"
                           "G = t(X) %*% X\n"
                           "c = t(X) %*% (w * (X %*% v))\n"
                           "print(toString(G))\n"
                           "print(toString(c))\n";
    GOLDEN(products, 1,
           "HOPS: block t.dml lines 5-6 (2 statements), inputs X[3x2] w[3x1] v[2x1]\n"
           "  (2) rvar X [matrix 3x2, nnz 6, mem 48 B]  @5:7\n"
           "  (9) tsmm (2) [matrix 2x2, nnz 4, mem 32 B] tsmm left  @5:5\n"
           "  G = (9)\n"
           "  (8) rvar v [matrix 2x1, nnz 2, mem 16 B]  @6:26\n"
           "  (6) rvar w [matrix 3x1, nnz 2, mem 24 B]  @6:15\n"
           "  (10) mmchain (2,8,6) [matrix 2x1, nnz 2, mem 16 B] mmchain  @6:5\n"
           "  c = (10)\n"
           "  rewrites: 0 folded, 1 cse, 0 simplified, 0 chain, 2 physical, 0 fused, 0 multi-agg, "
           "0 dead\n");
    GOLDEN(products, 2,
           "PROGRAM: block t.dml lines 5-6 (2 statements), inputs X[3x2] w[3x1] v[2x1]\n"
           "    1 rvar X -> _0\n"
           "    2 tsmm _0 -> _1\n"
           "    3 assign G _1  free _1\n"
           "    4 rvar v -> _2\n"
           "    5 rvar w -> _3\n"
           "    6 mmchain _0 _2 _3 -> _4  free _0 _2 _3\n"
           "    7 assign c _4  free _4\n");
    o = run(products, 2, 0, 0, NULL);
    CHECK_S(o.text, "go\n35.000 44.000\n44.000 56.000\n\n-7.000\n-10.000\n\n");
    out_free(&o);

    const char *multi = "X = matrix(\"1 2 3 4 5 6\", rows=3, cols=2)\n"
                        "Y = matrix(\"6 5 4 3 2 1\", rows=3, cols=2)\n"
                        "print(\"go\")\n"
                        "a = sum(X ^ 2)\n"
                        "b = sum(X * Y)\n"
                        "print(a)\n"
                        "print(b)\n";
    GOLDEN(multi, 1,
           "HOPS: block t.dml lines 4-5 (2 statements), inputs X[3x2] Y[3x2]\n"
           "  (2) rvar X [matrix 3x2, nnz 6, mem 48 B]  @4:9\n"
           "  (6) rvar Y [matrix 3x2, nnz 6, mem 48 B]  @5:13\n"
           "  (9) fused_multiagg (2,6) [list, mem ?]  @4:5\n"
           "      r0 = in0\n"
           "      r1 = 2\n"
           "      r2 = r0 ^ r1\n"
           "      r3 = in0\n"
           "      r4 = in1\n"
           "      r5 = r3 * r4\n"
           "      out0 = sum(r2)\n"
           "      out1 = sum(r5)\n"
           "  (10) out 0 (9) [scalar FP64, mem 8 B]  @4:5\n"
           "  a = (10)\n"
           "  (11) out 1 (9) [scalar FP64, mem 8 B]  @5:5\n"
           "  b = (11)\n"
           "  rewrites: 0 folded, 0 cse, 0 simplified, 0 chain, 0 physical, 2 fused, 1 multi-agg, "
           "0 dead\n");
    /* the runtime program names the output each "out" takes */
    GOLDEN(multi, 2,
           "PROGRAM: block t.dml lines 4-5 (2 statements), inputs X[3x2] Y[3x2]\n"
           "    1 rvar X -> _0\n"
           "    2 rvar Y -> _1\n"
           "    3 fused_multiagg _0 _1 -> _2  free _0 _1\n"
           "    4 out 0 _2 -> _3\n"
           "    5 assign a _3  free _3\n"
           "    6 out 1 _2 -> _4  free _2\n"
           "    7 assign b _4  free _4\n");
    o = run(multi, 2, 0, 0, NULL);
    CHECK_S(o.text, "go\n91.0\n56.0\n");
    out_free(&o);
}

int main(void)
{
    test_fold();
    test_cse();
    test_identities();
    test_agg_rules();
    test_product_sums();
    test_product_sums_overflow();
    test_distribute();
    test_distribute_inf();
    test_chain();
    test_physical();
    test_fusion();
    test_fusion_ifelse();
    test_sparse_driver();
    test_sign_of_zero();
    test_multiagg();
    test_dead();
    test_branches();
    test_golden();
    return check_summary();
}
