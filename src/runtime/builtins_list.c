/*
 * builtins_list.c - metadata, casts and list builtins: nrow, ncol, length,
 * as.scalar, as.matrix, as.double, as.integer, as.logical, as.list, list,
 * cbind/append, rbind, remove (DML.md 2.5, 4.2, 7.2, 7.8).
 *
 * Matrix concatenation goes through kn_cbind/kn_rbind; the list forms
 * (append an element, unwrap a 1-element list keeping its name, bind all
 * elements of one list) and the two-string form are handled here.
 * Frames: dimensions, as.scalar of a 1x1 frame and as.matrix are handled
 * here; binding frames is delegated to builtins_frame.c.
 */
#include "runtime/builtins_int.h"

#include <stdlib.h>
#include <string.h>

/* The single argument of a 1-argument builtin (positional or named). */
static const Value *arg1(const RtArgs *a)
{
    return a->npos ? &a->pos[0] : &a->named[0];
}

static tsr_status want1(RtCtx *ctx, const RtArgs *a, const char *fn)
{
    if (bi_nargs(a) != 1)
        return bi_err(ctx, "%s() expects exactly 1 argument, found %d", fn, bi_nargs(a));
    return TSR_OK;
}

/* ---- nrow, ncol, length ---------------------------------------------------------- */

/* Dimensions of any value: lists count as n x 1, scalars as 1 x 1. */
static void dims_of(const Value *v, int64_t *r, int64_t *c)
{
    if (v->dt == DT_MATRIX) {
        *r = rt_mat_block(v)->rows;
        *c = rt_mat_block(v)->cols;
    } else if (v->dt == DT_FRAME) {
        *r = rt_frame_block(v)->rows;
        *c = rt_frame_block(v)->cols;
    } else if (v->dt == DT_LIST) {
        *r = v->u.l->n;
        *c = 1;
    } else {
        *r = *c = 1;
    }
}

static tsr_status dim_builtin(RtCtx *ctx, RtArgs *a, Value *out, const char *fn, int which)
{
    int64_t r, c;
    if (want1(ctx, a, fn))
        return TSR_RUNTIME;
    dims_of(arg1(a), &r, &c);
    *out = rt_int(which == 0 ? r : which == 1 ? c : r * c);
    return TSR_OK;
}

tsr_status bi_nrow(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return dim_builtin(ctx, a, out, "nrow", 0);
}

tsr_status bi_ncol(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return dim_builtin(ctx, a, out, "ncol", 1);
}

tsr_status bi_length(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return dim_builtin(ctx, a, out, "length", 2);
}

/* ---- as.scalar, as.matrix, as.list ------------------------------------------------- */

static tsr_status to_scalar(RtCtx *ctx, const Value *v, Value *out)
{
    if (v->dt == DT_SCALAR) {
        *out = rt_copy(v);
        return TSR_OK;
    }
    if (v->dt == DT_LIST) {
        if (v->u.l->n != 1)
            return bi_err(ctx, "as.scalar() expects a list of length 1, but found a list of "
                          "length %d", v->u.l->n);
        return to_scalar(ctx, &v->u.l->items[0], out);
    }
    if (v->dt == DT_FRAME)
        return bi_frame_to_scalar(ctx, v, out);
    if (v->dt != DT_MATRIX)
        return bi_err(ctx, "as.scalar() cannot cast a %s to a scalar", rt_dt_name(v->dt));
    const MatBlock *m = rt_mat_block(v);
    if (m->rows != 1 || m->cols != 1)
        return bi_err(ctx, "dimension mismatch while casting matrix to scalar: dim1: %lld "
                      "dim2 %lld", (long long)m->rows, (long long)m->cols);
    *out = rt_dbl(mb_get(m, 0, 0));
    return TSR_OK;
}

tsr_status bi_as_scalar(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    if (want1(ctx, a, "as.scalar"))
        return TSR_RUNTIME;
    return to_scalar(ctx, arg1(a), out);
}

