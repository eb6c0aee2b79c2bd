/*
 * matmul.c - matrix multiplication (%*%, DML.md 3.4) for every pair of block
 * formats, and the symmetric products t(X) %*% X and X %*% t(X) (tsmm).
 *
 * dense x dense goes to OpenBLAS: dgemv for matrix-vector and vector-matrix
 * products, dgemm otherwise, dsyrk for tsmm.  A sparse (CSR) operand is never
 * densified; the kernels walk its CSR arrays:
 *   sparse x dense   each non-zero a_ip adds a_ip * op(B)[p,:] to row i of
 *                    the dense result; with t(A), a_pi adds to row i, so
 *                    t(X) %*% v scatters the rows of X (no t(X) is built);
 *   dense x sparse   row i of op(A) times the CSR rows of B, scattered into
 *                    row i of the dense result (t(B): sparse dot products);
 *   sparse x sparse  Gustavson's row-wise algorithm with a dense accumulator
 *                    and a marker array per output row; CSR output when the
 *                    bound on the result's non-zeros says sparse, else dense.
 *   tsmm (sparse)    t(X) %*% X accumulates the outer product of every CSR
 *                    row into the upper triangle of a dense result, then
 *                    mirrors it (O(sum nnz_row^2)); when that bound says the
 *                    result is sparse, t(X) (O(nnz)) times X by Gustavson.
 * A transposed sparse operand of a sparse x sparse product is transposed
 * explicitly (O(nnz + dims)).  Results are in their natural format; the
 * runtime normalises it.
 *
 * Zero cells of a dense left operand are skipped by the sparse kernels (as in
 * SystemDS's LibMatrixMult), so there 0 * Inf contributes 0 while BLAS gives
 * NaN; implicit zeros of a sparse operand never contribute either.
 *
 * Empty dimensions never reach BLAS: m or n == 0 gives an empty result,
 * k == 0 a zero matrix.  BLAS takes 32-bit dimensions; larger dense operands
 * are rejected with TSR_LIMIT rather than truncated (the sparse kernels use
 * 64-bit indexes).  Everything runs on the calling thread; threading will be
 * added by the thread pool.
 *
 * kn_blas_setup works around OpenBLAS 0.3.21 (Debian 12) not knowing newer
 * CPUs such as AMD Zen 4: its DYNAMIC_ARCH detection falls back to the
 * "Prescott" (SSE3) kernels, 2.5-5x slower than the AVX2/AVX-512 ones.
 */
#include "matrix/matrix_int.h"

#include <cblas.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Exported by DYNAMIC_ARCH builds of OpenBLAS only, hence weak. */
extern void gotoblas_dynamic_init(void) __attribute__((weak));
extern void gotoblas_dynamic_quit(void) __attribute__((weak));

const char *kn_blas_setup(void)
{
    if (!gotoblas_dynamic_init || !gotoblas_dynamic_quit) return openblas_get_corename();
    if (getenv("OPENBLAS_CORETYPE") || strcmp(openblas_get_corename(), "Prescott") != 0)
        return openblas_get_corename();
    const char *core = NULL;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        core = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        core = "Haswell";
    if (core) {
        /* gotoblas_dynamic_init reads this variable to force the kernel set. */
        setenv("OPENBLAS_CORETYPE", core, 0);
        gotoblas_dynamic_quit();
        gotoblas_dynamic_init();
    }
    return openblas_get_corename();
}

static int fits_blas(int64_t v)
{
    return v <= INT_MAX;
}

/* Operand of a product as it appears in the expression: t(A) when trans. */
typedef struct Op {
    const MatBlock *m;
    int trans;
    int64_t rows, cols;   /* effective (after the optional transpose) */
} Op;

static Op op_of(const MatBlock *m, int trans)
{
    Op o = { m, trans != 0, trans ? m->cols : m->rows, trans ? m->rows : m->cols };
    return o;
}

static tsr_status check_dims(const Op *a, const Op *b, Err *err)
{
    if (a->cols != b->rows)
        return err_set(err, TSR_RUNTIME, "dimension mismatch in %%*%%: %lldx%lld %%*%% %lldx%lld",
                       (long long)a->rows, (long long)a->cols, (long long)b->rows,
                       (long long)b->cols);
    return TSR_OK;
}

