/*
 * builtins_stats.c - statistics builtins of DML.md 7.5, 7.7 and 7.8:
 * quantile, median, interQuartileMean, moment/centralMoment, cov,
 * cumsumprod and aggregate/groupedAggregate.
 *
 * Handlers bind the arguments (positional forms (x [, w], p), (x, k) /
 * (x, w, k), (x, y [, w]); aggregate by name), promote numeric scalars to
 * 1x1 blocks and call one kn_* kernel of src/matrix/stats.c, where the
 * arithmetic and the shape/weight error texts live.
 */
#include "runtime/builtins_int.h"

#include <string.h>

/* Up to three matrix arguments of a positional-only builtin. */
typedef struct Mats {
    BiMat m[3];
    int n;
} Mats;

static void mats_done(Mats *s)
{
    for (int k = 0; k < s->n; k++) bi_mat_done(&s->m[k]);
    s->n = 0;
}


/* The first n positional arguments as matrices. */
static tsr_status mats_bind(RtCtx *ctx, const RtArgs *a, const char *fn,
                            const char *const *names, int n, Mats *s)
{
    s->n = 0;
    for (int k = 0; k < n; k++) {
        if (bi_mat(ctx, fn, names[k], &a->pos[k], &s->m[k])) {
            mats_done(s);
            return TSR_RUNTIME;
        }
        s->n++;
    }
    return TSR_OK;
}

static tsr_status ret_dbl(tsr_status st, double d, Value *out)
{
    if (st == TSR_OK) *out = rt_dbl(d);
    return st;
}

/* ---- quantile, median, interQuartileMean ------------------------------------------------------ */

static const char *const XW_NAMES[] = { "x", "w", "p" };

tsr_status bi_quantile(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    Mats s;
    MatBlock *res = NULL;
    double p, d = 0;
    tsr_status st;
    if (bi_positional(ctx, a, "quantile", 2, 3) ||
        mats_bind(ctx, a, "quantile", XW_NAMES, a->npos - 1, &s))
        return TSR_RUNTIME;
    const Value *pv = &a->pos[a->npos - 1];
    const MatBlock *w = s.n > 1 ? s.m[1].b : NULL;
    if (pv->dt == DT_MATRIX) {
        st = kn_quantiles(s.m[0].b, w, rt_mat_block(pv), &res, &ctx->err);
        mats_done(&s);
        return bi_ret_block(st, &res, out);
    }
    st = bi_dbl(ctx, "quantile", "p", pv, 0, &p);
    if (st == TSR_OK) st = kn_quantile(s.m[0].b, w, p, &d, &ctx->err);
    mats_done(&s);
    return ret_dbl(st, d, out);
}

typedef enum { OS_MEDIAN, OS_IQM } OrderStat;

static tsr_status order_stat(RtCtx *ctx, const RtArgs *a, OrderStat k, const char *fn, Value *out)
{
    Mats s;
    double d = 0;
    if (bi_positional(ctx, a, fn, 1, 2) || mats_bind(ctx, a, fn, XW_NAMES, a->npos, &s))
        return TSR_RUNTIME;
    const MatBlock *w = s.n > 1 ? s.m[1].b : NULL;
    tsr_status st = k == OS_MEDIAN ? kn_median(s.m[0].b, w, &d, &ctx->err)
                                   : kn_iqm(s.m[0].b, w, &d, &ctx->err);
    mats_done(&s);
    return ret_dbl(st, d, out);
}

tsr_status bi_median(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return order_stat(ctx, a, OS_MEDIAN, "median", out);
}

tsr_status bi_iqm(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return order_stat(ctx, a, OS_IQM, "interQuartileMean", out);
}

/* ---- moment, cov ------------------------------------------------------------------------------ */

tsr_status bi_moment(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const char *const names[] = { "x", "w" };
    Mats s;
    int64_t k;
    double d = 0;
    if (bi_positional(ctx, a, "centralMoment", 2, 3) ||
        bi_int(ctx, "centralMoment", "order", &a->pos[a->npos - 1], 0, &k) ||
        mats_bind(ctx, a, "centralMoment", names, a->npos - 1, &s))
        return TSR_RUNTIME;
    tsr_status st = kn_moment(s.m[0].b, s.n > 1 ? s.m[1].b : NULL, k, &d, &ctx->err);
    mats_done(&s);
    return ret_dbl(st, d, out);
}

tsr_status bi_cov(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const char *const names[] = { "x", "y", "w" };
    Mats s;
    double d = 0;
    if (bi_positional(ctx, a, "cov", 2, 3) || mats_bind(ctx, a, "cov", names, a->npos, &s))
        return TSR_RUNTIME;
    tsr_status st = kn_cov(s.m[0].b, s.m[1].b, s.n > 2 ? s.m[2].b : NULL, &d, &ctx->err);
    mats_done(&s);
    return ret_dbl(st, d, out);
}

