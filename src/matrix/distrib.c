/*
 * distrib.c - cumulative distribution functions and their inverses for the
 * distributions of DML.md 7.10 (normal, exponential, chi-squared, F,
 * Student t), on scalars.
 *
 * The special functions (regularised incomplete gamma/beta functions and
 * their inverses) come from GSL (gsl_cdf_*).  This file validates the
 * parameters first, so GSL's error handler is reached only by a numerical
 * failure; kn_dist_setup() turns that handler from abort() into "return
 * NaN" once per process.  Infinite arguments are answered here (the limits
 * of the distribution), NaN arguments give NaN.
 */
#include "matrix/matrix_int.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

void kn_dist_setup(void)
{
    gsl_set_error_handler_off();
}

static const struct {
    const char *name, *label;
    int npar;
} DIST_INFO[] = {
    [KDIST_NORMAL] = { "normal", "normal", 2 }, [KDIST_EXP] = { "exp", "exponential", 1 },
    [KDIST_CHISQ] = { "chisq", "chi-squared", 1 }, [KDIST_F] = { "f", "F", 2 },
    [KDIST_T] = { "t", "t", 1 },
};

const char *kn_dist_name(KnDist d)
{
    return DIST_INFO[d].name;
}

/* Parameters: normal sd > 0 and a finite mean; every other one > 0. */
static tsr_status check_params(KnDist d, const double *par, Err *err)
{
    static const char *const names[][2] = {
        [KDIST_NORMAL] = { "mean", "sd" }, [KDIST_EXP] = { "rate", NULL },
        [KDIST_CHISQ] = { "df", NULL }, [KDIST_F] = { "df1", "df2" }, [KDIST_T] = { "df", NULL },
    };
    for (int k = 0; k < DIST_INFO[d].npar; k++) {
        int location = d == KDIST_NORMAL && k == 0;
        if (isfinite(par[k]) && (location || par[k] > 0)) continue;
        return err_set(err, TSR_RUNTIME, "Invalid parameter for the %s distribution: %s must be "
                       "%s, found %.17g", DIST_INFO[d].label, names[d][k],
                       location ? "finite" : "positive and finite", par[k]);
    }
    return TSR_OK;
}

/* P[X <= q] for finite q. */
static double cdf_lower(KnDist d, const double *par, double q)
{
    switch (d) {
    case KDIST_NORMAL: return gsl_cdf_gaussian_P(q - par[0], par[1]);
    case KDIST_EXP: return gsl_cdf_exponential_P(q, 1 / par[0]);
    case KDIST_CHISQ: return gsl_cdf_chisq_P(q, par[0]);
    case KDIST_F: return gsl_cdf_fdist_P(q, par[0], par[1]);
    default: return gsl_cdf_tdist_P(q, par[0]);
    }
}

/* P[X > q] for finite q, computed directly (no cancellation in the tail). */
static double cdf_upper(KnDist d, const double *par, double q)
{
    switch (d) {
    case KDIST_NORMAL: return gsl_cdf_gaussian_Q(q - par[0], par[1]);
    case KDIST_EXP: return gsl_cdf_exponential_Q(q, 1 / par[0]);
    case KDIST_CHISQ: return gsl_cdf_chisq_Q(q, par[0]);
    case KDIST_F: return gsl_cdf_fdist_Q(q, par[0], par[1]);
    default: return gsl_cdf_tdist_Q(q, par[0]);
    }
}

tsr_status kn_cdf(KnDist d, const double *par, double q, int lower_tail, double *out, Err *err)
{
    if (check_params(d, par, err)) return err->code;
    if (isnan(q)) *out = q;
    else if (isinf(q)) *out = (q > 0) == (lower_tail != 0) ? 1.0 : 0.0;
    else *out = lower_tail ? cdf_lower(d, par, q) : cdf_upper(d, par, q);
    return TSR_OK;
}

/* t with df = 1 (standard Cauchy).  GSL's tan(pi*(p - 0.5)) loses the
 * low digits of p in the subtraction (relative error 1e-5 at p = 1e-12);
 * the cotangent form keeps them (1 - p is exact for p >= 0.5). */
static double cauchy_quantile(double p)
{
    if (p == 0.5) return 0.0;
    return p < 0.5 ? -1 / tan(M_PI * p) : 1 / tan(M_PI * (1 - p));
}

/* Smallest value of the support (the quantile of p = 0). */
static double support_min(KnDist d)
{
    return d == KDIST_NORMAL || d == KDIST_T ? -INFINITY : 0.0;
}

tsr_status kn_icdf(KnDist d, const double *par, double p, double *out, Err *err)
{
    if (check_params(d, par, err)) return err->code;
    if (p < 0 || p > 1)
        return err_set(err, TSR_RUNTIME, "Invalid probability for the inverse %s distribution "
                       "function: %.17g out of [0, 1] range", DIST_INFO[d].label, p);
    if (isnan(p)) *out = p;
    else if (p == 0) *out = support_min(d);
    else if (p == 1) *out = INFINITY;
    else if (d == KDIST_NORMAL) *out = par[0] + gsl_cdf_gaussian_Pinv(p, par[1]);
    else if (d == KDIST_EXP) *out = gsl_cdf_exponential_Pinv(p, 1 / par[0]);
    else if (d == KDIST_CHISQ) *out = gsl_cdf_chisq_Pinv(p, par[0]);
    else if (d == KDIST_F) *out = gsl_cdf_fdist_Pinv(p, par[0], par[1]);
    else if (par[0] == 1) *out = cauchy_quantile(p);
    else *out = gsl_cdf_tdist_Pinv(p, par[0]);
    return TSR_OK;
}