static tsr_status check_blas(const Op *a, const Op *b, Err *err)
{
    if (!fits_blas(a->m->rows) || !fits_blas(a->m->cols) || !fits_blas(b->m->rows) ||
        !fits_blas(b->m->cols))
        return err_set(err, TSR_LIMIT,
                       "matrix multiplication of %lldx%lld %%*%% %lldx%lld exceeds the BLAS size limit",
                       (long long)a->rows, (long long)a->cols, (long long)b->rows,
                       (long long)b->cols);
    return TSR_OK;
}

/* ---- dense x dense: BLAS --------------------------------------------------------------- */

static enum CBLAS_TRANSPOSE tr(int t)
{
    return t ? CblasTrans : CblasNoTrans;
}

/* C = op(A) op(B) for non-empty valid dimensions.  A vector operand is
 * contiguous whether or not it is transposed. */
static void gemm_dense(const Op *a, const Op *b, MatBlock *c)
{
    int m = (int)a->rows, k = (int)a->cols, n = (int)b->cols;
    int ar = (int)a->m->rows, ac = (int)a->m->cols, br = (int)b->m->rows, bc = (int)b->m->cols;
    if (n == 1)
        cblas_dgemv(CblasRowMajor, tr(a->trans), ar, ac, 1.0, a->m->dense, ac, b->m->dense, 1,
                    0.0, c->dense, 1);
    else if (m == 1)
        cblas_dgemv(CblasRowMajor, tr(!b->trans), br, bc, 1.0, b->m->dense, bc, a->m->dense, 1,
                    0.0, c->dense, 1);
    else
        cblas_dgemm(CblasRowMajor, tr(a->trans), tr(b->trans), m, n, k, 1.0, a->m->dense, ac,
                    b->m->dense, bc, 0.0, c->dense, n);
}

static tsr_status matmul_dense(const Op *x, const Op *y, MatBlock **out, Err *err)
{
    if (check_blas(x, y, err) != TSR_OK) return err->code;
    MatBlock *c = mb_new(x->rows, y->cols, err);
    if (!c) return err->code;
    if (MB_CELLS(c) > 0 && x->cols > 0) {
        gemm_dense(x, y, c);
        mb_recount_nnz(c);
    }
    *out = c;
    return TSR_OK;
}

/* Copies the upper triangle of the n x n row-major c into the lower one,
 * tile by tile. */
static void mirror_upper(double *c, int64_t n)
{
    const int64_t T = 64;
    for (int64_t i0 = 0; i0 < n; i0 += T)
        for (int64_t j0 = i0; j0 < n; j0 += T)
            for (int64_t i = i0; i < i0 + T && i < n; i++)
                for (int64_t j = j0 > i ? j0 : i + 1; j < j0 + T && j < n; j++)
                    c[j * n + i] = c[i * n + j];
}

/* ---- one sparse side: dense result ------------------------------------------------------ */

/* Row p of op(B) for a dense B: its first cell and the stride between its
 * cells. */
static const double *op_row(const Op *o, int64_t p, int64_t *inc)
{
    const MatBlock *m = o->m;
    *inc = o->trans ? m->cols : 1;
    return o->trans ? m->dense + p : m->dense + p * m->cols;
}

/* y[0..n) += s * x[0], x[inc], x[2 inc], ... */
static void axpy(double *restrict y, double s, const double *restrict x, int64_t inc, int64_t n)
{
    if (inc == 1)
        for (int64_t j = 0; j < n; j++) y[j] += s * x[j];
    else
        for (int64_t j = 0; j < n; j++) y[j] += s * x[j * inc];
}

/* c = A x, A sparse, x and c contiguous vectors. */
static void csr_mv(const MatBlock *a, const double *restrict x, double *restrict c)
{
    for (int64_t i = 0; i < a->rows; i++) {
        double s = 0.0;
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) s += a->val[k] * x[a->idx[k]];
        c[i] = s;
    }
}

/* c = t(A) x without t(A): row p of A scattered with weight x[p]. */
static void csr_mtv(const MatBlock *a, const double *restrict x, double *restrict c)
{
    for (int64_t p = 0; p < a->rows; p++) {
        double xp = x[p];
        for (int64_t k = a->ptr[p]; k < a->ptr[p + 1]; k++) c[a->idx[k]] += a->val[k] * xp;
    }
}

