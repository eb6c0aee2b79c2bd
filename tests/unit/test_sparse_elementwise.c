/*
 * test_sparse_elementwise.c - dense/sparse differential tests of the
 * cellwise kernels (elementwise.c), the aggregates (aggregate.c) and rand's
 * sparse generation (datagen.c).
 *
 * Every kernel runs once on dense inputs (the reference) and once per
 * combination of dense/sparse inputs; the outputs must hold the same cells
 * (NaN equal to NaN; a zero of either sign equal to a zero, since CSR never
 * stores -0.0), an exact nnz and, when sparse, a valid CSR structure.  The
 * inputs cover NaN/Inf cells, all-zero matrices, empty 0xN/Nx0 matrices,
 * 1x1, a row without non-zeros and non-zeros in the last row and column.
 * Sparse-safe operations on sparse inputs must return CSR blocks.
 * Standalone: prints "N passed, M failed" and exits non-zero on failure.
 */
#include "matrix/matrix_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "blocks.h"

static Err E;

#define OK(call) CHECK((call) == TSR_OK)

/* ---- helpers -------------------------------------------------------------------------- */

static MatBlock *mk(int64_t r, int64_t c, const double *v)
{
    MatBlock *m = mb_new(r, c, &E);
    if (!m) {
        fprintf(stderr, "mb_new failed: %s\n", E.msg);
        exit(2);
    }
    if (v && r * c > 0) memcpy(m->dense, v, (size_t)(r * c) * sizeof(double));
    mb_recount_nnz(m);
    return m;
}

/* A sparse copy of a fresh block (taken). */
static MatBlock *sparse_take(MatBlock *m)
{
    MatBlock *s = tb_as_fmt(m, 1);
    mb_free(m);
    return s;
}

/* Deterministic test data: density d, with special values sprinkled in. */
static uint64_t g_rng = 88172645463325252ull;
static double rnd01(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (double)(g_rng >> 11) * 0x1p-53;
}

static MatBlock *gen(int64_t r, int64_t c, double d, int specials)
{
    MatBlock *m = mk(r, c, NULL);
    for (int64_t i = 0; i < r * c; i++) {
        if (rnd01() >= d) continue;
        double u = rnd01();
        double v = specials && u < 0.04 ? NAN : specials && u < 0.07 ? INFINITY
                 : specials && u < 0.1 ? -INFINITY : floor((rnd01() - 0.4) * 8.0) / 2.0;
        m->dense[i] = v == 0.0 ? 1.5 : v;
    }
    if (r > 2 && c > 0) memset(m->dense + c, 0, (size_t)c * sizeof(double));   /* empty row 1 */
    if (r > 0 && c > 0) m->dense[r * c - 1] = 2.5;                             /* last cell */
    mb_recount_nnz(m);
    return m;
}

static int same_cell(double a, double b)
{
    if (a != a || b != b) return a != a && b != b;
    return a == b;   /* -0.0 == 0.0: CSR never stores a negative zero */
}

/* CSR invariants and nnz exactness. */
static int valid(const MatBlock *m)
{
    if (!m) return 0;
    if (!m->sparse) {
        int64_t nz = 0;
        for (int64_t i = 0; i < m->rows * m->cols; i++) nz += m->dense[i] != 0.0;
        return nz == m->nnz;
    }
    if (m->cols > MB_SPARSE_MAX_COLS || m->ptr[0] != 0 || m->ptr[m->rows] != m->nnz) return 0;
    for (int64_t i = 0; i < m->rows; i++) {
        if (m->ptr[i + 1] < m->ptr[i]) return 0;
        for (int64_t k = m->ptr[i]; k < m->ptr[i + 1]; k++) {
            if (m->val[k] == 0.0 || m->idx[k] < 0 || m->idx[k] >= m->cols) return 0;
            if (k > m->ptr[i] && m->idx[k] <= m->idx[k - 1]) return 0;
        }
    }
    return 1;
}

