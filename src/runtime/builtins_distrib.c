/*
 * builtins_distrib.c - probability distribution builtins of DML.md 7.10:
 * cdf, icdf and the shorthands pnorm pexp pchisq pf pt (cdf) and qnorm qexp
 * qchisq qf qt (inverse cdf).
 *
 * All arguments are named: `target` (a numeric scalar), `dist` (cdf/icdf
 * only), the parameters of the distribution (normal: mean=0, sd=1; exp:
 * rate=1; chisq: df; f: df1, df2; t: df - those without a default are
 * required) and `lower.tail=TRUE` (cdf family only).  A parameter that the
 * distribution does not have is an error.  The numerics and the parameter
 * range errors live in src/matrix/distrib.c.
 */
#include "runtime/builtins_int.h"

#include <math.h>
#include <string.h>

/* Parameters per distribution: name and default (NAN = required). */
static const struct {
    const char *name, *label;
    const char *par[2];
    double dflt[2];
    int npar;
} DISTS[] = {
    [KDIST_NORMAL] = { "normal", "normal", { "mean", "sd" }, { 0.0, 1.0 }, 2 },
    [KDIST_EXP] = { "exp", "exponential", { "rate", NULL }, { 1.0, 0 }, 1 },
    [KDIST_CHISQ] = { "chisq", "chi-squared", { "df", NULL }, { NAN, 0 }, 1 },
    [KDIST_F] = { "f", "F", { "df1", "df2" }, { NAN, NAN }, 2 },
    [KDIST_T] = { "t", "t", { "df", NULL }, { NAN, 0 }, 1 },
};
#define NDISTS ((int)(sizeof DISTS / sizeof DISTS[0]))

/* One call: fn name, inverse or not, and the distribution (-1: from dist=). */
typedef struct DistCall {
    const char *fn;
    int inverse;
    int dist;
} DistCall;

typedef struct DistArgs {
    const Value *target, *dist, *lower, *par[2];
} DistArgs;

static tsr_status target_error(RtCtx *ctx)
{
    return bi_err(ctx, "target must be provided for distribution functions, and it must be a "
                  "scalar value.");
}

static tsr_status bad_param(RtCtx *ctx, const DistCall *c, int d, const char *k)
{
    if (d < 0) return bi_err(ctx, "Invalid parameter %s for %s()", k, c->fn);
    return bi_err(ctx, "Invalid parameter %s for %s(): the %s distribution has the parameters "
                  "[%s%s%s]", k, c->fn, DISTS[d].label, DISTS[d].par[0],
                  DISTS[d].par[1] ? ", " : "", DISTS[d].par[1] ? DISTS[d].par[1] : "");
}

/* Resolves the distribution of the call (dist= or implied by the name). */
static tsr_status dist_of(RtCtx *ctx, const DistCall *c, const Value *v, int *d)
{
    const char *s;
    if (c->dist >= 0) {
        *d = c->dist;
        return TSR_OK;
    }
    if (!v)
        return bi_err(ctx, "Named parameter 'dist' missing. Please specify the probability "
                      "distribution.");
    if (bi_str(ctx, c->fn, "dist", v, NULL, &s)) return TSR_RUNTIME;
    for (int k = 0; k < NDISTS; k++)
        if (strcmp(s, DISTS[k].name) == 0) {
            *d = k;
            return TSR_OK;
        }
    return bi_err(ctx, "Invalid distribution: %s (supported: normal, exp, chisq, f, t)", s);
}

/* Places one named argument other than target/dist/lower.tail. */
static tsr_status place_param(RtCtx *ctx, const DistCall *c, int d, const char *k,
                              const Value *v, DistArgs *g)
{
    for (int p = 0; p < DISTS[d].npar; p++)
        if (strcmp(k, DISTS[d].par[p]) == 0) {
            if (g->par[p])
                return bi_err(ctx, "Parameter %s specified twice in call to %s()", k, c->fn);
            g->par[p] = v;
            return TSR_OK;
        }
    return bad_param(ctx, c, d, k);
}