/* C = A op(B), A sparse: a_ip adds a_ip op(B)[p,:] to row i of C. */
static void csr_x_dense(const MatBlock *a, const Op *b, double *c, int64_t n)
{
    int64_t inc;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
            const double *br = op_row(b, a->idx[k], &inc);
            axpy(c + i * n, a->val[k], br, inc, n);
        }
}

/* C = t(A) op(B), A sparse: a_pi adds a_pi op(B)[p,:] to row i of C. */
static void csrt_x_dense(const MatBlock *a, const Op *b, double *c, int64_t n)
{
    int64_t inc;
    for (int64_t p = 0; p < a->rows; p++) {
        const double *br = op_row(b, p, &inc);
        for (int64_t k = a->ptr[p]; k < a->ptr[p + 1]; k++)
            axpy(c + (int64_t)a->idx[k] * n, a->val[k], br, inc, n);
    }
}

/* C = op(A) B, B sparse: row i of C gathers op(A)[i,p] B[p,:] over the
 * non-zero op(A)[i,p]. */
static void dense_x_csr(const Op *a, const MatBlock *b, double *c, int64_t n)
{
    int64_t inc;
    for (int64_t i = 0; i < a->rows; i++) {
        const double *ar = op_row(a, i, &inc);
        double *ci = c + i * n;
        for (int64_t p = 0; p < b->rows; p++) {
            double av = ar[p * inc];
            if (av == 0.0) continue;
            for (int64_t k = b->ptr[p]; k < b->ptr[p + 1]; k++) ci[b->idx[k]] += av * b->val[k];
        }
    }
}

/* C = op(A) t(B), B sparse: C[i,j] is the dot product of the CSR row j of
 * B with row i of op(A). */
static void dense_x_csrt(const Op *a, const MatBlock *b, double *c, int64_t n)
{
    int64_t inc;
    for (int64_t i = 0; i < a->rows; i++) {
        const double *ar = op_row(a, i, &inc);
        double *ci = c + i * n;
        for (int64_t j = 0; j < b->rows; j++) {
            double s = 0.0;
            for (int64_t k = b->ptr[j]; k < b->ptr[j + 1]; k++) s += b->val[k] * ar[b->idx[k] * inc];
            ci[j] = s;
        }
    }
}

/* Exactly one of x, y is sparse; the result is dense. */
static tsr_status matmul_mixed(const Op *x, const Op *y, MatBlock **out, Err *err)
{
    int64_t n = y->cols;
    MatBlock *c = mb_new(x->rows, n, err);
    if (!c) return err->code;
    if (MB_CELLS(c) > 0 && x->cols > 0) {
        if (x->m->sparse && n == 1)
            (x->trans ? csr_mtv : csr_mv)(x->m, y->m->dense, c->dense);
        else if (x->m->sparse)
            (x->trans ? csrt_x_dense : csr_x_dense)(x->m, y, c->dense, n);
        else
            (y->trans ? dense_x_csrt : dense_x_csr)(x, y->m, c->dense, n);
        mb_recount_nnz(c);
    }
    *out = c;
    return TSR_OK;
}

/* ---- sparse x sparse: Gustavson ------------------------------------------------------------ */

/* Upper bound on nnz(A B) for CSR A and B: per row of A the number of
 * products it accumulates, capped at the row length n. */
static int64_t spgemm_bound(const MatBlock *a, const MatBlock *b)
{
    int64_t est = 0, n = b->cols;
    for (int64_t i = 0; i < a->rows; i++) {
        int64_t f = 0;
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1] && f < n; k++)
            f += b->ptr[a->idx[k] + 1] - b->ptr[a->idx[k]];
        est += f < n ? f : n;
    }
    return est;
}

/* Dense result: row i of A B accumulated straight into row i of c. */
static void spgemm_dense(const MatBlock *a, const MatBlock *b, double *c)
{
    int64_t n = b->cols;
    for (int64_t i = 0; i < a->rows; i++) {
        double *ci = c + i * n;
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
            double av = a->val[k];
            int64_t p = a->idx[k];
            for (int64_t q = b->ptr[p]; q < b->ptr[p + 1]; q++) ci[b->idx[q]] += av * b->val[q];
        }
    }
}

