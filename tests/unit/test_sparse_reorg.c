/*
 * test_sparse_reorg.c - dense/sparse differential tests of the matrix
 * multiply (matmul.c), reorganisation and indexing (reorg.c), toString
 * (format.c) kernels, and of the structural, sorting and LAPACK kernels on
 * sparse inputs (structure.c, sort.c, decomp.c, linalg.c).
 *
 * Every kernel runs on the same matrices built dense and converted to CSR
 * (mb_to_sparse_inplace), for every combination of input formats, and each
 * output is compared cell by cell with a naive reference computed through
 * mb_get: NaN/Inf cells, 0xN / Nx0 / 1x1 / all-zero matrices, rows without
 * non-zeros and filled last rows/columns included.  Outputs must have an
 * exact nnz, sparse outputs a valid CSR structure, and sparse-safe kernels
 * must keep a sparse input sparse.  Matmul inputs hold small integers so
 * that every summation order gives the exact same result.
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

#define OK(call) check_at((err_clear(&E), (call)) == TSR_OK, #call, __FILE__, __LINE__)

/* Same value, NaN equal to NaN; the sign of zero is not compared (a CSR
 * block stores no -0.0). */
static int same(double a, double b)
{
    if (a != a || b != b) return a != a && b != b;
    return a == b;
}

/* ---- test matrices ------------------------------------------------------------------------------ */

static uint32_t rnd(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

/* Dense r x c block: each cell non-zero with probability `density`, the
 * non-zeros small integers in [-5, 5] \ {0}; with `specials`, a few cells
 * become NaN, Inf and -Inf. */
static MatBlock *gen(int64_t r, int64_t c, double density, uint32_t seed, int specials)
{
    MatBlock *m = mb_new(r, c, &E);
    if (!m) exit(2);
    uint32_t s = seed * 2654435761u + 1;
    for (int64_t k = 0; k < r * c; k++) {
        if ((double)(rnd(&s) % 10000) >= density * 10000) continue;
        int v = (int)(rnd(&s) % 10) - 5;
        m->dense[k] = v >= 0 ? v + 1 : v;
    }
    if (specials && r * c >= 4) {
        m->dense[rnd(&s) % (uint32_t)(r * c)] = NAN;
        m->dense[rnd(&s) % (uint32_t)(r * c)] = INFINITY;
        m->dense[rnd(&s) % (uint32_t)(r * c)] = -INFINITY;
    }
    mb_recount_nnz(m);
    return m;
}

/* Dense block from literal cells. */
static MatBlock *mk(int64_t r, int64_t c, const double *v)
{
    MatBlock *m = mb_new(r, c, &E);
    if (!m) exit(2);
    if (r * c > 0) memcpy(m->dense, v, (size_t)(r * c) * sizeof(double));
    mb_recount_nnz(m);
    return m;
}
#define MK(r, c, ...) mk((r), (c), (const double[]){ __VA_ARGS__ })

/* m itself converted to the given format (takes m). */
static MatBlock *to_fmt(MatBlock *m, int sparse)
{
    tsr_status st = sparse ? mb_to_sparse_inplace(m, &E) : mb_to_dense_inplace(m, &E);
    if (st != TSR_OK) exit(2);
    return m;
}

/* CSR invariants: ptr monotone from 0 to nnz, columns strictly ascending
 * and in range, no stored zero. */
static int csr_valid(const MatBlock *m)
{
    if (m->ptr[0] != 0 || m->ptr[m->rows] != m->nnz || m->nnz > m->cap) return 0;
    for (int64_t i = 0; i < m->rows; i++) {
        if (m->ptr[i + 1] < m->ptr[i]) return 0;
        for (int64_t k = m->ptr[i]; k < m->ptr[i + 1]; k++) {
            if (m->idx[k] < 0 || m->idx[k] >= m->cols || m->val[k] == 0.0) return 0;
            if (k > m->ptr[i] && m->idx[k] <= m->idx[k - 1]) return 0;
        }
    }
    return 1;
}

static int64_t count_nz(const MatBlock *m)
{
    int64_t nz = 0;
    for (int64_t i = 0; i < m->rows; i++)
        for (int64_t j = 0; j < m->cols; j++) nz += mb_get(m, i, j) != 0.0;
    return nz;
}

/* x equals the reference: shape, every cell, exact nnz, valid CSR. */
static int equal_to(const MatBlock *x, const MatBlock *ref)
{
    if (!x || x->rows != ref->rows || x->cols != ref->cols) {
        if (x)
            fprintf(stderr, "   shape %lldx%lld, want %lldx%lld\n", (long long)x->rows,
                    (long long)x->cols, (long long)ref->rows, (long long)ref->cols);
        return 0;
    }
    if (x->sparse && !csr_valid(x)) {
        fprintf(stderr, "   invalid CSR structure\n");
        return 0;
    }
    for (int64_t i = 0; i < x->rows; i++)
        for (int64_t j = 0; j < x->cols; j++)
            if (!same(mb_get(x, i, j), mb_get(ref, i, j))) {
                fprintf(stderr, "   cell (%lld,%lld): got %.17g want %.17g\n", (long long)i,
                        (long long)j, mb_get(x, i, j), mb_get(ref, i, j));
                return 0;
            }
    if (x->nnz != count_nz(x)) {
        fprintf(stderr, "   nnz %lld, counted %lld\n", (long long)x->nnz, (long long)count_nz(x));
        return 0;
    }
    return 1;
}
#define CHECK_EQ(x, ref, what) check_eq_at((x), (ref), (what), __FILE__, __LINE__)

static void check_eq_at(const MatBlock *x, const MatBlock *ref, const char *what,
                        const char *file, int line)
{
    int ok = equal_to(x, ref);
    check_at(ok, what, file, line);
}

/* Input untouched: the same cells as the matrix it was built from. */
static int untouched(const MatBlock *m, const MatBlock *orig)
{
    return equal_to(m, orig);
}

/* The catalogue of inputs for the unary kernels. */
#define NCAT 15
static MatBlock *catalogue(int k)
{
    switch (k) {
    case 0: return gen(7, 5, 0.3, 1, 1);
    case 1: return gen(6, 6, 0.5, 2, 1);
    case 2: return gen(4, 3, 0.0, 3, 0);                           /* all zero */
    case 3: return MK(1, 1, 3.5);
    case 4: return MK(1, 1, 0.0);
    case 5: return mb_new(0, 3, &E);
    case 6: return mb_new(3, 0, &E);
    case 7: return mb_new(0, 0, &E);
    case 8: return MK(8, 1, 0, 1, 0, 0, NAN, 2, 0, 3);             /* vector, last cell set */
    case 9: return MK(1, 8, 4, 0, 0, -1, 0, 0, 0, INFINITY);
    case 10: return MK(4, 4, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4);   /* empty rows */
    case 11: return gen(40, 30, 0.1, 11, 1);
    case 12: return gen(5, 5, 1.0, 12, 0);                         /* full */
    case 13: return MK(3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 9);           /* only the last cell */
    default: return gen(1, 1, 0, 14, 0);
    }
}

/* ---- naive references ------------------------------------------------------------------------------ */

static double opget(const MatBlock *m, int t, int64_t i, int64_t j)
{
    return t ? mb_get(m, j, i) : mb_get(m, i, j);
}

static MatBlock *ref_matmul(const MatBlock *a, int ta, const MatBlock *b, int tb)
{
    int64_t m = ta ? a->cols : a->rows, k = ta ? a->rows : a->cols, n = tb ? b->rows : b->cols;
    MatBlock *c = mb_new(m, n, &E);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double s = 0;
            for (int64_t p = 0; p < k; p++) s += opget(a, ta, i, p) * opget(b, tb, p, j);
            c->dense[i * n + j] = s;
        }
    mb_recount_nnz(c);
    return c;
}

