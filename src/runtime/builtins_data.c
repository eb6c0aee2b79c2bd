/*
 * builtins_data.c - construction and data-generation builtins: matrix(),
 * seq(), rand()/Rand(), sample() (DML.md 7.1).
 *
 * Handlers validate arguments (DML.md argument-mixing rules and error
 * texts) and call kn_reshape/kn_seq/kn_rand/kn_sample; they never fill
 * cells themselves except when parsing string data for matrix().
 * Compile-time checks on literal arguments (seq's "Wrong sign for the
 * increment") belong to the validator, not here.
 */
#include "runtime/builtins_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- matrix() --------------------------------------------------------------------- */

static const char *const MATRIX_P[] = {"data", "rows", "cols", "byrow", "dimnames", NULL};

/* Splits s at blanks; returns the number of tokens and, if toks is not
 * NULL, writes the tokens' starts and lengths. */
static int64_t split_blank(const char *s, const char **toks, size_t *lens)
{
    int64_t n = 0;
    while (*s) {
        while (*s && isspace((unsigned char)*s))
            s++;
        if (!*s)
            break;
        const char *b = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
        if (toks) {
            toks[n] = b;
            lens[n] = (size_t)(s - b);
        }
        n++;
    }
    return n;
}

static tsr_status fill_from_tokens(RtCtx *ctx, MatBlock *m, const char **toks,
                                   const size_t *lens, int64_t n)
{
    for (int64_t k = 0; k < n; k++) {
        char *t = xstrndup(toks[k], lens[k]);
        double d;
        int bad = nf_parse_double(t, &d) != 0;
        if (bad)
            bi_err(ctx, "Invalid matrix string intialization: cannot parse value '%s'", t);
        free(t);
        if (bad)
            return TSR_RUNTIME;
        mb_set(m, k / m->cols, k % m->cols, d);
    }
    return TSR_OK;
}

/* matrix("1 2 3 4", r, c): values filled row by row. */
static tsr_status matrix_from_string(RtCtx *ctx, const char *s, int64_t rows, int64_t cols,
                                     Value *out)
{
    int64_t n = split_blank(s, NULL, NULL), cells;
    if (mul_overflows_i64(rows, cols, &cells) || rows < 0 || cols < 0 || n != cells)
        return bi_err(ctx, "Invalid matrix string intialization: dimensions=[%lldx%lld] vs "
                      "numValues=%lld", (long long)rows, (long long)cols, (long long)n);
    MatBlock *m = mb_new(rows, cols, &ctx->err);
    if (!m)
        return ctx->err.code;
    const char **toks = xcalloc((size_t)n + 1, sizeof *toks);
    size_t *lens = xcalloc((size_t)n + 1, sizeof *lens);
    split_blank(s, toks, lens);
    tsr_status st = fill_from_tokens(ctx, m, toks, lens, n);
    free(toks);
    free(lens);
    return bi_ret_block(st, &m, out);
}

static tsr_status matrix_check_form(RtCtx *ctx, const RtArgs *a)
{
    if (bi_nargs(a) < 3)
        return bi_err(ctx, "for matrix statement, must specify at least 3 arguments: "
                      "data, rows, cols");
    if (a->npos > 1 && a->nnamed > 0)
        return bi_err(ctx, "for matrix statement, either all parameters must be unnamed or "
                      "only the first parameter (data) may be unnamed");
    return TSR_OK;
}

tsr_status bi_matrix(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = {"matrix", MATRIX_P, 3, 0};
    const Value *v[BI_MAXP];
    int64_t rows, cols;
    int byrow;
    MatBlock *res = NULL;
    if (matrix_check_form(ctx, a) || bi_bind(ctx, a, &sig, v) ||
        bi_int(ctx, "matrix", "rows", v[1], 0, &rows) ||
        bi_int(ctx, "matrix", "cols", v[2], 0, &cols) ||
        bi_bool(ctx, "matrix", "byrow", v[3], 1, &byrow))
        return TSR_RUNTIME;
    const Value *d = v[0];
    if (d->dt == DT_MATRIX)
        return bi_ret_block(kn_reshape(rt_mat_block(d), rows, cols, byrow, &res, &ctx->err),
                            &res, out);
    if (d->dt == DT_SCALAR && d->vt == VT_STRING)
        return matrix_from_string(ctx, d->u.s, rows, cols, out);
    if (d->dt != DT_SCALAR || d->vt == VT_BOOL)
        return bi_err(ctx, "for matrix statement, parameter data must be a numeric scalar, a "
                      "string or a matrix, found a %s",
                      d->dt == DT_SCALAR ? "BOOLEAN scalar" : rt_dt_name(d->dt));
    res = mb_new_fill(rows, cols, rt_as_double(d), &ctx->err);
    return res ? bi_ret_block(TSR_OK, &res, out) : ctx->err.code;
}

/* ---- seq() ------------------------------------------------------------------------- */

static const char *const SEQ_P[] = {"from", "to", "incr", NULL};

