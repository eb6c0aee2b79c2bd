/*
 * builtins_frame.c - frame builtins (DML.md 2.5, 7.1, 7.2, 7.8, 7.12):
 * frame(), as.frame, colnames, detectSchema, transformencode,
 * transformapply, transformdecode, and the frame halves of builtins whose
 * matrix forms live elsewhere (cbind/rbind, removeEmpty, replace,
 * as.scalar), called from those handlers through builtins_int.h.
 *
 * Frame blocks and the transform encoders are the frame module's
 * (frame/frame.h); this file binds arguments, converts DML values and wraps
 * results.
 */
#include "runtime/builtins_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIDDOT "\xC2\xB7"

static tsr_status ret_frame(tsr_status st, FrameBlock **f, Value *out)
{
    if (st == TSR_OK) *out = rt_frame_take(*f);
    else fr_free(*f);
    *f = NULL;
    return st;
}

static char *scalar_text(const Value *v)
{
    StrBuf s;
    sb_init(&s);
    rt_scalar_to_string(v, &s);
    return s.s ? sb_take(&s) : xstrdup("");
}

static FrType scalar_type(const Value *v)
{
    switch (v->vt) {
    case VT_FP64: return FR_FP64;
    case VT_INT64: return FR_INT64;
    case VT_BOOL: return FR_BOOLEAN;
    default: return FR_STRING;
    }
}

/* ---- frame(data, rows, cols, schema) ----------------------------------------------- */

/* A schema argument: "STRING,FP64", a list of type names or a 1 x n frame
 * of type names (detectSchema/typeof output). */
static tsr_status schema_arg(RtCtx *ctx, const char *fn, const Value *v, int64_t cols,
                             FrType **out)
{
    int64_t n = 0;
    StrBuf s;
    char buf[FR_CELLBUF];
    *out = NULL;
    sb_init(&s);
    if (v->dt == DT_SCALAR && v->vt == VT_STRING) {
        sb_puts(&s, v->u.s);
    } else if (v->dt == DT_LIST) {
        for (int k = 0; k < v->u.l->n; k++) {
            const Value *e = &v->u.l->items[k];
            if (e->dt != DT_SCALAR || e->vt != VT_STRING) {
                sb_free(&s);
                return bi_err(ctx, "%s(): schema list entries must be strings", fn);
            }
            sb_printf(&s, "%s%s", k ? "," : "", e->u.s);
        }
    } else if (v->dt == DT_FRAME && rt_frame_block(v)->rows >= 1) {
        const FrameBlock *f = rt_frame_block(v);
        for (int64_t j = 0; j < f->cols; j++) {
            const char *t = fr_cell_text(f, 0, j, buf);
            sb_printf(&s, "%s%s", j ? "," : "", t ? t : "");
        }
    } else {
        return bi_err(ctx, "%s(): schema must be a string, a list or a frame of value types",
                      fn);
    }
    tsr_status st = fr_schema_parse(s.s ? s.s : "", out, &n, &ctx->err);
    sb_free(&s);
    if (st) return st;
    if (n != cols) {
        free(*out);
        *out = NULL;
        return bi_err(ctx, "%s(): the schema has %lld value types but the frame has %lld "
                      "columns", fn, (long long)n, (long long)cols);
    }
    return TSR_OK;
}

/* Cell texts of frame(data): texts[] owned, *n entries. */
static tsr_status data_texts(RtCtx *ctx, const Value *v, char ***texts, int64_t *n)
{
    *texts = NULL;
    *n = 0;
    if (v->dt == DT_LIST) {
        const RtList *l = v->u.l;
        *texts = xcalloc((size_t)l->n + 1, sizeof **texts);
        for (int k = 0; k < l->n; k++) {
            if (l->items[k].dt != DT_SCALAR) {
                for (int t = 0; t < k; t++) free((*texts)[t]);
                free(*texts);
                *texts = NULL;
                return bi_err(ctx, "frame(): data list entries must be scalars");
            }
            (*texts)[k] = scalar_text(&l->items[k]);
        }
        *n = l->n;
        return TSR_OK;
    }
    if (v->dt != DT_SCALAR)
        return bi_err(ctx, "frame(): data must be a scalar, a string of values or a list, found "
                      "a %s (use as.frame for matrices)", rt_dt_name(v->dt));
    char *s = scalar_text(v);
    int64_t k = 1;
    for (const char *p = strstr(s, MIDDOT); p; p = strstr(p + 2, MIDDOT)) k++;
    *texts = xcalloc((size_t)k, sizeof **texts);
    const char *p = s;
    for (int64_t t = 0; t < k; t++) {
        const char *e = strstr(p, MIDDOT);
        (*texts)[t] = e ? xstrndup(p, (size_t)(e - p)) : xstrdup(p);
        p = e ? e + 2 : p;
    }
    free(s);
    *n = k;
    return TSR_OK;
}