static tsr_status scalar_to_1x1(RtCtx *ctx, const Value *v, Value *out)
{
    if (!bi_is_num(v))
        return bi_err(ctx, "as.matrix() cannot cast a %s %s to a matrix", rt_dt_name(v->dt),
                      v->dt == DT_SCALAR ? rt_vt_name(v->vt) : "");
    MatBlock *m = mb_scalar(rt_as_double(v), &ctx->err);
    return m ? bi_ret_block(TSR_OK, &m, out) : ctx->err.code;
}

/* as.matrix(list): one element -> that matrix (scalar -> 1x1); several
 * elements -> column vector of scalars (SystemDS CastAsMatrix). */
static tsr_status list_to_matrix(RtCtx *ctx, const RtList *l, Value *out)
{
    if (l->n == 1 && l->items[0].dt == DT_MATRIX) {
        *out = rt_copy(&l->items[0]);
        return TSR_OK;
    }
    if (l->n == 1)
        return scalar_to_1x1(ctx, &l->items[0], out);
    for (int i = 0; i < l->n; i++)
        if (!bi_is_num(&l->items[i]))
            return bi_err(ctx, "as.matrix over multi-entry list only allows scalars.");
    MatBlock *m = mb_new(l->n, 1, &ctx->err);
    if (!m)
        return ctx->err.code;
    for (int i = 0; i < l->n; i++)
        mb_set(m, i, 0, rt_as_double(&l->items[i]));
    return bi_ret_block(TSR_OK, &m, out);
}

tsr_status bi_as_matrix(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    if (want1(ctx, a, "as.matrix"))
        return TSR_RUNTIME;
    const Value *v = arg1(a);
    if (v->dt == DT_MATRIX) {
        *out = rt_copy(v);
        return TSR_OK;
    }
    if (v->dt == DT_LIST)
        return list_to_matrix(ctx, v->u.l, out);
    if (v->dt == DT_FRAME) {
        MatBlock *m = NULL;
        return bi_ret_block(fr_to_matrix(rt_frame_block(v), &m, &ctx->err), &m, out);
    }
    return scalar_to_1x1(ctx, v, out);
}

tsr_status bi_as_list(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    if (want1(ctx, a, "as.list"))
        return TSR_RUNTIME;
    const Value *v = arg1(a);
    if (v->dt == DT_LIST) {
        const RtList *l = v->u.l;
        *out = l->n == 1 && l->items[0].dt == DT_LIST ? rt_copy(&l->items[0]) : rt_copy(v);
        return TSR_OK;
    }
    *out = rt_list_new(0);
    rt_list_append(out, rt_copy(v), NULL);
    return TSR_OK;
}

/* ---- as.double, as.integer, as.logical ---------------------------------------------- */

/* The scalar operand of a cast: scalars, 1x1 matrices, 1-element lists. */
static tsr_status cast_operand(RtCtx *ctx, const RtArgs *a, const char *fn, Value *s)
{
    if (want1(ctx, a, fn))
        return TSR_RUNTIME;
    if (to_scalar(ctx, arg1(a), s) != TSR_OK)
        return TSR_RUNTIME;
    return TSR_OK;
}

/* Scalar cast; strings must parse as numbers except for as.logical
 * (TRUE iff "TRUE"/"true", DML.md 3.6). */
static tsr_status cast_to(RtCtx *ctx, const RtArgs *a, const char *fn, ValueType vt, Value *out)
{
    Value s;
    double d;
    if (cast_operand(ctx, a, fn, &s))
        return TSR_RUNTIME;
    if (vt != VT_BOOL && s.vt == VT_STRING && nf_parse_double(s.u.s, &d) != 0) {
        bi_err(ctx, "%s(): cannot convert string '%s'", fn, s.u.s);
        rt_release(&s);
        return TSR_RUNTIME;
    }
    if (vt == VT_FP64)
        *out = rt_dbl(rt_as_double(&s));
    else if (vt == VT_INT64)
        *out = rt_int(rt_as_int(&s));
    else
        *out = rt_bool(rt_as_bool(&s));
    rt_release(&s);
    return TSR_OK;
}

