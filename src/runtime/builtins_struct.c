/*
 * builtins_struct.c - structural builtins of DML.md 7.5 and 7.8:
 * table/ctable, order, removeEmpty, replace, lower.tri/upper.tri, unique
 * and countDistinct.
 *
 * Handlers bind the arguments (table positionally; the others by name, with
 * positional arguments allowed in signature order), validate the parameter
 * values that are not matrices (margin, dir, ...) and call one kn_* kernel
 * of src/matrix (structure.c, sort.c).  Frames are not represented yet, so
 * the frame forms of removeEmpty/replace are not available.
 */
#include "runtime/builtins_int.h"

#include <math.h>
#include <string.h>

/* ---- table / ctable -------------------------------------------------------------------------- */

/* A table() operand: a matrix block, or a numeric scalar (blk == NULL). */
static tsr_status table_operand(RtCtx *ctx, const Value *v, const char *p, const MatBlock **blk,
                                double *s)
{
    *blk = NULL;
    *s = 0;
    if (v->dt == DT_MATRIX) {
        *blk = rt_mat_block(v);
        return TSR_OK;
    }
    return bi_dbl(ctx, "table", p, v, 0, s);
}

/* Argument forms of DML.md 7.8: (A, B), (A, B, W), (A, B, d1, d2),
 * (A, B, W, d1, d2), plus an ignored 6th output hint. */
tsr_status bi_table(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    const MatBlock *m[3];
    double s[3] = { 0, 0, 1.0 };
    int64_t d1 = -1, d2 = -1;
    MatBlock *res = NULL;
    int n = a->npos, dims = n >= 4 ? (n == 4 ? 2 : 3) : -1;
    if (a->nnamed)
        return bi_err(ctx, "table() does not accept named parameters (%s)", a->names[0]);
    if (n < 2 || n > 6)
        return bi_err(ctx, "Invalid number of arguments for table(): expected 2 to 6, found %d", n);
    m[2] = NULL;
    if (table_operand(ctx, &a->pos[0], "A", &m[0], &s[0]) ||
        table_operand(ctx, &a->pos[1], "B", &m[1], &s[1]) ||
        ((n == 3 || n >= 5) && table_operand(ctx, &a->pos[2], "W", &m[2], &s[2])) ||
        (dims > 0 && (bi_int(ctx, "table", "d1", &a->pos[dims], -1, &d1) ||
                      bi_int(ctx, "table", "d2", &a->pos[dims + 1], -1, &d2))))
        return TSR_RUNTIME;
    tsr_status st = kn_table(&ctx->par, m[0], s[0], m[1], s[1], m[2], s[2], d1, d2, &res,
                             &ctx->err);
    return bi_ret_block(st, &res, out);
}

/* ---- order ------------------------------------------------------------------------------------ */

static const char *const ORDER_P[] = { "target", "by", "decreasing", "index.return", NULL };

tsr_status bi_order(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = { "order", ORDER_P, 1, 0 };
    const Value *v[BI_MAXP];
    BiMat x, by = { NULL, NULL };
    int dec, idx;
    MatBlock *res = NULL;
    if (bi_bind(ctx, a, &sig, v) || bi_bool(ctx, "order", "decreasing", v[2], 0, &dec) ||
        bi_bool(ctx, "order", "index.return", v[3], 0, &idx) ||
        bi_mat(ctx, "order", "target", v[0], &x))
        return TSR_RUNTIME;
    tsr_status st = TSR_OK;
    if (v[1]) st = bi_mat(ctx, "order", "by", v[1], &by);
    else if (!(by.own = mb_scalar(1.0, &ctx->err))) st = ctx->err.code;
    else by.b = by.own;
    if (st == TSR_OK) st = kn_order(&ctx->par, x.b, by.b, dec, idx, &res, &ctx->err);
    bi_mat_done(&x);
    bi_mat_done(&by);
    return bi_ret_block(st, &res, out);
}

