/*
 * builtins_dnn.c - deep-learning builtins of DML.md 7.11: conv2d and its
 * backward passes, max/avg pooling and their backward passes, bias_add,
 * bias_multiply, and the multi-return batch_norm2d(_backward) and
 * lstm(_backward).
 *
 * Handlers bind the matrix arguments (positional or by name) and the shape
 * arguments, which must be named bracket lists (`input_shape=[N,C,H,W]`:
 * the interpreter evaluates `[a, b]` to an unnamed list of scalars), fill a
 * KnConvShape and call one kernel of src/matrix/dnn*.c, where the
 * arithmetic and the shape errors live.  stride defaults to [1,1], padding
 * to [0,0].
 */
#include "runtime/builtins_int.h"

#include <math.h>
#include <string.h>

/* ---- argument helpers ------------------------------------------------------------------------- */

/* Up to 11 matrix arguments bound from v[0..n-1]. */
#define DNN_MAXM 11
typedef struct DnnMats {
    BiMat m[DNN_MAXM];
    int n;
} DnnMats;

static void mats_done(DnnMats *s)
{
    for (int k = 0; k < s->n; k++) bi_mat_done(&s->m[k]);
    s->n = 0;
}

/* Binds the parameters listed in idx[0..n-1] (indexes into v / names). */
static tsr_status mats_bind(RtCtx *ctx, const char *fn, const char *const *names,
                            const Value **v, const int *idx, int n, DnnMats *s)
{
    s->n = 0;
    for (int k = 0; k < n; k++) {
        int p = idx[k];
        if (!v[p]) {
            mats_done(s);
            return bi_err(ctx, "Missing argument '%s' in call to %s()", names[p], fn);
        }
        if (bi_mat(ctx, fn, names[p], v[p], &s->m[k])) {
            mats_done(s);
            return TSR_RUNTIME;
        }
        s->n++;
    }
    return TSR_OK;
}

/* A bracket list of n integers, e.g. input_shape=[N,C,H,W]; absent: dflt. */
static tsr_status shape_list(RtCtx *ctx, const char *fn, const char *p, const Value *v, int n,
                             const int64_t *dflt, int64_t *out)
{
    if (!v) {
        if (!dflt) return bi_err(ctx, "%s(): named parameter %s is missing", fn, p);
        memcpy(out, dflt, (size_t)n * sizeof *out);
        return TSR_OK;
    }
    if (v->dt != DT_LIST || v->u.l->n != n)
        return bi_err(ctx, "%s(): parameter %s must be a list of %d integers [%s]", fn, p, n,
                      n == 4 ? "a, b, c, d" : "a, b");
    for (int k = 0; k < n; k++) {
        const Value *e = &v->u.l->items[k];
        double d = bi_is_num(e) ? rt_as_double(e) : NAN;
        if (!bi_is_num(e) || d != floor(d))
            return bi_err(ctx, "%s(): element %d of %s must be an integer", fn, k + 1, p);
        out[k] = rt_as_int(e);
    }
    return TSR_OK;
}

/* The shape arguments must be named: at most nmat positional arguments. */
static tsr_status only_matrices_positional(RtCtx *ctx, const RtArgs *a, const char *fn, int nmat)
{
    if (a->npos <= nmat) return TSR_OK;
    return bi_err(ctx, "%s(): the shape parameters must be given by name "
                  "(input_shape=[...], ...)", fn);
}

static const int64_t STRIDE1[2] = { 1, 1 }, PAD0[2] = { 0, 0 };