static tsr_status bind_fixed(RtCtx *ctx, const DistCall *c, const RtArgs *a, DistArgs *g)
{
    memset(g, 0, sizeof *g);
    if (a->npos) return target_error(ctx);
    for (int j = 0; j < a->nnamed; j++) {
        const char *k = a->names[j];
        if (strcmp(k, "target") == 0) g->target = &a->named[j];
        else if (strcmp(k, "dist") == 0 && c->dist < 0) g->dist = &a->named[j];
        else if (strcmp(k, "lower.tail") == 0) g->lower = &a->named[j];
    }
    if (!g->target || !bi_is_num(g->target)) return target_error(ctx);
    if (g->lower && c->inverse)
        return bi_err(ctx, "Named parameter lower.tail is not valid for the inverse cumulative "
                      "distribution function %s()", c->fn);
    return TSR_OK;
}

/* Distribution parameters with defaults; a missing required one is an error. */
static tsr_status params(RtCtx *ctx, const DistCall *c, int d, const DistArgs *g, double *par)
{
    for (int p = 0; p < DISTS[d].npar; p++) {
        if (!g->par[p] && isnan(DISTS[d].dflt[p]))
            return bi_err(ctx, "%s(): the %s distribution needs the parameter %s", c->fn,
                          DISTS[d].label, DISTS[d].par[p]);
        if (bi_dbl(ctx, c->fn, DISTS[d].par[p], g->par[p], DISTS[d].dflt[p], &par[p]))
            return TSR_RUNTIME;
    }
    return TSR_OK;
}

static tsr_status dist_call(RtCtx *ctx, const RtArgs *a, const DistCall *c, Value *out)
{
    DistArgs g;
    int d = 0, lower = 1;
    double par[2] = { 0, 0 }, r = 0;
    if (bind_fixed(ctx, c, a, &g) || dist_of(ctx, c, g.dist, &d)) return TSR_RUNTIME;
    for (int j = 0; j < a->nnamed; j++) {
        const char *k = a->names[j];
        if (strcmp(k, "target") && strcmp(k, "lower.tail") && (c->dist >= 0 || strcmp(k, "dist")) &&
            place_param(ctx, c, d, k, &a->named[j], &g))
            return TSR_RUNTIME;
    }
    if (params(ctx, c, d, &g, par) || bi_bool(ctx, c->fn, "lower.tail", g.lower, 1, &lower))
        return TSR_RUNTIME;
    double x = rt_as_double(g.target);
    tsr_status st = c->inverse ? kn_icdf((KnDist)d, par, x, &r, &ctx->err)
                               : kn_cdf((KnDist)d, par, x, lower, &r, &ctx->err);
    if (st == TSR_OK) *out = rt_dbl(r);
    return st;
}

#define DIST_BUILTIN(cfn, dml, inv, dist)                                  \
    tsr_status cfn(RtCtx *ctx, RtArgs *a, Value *out, int nout)            \
    {                                                                      \
        static const DistCall c = { dml, inv, dist };                      \
        return dist_call(ctx, a, &c, out);                                 \
    }

DIST_BUILTIN(bi_cdf, "cdf", 0, -1)
DIST_BUILTIN(bi_icdf, "icdf", 1, -1)
DIST_BUILTIN(bi_pnorm, "pnorm", 0, KDIST_NORMAL)
DIST_BUILTIN(bi_pexp, "pexp", 0, KDIST_EXP)
DIST_BUILTIN(bi_pchisq, "pchisq", 0, KDIST_CHISQ)
DIST_BUILTIN(bi_pf, "pf", 0, KDIST_F)
DIST_BUILTIN(bi_pt, "pt", 0, KDIST_T)
DIST_BUILTIN(bi_qnorm, "qnorm", 1, KDIST_NORMAL)
DIST_BUILTIN(bi_qexp, "qexp", 1, KDIST_EXP)
DIST_BUILTIN(bi_qchisq, "qchisq", 1, KDIST_CHISQ)
DIST_BUILTIN(bi_qf, "qf", 1, KDIST_F)
DIST_BUILTIN(bi_qt, "qt", 1, KDIST_T)