/* ---- removeEmpty ---------------------------------------------------------------------------------- */

static const char *const RMEMPTY_P[] = { "target", "margin", "select", "empty.return", NULL };

/* "Invalid parameters for removeEmpty: [a, b]" for every unknown name. */
static tsr_status rmempty_names(RtCtx *ctx, const RtArgs *a)
{
    StrBuf s;
    sb_init(&s);
    for (int k = 0; k < a->nnamed; k++) {
        int ok = 0;
        for (int p = 0; RMEMPTY_P[p]; p++) ok |= strcmp(RMEMPTY_P[p], a->names[k]) == 0;
        if (!ok) sb_printf(&s, "%s%s", s.len ? ", " : "", a->names[k]);
    }
    tsr_status st = s.len ? bi_err(ctx, "Invalid parameters for removeEmpty: [%s]", s.s) : TSR_OK;
    sb_free(&s);
    return st;
}

static tsr_status rmempty_margin(RtCtx *ctx, const Value *v, int *by_rows)
{
    const char *m;
    if (!v) return bi_err(ctx, "Named parameter 'margin' missing. Please specify 'rows' or 'cols'.");
    if (bi_str(ctx, "removeEmpty", "margin", v, NULL, &m)) return TSR_RUNTIME;
    if (strcmp(m, "rows") && strcmp(m, "cols"))
        return bi_err(ctx, "Named parameter 'margin' has an invalid value '%s'. Please specify "
                      "'rows' or 'cols'.", m);
    *by_rows = strcmp(m, "rows") == 0;
    return TSR_OK;
}

tsr_status bi_remove_empty(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = { "removeEmpty", RMEMPTY_P, 1, 0 };
    const Value *v[BI_MAXP];
    BiMat x, sel = { NULL, NULL };
    int by_rows = 1, er;
    MatBlock *res = NULL;
    if (rmempty_names(ctx, a) || bi_bind(ctx, a, &sig, v) || rmempty_margin(ctx, v[1], &by_rows) ||
        bi_bool(ctx, "removeEmpty", "empty.return", v[3], 1, &er))
        return TSR_RUNTIME;
    if (v[0]->dt == DT_FRAME) return bi_frame_remove_empty(ctx, v[0], by_rows, v[2], er, out);
    if (bi_mat(ctx, "removeEmpty", "target", v[0], &x)) return TSR_RUNTIME;
    tsr_status st = v[2] ? bi_mat(ctx, "removeEmpty", "select", v[2], &sel) : TSR_OK;
    if (st == TSR_OK) st = kn_remove_empty(x.b, by_rows, sel.b, er, &res, &ctx->err);
    bi_mat_done(&x);
    bi_mat_done(&sel);
    return bi_ret_block(st, &res, out);
}

/* ---- replace, lower.tri, upper.tri ------------------------------------------------------------------ */

static const char *const REPLACE_P[] = { "target", "pattern", "replacement", NULL };

/* Whether no cell of m equals pattern (NaN matches NaN; 0 matches the
 * zeros, which nnz counts exactly): then replace returns its target. */
static int replace_no_match(const MatBlock *m, double pat)
{
    int64_t cells = m->rows * m->cols;
    if (pat == 0) return m->nnz == cells;
    const double *v = m->sparse ? m->val : m->dense;
    int64_t n = m->sparse ? m->nnz : cells;
    if (isnan(pat)) {
        for (int64_t k = 0; k < n; k++)
            if (v[k] != v[k]) return 0;
    } else {
        for (int64_t k = 0; k < n; k++)
            if (v[k] == pat) return 0;
    }
    return 1;
}