/* ---- cumsumprod -------------------------------------------------------------------------------- */

tsr_status bi_cumsumprod(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    BiMat m;
    MatBlock *res = NULL;
    if (bi_nargs(a) != 1)
        return bi_err(ctx, "cumsumprod() expects exactly 1 argument, found %d", bi_nargs(a));
    if (bi_mat(ctx, "cumsumprod", "target", a->npos ? &a->pos[0] : &a->named[0], &m))
        return TSR_RUNTIME;
    tsr_status st = kn_cumsumprod(m.b, &res, &ctx->err);
    bi_mat_done(&m);
    return bi_ret_block(st, &res, out);
}

/* ---- aggregate / groupedAggregate --------------------------------------------------------------- */

static const char *const AGG_P[] = { "target", "groups", "fn", "weights", "ngroups", "order",
                                     NULL };

static const struct {
    const char *name;
    KnGAgg fn;
} AGG_FNS[] = {
    { "sum", KG_SUM }, { "count", KG_COUNT }, { "mean", KG_MEAN }, { "variance", KG_VAR },
    { "centralmoment", KG_CM }, { "min", KG_MIN }, { "max", KG_MAX },
};

static tsr_status agg_fn(RtCtx *ctx, const Value *v, KnGAgg *fn)
{
    const char *s;
    if (!v) return bi_err(ctx, "Named parameter 'fn' missing. Please specify the aggregate "
                          "function.");
    if (bi_str(ctx, "aggregate", "fn", v, NULL, &s)) return TSR_RUNTIME;
    for (size_t k = 0; k < sizeof AGG_FNS / sizeof AGG_FNS[0]; k++)
        if (strcmp(s, AGG_FNS[k].name) == 0) {
            *fn = AGG_FNS[k].fn;
            return TSR_OK;
        }
    return bi_err(ctx, "fname is %s but must be either centeralmoment, count, sum, mean, variance",
                  s);
}

/* order = "2" | "3" | "4" (a string as in SystemDS, or a number); 0 if
 * absent or invalid, which the kernel reports for centralmoment. */
static int agg_order(const Value *v)
{
    if (!v || v->dt != DT_SCALAR) return 0;
    if (v->vt == VT_STRING) {
        const char *s = v->u.s;
        return (s[0] >= '2' && s[0] <= '4' && s[1] == '\0') ? s[0] - '0' : 0;
    }
    int64_t k = rt_as_int(v);
    return k >= 2 && k <= 4 && rt_as_double(v) == (double)k ? (int)k : 0;
}

typedef struct AggArgs {
    BiMat x, g, w;
    KnGAgg fn;
    int64_t ngroups;
} AggArgs;

static void agg_done(AggArgs *g)
{
    bi_mat_done(&g->x);
    bi_mat_done(&g->g);
    bi_mat_done(&g->w);
}

static tsr_status agg_bind(RtCtx *ctx, const RtArgs *a, const Value **v, AggArgs *g)
{
    static const BiSig sig = { "aggregate", AGG_P, 0, 0 };
    memset(g, 0, sizeof *g);
    if (bi_bind(ctx, a, &sig, v)) return TSR_RUNTIME;
    if (!v[0] || !v[1]) return bi_err(ctx, "Must define both target and groups.");
    if (agg_fn(ctx, v[2], &g->fn) || bi_int(ctx, "aggregate", "ngroups", v[4], -1, &g->ngroups))
        return TSR_RUNTIME;
    if (bi_mat(ctx, "aggregate", "target", v[0], &g->x) ||
        bi_mat(ctx, "aggregate", "groups", v[1], &g->g) ||
        (v[3] && bi_mat(ctx, "aggregate", "weights", v[3], &g->w))) {
        agg_done(g);
        return TSR_RUNTIME;
    }
    return TSR_OK;
}

tsr_status bi_aggregate(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    const Value *v[BI_MAXP];
    AggArgs g;
    MatBlock *res = NULL;
    if (agg_bind(ctx, a, v, &g)) return TSR_RUNTIME;
    tsr_status st = TSR_OK;
    if (g.x.b->cols > 1 && g.ngroups < 0)
        st = bi_err(ctx, "aggregate(): ngroups must be given for a target with more than one "
                    "column");
    if (st == TSR_OK)
        st = kn_grouped_agg(g.x.b, g.g.b, g.w.b, g.fn, agg_order(v[5]), g.ngroups, &res,
                            &ctx->err);
    agg_done(&g);
    return bi_ret_block(st, &res, out);
}