static MatBlock *ref_transpose(const MatBlock *a)
{
    MatBlock *c = mb_new(a->cols, a->rows, &E);
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++) c->dense[j * a->rows + i] = mb_get(a, i, j);
    mb_recount_nnz(c);
    return c;
}

/* ---- matmul ------------------------------------------------------------------------------------------ */

/* op(A) %*% op(B) for all four format pairs against the naive product. */
static void matmul_case(int64_t m, int64_t k, int64_t n, int ta, int tb, double da, double db,
                        uint32_t seed)
{
    MatBlock *a = gen(ta ? k : m, ta ? m : k, da, seed, 0);
    MatBlock *b = gen(tb ? n : k, tb ? k : n, db, seed + 7, 0);
    MatBlock *ref = ref_matmul(a, ta, b, tb);
    for (int f = 0; f < 4; f++) {
        MatBlock *x = tb_as_fmt(a, f & 1), *y = tb_as_fmt(b, f >> 1), *c = NULL;
        char what[128];
        snprintf(what, sizeof what, "matmul %lldx%lldx%lld ta=%d tb=%d fmt=%d da=%g db=%g",
                 (long long)m, (long long)k, (long long)n, ta, tb, f, da, db);
        OK(kn_matmul_ex(NULL, x, ta, y, tb, &c, &E));
        if (!equal_to(c, ref)) fprintf(stderr, "   in %s\n", what);
        CHECK_EQ(c, ref, what);
        CHECK(untouched(x, a) && x->sparse == (f & 1));
        mb_free(c);
        mb_free(x);
        mb_free(y);
    }
    mb_free(ref);
    mb_free(a);
    mb_free(b);
}

static void test_matmul_formats(void)
{
    static const int64_t shapes[][3] = {
        { 5, 7, 4 }, { 1, 7, 4 }, { 5, 7, 1 }, { 1, 7, 1 }, { 1, 1, 1 }, { 0, 3, 4 },
        { 3, 0, 4 }, { 3, 4, 0 }, { 20, 30, 25 }, { 60, 50, 40 }, { 9, 1, 8 },
    };
    static const double dens[][2] = { { 0.3, 0.3 }, { 0.05, 0.05 }, { 0.9, 0.2 }, { 0, 0.5 } };
    uint32_t seed = 100;
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
        for (int t = 0; t < 4; t++)
            for (size_t d = 0; d < sizeof dens / sizeof *dens; d++)
                matmul_case(shapes[s][0], shapes[s][1], shapes[s][2], t & 1, t >> 1, dens[d][0],
                            dens[d][1], seed++);
}

/* Gustavson's output format follows the nnz bound; cancellations are not
 * stored; NaN propagates where both formats agree on it. */