/* Sparse accumulator of one output row: values, the columns touched (in
 * arrival order) and a marker per column.  acc and mark are all zero
 * between rows. */
typedef struct Spa {
    double *acc;
    int32_t *list;
    unsigned char *mark;
} Spa;

/* Accumulates row i of A B; returns the number of columns touched. */
static int64_t spa_row(const MatBlock *a, const MatBlock *b, int64_t i, Spa *s)
{
    int64_t cnt = 0;
    for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
        double av = a->val[k];
        int64_t p = a->idx[k];
        for (int64_t q = b->ptr[p]; q < b->ptr[p + 1]; q++) {
            int32_t j = b->idx[q];
            if (!s->mark[j]) {
                s->mark[j] = 1;
                s->list[cnt++] = j;
            }
            s->acc[j] += av * b->val[q];
        }
    }
    return cnt;
}

static int cmp_i32(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

/* Appends the cnt touched columns to c in column order (cancelled sums are
 * dropped by the builder) and clears the accumulator.  Few columns are
 * sorted; many are found by a scan of the markers. */
static tsr_status spa_flush(Spa *s, int64_t cnt, int64_t n, MatBlock *c, Err *err)
{
    tsr_status st = TSR_OK;
    if (cnt < n / 16) {
        qsort(s->list, (size_t)cnt, sizeof *s->list, cmp_i32);
    } else {
        int64_t q = 0;
        for (int64_t j = 0; j < n && q < cnt; j++)
            if (s->mark[j]) s->list[q++] = (int32_t)j;
    }
    for (int64_t q = 0; q < cnt; q++) {
        int32_t j = s->list[q];
        if (st == TSR_OK) st = mb_csr_push(c, j, s->acc[j], err);
        s->acc[j] = 0.0;
        s->mark[j] = 0;
    }
    return st;
}

static tsr_status spgemm_sparse(const MatBlock *a, const MatBlock *b, int64_t est,
                                MatBlock **out, Err *err)
{
    size_t n = (size_t)(b->cols > 0 ? b->cols : 1);
    int64_t cap = a->nnz + b->nnz;
    Spa s = { calloc(n, sizeof(double)), malloc(n * sizeof(int32_t)), calloc(n, 1) };
    MatBlock *c = NULL;
    if (!s.acc || !s.list || !s.mark)
        err_set(err, TSR_NOMEM, "out of memory in matrix multiplication");
    else
        c = mb_new_sparse(a->rows, b->cols, est < cap ? est : cap, err);
    tsr_status st = c ? TSR_OK : err->code;
    for (int64_t i = 0; st == TSR_OK && i < a->rows; i++) {
        st = spa_flush(&s, spa_row(a, b, i, &s), b->cols, c, err);
        mb_csr_end_row(c, i);
    }
    free(s.acc);
    free(s.list);
    free(s.mark);
    if (st != TSR_OK) {
        mb_free(c);
        return st;
    }
    *out = c;
    return TSR_OK;
}

/* A B for CSR A and B; CSR result if the bound on its nnz prefers it. */
static tsr_status spgemm(const MatBlock *a, const MatBlock *b, MatBlock **out, Err *err)
{
    int64_t est = spgemm_bound(a, b);
    if (mb_prefers_sparse(a->rows, b->cols, est)) return spgemm_sparse(a, b, est, out, err);
    MatBlock *c = mb_new(a->rows, b->cols, err);
    if (!c) return err->code;
    if (MB_CELLS(c) > 0) {
        spgemm_dense(a, b, c->dense);
        mb_recount_nnz(c);
    }
    *out = c;
    return TSR_OK;
}

/* Both sparse: transposed operands are transposed explicitly (CSR, O(nnz));
 * a transpose too wide for CSR comes back dense and takes the mixed path. */
static tsr_status matmul_sparse(const Op *x, const Op *y, MatBlock **out, Err *err)
{
    MatBlock *ta = NULL, *tb = NULL;
    if (!x->trans && !y->trans) return spgemm(x->m, y->m, out, err);
    if ((x->trans && kn_transpose(NULL, x->m, &ta, err) != TSR_OK) ||
        (y->trans && kn_transpose(NULL, y->m, &tb, err) != TSR_OK)) {
        mb_free(ta);
        return err->code;
    }
    tsr_status st = kn_matmul_ex(NULL, ta ? ta : x->m, 0, tb ? tb : y->m, 0, out, err);
    mb_free(ta);
    mb_free(tb);
    return st;
}

/* ---- tsmm -------------------------------------------------------------------------------- */

/* Upper bound on nnz(t(X) X): the sum of squared row lengths, capped at n^2. */
static int64_t tsmm_bound(const MatBlock *a)
{
    int64_t n2 = a->cols * a->cols, est = 0;
    for (int64_t r = 0; r < a->rows && est < n2; r++) {
        int64_t z = a->ptr[r + 1] - a->ptr[r];
        est += z * z;
    }
    return est < n2 ? est : n2;
}

/* c (n x n, zero) = t(X) X: the outer product of every CSR row of X added to
 * the upper triangle, then mirrored. */
static void tsmm_outer(const MatBlock *a, double *c, int64_t n)
{
    for (int64_t r = 0; r < a->rows; r++)
        for (int64_t k = a->ptr[r]; k < a->ptr[r + 1]; k++) {
            double v = a->val[k];
            double *ci = c + (int64_t)a->idx[k] * n;
            for (int64_t q = k; q < a->ptr[r + 1]; q++) ci[a->idx[q]] += v * a->val[q];
        }
    mirror_upper(c, n);
}

/* Sparse X: t(X) %*% X by outer products (dense result) or, like X %*% t(X),
 * through an explicit CSR transpose and Gustavson. */
static tsr_status tsmm_sparse(const MatBlock *a, int left, MatBlock **out, Err *err)
{
    int64_t n = a->cols;
    if (!left || mb_prefers_sparse(n, n, tsmm_bound(a))) {
        MatBlock *t = NULL;
        if (kn_transpose(NULL, a, &t, err) != TSR_OK) return err->code;
        tsr_status st = left ? kn_matmul_ex(NULL, t, 0, a, 0, out, err)
                             : kn_matmul_ex(NULL, a, 0, t, 0, out, err);
        mb_free(t);
        return st;
    }
    MatBlock *c = mb_new(n, n, err);
    if (!c) return err->code;
    if (n > 0) {
        tsmm_outer(a, c->dense, n);
        mb_recount_nnz(c);
    }
    *out = c;
    return TSR_OK;
}

tsr_status kn_tsmm(const ParCtx *par, const MatBlock *a, int left, MatBlock **out, Err *err)
{
    Op x = op_of(a, left), y = op_of(a, !left);
    *out = NULL;
    if (a->sparse) return tsmm_sparse(a, left, out, err);
    if (check_blas(&x, &y, err) != TSR_OK) return err->code;
    int64_t n = x.rows, k = x.cols;
    MatBlock *c = mb_new(n, n, err);
    if (!c) return err->code;
    if (n > 0 && k > 0) {
        cblas_dsyrk(CblasRowMajor, CblasUpper, tr(left), (int)n, (int)k, 1.0, a->dense,
                    (int)a->cols, 0.0, c->dense, (int)n);
        mirror_upper(c->dense, n);
        mb_recount_nnz(c);
    }
    *out = c;
    return TSR_OK;
}

/* ---- entry points -------------------------------------------------------------------------- */

tsr_status kn_matmul_ex(const ParCtx *par, const MatBlock *a, int ta, const MatBlock *b, int tb,
                        MatBlock **out,
                        Err *err)
{
    Op x = op_of(a, ta), y = op_of(b, tb);
    *out = NULL;
    if (check_dims(&x, &y, err) != TSR_OK) return err->code;
    if (a == b && x.trans != y.trans && x.rows > 1) return kn_tsmm(par, a, x.trans, out, err);
    if (a->sparse && b->sparse) return matmul_sparse(&x, &y, out, err);
    if (a->sparse || b->sparse) return matmul_mixed(&x, &y, out, err);
    return matmul_dense(&x, &y, out, err);
}

tsr_status kn_matmul(const ParCtx *par, const MatBlock *a, const MatBlock *b, MatBlock **out,
                     Err *err)
{
    return kn_matmul_ex(par, a, 0, b, 0, out, err);
}