/* Same shape and cells (any formats), both valid. */
static int same_block(const MatBlock *a, const MatBlock *b)
{
    if (!a || !b || a->rows != b->rows || a->cols != b->cols || !valid(a) || !valid(b)) return 0;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++)
            if (!same_cell(mb_get(a, i, j), mb_get(b, i, j))) {
                fprintf(stderr, "   cell [%lld,%lld]: %.17g vs %.17g\n", (long long)i,
                        (long long)j, mb_get(a, i, j), mb_get(b, i, j));
                return 0;
            }
    return a->nnz == b->nnz;
}

static int close_rel(double a, double b, double tol)
{
    if (a != a || b != b) return a != a && b != b;
    if (isinf(a) || isinf(b)) return a == b;
    return fabs(a - b) <= tol * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* The test matrices: name, dense block. */
typedef struct Case {
    const char *name;
    MatBlock *m;
} Case;

#define NCASES 9
static void make_cases(Case c[NCASES])
{
    c[0] = (Case){ "sparse 37x23", gen(37, 23, 0.1, 1) };
    c[1] = (Case){ "dense-ish 19x17", gen(19, 17, 0.7, 1) };
    c[2] = (Case){ "no specials 40x9", gen(40, 9, 0.2, 0) };
    c[3] = (Case){ "all zero 6x5", mk(6, 5, NULL) };
    c[4] = (Case){ "1x1", mk(1, 1, (const double[]){ -3.5 }) };
    c[5] = (Case){ "0x4", mk(0, 4, NULL) };
    c[6] = (Case){ "4x0", mk(4, 0, NULL) };
    c[7] = (Case){ "row 1x30", gen(1, 30, 0.2, 1) };
    c[8] = (Case){ "col 30x1", gen(30, 1, 0.3, 1) };
}

static void free_cases(Case c[NCASES])
{
    for (int i = 0; i < NCASES; i++) mb_free(c[i].m);
}

/* ---- binary ------------------------------------------------------------------------------ */

static const BinOp OPS[] = { BOP_POW, BOP_INTDIV, BOP_MOD, BOP_MUL, BOP_DIV, BOP_ADD, BOP_SUB,
                             BOP_LT,  BOP_LE,     BOP_GT,  BOP_GE,  BOP_EQ,  BOP_NE, BOP_AND,
                             BOP_OR };
#define NOPS ((int)(sizeof OPS / sizeof OPS[0]))
static const KnBinFn FNS[] = { KB_MIN, KB_MAX, KB_XOR, KB_LOG };

/* op index < NOPS: a BinOp; else a KnBinFn. */
static tsr_status run_bin(int op, const MatBlock *a, const MatBlock *b, MatBlock **out)
{
    if (op < NOPS) return kn_binary(NULL, OPS[op], a, b, out, &E);
    return kn_binary_fn(NULL, FNS[op - NOPS], a, b, out, &E);
}

static tsr_status run_bin_s(int op, const MatBlock *a, double s, int left, MatBlock **out)
{
    if (op < NOPS) return kn_binary_scalar(NULL, OPS[op], a, s, left, out, &E);
    return kn_binary_fn_scalar(NULL, FNS[op - NOPS], a, s, left, out, &E);
}

/* a op b for every format pair against the dense result. */
static int bin_all_formats(int op, const MatBlock *a, const MatBlock *b)
{
    MatBlock *ref = NULL;
    if (run_bin(op, a, b, &ref) != TSR_OK) return 0;
    int ok = !ref->sparse;
    for (int fa = 0; fa < 2; fa++)
        for (int fb = 0; fb < 2; fb++) {
            if (!fa && !fb) continue;
            MatBlock *x = tb_as_fmt(a, fa), *y = tb_as_fmt(b, fb), *z = NULL;
            int good = run_bin(op, x, y, &z) == TSR_OK && same_block(ref, z);
            if (!good) fprintf(stderr, "   binary op #%d formats %d%d\n", op, fa, fb);
            ok &= good;
            mb_free(x), mb_free(y), mb_free(z);
        }
    mb_free(ref);
    return ok;
}

static void test_binary_formats(void)
{
    Case c[NCASES];
    make_cases(c);
    int nall = NOPS + 4;
    for (int ci = 0; ci < NCASES; ci++) {
        const MatBlock *a = c[ci].m;
        MatBlock *b = gen(a->rows, a->cols, 0.15, 1), *s1 = mk(1, 1, (const double[]){ 2.0 });
        MatBlock *s0 = mk(1, 1, NULL), *cv = gen(a->rows, 1, 0.5, 1), *rv = gen(1, a->cols, 0.5, 1);
        MatBlock *cz = mk(a->rows, 1, NULL), *rz = mk(1, a->cols, NULL);
        int ok = 1;
        for (int op = 0; op < nall; op++) {
            ok &= bin_all_formats(op, a, b);
            ok &= bin_all_formats(op, a, a);   /* aliasing, equal patterns */
            ok &= bin_all_formats(op, a, s1) && bin_all_formats(op, a, s0);
            ok &= bin_all_formats(op, a, cv) && bin_all_formats(op, a, rv);
            ok &= bin_all_formats(op, a, cz) && bin_all_formats(op, a, rz);
        }
        check_at(ok, c[ci].name, __FILE__, __LINE__);
        mb_free(b), mb_free(s1), mb_free(s0), mb_free(cv), mb_free(rv), mb_free(cz), mb_free(rz);
    }
    free_cases(c);
}

static void test_scalar_formats(void)
{
    static const double S[] = { 0.0, -0.0, 2.0, -1.5, 0.5, NAN, INFINITY, -INFINITY };
    Case c[NCASES];
    make_cases(c);
    for (int ci = 0; ci < NCASES; ci++) {
        MatBlock *sp = tb_as_fmt(c[ci].m, 1);
        int ok = 1;
        for (int op = 0; op < NOPS + 4; op++)
            for (size_t si = 0; si < sizeof S / sizeof S[0]; si++)
                for (int left = 0; left < 2; left++) {
                    MatBlock *r = NULL, *z = NULL;
                    int good = run_bin_s(op, c[ci].m, S[si], left, &r) == TSR_OK &&
                               run_bin_s(op, sp, S[si], left, &z) == TSR_OK && same_block(r, z);
                    /* sparse-safe iff op(0, s) == 0: then the output stays CSR */
                    double zero = 0.0, at0;
                    MatBlock *one = mk(1, 1, &zero), *v = NULL;
                    run_bin_s(op, one, S[si], left, &v);
                    at0 = v ? v->dense[0] : NAN;
                    if (good && at0 == 0.0 && mb_prefers_sparse(sp->rows, sp->cols, sp->nnz))
                        good = z->sparse;
                    if (!good) fprintf(stderr, "   scalar op #%d s=%g left=%d\n", op, S[si], left);
                    ok &= good;
                    mb_free(r), mb_free(z), mb_free(one), mb_free(v);
                }
        check_at(ok, c[ci].name, __FILE__, __LINE__);
        mb_free(sp);
    }
    free_cases(c);
}

/* Sparse-safe pairs stay sparse; others produce a dense output. */
static void test_binary_sparsity(void)
{
    MatBlock *a = gen(200, 150, 0.02, 1), *b = gen(200, 150, 0.02, 1), *z = NULL;
    MatBlock *sa = tb_as_fmt(a, 1), *sb = tb_as_fmt(b, 1), *db = tb_as_fmt(b, 0);
    MatBlock *rv = gen(1, 150, 1.0, 0), *cv = gen(200, 1, 1.0, 0), *rz = mk(1, 150, NULL);
    OK(kn_binary(NULL, BOP_MUL, sa, sb, &z, &E));
    CHECK(z && z->sparse && same_block(z, z));
    mb_free(z);
    OK(kn_binary(NULL, BOP_ADD, sa, sb, &z, &E));    /* 0 + 0 == 0: union */
    CHECK(z && z->sparse && z->nnz <= sa->nnz + sb->nnz);
    mb_free(z);
    OK(kn_binary(NULL, BOP_EQ, sa, sb, &z, &E));     /* 0 == 0 is 1 */
    CHECK(z && !z->sparse);
    mb_free(z);
    OK(kn_binary(NULL, BOP_MUL, sa, db, &z, &E));    /* sparse * dense */
    CHECK(z && z->sparse);
    mb_free(z);
    OK(kn_binary(NULL, BOP_MUL, db, sa, &z, &E));    /* dense * sparse */
    CHECK(z && z->sparse);
    mb_free(z);
    OK(kn_binary(NULL, BOP_ADD, sa, db, &z, &E));
    CHECK(z && !z->sparse);
    mb_free(z);
    OK(kn_binary(NULL, BOP_MUL, sa, rv, &z, &E));    /* broadcast a dense row vector */
    CHECK(z && z->sparse && z->nnz <= sa->nnz);
    mb_free(z);
    OK(kn_binary(NULL, BOP_DIV, sa, cv, &z, &E));
    CHECK(z && z->sparse);
    mb_free(z);
    OK(kn_binary(NULL, BOP_SUB, sa, rz, &z, &E));    /* minus a zero row vector */
    CHECK(z && z->sparse && same_block(z, sa));
    mb_free(z);
    OK(kn_binary(NULL, BOP_NE, sa, rz, &z, &E));
    CHECK(z && z->sparse && z->nnz == sa->nnz);
    mb_free(z);
    OK(kn_binary_fn(NULL, KB_MAX, sa, rz, &z, &E));
    CHECK(z && z->sparse);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_DIV, sa, 0.0, 0, &z, &E));   /* 0/0 = NaN: dense */
    CHECK(z && !z->sparse && isnan(z->dense[1]));
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_POW, sa, 2.0, 0, &z, &E));
    CHECK(z && z->sparse);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_POW, sa, 0.0, 0, &z, &E));   /* 0^0 = 1 */
    CHECK(z && !z->sparse);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_GT, sa, 0.0, 0, &z, &E));
    CHECK(z && z->sparse);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_MUL, sa, 0.0, 0, &z, &E));   /* NaN * 0 and Inf * 0 stay NaN */
    CHECK(z && z->sparse && valid(z));
    mb_free(z);
    MatBlock *big = gen(20, 20, 0.1, 0), *bad = mk(3, 3, NULL);
    MatBlock *sbig = tb_as_fmt(big, 1);
    tsr_status st = kn_binary(NULL, BOP_ADD, sbig, bad, &z, &E);
    CHECK(st != TSR_OK && strstr(E.msg, "20x20 vs 3x3") != NULL);
    mb_free(a), mb_free(b), mb_free(sa), mb_free(sb), mb_free(db), mb_free(rv), mb_free(cv);
    mb_free(rz), mb_free(big), mb_free(bad), mb_free(sbig);
}