static void test_matmul_sparse_details(void)
{
    MatBlock *a = gen(200, 150, 0.01, 5, 0), *b = gen(150, 120, 0.01, 6, 0), *c = NULL;
    MatBlock *sa = tb_as_fmt(a, 1), *sb = tb_as_fmt(b, 1), *ref = ref_matmul(a, 0, b, 0);
    OK(kn_matmul(NULL, sa, sb, &c, &E));
    CHECK(c && c->sparse);
    CHECK_EQ(c, ref, "sparse x sparse, sparse result");
    mb_free(c);
    mb_free(ref);
    mb_free(sa);
    mb_free(sb);
    mb_free(a);
    mb_free(b);

    MatBlock *x = to_fmt(MK(1, 2, 1, 1), 1), *y = to_fmt(MK(2, 1, 1, -1), 1);
    OK(kn_matmul(NULL, x, y, &c, &E));
    CHECK(c && c->rows == 1 && c->cols == 1 && c->nnz == 0 && mb_get(c, 0, 0) == 0.0);
    mb_free(c);
    mb_free(x);
    mb_free(y);

    MatBlock *p = MK(2, 2, NAN, 0, 0, 1), *q = MK(2, 2, 1, 2, 3, 4);
    MatBlock *want = MK(2, 2, NAN, NAN, 3, 4);
    for (int f = 0; f < 4; f++) {
        MatBlock *u = tb_as_fmt(p, f & 1), *v = tb_as_fmt(q, f >> 1);
        OK(kn_matmul(NULL, u, v, &c, &E));
        CHECK_EQ(c, want, "NaN row");
        mb_free(c);
        mb_free(u);
        mb_free(v);
    }
    mb_free(p);
    mb_free(q);
    mb_free(want);

    MatBlock *e = to_fmt(gen(3, 4, 0.5, 9, 0), 1), *f = to_fmt(gen(5, 2, 0.5, 9, 0), 0);
    err_clear(&E);
    CHECK(kn_matmul(NULL, e, f, &c, &E) != TSR_OK && c == NULL);
    CHECK(strcmp(E.msg, "dimension mismatch in %*%: 3x4 %*% 5x2") == 0);
    mb_free(e);
    mb_free(f);
}

static void tsmm_case(int64_t r, int64_t c, double d, uint32_t seed)
{
    MatBlock *a = gen(r, c, d, seed, 0);
    for (int left = 0; left < 2; left++) {
        MatBlock *ref = ref_matmul(a, left, a, !left);
        for (int sp = 0; sp < 2; sp++) {
            MatBlock *x = tb_as_fmt(a, sp), *z = NULL, *w = NULL;
            char what[96];
            snprintf(what, sizeof what, "tsmm %lldx%lld d=%g left=%d sparse=%d", (long long)r,
                     (long long)c, d, left, sp);
            OK(kn_tsmm(NULL, x, left, &z, &E));
            CHECK_EQ(z, ref, what);
            OK(kn_matmul_ex(NULL, x, left, x, !left, &w, &E));   /* same block: goes to tsmm */
            CHECK_EQ(w, ref, what);
            for (int64_t i = 0; z && i < z->rows; i++)   /* exactly symmetric */
                for (int64_t j = 0; j < i; j++) CHECK(same(mb_get(z, i, j), mb_get(z, j, i)));
            CHECK(untouched(x, a));
            mb_free(z);
            mb_free(w);
            mb_free(x);
        }
        mb_free(ref);
    }
    mb_free(a);
}

static void test_tsmm(void)
{
    tsmm_case(30, 10, 0.5, 1);    /* dense result: outer products */
    tsmm_case(200, 100, 0.01, 2); /* sparse result: Gustavson */
    tsmm_case(1, 1, 1, 3);
    tsmm_case(0, 4, 1, 4);
    tsmm_case(4, 0, 1, 5);
    tsmm_case(6, 5, 0, 6);        /* all zero */
    tsmm_case(1, 9, 0.5, 7);
    tsmm_case(9, 1, 0.5, 8);
}

/* ---- reorg -------------------------------------------------------------------------------------------- */

typedef tsr_status (*UnaryKn)(const MatBlock *, MatBlock **, Err *);

/* Runs kn on both formats of every catalogue entry; ref builds the
 * reference from the dense input (NULL: the kernel must fail on both). */
static void unary_all(const char *name, UnaryKn kn, MatBlock *(*ref)(const MatBlock *),
                      int sparse_safe)
{
    for (int k = 0; k < NCAT; k++) {
        MatBlock *a = catalogue(k), *want = ref(a);
        for (int sp = 0; sp < 2; sp++) {
            MatBlock *x = tb_as_fmt(a, sp), *z = NULL;
            char what[64];
            snprintf(what, sizeof what, "%s catalogue %d sparse=%d", name, k, sp);
            err_clear(&E);
            tsr_status st = kn(x, &z, &E);
            if (!want) {
                check_at(st != TSR_OK && z == NULL, what, __FILE__, __LINE__);
            } else {
                check_at(st == TSR_OK, what, __FILE__, __LINE__);
                CHECK_EQ(z, want, what);
                if (sparse_safe && sp && z && z->rows > 0 && z->cols > 0)
                    check_at(z->sparse, what, __FILE__, __LINE__);
            }
            CHECK(untouched(x, a));
            mb_free(z);
            mb_free(x);
        }
        mb_free(want);
        mb_free(a);
    }
}

static MatBlock *ref_rev(const MatBlock *a)
{
    MatBlock *c = mb_new(a->rows, a->cols, &E);
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++)
            c->dense[i * a->cols + j] = mb_get(a, a->rows - 1 - i, j);
    mb_recount_nnz(c);
    return c;
}

static MatBlock *ref_diag(const MatBlock *a)
{
    MatBlock *c = NULL;
    if (a->cols == 1) {
        c = mb_new(a->rows, a->rows, &E);
        for (int64_t i = 0; i < a->rows; i++) c->dense[i * a->rows + i] = mb_get(a, i, 0);
    } else if (a->rows == a->cols) {
        c = mb_new(a->rows, 1, &E);
        for (int64_t i = 0; i < a->rows; i++) c->dense[i] = mb_get(a, i, i);
    }
    if (c) mb_recount_nnz(c);
    return c;
}

static tsr_status transpose_serial(const MatBlock *a, MatBlock **out, Err *err)
{
    return kn_transpose(NULL, a, out, err);
}

static void test_unary_reorg(void)
{
    unary_all("t", transpose_serial, ref_transpose, 1);
    unary_all("rev", kn_rev, ref_rev, 1);
    unary_all("diag", kn_diag, ref_diag, 1);
    /* vector -> diagonal matrix is CSR even from a dense vector */
    MatBlock *v = MK(3, 1, 1, 0, 2), *z = NULL;
    OK(kn_diag(v, &z, &E));
    CHECK(z && z->sparse && z->nnz == 2 && csr_valid(z));
    mb_free(z);
    mb_free(v);
    v = MK(2, 3, 1, 2, 3, 4, 5, 6);
    err_clear(&E);
    CHECK(kn_diag(v, &z, &E) != TSR_OK &&
          strstr(E.msg, "Error invoking diag on matrix with dimensions (2,3)") != NULL);
    mb_free(v);
}

