/*
 * matmul.c - matrix multiplication (%*%, DML.md 3.4) through OpenBLAS:
 * dgemv for matrix-vector and vector-matrix products, dgemm otherwise.
 *
 * Empty dimensions never reach BLAS: m or n == 0 gives an empty result,
 * k == 0 a zero matrix.  BLAS takes 32-bit dimensions; larger ones are
 * rejected with TSR_LIMIT rather than truncated.  The BLAS library is the
 * serial OpenBLAS build; threading will be added by the thread pool.
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
    if (!fits_blas(a->m->rows) || !fits_blas(a->m->cols) || !fits_blas(b->m->rows) ||
        !fits_blas(b->m->cols))
        return err_set(err, TSR_LIMIT,
                       "matrix multiplication of %lldx%lld %%*%% %lldx%lld exceeds the BLAS size limit",
                       (long long)a->rows, (long long)a->cols, (long long)b->rows,
                       (long long)b->cols);
    return TSR_OK;
}

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

tsr_status kn_tsmm(const MatBlock *a, int left, MatBlock **out, Err *err)
{
    Op x = op_of(a, left), y = op_of(a, !left);
    *out = NULL;
    if (check_dims(&x, &y, err) != TSR_OK) return err->code;
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

tsr_status kn_matmul_ex(const MatBlock *a, int ta, const MatBlock *b, int tb, MatBlock **out,
                        Err *err)
{
    Op x = op_of(a, ta), y = op_of(b, tb);
    *out = NULL;
    if (check_dims(&x, &y, err) != TSR_OK) return err->code;
    if (a == b && x.trans != y.trans && x.rows > 1) return kn_tsmm(a, x.trans, out, err);
    MatBlock *c = mb_new(x.rows, y.cols, err);
    if (!c) return err->code;
    if (MB_CELLS(c) > 0 && x.cols > 0) {
        gemm_dense(&x, &y, c);
        mb_recount_nnz(c);
    }
    *out = c;
    return TSR_OK;
}

tsr_status kn_matmul(const MatBlock *a, const MatBlock *b, MatBlock **out, Err *err)
{
    return kn_matmul_ex(a, 0, b, 0, out, err);
}