/* ---- unary, ifelse ----------------------------------------------------------------------- */

static void test_unary_formats(void)
{
    Case c[NCASES];
    make_cases(c);
    for (int ci = 0; ci < NCASES; ci++) {
        MatBlock *sp = tb_as_fmt(c[ci].m, 1);
        int ok = 1;
        for (int fn = 0; fn < KU__COUNT; fn++) {
            MatBlock *r = NULL, *z = NULL;
            int good = kn_unary(NULL, (KnUnary)fn, c[ci].m, &r, &E) == TSR_OK &&
                       kn_unary(NULL, (KnUnary)fn, sp, &z, &E) == TSR_OK && same_block(r, z);
            if (good && kn_unary_double((KnUnary)fn, 0.0) == 0.0 &&
                mb_prefers_sparse(sp->rows, sp->cols, sp->nnz))
                good = z->sparse;   /* f(0) == 0: sparse-safe */
            if (!good) fprintf(stderr, "   unary #%d\n", fn);
            ok &= good;
            mb_free(r), mb_free(z);
        }
        check_at(ok, c[ci].name, __FILE__, __LINE__);
        mb_free(sp);
    }
    free_cases(c);
    MatBlock *a = sparse_take(gen(50, 40, 0.05, 1)), *z = NULL;
    OK(kn_unary(NULL, KU_SQRT, a, &z, &E));
    CHECK(z && z->sparse);
    mb_free(z);
    OK(kn_unary(NULL, KU_EXP, a, &z, &E));
    CHECK(z && !z->sparse && z->dense[50] == 1.0);
    mb_free(z);
    OK(kn_unary(NULL, KU_NOT, a, &z, &E));
    CHECK(z && !z->sparse);
    mb_free(z), mb_free(a);
}

