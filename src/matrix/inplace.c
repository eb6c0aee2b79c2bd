/*
 * inplace.c - cellwise operations that overwrite a dense operand
 * (kn_binary_inplace, kn_unary_inplace): the kernels behind the
 * interpreter's in-place updates `X = X * 0.5 + 1`, `X = exp(X)`, `X += G`
 * when X's block is exclusively owned, so that no output is allocated.
 *
 * The cell semantics are those of kn_binop_double / kn_unary_double, which
 * the out-of-place kernels (elementwise.c) implement too: + - * / and the
 * cheap ones get plain loops the compiler vectorises; the others call the
 * scalar functions per cell.  Work is split with par_for into chunks that
 * depend only on the size, and nnz is an integer sum, so the result does
 * not depend on the thread count.  Nothing here allocates or fails.
 */
#include "matrix/matrix.h"

#include <math.h>
#include <stdatomic.h>

int kn_binop_is_cellwise(BinOp op)
{
    return op != BOP_MATMUL && (unsigned)op < BOP__COUNT;
}

/* ---- binary ------------------------------------------------------------------- */

typedef struct BinIp {
    BinOp op;
    double *x;
    const double *y;   /* NULL: scalar s */
    double s;
    int x_left;
    atomic_llong nnz;
} BinIp;

/* One loop per (operator, operand kind): EXPR computes v from a = x[i] and
 * b (= s or y[i]). */
#define IP_LOOP(EXPR)                                            \
    do {                                                         \
        if (y) {                                                 \
            for (int64_t i = lo; i < hi; i++) {                  \
                double a = x[i], b = y[i], v = (EXPR);           \
                x[i] = v;                                        \
                nz += (v != 0.0);                                \
            }                                                    \
        } else {                                                 \
            for (int64_t i = lo; i < hi; i++) {                  \
                double a = x[i], b = s, v = (EXPR);              \
                x[i] = v;                                        \
                nz += (v != 0.0);                                \
            }                                                    \
        }                                                        \
    } while (0)

static int64_t bin_chunk(const BinIp *j, int64_t lo, int64_t hi)
{
    double *x = j->x;
    const double *y = j->y;
    double s = j->s;
    int64_t nz = 0;
    if (j->x_left) {
        switch (j->op) {
        case BOP_ADD: IP_LOOP(a + b); break;
        case BOP_SUB: IP_LOOP(a - b); break;
        case BOP_MUL: IP_LOOP(a * b); break;
        case BOP_DIV: IP_LOOP(a / b); break;
        default: IP_LOOP(kn_binop_double(j->op, a, b)); break;
        }
    } else {   /* operand op x */
        switch (j->op) {
        case BOP_ADD: IP_LOOP(b + a); break;
        case BOP_SUB: IP_LOOP(b - a); break;
        case BOP_MUL: IP_LOOP(b * a); break;
        case BOP_DIV: IP_LOOP(b / a); break;
        default: IP_LOOP(kn_binop_double(j->op, b, a)); break;
        }
    }
    return nz;
}

static void bin_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    BinIp *j = arg;
    atomic_fetch_add(&j->nnz, (long long)bin_chunk(j, lo, hi));
}

/* Work per cell for the grain: the loops above cost ~1, libm calls ~20. */
static double bin_cost(BinOp op)
{
    switch (op) {
    case BOP_POW: case BOP_INTDIV: case BOP_MOD: return 20.0;
    default: return 1.0;
    }
}

void kn_binary_inplace(const ParCtx *par, BinOp op, MatBlock *x, int x_left, const MatBlock *y,
                       double s)
{
    int64_t n = x->rows * x->cols;
    BinIp j = {op, x->dense, y ? y->dense : NULL, s, x_left, 0};
    atomic_init(&j.nnz, 0);
    if (n > 0) par_for(par, n, par_grain(n, bin_cost(op)), bin_task, &j);
    x->nnz = (int64_t)atomic_load(&j.nnz);
}

/* ---- unary ---------------------------------------------------------------------- */

typedef struct UnIp {
    KnUnary fn;
    double *x;
    atomic_llong nnz;
} UnIp;

static void un_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    UnIp *j = arg;
    double *x = j->x;
    int64_t nz = 0;
    if (j->fn == KU_NEG) {
        for (int64_t i = lo; i < hi; i++) {
            double v = -x[i];
            x[i] = v;
            nz += (v != 0.0);
        }
    } else {
        for (int64_t i = lo; i < hi; i++) {
            double v = kn_unary_double(j->fn, x[i]);
            x[i] = v;
            nz += (v != 0.0);
        }
    }
    atomic_fetch_add(&j->nnz, (long long)nz);
}

void kn_unary_inplace(const ParCtx *par, KnUnary fn, MatBlock *x)
{
    int64_t n = x->rows * x->cols;
    UnIp j = {fn, x->dense, 0};
    atomic_init(&j.nnz, 0);
    double cost = fn == KU_NEG || fn == KU_NOT || fn == KU_ABS ? 1.0 : 20.0;
    if (n > 0) par_for(par, n, par_grain(n, cost), un_task, &j);
    x->nnz = (int64_t)atomic_load(&j.nnz);
}

/* ---- -0.0 -> +0.0 ----------------------------------------------------------------- */

static void negzero_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    (void)wid;
    double *x = arg;
    for (int64_t i = lo; i < hi; i++)
        if (x[i] == 0.0) x[i] = 0.0;   /* also rewrites +0.0: cheaper than a branch on the sign */
}

void kn_dense_clear_negzero(const ParCtx *par, MatBlock *x)
{
    int64_t n = x->rows * x->cols;
    if (n > 0 && !x->sparse) par_for(par, n, par_grain(n, 1.0), negzero_task, x->dense);
}