tsr_status bi_seq(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = {"seq", SEQ_P, 2, 0};
    const Value *v[BI_MAXP];
    double from, to, incr;
    MatBlock *res = NULL;
    if (bi_bind(ctx, a, &sig, v) || bi_dbl(ctx, "seq", "from", v[0], 0, &from) ||
        bi_dbl(ctx, "seq", "to", v[1], 0, &to) || bi_dbl(ctx, "seq", "incr", v[2], 1, &incr))
        return TSR_RUNTIME;
    if (!v[2])
        incr = from <= to ? 1.0 : -1.0;
    else if (incr == 1.0 && from > to)   /* SystemDS runtime quirk (DML.md 4.9) */
        incr = -1.0;
    return bi_ret_block(kn_seq(from, to, incr, &res, &ctx->err), &res, out);
}

/* ---- rand() ------------------------------------------------------------------------- */

static const char *const RAND_P[] = {"rows", "cols", "min", "max", "sparsity", "seed", "pdf",
                                     "lambda", NULL};

typedef struct RandArgs {
    int64_t rows, cols, seed;
    double min, max, sparsity, lambda;
    const char *pdf;
} RandArgs;

static tsr_status rand_args(RtCtx *ctx, const Value **v, RandArgs *r)
{
    if (bi_int(ctx, "rand", "rows", v[0], 1, &r->rows) ||
        bi_int(ctx, "rand", "cols", v[1], 1, &r->cols) ||
        bi_dbl(ctx, "rand", "min", v[2], 0.0, &r->min) ||
        bi_dbl(ctx, "rand", "max", v[3], 1.0, &r->max) ||
        bi_dbl(ctx, "rand", "sparsity", v[4], 1.0, &r->sparsity) ||
        bi_int(ctx, "rand", "seed", v[5], -1, &r->seed) ||
        bi_str(ctx, "rand", "pdf", v[6], "uniform", &r->pdf) ||
        bi_dbl(ctx, "rand", "lambda", v[7], 1.0, &r->lambda))
        return TSR_RUNTIME;
    return TSR_OK;
}

static tsr_status parse_pdf(RtCtx *ctx, const char *s, KnPdf *pdf)
{
    if (strcasecmp(s, "uniform") == 0)
        *pdf = KR_UNIFORM;
    else if (strcasecmp(s, "normal") == 0)
        *pdf = KR_NORMAL;
    else if (strcasecmp(s, "poisson") == 0)
        *pdf = KR_POISSON;
    else
        return bi_err(ctx, "Invalid PDF: %s (valid values: uniform, normal, poisson)", s);
    return TSR_OK;
}

tsr_status bi_rand(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = {"rand", RAND_P, 0, 1};
    const Value *v[BI_MAXP];
    RandArgs r;
    KnPdf pdf = KR_UNIFORM;
    MatBlock *res = NULL;
    if (a->npos > 0)
        return bi_err(ctx, "for rand statement, all arguments must be named parameters");
    if (bi_bind(ctx, a, &sig, v) || rand_args(ctx, v, &r) || parse_pdf(ctx, r.pdf, &pdf))
        return TSR_RUNTIME;
    if (r.sparsity < 0.0 || r.sparsity > 1.0 || isnan(r.sparsity))
        return bi_err(ctx, "rand(): sparsity must be in [0, 1], found %g", r.sparsity);
    uint64_t seed = r.seed == -1 ? bi_fresh_seed(ctx) : (uint64_t)r.seed;
    return bi_ret_block(kn_rand(&ctx->par, r.rows, r.cols, r.min, r.max, r.sparsity, seed, pdf,
                                r.lambda,
                                &res, &ctx->err), &res, out);
}

/* ---- sample() ----------------------------------------------------------------------- */

static const char *const SAMPLE_P[] = {"range", "size", "replace", "seed", NULL};

tsr_status bi_sample(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = {"sample", SAMPLE_P, 2, 0};
    const Value *v[BI_MAXP];
    int64_t range, size, seed;
    int replace;
    MatBlock *res = NULL;
    if (bi_bind(ctx, a, &sig, v))
        return TSR_RUNTIME;
    /* sample(range, size, seed): a non-boolean third positional is the seed */
    if (a->npos == 3 && v[2]->dt == DT_SCALAR && v[2]->vt != VT_BOOL && !v[3]) {
        v[3] = v[2];
        v[2] = NULL;
    }
    if (bi_int(ctx, "sample", "range", v[0], 0, &range) ||
        bi_int(ctx, "sample", "size", v[1], 0, &size) ||
        bi_bool(ctx, "sample", "replace", v[2], 0, &replace) ||
        bi_int(ctx, "sample", "seed", v[3], -1, &seed))
        return TSR_RUNTIME;
    if (!replace && range < size)
        return bi_err(ctx, "Sample (size=%lld) larger than population (size=%lld) can only be "
                      "done with replacement.", (long long)size, (long long)range);
    uint64_t s = seed == -1 ? bi_fresh_seed(ctx) : (uint64_t)seed;
    return bi_ret_block(kn_sample(range, size, replace, s, &res, &ctx->err), &res, out);
}