/* ifelse with each argument dense, sparse or scalar (0 and 7). */
static void test_ifelse_formats(void)
{
    MatBlock *src[3] = { gen(23, 19, 0.3, 1), gen(23, 19, 0.2, 1), gen(23, 19, 0.25, 1) };
    static const double SC[] = { 0.0, 7.0 };
    int ok = 1;
    /* kind per argument: 0 dense, 1 sparse, 2 scalar 0, 3 scalar 7 */
    for (int kc = 0; kc < 4; kc++)
        for (int ka = 0; ka < 4; ka++)
            for (int kb = 0; kb < 4; kb++) {
                int kind[3] = { kc, ka, kb };
                const MatBlock *d[3], *f[3];
                MatBlock *own[3] = { NULL, NULL, NULL };
                double s[3];
                for (int t = 0; t < 3; t++) {
                    d[t] = kind[t] < 2 ? src[t] : NULL;
                    f[t] = kind[t] == 1 ? (own[t] = tb_as_fmt(src[t], 1)) : d[t];
                    s[t] = kind[t] >= 2 ? SC[kind[t] - 2] : 0.0;
                }
                MatBlock *r = NULL, *z = NULL;
                int good = kn_ifelse(NULL, d[0], s[0], d[1], s[1], d[2], s[2], &r, &E) == TSR_OK &&
                           kn_ifelse(NULL, f[0], s[0], f[1], s[1], f[2], s[2], &z, &E) == TSR_OK &&
                           same_block(r, z);
                if (!good) fprintf(stderr, "   ifelse kinds %d %d %d\n", kc, ka, kb);
                ok &= good;
                mb_free(r), mb_free(z);
                for (int t = 0; t < 3; t++) mb_free(own[t]);
            }
    CHECK(ok);
    /* ifelse(C, A, 0) with a sparse A stays sparse (A below the small-block
     * density MB_SMALL_TURN_POINT; at 0.2 it is dense, as the policy says) */
    MatBlock *a05 = gen(23, 19, 0.05, 1);
    MatBlock *c = tb_as_fmt(src[0], 1), *a = tb_as_fmt(a05, 1), *z = NULL;
    mb_free(a05);
    OK(kn_ifelse(NULL, c, 0, a, 0, NULL, 0.0, &z, &E));
    CHECK(z && z->sparse && z->nnz <= a->nnz);
    mb_free(z);
    MatBlock *a20 = tb_as_fmt(src[1], 1);
    OK(kn_ifelse(NULL, c, 0, a20, 0, NULL, 0.0, &z, &E));
    CHECK(z && !z->sparse);
    mb_free(a20);
    mb_free(z);
    MatBlock *e = mk(0, 3, NULL), *se = tb_as_fmt(e, 1);
    OK(kn_ifelse(NULL, se, 0, NULL, 1.0, NULL, 2.0, &z, &E));
    CHECK(z && z->rows == 0 && z->cols == 3);
    mb_free(z);
    MatBlock *wrong = sparse_take(gen(3, 3, 0.5, 0));
    CHECK(kn_ifelse(NULL, c, 0, wrong, 0, NULL, 0, &z, &E) != TSR_OK &&
          strstr(E.msg, "equal dimensions") != NULL);
    mb_free(c), mb_free(a), mb_free(e), mb_free(se), mb_free(wrong);
    for (int t = 0; t < 3; t++) mb_free(src[t]);
}