/* input_shape, filter_shape / pool_size, stride, padding from v[first..]. */
static tsr_status conv_shape(RtCtx *ctx, const char *fn, const char *const *names,
                             const Value **v, int first, int pool, KnConvShape *s)
{
    int64_t in[4], f[4] = { 1, 0, 0, 0 }, st[2], pad[2];
    int nf = pool ? 2 : 4;
    if (shape_list(ctx, fn, names[first], v[first], 4, NULL, in) ||
        shape_list(ctx, fn, names[first + 1], v[first + 1], nf, NULL, pool ? f + 2 : f) ||
        shape_list(ctx, fn, names[first + 2], v[first + 2], 2, STRIDE1, st) ||
        shape_list(ctx, fn, names[first + 3], v[first + 3], 2, PAD0, pad))
        return TSR_RUNTIME;
    if (!pool && f[1] != in[1])
        return bi_err(ctx, "%s(): the number of channels of input_shape (%lld) and "
                      "filter_shape (%lld) differ", fn, (long long)in[1], (long long)f[1]);
    *s = (KnConvShape){ in[0], in[1], in[2], in[3], f[0], f[2], f[3], st[0], st[1], pad[0],
                        pad[1], 0, 0 };
    return kn_conv_shape(s, &ctx->err);
}

/* ---- conv2d family ---------------------------------------------------------------------------- */

typedef enum { CV_FWD, CV_BWD_FILTER, CV_BWD_DATA } ConvKind;

static const char *const CONV_P[][7] = {
    { "input", "filter", "input_shape", "filter_shape", "stride", "padding", NULL },
    { "input", "dout", "input_shape", "filter_shape", "stride", "padding", NULL },
    { "filter", "dout", "input_shape", "filter_shape", "stride", "padding", NULL },
};
static const char *const CONV_FN[] = { "conv2d", "conv2d_backward_filter",
                                       "conv2d_backward_data" };

static tsr_status conv_run(const ParCtx *par, ConvKind k, const MatBlock *a, const MatBlock *b,
                           const KnConvShape *s,
                           MatBlock **res, Err *err)
{
    switch (k) {
    case CV_FWD: return kn_conv2d(par, a, b, s, res, err);
    case CV_BWD_FILTER: return kn_conv2d_bwd_filter(par, a, b, s, res, err);
    default: return kn_conv2d_bwd_data(par, a, b, s, res, err);
    }
}

static tsr_status conv_builtin(RtCtx *ctx, const RtArgs *a, ConvKind k, Value *out)
{
    const BiSig sig = { CONV_FN[k], CONV_P[k], 0, 0 };
    static const int idx[] = { 0, 1 };
    const Value *v[BI_MAXP];
    KnConvShape s;
    DnnMats m;
    MatBlock *res = NULL;
    tsr_status st;
    if ((st = only_matrices_positional(ctx, a, sig.fn, 2)) || (st = bi_bind(ctx, a, &sig, v)) ||
        (st = conv_shape(ctx, sig.fn, CONV_P[k], v, 2, 0, &s)) ||
        (st = mats_bind(ctx, sig.fn, CONV_P[k], v, idx, 2, &m)))
        return st;
    st = conv_run(&ctx->par, k, m.m[0].b, m.m[1].b, &s, &res, &ctx->err);
    mats_done(&m);
    return bi_ret_block(st, &res, out);
}

tsr_status bi_conv2d(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return conv_builtin(ctx, a, CV_FWD, out);
}

tsr_status bi_conv2d_bwd_filter(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return conv_builtin(ctx, a, CV_BWD_FILTER, out);
}

tsr_status bi_conv2d_bwd_data(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return conv_builtin(ctx, a, CV_BWD_DATA, out);
}

/* ---- pooling ------------------------------------------------------------------------------------ */

static const char *const POOL_P[] = { "input", "input_shape", "pool_size", "stride", "padding",
                                      NULL };
static const char *const POOL_BWD_P[] = { "input", "dout", "input_shape", "pool_size", "stride",
                                          "padding", NULL };