static MatBlock *ref_reshape(const MatBlock *a, int64_t r, int64_t c, int byrow)
{
    MatBlock *z = mb_new(r, c, &E);
    for (int64_t l = 0; l < r * c; l++) {
        int64_t ai = byrow ? l / a->cols : l % a->rows, aj = byrow ? l % a->cols : l / a->rows;
        int64_t zi = byrow ? l / c : l % r, zj = byrow ? l % c : l / r;
        z->dense[zi * c + zj] = mb_get(a, ai, aj);
    }
    mb_recount_nnz(z);
    return z;
}

static void test_reshape(void)
{
    for (int k = 0; k < NCAT; k++) {
        MatBlock *a = catalogue(k);
        int64_t cells = a->rows * a->cols;
        int64_t shapes[][2] = { { 1, cells }, { cells, 1 }, { a->rows, a->cols }, { 0, 0 },
                                { 0, 0 } };
        int ns = 3;
        for (int64_t d = 2; d < cells && ns < 5; d++)
            if (cells % d == 0 && d != a->rows) {
                shapes[ns][0] = d;
                shapes[ns++][1] = cells / d;
            }
        for (int s = 0; s < ns; s++)
            for (int byrow = 0; byrow < 2; byrow++) {
                MatBlock *want = ref_reshape(a, shapes[s][0], shapes[s][1], byrow);
                for (int sp = 0; sp < 2; sp++) {
                    MatBlock *x = tb_as_fmt(a, sp), *z = NULL;
                    char what[80];
                    snprintf(what, sizeof what, "reshape cat %d to %lldx%lld byrow=%d sp=%d", k,
                             (long long)shapes[s][0], (long long)shapes[s][1], byrow, sp);
                    OK(kn_reshape(x, shapes[s][0], shapes[s][1], byrow, &z, &E));
                    CHECK_EQ(z, want, what);
                    CHECK(untouched(x, a));
                    mb_free(z);
                    mb_free(x);
                }
                mb_free(want);
            }
        mb_free(a);
    }
    MatBlock *a = to_fmt(gen(3, 4, 0.5, 1, 0), 1), *z = NULL;
    err_clear(&E);
    CHECK(kn_reshape(a, 5, 2, 1, &z, &E) != TSR_OK &&
          strcmp(E.msg, "Reshape matrix requires consistent numbers of input/output cells "
                        "(3:4, 5:2).") == 0);
    mb_free(a);
}

static MatBlock *ref_slice(const MatBlock *a, int64_t rl, int64_t ru, int64_t cl, int64_t cu)
{
    MatBlock *z = mb_new(ru - rl + 1, cu - cl + 1, &E);
    for (int64_t i = 0; i < z->rows; i++)
        for (int64_t j = 0; j < z->cols; j++)
            z->dense[i * z->cols + j] = mb_get(a, rl - 1 + i, cl - 1 + j);
    mb_recount_nnz(z);
    return z;
}

static void test_slice(void)
{
    for (int k = 0; k < NCAT; k++) {
        MatBlock *a = catalogue(k);
        int64_t m = a->rows, n = a->cols;
        if (m == 0 || n == 0) {
            MatBlock *x = tb_as_fmt(a, 1), *z = NULL;
            err_clear(&E);
            CHECK(kn_slice(NULL, x, 1, 1, 1, 1, &z, &E) != TSR_OK && z == NULL);
            mb_free(x);
            mb_free(a);
            continue;
        }
        int64_t rs[][4] = { { 1, m, 1, n }, { m, m, n, n }, { 1, 1, 1, 1 },
                            { 1 + m / 3, m, 1 + n / 2, n }, { 1, (m + 1) / 2, n, n },
                            { 1, m, 1 + n / 3, 1 + (2 * n) / 3 } };
        for (size_t s = 0; s < sizeof rs / sizeof *rs; s++) {
            if (rs[s][2] > rs[s][3]) continue;
            MatBlock *want = ref_slice(a, rs[s][0], rs[s][1], rs[s][2], rs[s][3]);
            for (int sp = 0; sp < 2; sp++) {
                MatBlock *x = tb_as_fmt(a, sp), *z = NULL;
                char what[80];
                snprintf(what, sizeof what, "slice cat %d range %zu sparse=%d", k, s, sp);
                OK(kn_slice(NULL, x, rs[s][0], rs[s][1], rs[s][2], rs[s][3], &z, &E));
                CHECK_EQ(z, want, what);
                if (sp) CHECK(z && z->sparse);
                CHECK(untouched(x, a));
                mb_free(z);
                mb_free(x);
            }
            mb_free(want);
        }
        mb_free(a);
    }
}

/* ---- cbind / rbind --------------------------------------------------------------------------- */

static MatBlock *ref_bind(MatBlock **in, int n, int byrow)
{
    int64_t rows = byrow ? 0 : in[0]->rows, cols = byrow ? in[0]->cols : 0;
    for (int k = 0; k < n; k++) {
        if (byrow) rows += in[k]->rows;
        else cols += in[k]->cols;
    }
    MatBlock *z = mb_new(rows, cols, &E);
    int64_t off = 0;
    for (int k = 0; k < n; k++) {
        for (int64_t i = 0; i < in[k]->rows; i++)
            for (int64_t j = 0; j < in[k]->cols; j++) {
                int64_t zi = byrow ? off + i : i, zj = byrow ? j : off + j;
                z->dense[zi * cols + zj] = mb_get(in[k], i, j);
            }
        off += byrow ? in[k]->rows : in[k]->cols;
    }
    mb_recount_nnz(z);
    return z;
}