/* ---- aggregates ------------------------------------------------------------------------------ */

/* var/sd add the implicit zeros in one step: close, not bit-identical. */
static double agg_tol(KnAgg fn)
{
    return fn == KA_VAR || fn == KA_SD ? 1e-12 : 0.0;
}

static int agg_same(const MatBlock *r, const MatBlock *z, double tol)
{
    if (tol == 0.0) return same_block(r, z);
    if (!r || !z || r->rows != z->rows || r->cols != z->cols || !valid(z)) return 0;
    for (int64_t i = 0; i < r->rows; i++)
        for (int64_t j = 0; j < r->cols; j++)
            if (!close_rel(mb_get(r, i, j), mb_get(z, i, j), tol)) return 0;
    return 1;
}

static void test_agg_formats(void)
{
    Case c[NCASES];
    make_cases(c);
    for (int ci = 0; ci < NCASES; ci++) {
        MatBlock *sp = tb_as_fmt(c[ci].m, 1);
        int ok = 1;
        for (int fn = KA_SUM; fn <= KA_PROD; fn++) {
            double r, z;
            int good = kn_agg_full(NULL, (KnAgg)fn, c[ci].m, &r, &E) == TSR_OK &&
                       kn_agg_full(NULL, (KnAgg)fn, sp, &z, &E) == TSR_OK &&
                       (agg_tol((KnAgg)fn) ? close_rel(r, z, 1e-12) : same_cell(r, z));
            for (int dir = KD_ALL; dir <= KD_COL; dir++) {
                MatBlock *rm = NULL, *zm = NULL;
                good &= kn_agg_dir(NULL, (KnAgg)fn, (KnDir)dir, c[ci].m, &rm, &E) == TSR_OK &&
                        kn_agg_dir(NULL, (KnAgg)fn, (KnDir)dir, sp, &zm, &E) == TSR_OK &&
                        agg_same(rm, zm, agg_tol((KnAgg)fn));
                mb_free(rm), mb_free(zm);
            }
            if (!good) fprintf(stderr, "   aggregate #%d\n", fn);
            ok &= good;
        }
        for (int is_max = 0; is_max < 2 && c[ci].m->cols > 0; is_max++) {
            MatBlock *r = NULL, *z = NULL;
            ok &= kn_row_index(NULL, is_max, c[ci].m, &r, &E) == TSR_OK &&
                  kn_row_index(NULL, is_max, sp, &z, &E) == TSR_OK && same_block(r, z);
            mb_free(r), mb_free(z);
        }
        for (int fn = KC_SUM; fn <= KC_MAX; fn++) {
            MatBlock *r = NULL, *z = NULL;
            int good = kn_cumagg((KnCum)fn, c[ci].m, &r, &E) == TSR_OK &&
                       kn_cumagg((KnCum)fn, sp, &z, &E) == TSR_OK && same_block(r, z);
            if (!good) fprintf(stderr, "   cumulative #%d\n", fn);
            ok &= good;
            mb_free(r), mb_free(z);
        }
        double tr, trs;
        if (c[ci].m->rows == c[ci].m->cols)
            ok &= kn_trace(c[ci].m, &tr, &E) == TSR_OK && kn_trace(sp, &trs, &E) == TSR_OK &&
                  same_cell(tr, trs);
        check_at(ok, c[ci].name, __FILE__, __LINE__);
        mb_free(sp);
    }
    free_cases(c);
}