/* One value fills everything; cols values fill each column; rows*cols
 * values fill row by row. */
static tsr_status fill_frame(RtCtx *ctx, FrameBlock *f, char **texts, int64_t n)
{
    int64_t cells = f->rows * f->cols;
    if (n != 1 && n != f->cols && n != cells)
        return bi_err(ctx, "frame(): %lld data values do not fit a %lldx%lld frame (give 1, "
                      "ncol or nrow*ncol values)", (long long)n, (long long)f->rows,
                      (long long)f->cols);
    for (int64_t r = 0; r < f->rows; r++)
        for (int64_t j = 0; j < f->cols; j++) {
            const char *t = texts[n == 1 ? 0 : n == cells ? r * f->cols + j : j];
            if (fr_set_text(f, r, j, t, &ctx->err)) return TSR_RUNTIME;
        }
    return TSR_OK;
}

static const char *const FRAME_P[] = {"data", "rows", "cols", "schema", NULL};

tsr_status bi_frame(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = {"frame", FRAME_P, 3, 0};
    const Value *v[BI_MAXP];
    int64_t rows, cols, n = 0;
    FrType *sch = NULL;
    char **texts = NULL;
    if (bi_bind(ctx, a, &sig, v) || bi_int(ctx, "frame", "rows", v[1], 0, &rows) ||
        bi_int(ctx, "frame", "cols", v[2], 0, &cols))
        return TSR_RUNTIME;
    if (rows < 0 || cols < 0)
        return bi_err(ctx, "frame(): invalid dimensions %lldx%lld", (long long)rows,
                      (long long)cols);
    if (v[3] && schema_arg(ctx, "frame", v[3], cols, &sch)) return TSR_RUNTIME;
    tsr_status st = data_texts(ctx, v[0], &texts, &n);
    FrameBlock *f = st ? NULL : fr_new(rows, cols, sch, &ctx->err);
    if (!st && !f) st = ctx->err.code;
    if (!st) st = fill_frame(ctx, f, texts, n);
    for (int64_t k = 0; k < n; k++) free(texts[k]);
    free(texts);
    free(sch);
    return ret_frame(st, &f, out);
}

/* ---- as.frame ----------------------------------------------------------------------- */

static tsr_status to_frame(RtCtx *ctx, const Value *v, Value *out)
{
    FrameBlock *f = NULL;
    if (v->dt == DT_FRAME) {
        *out = rt_copy(v);
        return TSR_OK;
    }
    if (v->dt == DT_MATRIX)
        return ret_frame(fr_from_matrix(rt_mat_block(v), &f, &ctx->err), &f, out);
    if (v->dt == DT_LIST) {
        if (v->u.l->n != 1)
            return bi_err(ctx, "as.frame(): cannot convert a list of %d elements (only "
                          "1-element lists)", v->u.l->n);
        return to_frame(ctx, &v->u.l->items[0], out);
    }
    if (v->dt != DT_SCALAR) return bi_err(ctx, "as.frame(): cannot convert a %s", rt_dt_name(v->dt));
    FrType t = scalar_type(v);
    f = fr_new(1, 1, &t, &ctx->err);
    if (!f) return ctx->err.code;
    char *s = scalar_text(v);
    tsr_status st = fr_set_text(f, 0, 0, s, &ctx->err);
    free(s);
    return ret_frame(st, &f, out);
}