static void bind_case(MatBlock **in, int n, int byrow, const char *name)
{
    MatBlock *want = ref_bind(in, n, byrow);
    for (int f = 0; f < (1 << n); f++) {
        MatBlock *x[3];
        for (int k = 0; k < n; k++) x[k] = tb_as_fmt(in[k], (f >> k) & 1);
        MatBlock *z = NULL;
        char what[64];
        snprintf(what, sizeof what, "%s fmt=%d", name, f);
        OK((byrow ? kn_rbind : kn_cbind)(NULL, (const MatBlock *const *)x, n, &z, &E));
        CHECK_EQ(z, want, what);
        if (f == (1 << n) - 1 && z && z->rows > 0 && z->cols > 0)
            check_at(z->sparse, what, __FILE__, __LINE__);
        mb_free(z);
        for (int k = 0; k < n; k++) mb_free(x[k]);
    }
    mb_free(want);
}

static void test_bind(void)
{
    MatBlock *c[3] = { gen(5, 3, 0.4, 1, 1), gen(5, 1, 0.5, 2, 0), gen(5, 4, 0.0, 3, 0) };
    bind_case(c, 3, 0, "cbind");
    MatBlock *r[3] = { gen(2, 4, 0.4, 4, 1), gen(1, 4, 1.0, 5, 0), gen(3, 4, 0.2, 6, 0) };
    bind_case(r, 3, 1, "rbind");
    MatBlock *e[3] = { mb_new(5, 0, &E), gen(5, 2, 0.5, 7, 0), mb_new(5, 0, &E) };
    bind_case(e, 3, 0, "cbind empty");
    MatBlock *f[2] = { mb_new(0, 3, &E), gen(2, 3, 0.5, 8, 0) };
    bind_case(f, 2, 1, "rbind empty");
    for (int k = 0; k < 3; k++) {
        mb_free(c[k]);
        mb_free(r[k]);
        mb_free(e[k]);
    }
    mb_free(f[0]);
    mb_free(f[1]);

    /* cbind(X, ones) of a big sparse X stays sparse */
    MatBlock *big = to_fmt(gen(2000, 300, 0.01, 9, 0), 1), *ones = mb_new_fill(2000, 1, 1, &E);
    const MatBlock *in[2] = { big, ones };
    MatBlock *z = NULL;
    OK(kn_cbind(NULL, in, 2, &z, &E));
    CHECK(z && z->sparse && z->nnz == big->nnz + 2000 && csr_valid(z));
    mb_free(z);
    mb_free(big);
    mb_free(ones);

    MatBlock *p = gen(2, 2, 1, 1, 0), *q = gen(3, 2, 1, 1, 0);
    const MatBlock *pq[2] = { p, q };
    err_clear(&E);
    CHECK(kn_cbind(NULL, pq, 2, &z, &E) != TSR_OK &&
          strcmp(E.msg, "inputs to cbind must have same number of rows: input 1 rows: 2, input 2 "
                        "rows: 3") == 0);
    mb_free(p);
    mb_free(q);
}

/* ---- left indexing ------------------------------------------------------------------------------ */

static MatBlock *ref_assign(const MatBlock *a, int64_t rl, int64_t cl, const MatBlock *src)
{
    MatBlock *z = mb_new(a->rows, a->cols, &E);
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++) {
            int in = i >= rl - 1 && i < rl - 1 + src->rows && j >= cl - 1 && j < cl - 1 + src->cols;
            z->dense[i * a->cols + j] = in ? mb_get(src, i - rl + 1, j - cl + 1) : mb_get(a, i, j);
        }
    mb_recount_nnz(z);
    return z;
}

static void assign_case(const MatBlock *a, int64_t rl, int64_t cl, const MatBlock *src,
                        const char *name)
{
    MatBlock *want = ref_assign(a, rl, cl, src);
    for (int f = 0; f < 4; f++) {
        MatBlock *x = tb_as_fmt(a, f & 1), *s = tb_as_fmt(src, f >> 1);
        char what[80];
        snprintf(what, sizeof what, "%s fmt=%d", name, f);
        OK(kn_assign_slice(x, rl, rl + src->rows - 1, cl, cl + src->cols - 1, s, &E));
        CHECK_EQ(x, want, what);
        CHECK(untouched(s, src));
        mb_free(x);
        mb_free(s);
    }
    mb_free(want);
}