/* Hand-checked values on sparse input: implicit zeros in min/max/prod,
 * rowIndexMax ties and NaN rows, cumulative aggregates that stay sparse. */
static void test_agg_values(void)
{
    MatBlock *d = mk(3, 4, (const double[]){ 2, 0, 3, 0,        /* max 3 at 3, min 0 at 4 */
                                             -1, -2, -1, NAN,   /* min -2 at 2, max -1 at 3 */
                                             0, 0, 0, 0 });
    MatBlock *s = tb_as_fmt(d, 1), *z = NULL;
    double v;
    OK(kn_agg_full(NULL, KA_MIN, s, &v, &E));
    CHECK(isnan(v));
    OK(kn_agg_full(NULL, KA_PROD, s, &v, &E));
    CHECK(isnan(v));   /* NaN * 0 */
    OK(kn_row_index(NULL, 1, s, &z, &E));
    CHECK(z && z->dense[0] == 3 && z->dense[1] == 3 && z->dense[2] == 4);
    mb_free(z);
    OK(kn_row_index(NULL, 0, s, &z, &E));
    CHECK(z && z->dense[0] == 4 && z->dense[1] == 2 && z->dense[2] == 4);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_MAX, KD_ROW, s, &z, &E));
    CHECK(z && isnan(z->dense[1]) && z->dense[0] == 3 && z->dense[2] == 0);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_MIN, KD_COL, s, &z, &E));
    CHECK(z && z->dense[0] == -1 && z->dense[1] == -2 && z->dense[2] == -1 && isnan(z->dense[3]));
    mb_free(z), mb_free(d), mb_free(s);

    /* Inf then an implicit zero: Inf * 0 = NaN exactly where the dense product meets it */
    d = mk(4, 2, (const double[]){ 1e300, 0, 1e300, 1e300, 0, 1e300, 2, 5 });
    s = tb_as_fmt(d, 1);
    OK(kn_agg_dir(NULL, KA_PROD, KD_COL, s, &z, &E));   /* (1e300 * 1e300) * 0 vs 0 * 1e300 ... */
    CHECK(z && isnan(z->dense[0]) && z->dense[1] == 0.0);
    mb_free(z);
    OK(kn_agg_full(NULL, KA_PROD, s, &v, &E));           /* row-major: 1e300 * 0 first */
    CHECK(v == 0.0);
    mb_free(d), mb_free(s);

    /* cumsum of a matrix whose non-zeros sit in the last rows stays sparse */
    d = mk(300, 200, NULL);
    d->dense[299 * 200 + 5] = 1;
    d->dense[298 * 200 + 7] = -2;
    mb_recount_nnz(d);
    s = tb_as_fmt(d, 1);
    for (int fn = KC_SUM; fn <= KC_MAX; fn++) {
        OK(kn_cumagg((KnCum)fn, s, &z, &E));
        CHECK(z && z->sparse && valid(z));
        mb_free(z);
    }
    OK(kn_cumagg(KC_SUM, s, &z, &E));
    CHECK(z && z->nnz == 3 && mb_get(z, 299, 7) == -2 && mb_get(z, 299, 5) == 1);
    mb_free(z), mb_free(d), mb_free(s);

    /* sums agree bit for bit with the dense kernel (same lanes) */
    d = mk(7, 13, NULL);
    for (int i = 0; i < 91; i += 3) d->dense[i] = 1.0 / (i + 1) * (i % 2 ? 1e10 : -1e-7);
    mb_recount_nnz(d);
    s = tb_as_fmt(d, 1);
    double a1, a2;
    OK(kn_agg_full(NULL, KA_SUM, d, &a1, &E));
    OK(kn_agg_full(NULL, KA_SUM, s, &a2, &E));
    CHECK(a1 == a2);
    mb_free(d), mb_free(s);
}