static tsr_status pool_builtin(RtCtx *ctx, const RtArgs *a, KnPool t, int backward, Value *out)
{
    static const char *const fns[2][2] = { { "max_pool", "max_pool_backward" },
                                           { "avg_pool", "avg_pool_backward" } };
    static const int idx[] = { 0, 1 };
    const char *const *names = backward ? POOL_BWD_P : POOL_P;
    const BiSig sig = { fns[t][backward], names, 0, 0 };
    const Value *v[BI_MAXP];
    KnConvShape s;
    DnnMats m;
    MatBlock *res = NULL;
    int nm = backward ? 2 : 1;
    tsr_status st;
    if ((st = only_matrices_positional(ctx, a, sig.fn, nm)) || (st = bi_bind(ctx, a, &sig, v)) ||
        (st = conv_shape(ctx, sig.fn, names, v, nm, 1, &s)) ||
        (st = mats_bind(ctx, sig.fn, names, v, idx, nm, &m)))
        return st;
    st = backward ? kn_pool_bwd(&ctx->par, t, m.m[0].b, m.m[1].b, &s, &res, &ctx->err)
                             : kn_pool(&ctx->par, t, m.m[0].b, &s, &res, &ctx->err);
    mats_done(&m);
    return bi_ret_block(st, &res, out);
}

tsr_status bi_max_pool(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return pool_builtin(ctx, a, KP_MAX, 0, out);
}

tsr_status bi_max_pool_bwd(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return pool_builtin(ctx, a, KP_MAX, 1, out);
}

tsr_status bi_avg_pool(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return pool_builtin(ctx, a, KP_AVG, 0, out);
}

tsr_status bi_avg_pool_bwd(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return pool_builtin(ctx, a, KP_AVG, 1, out);
}

/* ---- bias_add, bias_multiply ---------------------------------------------------------------------- */

static tsr_status bias_builtin(RtCtx *ctx, const RtArgs *a, int multiply, Value *out)
{
    static const char *const names[] = { "input", "bias", NULL };
    static const int idx[] = { 0, 1 };
    const BiSig sig = { multiply ? "bias_multiply" : "bias_add", names, 2, 0 };
    const Value *v[BI_MAXP];
    DnnMats m;
    MatBlock *res = NULL;
    if (bi_bind(ctx, a, &sig, v) || mats_bind(ctx, sig.fn, names, v, idx, 2, &m))
        return TSR_RUNTIME;
    tsr_status st = kn_bias(multiply, m.m[0].b, m.m[1].b, &res, &ctx->err);
    mats_done(&m);
    return bi_ret_block(st, &res, out);
}

tsr_status bi_bias_add(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return bias_builtin(ctx, a, 0, out);
}

tsr_status bi_bias_multiply(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return bias_builtin(ctx, a, 1, out);
}

/* ---- multi-return: batch_norm2d, lstm ----------------------------------------------------------- */

/* Moves the first nout of nres results into out[] and frees the rest. */
static tsr_status mr_finish(tsr_status st, MatBlock **r, int nres, Value *out, int nout)
{
    for (int q = 0; q < nres; q++) {
        if (st == TSR_OK && q < nout) out[q] = rt_mat_take(r[q]);
        else mb_free(r[q]);
        r[q] = NULL;
    }
    return st;
}

static tsr_status mr_targets(RtCtx *ctx, const char *fn, int nres, int nout)
{
    if (nout <= nres) return TSR_OK;
    return bi_err(ctx, "function %s returns %d values but is assigned to %d targets", fn, nres,
                  nout);
}

static const char *const BN_P[] = { "X", "gamma", "beta", "ema_mean", "ema_var", "mode",
                                    "epsilon", "mu", NULL };