static void test_assign(void)
{
    MatBlock *a = gen(30, 20, 0.05, 1, 1), *zero = mb_new(30, 20, &E);
    MatBlock *s1 = gen(3, 4, 0.5, 2, 1), *s2 = gen(1, 20, 0.3, 3, 0), *s3 = gen(30, 1, 0, 4, 0);
    MatBlock *s4 = gen(30, 20, 1.0, 5, 0), *s5 = MK(1, 1, 7), *s6 = MK(1, 1, 0);
    MatBlock *s7 = gen(10, 20, 0.9, 6, 0);
    assign_case(a, 5, 6, s1, "assign block");
    assign_case(a, 30, 17, s1 = (mb_free(s1), gen(1, 4, 0.5, 7, 1)), "assign last row");
    assign_case(a, 1, 1, s2, "assign row");
    assign_case(a, 1, 20, s3, "assign zero column");
    assign_case(a, 1, 1, s4, "assign all (densifies)");
    assign_case(a, 12, 7, s5, "assign 1x1");
    assign_case(a, 12, 7, s6, "assign 1x1 zero");
    assign_case(a, 11, 1, s7, "assign dense rows");
    assign_case(zero, 30, 20, s5, "assign into zeros");
    assign_case(zero, 1, 1, s2, "assign first row of zeros");

    /* a sparse target stays sparse while the result is sparse, turns dense
     * when it no longer is */
    MatBlock *x = tb_as_fmt(a, 1);
    OK(kn_assign_slice(x, 2, 2, 1, 20, s2, &E));
    CHECK(x->sparse && csr_valid(x));
    OK(kn_assign_slice(x, 1, 30, 1, 20, s4, &E));
    CHECK(!x->sparse && x->nnz == 600);
    mb_free(x);

    /* row-by-row fill of a sparse matrix: sparse until the turn point, 10%
     * for a small block (600 cells: at row 3), 40% for a larger one (80000
     * cells, rows of 200: at row 160) */
    x = tb_as_fmt(zero, 1);
    int turned = 0;
    for (int64_t i = 1; i <= 30; i++) {
        MatBlock *row = gen(1, 20, 1.0, (uint32_t)(100 + i), 0);
        OK(kn_assign_slice(x, i, i, 1, 20, row, &E));
        if (!x->sparse && !turned) turned = (int)i;
        CHECK(x->nnz == i * 20);
        mb_free(row);
    }
    CHECK(turned == 3);
    mb_free(x);
    MatBlock *zbig = mb_new(400, 200, &E);
    x = tb_as_fmt(zbig, 1);
    turned = 0;
    for (int64_t i = 1; i <= 400 && x; i++) {
        MatBlock *row = gen(1, 200, 1.0, (uint32_t)(500 + i), 0);
        OK(kn_assign_slice(x, i, i, 1, 200, row, &E));
        if (!x->sparse && !turned) turned = (int)i;
        mb_free(row);
    }
    CHECK(x && x->nnz == 80000 && turned == 160);
    mb_free(x);
    mb_free(zbig);

    /* self assignment and shape errors */
    x = tb_as_fmt(a, 1);
    OK(kn_assign_slice(x, 1, 30, 1, 20, x, &E));
    CHECK(untouched(x, a) && x->sparse);
    err_clear(&E);
    CHECK(kn_assign_slice(x, 1, 2, 1, 2, s5, &E) != TSR_OK &&
          strstr(E.msg, "dimensions of the source matrix [1x1]") != NULL);
    err_clear(&E);
    CHECK(kn_assign_slice(x, 0, 2, 1, 2, s5, &E) != TSR_OK &&
          strstr(E.msg, "must be within matrix dimensions [30,20]") != NULL);
    mb_free(x);

    /* single cells: insert, overwrite, remove, NaN, -0.0 */
    for (int sp = 0; sp < 2; sp++) {
        MatBlock *t = tb_as_fmt(a, sp), *w = mb_copy(a, &E);
        double vals[] = { 5, -2, 0, NAN, -0.0, INFINITY };
        for (int q = 0; q < 6; q++) {
            int64_t i = (q * 7) % 30, j = (q * 5) % 20;
            OK(kn_assign_cell(t, i + 1, j + 1, vals[q], &E));
            mb_set(w, i, j, vals[q]);
            OK(kn_assign_cell(t, 30, 20, vals[q], &E));
            mb_set(w, 29, 19, vals[q]);
        }
        CHECK_EQ(t, w, "assign cells");
        CHECK(t->sparse == sp);
        err_clear(&E);
        CHECK(kn_assign_cell(t, 31, 1, 1, &E) != TSR_OK);
        mb_free(t);
        mb_free(w);
    }
    MatBlock *frees[] = { a, zero, s1, s2, s3, s4, s5, s6, s7 };
    for (size_t k = 0; k < sizeof frees / sizeof *frees; k++) mb_free(frees[k]);
}

/* ---- toString ---------------------------------------------------------------------------------------- */

static void test_to_string(void)
{
    for (int k = 0; k < NCAT; k++) {
        MatBlock *a = catalogue(k);
        int64_t lim[][2] = { { -1, -1 }, { 2, 3 }, { 0, 5 }, { 100, 1 } };
        for (size_t l = 0; l < sizeof lim / sizeof *lim; l++)
            for (int sparse = 0; sparse < 2; sparse++) {
                StrBuf d = { 0 }, s = { 0 };
                MatBlock *x = tb_as_fmt(a, 1);
                kn_to_string(a, lim[l][0], lim[l][1], 3, sparse, " ", "\n", &d);
                kn_to_string(x, lim[l][0], lim[l][1], 3, sparse, " ", "\n", &s);
                int ok = (d.s == NULL && s.s == NULL) || (d.s && s.s && strcmp(d.s, s.s) == 0);
                char what[64];
                snprintf(what, sizeof what, "toString cat %d lim %zu sparse=%d", k, l, sparse);
                check_at(ok, what, __FILE__, __LINE__);
                if (!ok) fprintf(stderr, "   dense:\n%s   sparse:\n%s", d.s ? d.s : "", s.s ? s.s : "");
                sb_free(&d);
                sb_free(&s);
                mb_free(x);
            }
        mb_free(a);
    }
    MatBlock *a = to_fmt(MK(2, 3, 0, 1.5, 0, NAN, 0, -2), 1);
    StrBuf s = { 0 };
    kn_to_string(a, -1, -1, 1, 0, ",", ";", &s);
    CHECK(s.s && strcmp(s.s, "0.0,1.5,0.0;NaN,0.0,-2.0;") == 0);
    sb_free(&s);
    kn_to_string(a, -1, -1, 1, 1, " ", "\n", &s);
    CHECK(s.s && strcmp(s.s, "1 2 1.5\n2 1 NaN\n2 3 -2.0\n") == 0);
    if (s.s) fprintf(stderr, "%s", strcmp(s.s, "1 2 1.5\n2 1 NaN\n2 3 -2.0\n") ? s.s : "");
    sb_free(&s);
    mb_free(a);
}

/* ---- structural, sorting and LAPACK kernels on sparse inputs ----------------------------------------- */

