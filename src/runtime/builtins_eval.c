/*
 * builtins_eval.c - second-order and environment builtins: eval, evalList
 * (DML.md 5.10) and exists (7.2).
 *
 * Function lookup, argument binding and execution are the interpreter's
 * (rt_find_function, rt_call_function, rt_lookup_var in runtime.h); this
 * file only shapes the arguments (expanding a single list argument) and
 * the result (first output as a matrix, or a named list of all outputs).
 * These handlers must be called with the RtCtx of a running interpreter.
 */
#include "runtime/builtins_int.h"

#include <stdlib.h>
#include <string.h>

static Value no_value(void)
{
    Value v;
    memset(&v, 0, sizeof v);
    return v;
}

/* Data type that selects the m_/f_/s_ variant: that of the first argument
 * (a list counts as a matrix). */
static DataType first_dt(const RtArgs *a)
{
    const Value *v = a->npos > 1 ? &a->pos[1] : a->nnamed ? &a->named[0] : NULL;
    if (!v)
        return DT_SCALAR;
    return v->dt == DT_LIST ? DT_MATRIX : v->dt;
}

static int is_literal_scalar(const Expr *e)
{
    return e && (e->kind == EX_INT || e->kind == EX_DBL || e->kind == EX_BOOL ||
                 e->kind == EX_STR);
}

/* eval("f", L): whether L is expanded into the arguments (the callee does
 * not itself take exactly one list). */
static int expands_list(const RtArgs *a, const FuncDef *fn)
{
    if (a->npos != 2 || a->nnamed || a->pos[1].dt != DT_LIST)
        return 0;
    return !(fn->nparams == 1 && fn->params[0].type.dt == DT_LIST);
}

/* Positional expansion: parameters beyond the list need literal defaults. */
static tsr_status check_positional_defaults(RtCtx *ctx, const FuncDef *fn, int n)
{
    for (int k = n; k < fn->nparams; k++)
        if (!is_literal_scalar(fn->params[k].defval))
            return bi_err(ctx, "Unable to append positional scalar default for '%s'",
                          fn->params[k].name);
    return TSR_OK;
}

/* Builds the callee's arguments (borrowing values from a or from the list). */
static tsr_status build_args(RtCtx *ctx, const RtArgs *a, const FuncDef *fn, RtArgs *c)
{
    memset(c, 0, sizeof *c);
    c->span = a->span;
    if (!expands_list(a, fn)) {
        c->pos = a->pos + 1;
        c->npos = a->npos - 1;
        c->names = a->names;
        c->named = a->named;
        c->nnamed = a->nnamed;
        return TSR_OK;
    }
    const RtList *l = a->pos[1].u.l;
    if (l->names) {
        c->names = (const char **)l->names;
        c->named = l->items;
        c->nnamed = l->n;
        return TSR_OK;
    }
    c->pos = l->items;
    c->npos = l->n;
    return check_positional_defaults(ctx, fn, l->n);
}

static tsr_status resolve(RtCtx *ctx, const RtArgs *a, const char *fn_name, const FuncDef **fn,
                          RtArgs *c)
{
    if (a->npos < 1 || a->pos[0].dt != DT_SCALAR || a->pos[0].vt != VT_STRING)
        return bi_err(ctx, "%s(): the first argument must be the function name (a string)",
                      fn_name);
    *fn = rt_find_function(ctx, a->pos[0].u.s, first_dt(a));
    if (!*fn)
        return ctx->err.code ? ctx->err.code : TSR_RUNTIME;
    return build_args(ctx, a, *fn, c);
}

/* eval's result: the first output as a matrix (scalars become 1x1). */
static tsr_status as_matrix_result(RtCtx *ctx, Value *r, const char *name, Value *out)
{
    if (r->dt == DT_MATRIX || r->dt == DT_LIST) {
        *out = *r;
        return TSR_OK;
    }
    if (r->dt != DT_SCALAR || !bi_is_num(r)) {
        rt_release(r);
        return bi_err(ctx, "eval(): function %s returned no value convertible to a matrix",
                      name);
    }
    MatBlock *m = mb_scalar(rt_as_double(r), &ctx->err);
    rt_release(r);
    return m ? bi_ret_block(TSR_OK, &m, out) : ctx->err.code;
}

tsr_status bi_eval(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    const FuncDef *fn = NULL;
    RtArgs c;
    Value r = no_value();
    if (resolve(ctx, a, "eval", &fn, &c))
        return ctx->err.code ? ctx->err.code : TSR_RUNTIME;
    if (rt_call_function(ctx, fn, &c, &r, 1) != TSR_OK)
        return ctx->err.code ? ctx->err.code : TSR_RUNTIME;
    return as_matrix_result(ctx, &r, fn->name, out);
}

tsr_status bi_evallist(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    const FuncDef *fn = NULL;
    RtArgs c;
    if (resolve(ctx, a, "evalList", &fn, &c))
        return ctx->err.code ? ctx->err.code : TSR_RUNTIME;
    int n = fn->nouts;
    Value *r = xcalloc((size_t)n + 1, sizeof *r);
    tsr_status st = n > 0 ? rt_call_function(ctx, fn, &c, r, n) : TSR_OK;
    if (st == TSR_OK && n == 0)
        st = rt_call_function(ctx, fn, &c, r, 1);
    if (st == TSR_OK) {
        *out = rt_list_new(1);
        for (int k = 0; k < n; k++)
            rt_list_append(out, r[k], fn->outs[k].name);
    }
    free(r);
    return st == TSR_OK ? TSR_OK : ctx->err.code ? ctx->err.code : TSR_RUNTIME;
}

/* exists("x") looks the name up in the executing scope; any other argument
 * was evaluated successfully, so it exists. */
tsr_status bi_exists(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    if (bi_nargs(a) != 1)
        return bi_err(ctx, "exists() expects exactly 1 argument");
    const Value *v = a->npos ? &a->pos[0] : &a->named[0];
    if (v->dt == DT_SCALAR && v->vt == VT_STRING)
        *out = rt_bool(rt_lookup_var(ctx, v->u.s) != NULL);
    else
        *out = rt_bool(1);
    return TSR_OK;
}