tsr_status bi_as_double(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return cast_to(ctx, a, "as.double", VT_FP64, out);
}

tsr_status bi_as_integer(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return cast_to(ctx, a, "as.integer", VT_INT64, out);
}

tsr_status bi_as_logical(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return cast_to(ctx, a, "as.logical", VT_BOOL, out);
}

/* ---- list() ---------------------------------------------------------------------------- */

tsr_status bi_list(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    if (a->npos > 0 && a->nnamed > 0)
        return bi_err(ctx, "list(): all entries must be named or all unnamed, "
                      "named and unnamed entries cannot be mixed");
    *out = rt_list_new(a->nnamed > 0);
    for (int i = 0; i < a->npos; i++)
        rt_list_append(out, rt_copy(&a->pos[i]), NULL);
    for (int i = 0; i < a->nnamed; i++)
        rt_list_append(out, rt_copy(&a->named[i]), a->names[i]);
    return TSR_OK;
}

/* ---- cbind/append/rbind ------------------------------------------------------------------ */

/* append(L, x, ...): each further argument becomes one element; a
 * 1-element list argument is unwrapped and keeps its name. */
static tsr_status list_append_args(RtCtx *ctx, const RtArgs *a, Value *out)
{
    Value res = rt_copy(&a->pos[0]);
    for (int i = 1; i < a->npos; i++) {
        const Value *x = &a->pos[i];
        const char *name = NULL;
        if (x->dt == DT_LIST && x->u.l->n == 1) {
            name = x->u.l->names ? x->u.l->names[0] : NULL;
            x = &x->u.l->items[0];
        }
        if (res.u.l->names && !name) {
            rt_release(&res);
            return bi_err(ctx, "Cannot add to a named list");
        }
        rt_list_append(&res, rt_copy(x), name);
    }
    *out = res;
    return TSR_OK;
}

static tsr_status bind_blocks(RtCtx *ctx, const MatBlock *const *in, int n, int rows,
                              Value *out)
{
    MatBlock *res = NULL;
    tsr_status st = rows ? kn_rbind(&ctx->par, in, n, &res, &ctx->err)
                           : kn_cbind(&ctx->par, in, n, &res, &ctx->err);
    return bi_ret_block(st, &res, out);
}

/* cbind(L)/rbind(L): concatenate all matrix elements of one list. */
static tsr_status bind_list_elems(RtCtx *ctx, const RtList *l, int rows, Value *out)
{
    const char *fn = rows ? "rbind" : "cbind";
    if (l->n == 0)
        return bi_err(ctx, "%s() of an empty list", fn);
    if (l->items[0].dt == DT_FRAME) {
        const Value **fv = xcalloc((size_t)l->n, sizeof *fv);
        for (int i = 0; i < l->n; i++)
            fv[i] = &l->items[i];
        tsr_status st = bi_frame_bind(ctx, fv, l->n, rows, out);
        free(fv);
        return st;
    }
    const MatBlock **in = xcalloc((size_t)l->n, sizeof *in);
    for (int i = 0; i < l->n; i++) {
        if (l->items[i].dt != DT_MATRIX) {
            free(in);
            return bi_err(ctx, "%s() of a list requires matrix elements, element %d is a %s",
                          fn, i + 1, rt_dt_name(l->items[i].dt));
        }
        in[i] = rt_mat_block(&l->items[i]);
    }
    tsr_status st = bind_blocks(ctx, in, l->n, rows, out);
    free(in);
    return st;
}

static tsr_status bind_matrices(RtCtx *ctx, const RtArgs *a, int rows, Value *out)
{
    const char *fn = rows ? "rbind" : "cbind";
    BiMat *m = xcalloc((size_t)a->npos, sizeof *m);
    const MatBlock **in = xcalloc((size_t)a->npos, sizeof *in);
    tsr_status st = TSR_OK;
    int k = 0;
    for (; k < a->npos && st == TSR_OK; k++) {
        st = bi_mat(ctx, fn, "input", &a->pos[k], &m[k]);
        in[k] = m[k].b;
    }
    if (st == TSR_OK)
        st = bind_blocks(ctx, in, a->npos, rows, out);
    for (int i = 0; i < k; i++)
        bi_mat_done(&m[i]);
    free(m);
    free(in);
    return st;
}