tsr_status bi_batch_norm2d(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = { "batch_norm2d", BN_P, 8, 0 };
    static const int idx[] = { 0, 1, 2, 3, 4 };
    const Value *v[BI_MAXP];
    const char *mode;
    double eps, mu;
    DnnMats m;
    MatBlock *r[5] = { NULL };
    if (mr_targets(ctx, sig.fn, 5, nout) || bi_bind(ctx, a, &sig, v) ||
        bi_str(ctx, sig.fn, "mode", v[5], NULL, &mode) ||
        bi_dbl(ctx, sig.fn, "epsilon", v[6], 0, &eps) || bi_dbl(ctx, sig.fn, "mu", v[7], 0, &mu) ||
        mats_bind(ctx, sig.fn, BN_P, v, idx, 5, &m))
        return TSR_RUNTIME;
    tsr_status st = kn_batch_norm2d(m.m[0].b, m.m[1].b, m.m[2].b, m.m[3].b, m.m[4].b,
                                    strcmp(mode, "train") == 0, eps, mu, r, &ctx->err);
    mats_done(&m);
    return mr_finish(st, r, 5, out, nout);
}

static const char *const BNB_P[] = { "X", "dout", "gamma", "epsilon", "cache_mean",
                                     "cache_inv_var", NULL };

tsr_status bi_batch_norm2d_bwd(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = { "batch_norm2d_backward", BNB_P, 6, 0 };
    static const int idx[] = { 0, 1, 2, 4, 5 };
    const Value *v[BI_MAXP];
    double eps;
    DnnMats m;
    MatBlock *r[3] = { NULL };
    if (mr_targets(ctx, sig.fn, 3, nout) || bi_bind(ctx, a, &sig, v) ||
        bi_dbl(ctx, sig.fn, "epsilon", v[3], 0, &eps) ||
        mats_bind(ctx, sig.fn, BNB_P, v, idx, 5, &m))
        return TSR_RUNTIME;
    tsr_status st = kn_batch_norm2d_bwd(m.m[0].b, m.m[1].b, m.m[2].b, m.m[3].b, m.m[4].b, r,
                                        &ctx->err);
    mats_done(&m);
    return mr_finish(st, r, 3, out, nout);
}

static const char *const LSTM_P[] = { "X", "W", "b", "out0", "c0", "return_sequences", "dout",
                                      "dc", "cache_out", "cache_c", "cache_ifog", NULL };

tsr_status bi_lstm(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const char *const names[] = { "X", "W", "b", "out0", "c0", "return_sequences", NULL };
    static const BiSig sig = { "lstm", names, 6, 0 };
    static const int idx[] = { 0, 1, 2, 3, 4 };
    const Value *v[BI_MAXP];
    int rs;
    DnnMats m;
    MatBlock *r[5] = { NULL };
    if (mr_targets(ctx, sig.fn, 5, nout) || bi_bind(ctx, a, &sig, v) ||
        bi_bool(ctx, sig.fn, "return_sequences", v[5], 0, &rs) ||
        mats_bind(ctx, sig.fn, names, v, idx, 5, &m))
        return TSR_RUNTIME;
    tsr_status st = kn_lstm(m.m[0].b, m.m[1].b, m.m[2].b, m.m[3].b, m.m[4].b, rs, r, &ctx->err);
    mats_done(&m);
    return mr_finish(st, r, 5, out, nout);
}

tsr_status bi_lstm_bwd(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = { "lstm_backward", LSTM_P, 11, 0 };
    static const int idx[] = { 0, 1, 2, 3, 4, 6, 7, 8, 9, 10 };
    const Value *v[BI_MAXP];
    int rs;
    DnnMats m;
    MatBlock *r[5] = { NULL };
    if (mr_targets(ctx, sig.fn, 5, nout) || bi_bind(ctx, a, &sig, v) ||
        bi_bool(ctx, sig.fn, "return_sequences", v[5], 0, &rs) ||
        mats_bind(ctx, sig.fn, LSTM_P, v, idx, 10, &m))
        return TSR_RUNTIME;
    const MatBlock *b[10];
    for (int k = 0; k < 10; k++) b[k] = m.m[k].b;
    tsr_status st = kn_lstm_bwd(b[0], b[1], b[2], b[3], b[4], rs, b[5], b[6], b[7], b[8], b[9], r,
                                &ctx->err);
    mats_done(&m);
    return mr_finish(st, r, 5, out, nout);
}