/* A kernel of one block input run on its dense and sparse forms: the two
 * outputs must agree. */
typedef tsr_status (*Kn1)(const MatBlock *a, const void *arg, MatBlock **out, Err *err);

static void both_formats(const char *name, const MatBlock *a, Kn1 kn, const void *arg,
                         int keeps_sparse)
{
    MatBlock *d = tb_as_fmt(a, 0), *s = tb_as_fmt(a, 1), *zd = NULL, *zs = NULL;
    char what[80];
    snprintf(what, sizeof what, "%s %lldx%lld", name, (long long)a->rows, (long long)a->cols);
    err_clear(&E);
    tsr_status sd = kn(d, arg, &zd, &E);
    Err ed = E;
    err_clear(&E);
    tsr_status ss = kn(s, arg, &zs, &E);
    check_at(sd == ss && (sd == TSR_OK || strcmp(ed.msg, E.msg) == 0), what, __FILE__, __LINE__);
    if (sd == TSR_OK && ss == TSR_OK) {
        CHECK_EQ(zs, zd, what);
        CHECK_EQ(zd, zd, what);   /* exact nnz of the dense path too */
        if (keeps_sparse && zs && zs->rows > 0 && zs->cols > 0) check_at(zs->sparse, what, __FILE__, __LINE__);
    }
    CHECK(untouched(s, a) && s->sparse);
    mb_free(zd);
    mb_free(zs);
    mb_free(d);
    mb_free(s);
}

typedef struct RmArg {
    int by_rows, empty_return;
    const MatBlock *sel;
} RmArg;

static tsr_status k_remove_empty(const MatBlock *a, const void *arg, MatBlock **out, Err *err)
{
    const RmArg *r = arg;
    return kn_remove_empty(a, r->by_rows, r->sel, r->empty_return, out, err);
}

static tsr_status k_replace(const MatBlock *a, const void *arg, MatBlock **out, Err *err)
{
    const double *p = arg;
    return kn_replace(a, p[0], p[1], out, err);
}

static tsr_status k_tri(const MatBlock *a, const void *arg, MatBlock **out, Err *err)
{
    const int *f = arg;
    return kn_tri(a, f[0], f[1], f[2], out, err);
}

/* order by column 2 then 1 (by column 1 for a single column). */
static tsr_status k_order(const MatBlock *a, const void *arg, MatBlock **out, Err *err)
{
    const int *f = arg;
    MatBlock *by = a->cols >= 2 ? MK(2, 1, 2, 1) : MK(1, 1, 1);
    tsr_status st = kn_order(NULL, a, by, f[0], f[1], out, err);
    mb_free(by);
    return st;
}

static tsr_status k_unique(const MatBlock *a, const void *arg, MatBlock **out, Err *err)
{
    return kn_unique(a, *(const KnDir *)arg, out, err);
}

static tsr_status k_inv(const MatBlock *a, const void *arg, MatBlock **out, Err *err)
{
    (void)arg;
    return kn_inv(a, out, err);
}

static tsr_status k_solve(const MatBlock *a, const void *arg, MatBlock **out, Err *err)
{
    return kn_solve(a, arg, out, err);
}

static tsr_status k_solve_b(const MatBlock *b, const void *arg, MatBlock **out, Err *err)
{
    return kn_solve(arg, b, out, err);
}

static tsr_status k_chol(const MatBlock *a, const void *arg, MatBlock **out, Err *err)
{
    (void)arg;
    return kn_cholesky(a, out, err);
}

static tsr_status k_det(const MatBlock *a, const void *arg, MatBlock **out, Err *err)
{
    double d = 0;
    (void)arg;
    tsr_status st = kn_det(a, &d, err);
    if (st == TSR_OK) *out = mb_scalar(d, err);
    return st;
}

static tsr_status k_table(const MatBlock *a, const void *arg, MatBlock **out, Err *err)
{
    const MatBlock *b = arg;
    return kn_table(NULL, a, 0, b, 0, NULL, 1, -1, -1, out, err);
}

static tsr_status k_table_w(const MatBlock *w, const void *arg, MatBlock **out, Err *err)
{
    const MatBlock *const *ab = arg;
    return kn_table(NULL, ab[0], 0, ab[1], 0, w, 0, 3, 4, out, err);
}