tsr_status bi_replace(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = { "replace", REPLACE_P, 3, 0 };
    const Value *v[BI_MAXP];
    BiMat x;
    double pat, rep;
    MatBlock *res = NULL;
    if (bi_bind(ctx, a, &sig, v)) return TSR_RUNTIME;
    if (v[0]->dt == DT_FRAME) return bi_frame_replace(ctx, v[0], v[1], v[2], out);
    if (bi_dbl(ctx, "replace", "pattern", v[1], 0, &pat) ||
        bi_dbl(ctx, "replace", "replacement", v[2], 0, &rep) ||
        bi_mat(ctx, "replace", "target", v[0], &x))
        return TSR_RUNTIME;
    if (v[0]->dt == DT_MATRIX && replace_no_match(x.b, pat)) {
        bi_mat_done(&x);
        *out = rt_copy(v[0]);   /* nothing to replace: the target itself, no copy */
        return TSR_OK;
    }
    tsr_status st = kn_replace(x.b, pat, rep, &res, &ctx->err);
    bi_mat_done(&x);
    return bi_ret_block(st, &res, out);
}

static const char *const TRI_P[] = { "target", "diag", "values", NULL };

static tsr_status tri(RtCtx *ctx, const RtArgs *a, int upper, Value *out)
{
    const char *fn = upper ? "upper.tri" : "lower.tri";
    const BiSig sig = { fn, TRI_P, 1, 0 };
    const Value *v[BI_MAXP];
    BiMat x;
    int diag, values;
    MatBlock *res = NULL;
    if (bi_bind(ctx, a, &sig, v) || bi_bool(ctx, fn, "diag", v[1], 0, &diag) ||
        bi_bool(ctx, fn, "values", v[2], 0, &values) || bi_mat(ctx, fn, "target", v[0], &x))
        return TSR_RUNTIME;
    tsr_status st = kn_tri(x.b, upper, diag, values, &res, &ctx->err);
    bi_mat_done(&x);
    return bi_ret_block(st, &res, out);
}

tsr_status bi_lower_tri(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return tri(ctx, a, 0, out);
}

tsr_status bi_upper_tri(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return tri(ctx, a, 1, out);
}

/* ---- unique, countDistinct ------------------------------------------------------------------------- */

static const char *const DISTINCT_P[] = { "target", "dir", NULL };

static tsr_status distinct_args(RtCtx *ctx, const RtArgs *a, const char *fn, BiMat *x,
                                KnDir *dir)
{
    const BiSig sig = { fn, DISTINCT_P, 1, 0 };
    const Value *v[BI_MAXP];
    const char *d;
    if (bi_bind(ctx, a, &sig, v) || bi_str(ctx, fn, "dir", v[1], "rc", &d)) return TSR_RUNTIME;
    if (strcmp(d, "rc") && strcmp(d, "r") && strcmp(d, "c"))
        return bi_err(ctx, "%s(): invalid direction '%s', must be \"rc\", \"r\" or \"c\"", fn, d);
    *dir = !strcmp(d, "rc") ? KD_ALL : !strcmp(d, "r") ? KD_ROW : KD_COL;
    return bi_mat(ctx, fn, "target", v[0], x);
}

tsr_status bi_unique(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    BiMat x;
    KnDir dir = KD_ALL;
    MatBlock *res = NULL;
    if (distinct_args(ctx, a, "unique", &x, &dir)) return TSR_RUNTIME;
    tsr_status st = kn_unique(x.b, dir, &res, &ctx->err);
    bi_mat_done(&x);
    return bi_ret_block(st, &res, out);
}

/* "rc" gives an INT64 scalar, "r"/"c" a column/row vector of counts. */
tsr_status bi_count_distinct(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    BiMat x;
    KnDir dir = KD_ALL;
    MatBlock *res = NULL;
    if (distinct_args(ctx, a, "countDistinct", &x, &dir)) return TSR_RUNTIME;
    tsr_status st = kn_count_distinct(x.b, dir, &res, &ctx->err);
    bi_mat_done(&x);
    if (st != TSR_OK || dir != KD_ALL) return bi_ret_block(st, &res, out);
    *out = rt_int((int64_t)mb_get(res, 0, 0));
    mb_free(res);
    return TSR_OK;
}