/* ---- rand ------------------------------------------------------------------------------ */

/* Every stored cell of S equals the cell of F (the sparsity-1 matrix). */
static int subset_of_full(const MatBlock *s, const MatBlock *f)
{
    for (int64_t i = 0; i < s->rows; i++)
        for (int64_t j = 0; j < s->cols; j++) {
            double v = mb_get(s, i, j);
            if (v != 0.0 && v != mb_get(f, i, j)) return 0;
        }
    return 1;
}

static void test_rand_sparse(void)
{
    MatBlock *s = NULL, *s2 = NULL, *f = NULL, *dd = NULL;
    OK(kn_rand(NULL, 1500, 1300, -2, 3, 0.1, 77, KR_UNIFORM, 1, &s, &E));
    OK(kn_rand(NULL, 1500, 1300, -2, 3, 0.1, 77, KR_UNIFORM, 1, &s2, &E));
    OK(kn_rand(NULL, 1500, 1300, -2, 3, 1.0, 77, KR_UNIFORM, 1, &f, &E));
    CHECK(s && s->sparse && valid(s) && same_block(s, s2));
    CHECK(fabs((double)s->nnz / 1950000.0 - 0.1) < 4 * sqrt(0.09 / 1950000.0));
    CHECK(subset_of_full(s, f));
    /* the same generator fills a dense output (density above the sparse turn point) */
    OK(kn_rand(NULL, 1500, 1300, -2, 3, 0.6, 77, KR_UNIFORM, 1, &dd, &E));
    CHECK(dd && !dd->sparse && valid(dd) && subset_of_full(dd, f));
    CHECK(fabs((double)dd->nnz / 1950000.0 - 0.6) < 4 * sqrt(0.24 / 1950000.0));
    mb_free(s2), mb_free(dd);
    /* blocks are independent: fewer rows or a wider last block keep the shared blocks */
    OK(kn_rand(NULL, 1000, 1300, -2, 3, 0.1, 77, KR_UNIFORM, 1, &s2, &E));
    int same_rows = s2 != NULL;
    for (int64_t i = 0; same_rows && i < 1000; i++)
        for (int64_t j = 0; j < 1300; j++) same_rows &= mb_get(s2, i, j) == mb_get(s, i, j);
    CHECK(same_rows);
    mb_free(s2);
    OK(kn_rand(NULL, 1500, 2000, -2, 3, 0.1, 77, KR_UNIFORM, 1, &s2, &E));
    int same_cols = s2 != NULL;
    for (int64_t i = 0; same_cols && i < 1500; i++)
        for (int64_t j = 0; j < 1000; j++) same_cols &= mb_get(s2, i, j) == mb_get(s, i, j);
    CHECK(same_cols);
    mb_free(s2), mb_free(s), mb_free(f);

    /* normal and poisson cells: the values of the sparsity-1 matrix */
    OK(kn_rand(NULL, 300, 200, 0, 1, 0.05, 5, KR_NORMAL, 1, &s, &E));
    OK(kn_rand(NULL, 300, 200, 0, 1, 1.0, 5, KR_NORMAL, 1, &f, &E));
    CHECK(s && s->sparse && subset_of_full(s, f));
    mb_free(s), mb_free(f);
    OK(kn_rand(NULL, 300, 200, 0, 1, 0.05, 5, KR_POISSON, 0.5, &s, &E));
    OK(kn_rand(NULL, 300, 200, 0, 1, 1.0, 5, KR_POISSON, 0.5, &f, &E));
    CHECK(s && s->sparse && valid(s) && subset_of_full(s, f));
    mb_free(s), mb_free(f);

    /* large and very sparse: O(nnz + blocks) work, CSR directly */
    OK(kn_rand(NULL, 200000, 100000, 0, 1, 1e-5, 3, KR_UNIFORM, 1, &s, &E));
    CHECK(s && s->sparse && valid(s));
    CHECK(s && fabs((double)s->nnz - 200000.0) < 4 * sqrt(200000.0));
    CHECK(s && mb_bytes(s) < 8 * (int64_t)300000 + 12 * (int64_t)260000);
    mb_free(s);
    /* an even spread over rows and columns: each quarter holds about a quarter */
    OK(kn_rand(NULL, 2000, 2000, 0, 1, 0.01, 9, KR_UNIFORM, 1, &s, &E));
    int64_t q[4] = { 0, 0, 0, 0 };
    for (int64_t i = 0; s && i < 2000; i++)
        for (int64_t k = s->ptr[i]; k < s->ptr[i + 1]; k++)
            q[(i >= 1000) * 2 + (s->idx[k] >= 1000)]++;
    for (int t = 0; t < 4; t++) CHECK(fabs((double)q[t] - 10000.0) < 4 * 100.0);
    mb_free(s);
    OK(kn_rand(NULL, 3, 4, 0, 1, 0.0, 1, KR_UNIFORM, 1, &s, &E));
    CHECK(s && s->nnz == 0 && valid(s) && s->rows == 3 && s->cols == 4);
    mb_free(s);
    OK(kn_rand(NULL, 0, 4, 0, 1, 0.5, 1, KR_UNIFORM, 1, &s, &E));
    CHECK(s && s->rows == 0 && s->cols == 4);
    mb_free(s);
    OK(kn_rand(NULL, 1, 1, 0, 0, 0.5, 1, KR_UNIFORM, 1, &s, &E));   /* min = max = 0: no non-zero */
    CHECK(s && s->nnz == 0 && valid(s));
    mb_free(s);
    CHECK(kn_rand(NULL, -1, 4, 0, 1, 0.5, 1, KR_UNIFORM, 1, &s, &E) != TSR_OK);
    CHECK(kn_rand(NULL, 1 << 30, 1 << 30, 0, 1, 0.5, 1, KR_UNIFORM, 1, &s, &E) == TSR_LIMIT);
}

int main(void)
{
    err_clear(&E);
    test_binary_formats();
    test_scalar_formats();
    test_binary_sparsity();
    test_unary_formats();
    test_ifelse_formats();
    test_agg_formats();
    test_agg_values();
    test_rand_sparse();
    return check_summary();
}