static void test_structure_sparse(void)
{
    for (int k = 0; k < NCAT; k++) {
        MatBlock *a = catalogue(k);
        for (int f = 0; f < 4; f++) {
            RmArg r = { f & 1, f >> 1, NULL };
            both_formats("removeEmpty", a, k_remove_empty, &r, 1);
        }
        double pats[][2] = { { 0, 7 }, { 0, 0 }, { NAN, 9 }, { 2, 0 }, { INFINITY, -1 }, { 1, 1 } };
        for (int p = 0; p < 6; p++) both_formats("replace", a, k_replace, pats[p], pats[p][0] != 0);
        for (int f = 0; f < 8; f++) {
            int tf[3] = { f & 1, (f >> 1) & 1, f >> 2 };
            both_formats("tri", a, k_tri, tf, tf[2]);
        }
        if (a->cols > 0) {
            for (int f = 0; f < 4; f++) {
                int of[2] = { f & 1, f >> 1 };
                both_formats("order", a, k_order, of, !of[1]);
            }
        }
        for (KnDir dir = KD_ALL; dir <= KD_COL; dir++) both_formats("unique", a, k_unique, &dir, 0);
        mb_free(a);
    }
    /* removeEmpty with a select vector, by rows and columns */
    MatBlock *a = gen(6, 5, 0.3, 21, 1), *sr = MK(6, 1, 1, 0, 0, 1, 1, 0), *sc = MK(1, 5, 0, 1, 0, 0, 1);
    RmArg r1 = { 1, 1, sr }, r2 = { 0, 1, sc }, r3 = { 0, 0, sr };
    both_formats("removeEmpty select rows", a, k_remove_empty, &r1, 1);
    both_formats("removeEmpty select cols", a, k_remove_empty, &r2, 1);
    both_formats("removeEmpty bad select", a, k_remove_empty, &r3, 1);
    mb_free(a);
    mb_free(sr);
    mb_free(sc);

    /* table: a permutation matrix is built sparse */
    MatBlock *i = MK(5, 1, 1, 2, 3, 4, 5), *j = MK(5, 1, 3, 1, 5, 2, 4), *z = NULL;
    OK(kn_table(NULL, i, 0, j, 0, NULL, 1, -1, -1, &z, &E));
    CHECK(z && z->rows == 5 && z->cols == 5 && z->nnz == 5 && mb_get(z, 2, 4) == 1);
    mb_free(z);
    MatBlock *big = mb_new(3000, 1, &E), *ones = mb_new_fill(3000, 1, 2, &E);
    for (int64_t q = 0; q < 3000; q++) big->dense[q] = (double)(q + 1);
    big->nnz = 3000;
    OK(kn_table(NULL, big, 0, ones, 0, NULL, 1, -1, -1, &z, &E));
    CHECK(z && z->rows == 3000 && z->cols == 2 && z->nnz == 3000);
    mb_free(z);
    OK(kn_table(NULL, big, 0, big, 0, NULL, 1, -1, -1, &z, &E));
    CHECK(z && z->sparse && z->nnz == 3000 && csr_valid(z) && mb_get(z, 2999, 2999) == 1);
    mb_free(z);
    mb_free(big);
    mb_free(ones);
    /* duplicates are summed in input order, NaN entries skipped, weights */
    MatBlock *ta = MK(8, 1, 1, 2, 1, 3, 1, NAN, 2, 3), *tb = MK(8, 1, 4, 2, 4, 1, 1, 1, 2, 1);
    MatBlock *tw = MK(8, 1, 0.5, 1, 0.25, -1, 2, 9, -1, 1);
    both_formats("table", ta, k_table, tb, 0);
    both_formats("table b", tb, k_table, ta, 0);
    const MatBlock *ab[2] = { ta, tb };
    both_formats("table weights", tw, k_table_w, ab, 0);
    OK(kn_table(NULL, ta, 0, tb, 0, tw, 0, 3, 4, &z, &E));
    CHECK(z && mb_get(z, 0, 3) == 0.75 && mb_get(z, 1, 1) == 0 && mb_get(z, 2, 0) == 0 &&
          z->nnz == 2);
    mb_free(z);
    MatBlock *bad = MK(2, 1, 1, 0);
    both_formats("table error", bad, k_table, ta, 0);
    mb_free(bad);
    mb_free(ta);
    mb_free(tb);
    mb_free(tw);
    mb_free(i);
    mb_free(j);
}

static void test_lapack_sparse(void)
{
    MatBlock *a = MK(4, 4, 4, 1, 0, 0, 1, 5, 0, 2, 0, 0, 3, 0, 0, 2, 0, 6);
    MatBlock *b = MK(4, 1, 1, 0, 0, 2), *rect = MK(4, 2, 1, 0, 0, 1, 1, 1, 0, 0);
    both_formats("inv", a, k_inv, NULL, 0);
    both_formats("solve", a, k_solve, b, 0);
    both_formats("solve sparse b", b, k_solve_b, a, 0);
    both_formats("solve ls", rect, k_solve, b, 0);
    both_formats("cholesky", a, k_chol, NULL, 0);
    both_formats("det", a, k_det, NULL, 0);
    MatBlock *sing = MK(2, 2, 1, 0, 0, 0);
    both_formats("inv singular", sing, k_inv, NULL, 0);
    MatBlock *s = tb_as_fmt(a, 1), *va = NULL, *ve = NULL, *vd = NULL, *ved = NULL;
    OK(kn_eigen(s, &va, &ve, &E));
    OK(kn_eigen(a, &vd, &ved, &E));
    CHECK_EQ(va, vd, "eigen values");
    CHECK_EQ(ve, ved, "eigen vectors");
    MatBlock *q[2] = { NULL }, *qd[2] = { NULL };
    OK(kn_qr(s, &q[0], &q[1], &E));
    OK(kn_qr(a, &qd[0], &qd[1], &E));
    CHECK_EQ(q[0], qd[0], "qr H");
    CHECK_EQ(q[1], qd[1], "qr R");
    MatBlock *l[3] = { NULL }, *ld[3] = { NULL };
    OK(kn_lu(s, &l[0], &l[1], &l[2], &E));
    OK(kn_lu(a, &ld[0], &ld[1], &ld[2], &E));
    for (int k = 0; k < 3; k++) CHECK_EQ(l[k], ld[k], "lu");
    MatBlock *u[3] = { NULL }, *ud[3] = { NULL };
    OK(kn_svd(s, &u[0], &u[1], &u[2], &E));
    OK(kn_svd(a, &ud[0], &ud[1], &ud[2], &E));
    for (int k = 0; k < 3; k++) CHECK_EQ(u[k], ud[k], "svd");
    MatBlock *frees[] = { a, b, rect, sing, s, va, ve, vd, ved, q[0], q[1], qd[0], qd[1], l[0],
                          l[1], l[2], ld[0], ld[1], ld[2], u[0], u[1], u[2], ud[0], ud[1], ud[2] };
    for (size_t k = 0; k < sizeof frees / sizeof *frees; k++) mb_free(frees[k]);
}

int main(void)
{
    kn_blas_setup();
    test_matmul_formats();
    test_matmul_sparse_details();
    test_tsmm();
    test_unary_reorg();
    test_reshape();
    test_slice();
    test_bind();
    test_assign();
    test_to_string();
    test_structure_sparse();
    test_lapack_sparse();
    return check_summary();
}
