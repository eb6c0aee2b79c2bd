/*
 * builtins_linalg.c - decomposition builtins of DML.md 7.9: cholesky, det
 * and the multi-return eigen, svd, qr and lu ([a, b, ...] = f(A)).
 *
 * Multi-return handlers write the first nout results (the validator only
 * allows them as the call of a multi-assignment) and reject more targets
 * than the builtin has results.  The numerics and the error texts of the
 * decompositions live in src/matrix/decomp.c.
 */
#include "runtime/builtins_int.h"

/* The single matrix argument (a numeric scalar becomes 1x1). */
static tsr_status one_arg(RtCtx *ctx, const RtArgs *a, const char *fn, BiMat *m)
{
    if (bi_nargs(a) != 1)
        return bi_err(ctx, "%s() expects exactly 1 argument, found %d", fn, bi_nargs(a));
    return bi_mat(ctx, fn, "A", a->npos ? &a->pos[0] : &a->named[0], m);
}

tsr_status bi_cholesky(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    BiMat m;
    MatBlock *res = NULL;
    if (one_arg(ctx, a, "cholesky", &m)) return TSR_RUNTIME;
    tsr_status st = kn_cholesky(m.b, &res, &ctx->err);
    bi_mat_done(&m);
    return bi_ret_block(st, &res, out);
}

tsr_status bi_det(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    BiMat m;
    double d = 0;
    if (one_arg(ctx, a, "det", &m)) return TSR_RUNTIME;
    tsr_status st = kn_det(m.b, &d, &ctx->err);
    bi_mat_done(&m);
    if (st == TSR_OK) *out = rt_dbl(d);
    return st;
}

/* ---- multi-return ---------------------------------------------------------------------------- */

#define MR_MAX 3

typedef enum { MR_EIGEN, MR_SVD, MR_QR, MR_LU } MultiKernel;

static const struct {
    const char *name;
    int nres;
} MR_INFO[] = { { "eigen", 2 }, { "svd", 3 }, { "qr", 2 }, { "lu", 3 } };

static tsr_status run_multi(MultiKernel k, const MatBlock *m, MatBlock **r, Err *err)
{
    switch (k) {
    case MR_EIGEN: return kn_eigen(m, &r[0], &r[1], err);
    case MR_SVD: return kn_svd(m, &r[0], &r[1], &r[2], err);
    case MR_QR: return kn_qr(m, &r[0], &r[1], err);
    default: return kn_lu(m, &r[0], &r[1], &r[2], err);
    }
}

/* Calls the kernel and moves the first nout results into out[]. */
static tsr_status multi(RtCtx *ctx, const RtArgs *a, MultiKernel k, Value *out, int nout)
{
    const char *fn = MR_INFO[k].name;
    int nres = MR_INFO[k].nres;
    BiMat m;
    MatBlock *r[MR_MAX] = { NULL, NULL, NULL };
    if (nout > nres)
        return bi_err(ctx, "function %s returns %d values but is assigned to %d targets", fn, nres,
                      nout);
    if (one_arg(ctx, a, fn, &m)) return TSR_RUNTIME;
    tsr_status st = run_multi(k, m.b, r, &ctx->err);
    bi_mat_done(&m);
    if (st != TSR_OK) return st;
    for (int q = 0; q < nres; q++) {
        if (q < nout) out[q] = rt_mat_take(r[q]);
        else mb_free(r[q]);
    }
    return TSR_OK;
}

tsr_status bi_eigen(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return multi(ctx, a, MR_EIGEN, out, nout);
}

tsr_status bi_svd(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return multi(ctx, a, MR_SVD, out, nout);
}

tsr_status bi_qr(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return multi(ctx, a, MR_QR, out, nout);
}

tsr_status bi_lu(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return multi(ctx, a, MR_LU, out, nout);
}
