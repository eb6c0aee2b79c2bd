/*
 * builtins_agg.c - aggregate, reorganisation and linear-algebra builtins:
 * sum, mean/avg (optionally weighted), var, sd, prod, trace, row and column
 * aggregates, rowIndexMax/Min, cumulative aggregates, t, rev, diag, solve,
 * inv (DML.md 7.5 - 7.9).
 *
 * Every handler takes one matrix (a numeric scalar is promoted to 1x1),
 * calls exactly one kn_* kernel and wraps the result; the arithmetic and
 * the kernel-level error texts (trace of a non-square matrix, diag shapes,
 * singular matrices) live in the matrix module.
 */
#include "runtime/builtins_int.h"

/* The matrix argument of a 1-argument builtin. */
static tsr_status one_matrix(RtCtx *ctx, const RtArgs *a, const char *fn, BiMat *m)
{
    if (bi_nargs(a) != 1)
        return bi_err(ctx, "%s() expects exactly 1 argument, found %d", fn, bi_nargs(a));
    return bi_mat(ctx, fn, "target", a->npos ? &a->pos[0] : &a->named[0], m);
}

/* ---- full aggregates --------------------------------------------------------------------- */

static tsr_status full_agg(RtCtx *ctx, const RtArgs *a, KnAgg fn, const char *name, Value *out)
{
    BiMat m;
    double d;
    if (one_matrix(ctx, a, name, &m))
        return TSR_RUNTIME;
    tsr_status st = kn_agg_full(&ctx->par, fn, m.b, &d, &ctx->err);
    bi_mat_done(&m);
    if (st == TSR_OK)
        *out = rt_dbl(d);
    return st;
}

#define FULL_AGG(cfn, agg, dml)                                            \
    tsr_status cfn(RtCtx *ctx, RtArgs *a, Value *out, int nout)            \
    {                                                                      \
        return full_agg(ctx, a, agg, dml, out);                            \
    }

FULL_AGG(bi_sum, KA_SUM, "sum")
FULL_AGG(bi_var, KA_VAR, "var")
FULL_AGG(bi_sd, KA_SD, "sd")
FULL_AGG(bi_prod, KA_PROD, "prod")

/* Weighted mean sum(W * X) / sum(W); W must have X's shape (or be 1x1). */
static tsr_status weighted_mean(RtCtx *ctx, const BiMat *x, const BiMat *w, double *out)
{
    MatBlock *wx = NULL;
    double swx, sw;
    tsr_status st = kn_binary(&ctx->par, BOP_MUL, x->b, w->b, &wx, &ctx->err);
    if (st == TSR_OK)
        st = kn_agg_full(&ctx->par, KA_SUM, wx, &swx, &ctx->err);
    if (st == TSR_OK && w->b->rows * w->b->cols == 1 && x->b->rows * x->b->cols != 1)
        sw = mb_get(w->b, 0, 0) * (double)(x->b->rows * x->b->cols);
    else if (st == TSR_OK)
        st = kn_agg_full(&ctx->par, KA_SUM, w->b, &sw, &ctx->err);
    mb_free(wx);
    if (st == TSR_OK)
        *out = swx / sw;
    return st;
}

tsr_status bi_mean(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    BiMat x, w;
    double d;
    tsr_status st;
    if (bi_nargs(a) == 1)
        return full_agg(ctx, a, KA_MEAN, "mean", out);
    if (a->npos != 2 || a->nnamed)
        return bi_err(ctx, "mean() expects 1 or 2 positional arguments");
    if (bi_mat2(ctx, "mean", "target", &a->pos[0], &x, "weights", &a->pos[1], &w))
        return TSR_RUNTIME;
    st = weighted_mean(ctx, &x, &w, &d);
    bi_mat_done(&x);
    bi_mat_done(&w);
    if (st == TSR_OK)
        *out = rt_dbl(d);
    return st;
}

tsr_status bi_trace(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    BiMat m;
    double d;
    if (one_matrix(ctx, a, "trace", &m))
        return TSR_RUNTIME;
    tsr_status st = kn_trace(m.b, &d, &ctx->err);
    bi_mat_done(&m);
    if (st == TSR_OK)
        *out = rt_dbl(d);
    return st;
}

/* ---- row / column aggregates -------------------------------------------------------------- */

static tsr_status dir_agg(RtCtx *ctx, const RtArgs *a, KnAgg fn, KnDir dir, const char *name,
                          Value *out)
{
    BiMat m;
    MatBlock *res = NULL;
    if (one_matrix(ctx, a, name, &m))
        return TSR_RUNTIME;
    tsr_status st = kn_agg_dir(&ctx->par, fn, dir, m.b, &res, &ctx->err);
    bi_mat_done(&m);
    return bi_ret_block(st, &res, out);
}