static tsr_status set_names(RtCtx *ctx, Value *fv, const Value *names)
{
    if (names->dt != DT_LIST)
        return bi_err(ctx, "as.frame(): column names must be a list of strings");
    FrameBlock *f = rt_frame_mutable(fv, &ctx->err);
    if (!f) return ctx->err.code;
    if (names->u.l->n != f->cols)
        return bi_err(ctx, "as.frame(): %d column names given for %lld columns", names->u.l->n,
                      (long long)f->cols);
    for (int64_t j = 0; j < f->cols; j++) {
        const Value *e = &names->u.l->items[j];
        if (e->dt != DT_SCALAR)
            return bi_err(ctx, "as.frame(): column names must be scalars");
        char *s = scalar_text(e);
        fr_set_col_name(f, j, s);
        free(s);
    }
    return TSR_OK;
}

static const char *const ASFRAME_P[] = {"target", "colnames", NULL};

tsr_status bi_as_frame(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = {"as.frame", ASFRAME_P, 1, 0};
    const Value *v[BI_MAXP];
    if (bi_bind(ctx, a, &sig, v) || to_frame(ctx, v[0], out)) return TSR_RUNTIME;
    if (v[1] && set_names(ctx, out, v[1])) {
        rt_release(out);
        return TSR_RUNTIME;
    }
    return TSR_OK;
}

/* ---- colnames, detectSchema, typeof ------------------------------------------------------ */

static tsr_status frame_arg(RtCtx *ctx, const RtArgs *a, const char *fn, const FrameBlock **f)
{
    if (bi_nargs(a) != 1)
        return bi_err(ctx, "%s() expects exactly 1 argument, found %d", fn, bi_nargs(a));
    const Value *v = a->npos ? &a->pos[0] : &a->named[0];
    if (v->dt != DT_FRAME)
        return bi_err(ctx, "%s() expects a frame, found a %s", fn, rt_dt_name(v->dt));
    *f = rt_frame_block(v);
    return TSR_OK;
}

tsr_status bi_colnames(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    const FrameBlock *f = NULL;
    FrameBlock *r = NULL;
    if (frame_arg(ctx, a, "colnames", &f)) return TSR_RUNTIME;
    return ret_frame(fr_names_frame(f, 0, &r, &ctx->err), &r, out);
}

tsr_status bi_detect_schema(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    const FrameBlock *f = NULL;
    FrameBlock *r = NULL;
    if (frame_arg(ctx, a, "detectSchema", &f)) return TSR_RUNTIME;
    return ret_frame(fr_detect_schema(f, &r, &ctx->err), &r, out);
}

/* typeof is in builtins_frame2.c. */

/* ---- transformencode / apply / decode ------------------------------------------------------ */

static const char *const TF_P[] = {"target", "spec", "meta", NULL};

/* Binds target, spec (string) and, when need_meta, meta (a frame). */
static tsr_status tf_bind(RtCtx *ctx, const RtArgs *a, const char *fn, int need_meta,
                          const Value **v, const char **spec)
{
    BiSig sig = {fn, TF_P, need_meta ? 3 : 2, 0};
    static const char *const TF2_P[] = {"target", "spec", NULL};
    if (!need_meta) sig.params = TF2_P;
    if (bi_bind(ctx, a, &sig, v) || bi_str(ctx, fn, "spec", v[1], NULL, spec)) return TSR_RUNTIME;
    if (need_meta && v[2]->dt != DT_FRAME)
        return bi_err(ctx, "%s(): meta must be a frame, found a %s", fn, rt_dt_name(v[2]->dt));
    return TSR_OK;
}

static tsr_status want_frame_target(RtCtx *ctx, const char *fn, const Value *t)
{
    if (t->dt == DT_FRAME) return TSR_OK;
    return bi_err(ctx, "%s(): target must be a frame, found a %s", fn, rt_dt_name(t->dt));
}

tsr_status bi_transformencode(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    const Value *v[BI_MAXP];
    const char *spec;
    MatBlock *x = NULL;
    FrameBlock *m = NULL;
    if (tf_bind(ctx, a, "transformencode", 0, v, &spec) ||
        want_frame_target(ctx, "transformencode", v[0]))
        return TSR_RUNTIME;
    tsr_status st = fr_transform_encode(rt_frame_block(v[0]), spec, &x, &m, &ctx->err);
    if (st) return st;
    out[0] = rt_mat_take(x);
    if (nout >= 2) out[1] = rt_frame_take(m);
    else fr_free(m);
    return TSR_OK;
}