static int all_strings(const RtArgs *a)
{
    for (int i = 0; i < a->npos; i++)
        if (a->pos[i].dt != DT_SCALAR || a->pos[i].vt != VT_STRING)
            return 0;
    return 1;
}

static tsr_status join_strings(const RtArgs *a, Value *out)
{
    StrBuf s;
    sb_init(&s);
    for (int i = 0; i < a->npos; i++) {
        if (i)
            sb_putc(&s, '\n');
        sb_puts(&s, a->pos[i].u.s);
    }
    *out = s.s ? rt_str_take(sb_take(&s)) : rt_str("");
    return TSR_OK;
}

static tsr_status bind_common(RtCtx *ctx, RtArgs *a, int rows, Value *out)
{
    const char *fn = rows ? "rbind" : "cbind";
    if (a->nnamed > 0)
        return bi_err(ctx, "%s() does not accept named parameters (%s)", fn, a->names[0]);
    if (a->npos == 0)
        return bi_err(ctx, "%s() requires at least one argument", fn);
    if (a->pos[0].dt == DT_LIST)
        return a->npos == 1 ? bind_list_elems(ctx, a->pos[0].u.l, rows, out)
                            : list_append_args(ctx, a, out);
    if (a->npos >= 2 && all_strings(a))
        return join_strings(a, out);
    for (int k = 0; k < a->npos; k++)
        if (a->pos[k].dt == DT_FRAME) {
            const Value **fv = xcalloc((size_t)a->npos, sizeof *fv);
            for (int i = 0; i < a->npos; i++)
                fv[i] = &a->pos[i];
            tsr_status st = bi_frame_bind(ctx, fv, a->npos, rows, out);
            free(fv);
            return st;
        }
    return bind_matrices(ctx, a, rows, out);
}

tsr_status bi_cbind(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return bind_common(ctx, a, 0, out);
}

tsr_status bi_rbind(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return bind_common(ctx, a, 1, out);
}

/* ---- remove ------------------------------------------------------------------------------ */

/* Position (0-based) of the element that remove(L, i) designates. */
static tsr_status remove_pos(RtCtx *ctx, const RtList *l, const Value *i, int *pos)
{
    if (i->dt == DT_SCALAR && i->vt == VT_STRING) {
        for (int k = 0; l->names && k < l->n; k++)
            if (strcmp(l->names[k], i->u.s) == 0) {
                *pos = k;
                return TSR_OK;
            }
        return bi_err(ctx, "List indexing returned no entry for name='%s'", i->u.s);
    }
    if (!bi_is_num(i))
        return bi_err(ctx, "remove(): the position must be a scalar");
    int64_t p = rt_as_int(i);
    if (p < 1 || p > l->n)
        return bi_err(ctx, "remove(): position %lld out of range for a list of length %d",
                      (long long)p, l->n);
    *pos = (int)(p - 1);
    return TSR_OK;
}

tsr_status bi_remove(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    int pos = -1;
    if (a->npos != 2 || a->nnamed)
        return bi_err(ctx, "remove() expects 2 positional arguments: list and position");
    if (a->pos[0].dt != DT_LIST)
        return bi_err(ctx, "remove() expects a list as first argument, found a %s",
                      rt_dt_name(a->pos[0].dt));
    const RtList *l = a->pos[0].u.l;
    if (remove_pos(ctx, l, &a->pos[1], &pos))
        return TSR_RUNTIME;
    Value rest = rt_list_new(l->names != NULL), elem = rt_list_new(l->names != NULL);
    for (int k = 0; k < l->n; k++)
        rt_list_append(k == pos ? &elem : &rest, rt_copy(&l->items[k]),
                       l->names ? l->names[k] : NULL);
    out[0] = rest;
    if (nout >= 2)
        out[1] = elem;
    else
        rt_release(&elem);
    return TSR_OK;
}