#define DIR_AGG(cfn, agg, dir, dml)                                        \
    tsr_status cfn(RtCtx *ctx, RtArgs *a, Value *out, int nout)            \
    {                                                                      \
        return dir_agg(ctx, a, agg, dir, dml, out);                        \
    }

DIR_AGG(bi_rowsums, KA_SUM, KD_ROW, "rowSums")
DIR_AGG(bi_rowmeans, KA_MEAN, KD_ROW, "rowMeans")
DIR_AGG(bi_rowvars, KA_VAR, KD_ROW, "rowVars")
DIR_AGG(bi_rowsds, KA_SD, KD_ROW, "rowSds")
DIR_AGG(bi_rowmaxs, KA_MAX, KD_ROW, "rowMaxs")
DIR_AGG(bi_rowmins, KA_MIN, KD_ROW, "rowMins")
DIR_AGG(bi_rowprods, KA_PROD, KD_ROW, "rowProds")
DIR_AGG(bi_colsums, KA_SUM, KD_COL, "colSums")
DIR_AGG(bi_colmeans, KA_MEAN, KD_COL, "colMeans")
DIR_AGG(bi_colvars, KA_VAR, KD_COL, "colVars")
DIR_AGG(bi_colsds, KA_SD, KD_COL, "colSds")
DIR_AGG(bi_colmaxs, KA_MAX, KD_COL, "colMaxs")
DIR_AGG(bi_colmins, KA_MIN, KD_COL, "colMins")
DIR_AGG(bi_colprods, KA_PROD, KD_COL, "colProds")

/* ---- one-matrix kernels: rowIndexMax/Min, cum*, t, rev, diag, inv ------------------------- */

typedef enum {
    MK_IDXMAX, MK_IDXMIN, MK_CUMSUM, MK_CUMPROD, MK_CUMMIN, MK_CUMMAX, MK_T, MK_REV, MK_DIAG,
    MK_INV
} MatKernel;

static tsr_status run_kernel(const ParCtx *par, MatKernel k, const MatBlock *m, MatBlock **res,
                             Err *err)
{
    switch (k) {
    case MK_IDXMAX: return kn_row_index(par, 1, m, res, err);
    case MK_IDXMIN: return kn_row_index(par, 0, m, res, err);
    case MK_CUMSUM: return kn_cumagg(KC_SUM, m, res, err);
    case MK_CUMPROD: return kn_cumagg(KC_PROD, m, res, err);
    case MK_CUMMIN: return kn_cumagg(KC_MIN, m, res, err);
    case MK_CUMMAX: return kn_cumagg(KC_MAX, m, res, err);
    case MK_T: return kn_transpose(par, m, res, err);
    case MK_REV: return kn_rev(m, res, err);
    case MK_DIAG: return kn_diag(m, res, err);
    default: return kn_inv(m, res, err);
    }
}

static tsr_status mat_kernel(RtCtx *ctx, const RtArgs *a, MatKernel k, const char *name,
                             Value *out)
{
    BiMat m;
    MatBlock *res = NULL;
    if (one_matrix(ctx, a, name, &m))
        return TSR_RUNTIME;
    tsr_status st = run_kernel(&ctx->par, k, m.b, &res, &ctx->err);
    bi_mat_done(&m);
    return bi_ret_block(st, &res, out);
}

#define MAT_KERNEL(cfn, k, dml)                                            \
    tsr_status cfn(RtCtx *ctx, RtArgs *a, Value *out, int nout)            \
    {                                                                      \
        return mat_kernel(ctx, a, k, dml, out);                            \
    }

MAT_KERNEL(bi_rowindexmax, MK_IDXMAX, "rowIndexMax")
MAT_KERNEL(bi_rowindexmin, MK_IDXMIN, "rowIndexMin")
MAT_KERNEL(bi_cumsum, MK_CUMSUM, "cumsum")
MAT_KERNEL(bi_cumprod, MK_CUMPROD, "cumprod")
MAT_KERNEL(bi_cummin, MK_CUMMIN, "cummin")
MAT_KERNEL(bi_cummax, MK_CUMMAX, "cummax")
MAT_KERNEL(bi_t, MK_T, "t")
MAT_KERNEL(bi_rev, MK_REV, "rev")
MAT_KERNEL(bi_diag, MK_DIAG, "diag")
MAT_KERNEL(bi_inv, MK_INV, "inv")

/* ---- solve ------------------------------------------------------------------------------------ */

tsr_status bi_solve(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    BiMat x, y;
    MatBlock *res = NULL;
    if (a->npos != 2 || a->nnamed)
        return bi_err(ctx, "solve() expects 2 positional arguments");
    if (bi_mat2(ctx, "solve", "A", &a->pos[0], &x, "b", &a->pos[1], &y))
        return TSR_RUNTIME;
    tsr_status st = kn_solve(x.b, y.b, &res, &ctx->err);
    bi_mat_done(&x);
    bi_mat_done(&y);
    return bi_ret_block(st, &res, out);
}