tsr_status bi_transformapply(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    const Value *v[BI_MAXP];
    const char *spec;
    MatBlock *x = NULL;
    if (tf_bind(ctx, a, "transformapply", 1, v, &spec) ||
        want_frame_target(ctx, "transformapply", v[0]))
        return TSR_RUNTIME;
    return bi_ret_block(fr_transform_apply(rt_frame_block(v[0]), spec, rt_frame_block(v[2]), &x,
                                           &ctx->err), &x, out);
}

tsr_status bi_transformdecode(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    const Value *v[BI_MAXP];
    const char *spec;
    BiMat x;
    FrameBlock *f = NULL;
    if (tf_bind(ctx, a, "transformdecode", 1, v, &spec) ||
        bi_mat(ctx, "transformdecode", "target", v[0], &x))
        return TSR_RUNTIME;
    tsr_status st = fr_transform_decode(x.b, spec, rt_frame_block(v[2]), &f, &ctx->err);
    bi_mat_done(&x);
    return ret_frame(st, &f, out);
}

/* ---- frame halves of shared builtins ---------------------------------------------------------- */

tsr_status bi_frame_bind(RtCtx *ctx, const Value *const *v, int n, int rows, Value *out)
{
    const FrameBlock **in = xcalloc((size_t)n, sizeof *in);
    FrameBlock *r = NULL;
    tsr_status st = TSR_OK;
    for (int k = 0; k < n && !st; k++) {
        if (v[k]->dt != DT_FRAME)
            st = bi_err(ctx, "%s(): cannot bind a frame and a %s (input %d); convert with "
                        "as.frame or as.matrix", rows ? "rbind" : "cbind", rt_dt_name(v[k]->dt),
                        k + 1);
        else
            in[k] = rt_frame_block(v[k]);
    }
    if (!st) st = rows ? fr_rbind(in, n, &r, &ctx->err) : fr_cbind(in, n, &r, &ctx->err);
    free(in);
    return ret_frame(st, &r, out);
}

tsr_status bi_frame_remove_empty(RtCtx *ctx, const Value *target, int by_rows,
                                 const Value *select, int empty_return, Value *out)
{
    BiMat sel = {NULL, NULL};
    FrameBlock *r = NULL;
    if (select && bi_mat(ctx, "removeEmpty", "select", select, &sel)) return TSR_RUNTIME;
    tsr_status st = fr_remove_empty(rt_frame_block(target), by_rows, sel.b, empty_return, &r,
                                    &ctx->err);
    bi_mat_done(&sel);
    return ret_frame(st, &r, out);
}

tsr_status bi_frame_replace(RtCtx *ctx, const Value *target, const Value *pattern,
                            const Value *replacement, Value *out)
{
    FrameBlock *r = NULL;
    if (pattern->dt != DT_SCALAR || replacement->dt != DT_SCALAR)
        return bi_err(ctx, "replace(): pattern and replacement must be scalars");
    char *p = scalar_text(pattern), *s = scalar_text(replacement);
    tsr_status st = fr_replace(rt_frame_block(target), p, s, &r, &ctx->err);
    free(p);
    free(s);
    return ret_frame(st, &r, out);
}

tsr_status bi_frame_to_scalar(RtCtx *ctx, const Value *v, Value *out)
{
    const FrameBlock *f = rt_frame_block(v);
    if (f->rows != 1 || f->cols != 1)
        return bi_err(ctx, "dimension mismatch while casting frame to scalar: dim1: %lld dim2 "
                      "%lld", (long long)f->rows, (long long)f->cols);
    const FrColumn *c = &f->c[0];
    int null = fr_is_null(f, 0, 0);
    switch (c->type) {
    case FR_STRING: *out = rt_str(null ? "null" : c->s[0]); break;
    case FR_BOOLEAN: *out = rt_bool(!null && c->i[0]); break;
    case FR_INT64:
    case FR_INT32: *out = rt_int(null ? 0 : c->i[0]); break;
    default: *out = rt_dbl(null ? NAN : c->d[0]); break;
    }
    return TSR_OK;
}
