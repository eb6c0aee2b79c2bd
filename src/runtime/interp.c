/*
 * interp.c - executes validated statements and evaluates expressions over
 * the symbol table (DML.md 4): assignments, += , left indexing of matrices,
 * frames and lists, multi-assignment, call statements, if/while/for (parfor:
 * parfor.c), right indexing, operators.
 *
 * Calls are in call.c and every operation is routed through the dispatch
 * layer (dispatch.c).  Errors: the first failing expression or statement
 * attaches its span (rt_fail_at); outer levels keep it.  No exception-style
 * jumps: every function returns a status and releases what it owns.
 */
#include "runtime/rt_int.h"
#include "runtime/rt_inplace.h"

#include <stdlib.h>
#include <string.h>

/* ---- errors ------------------------------------------------------------------- */

tsr_status rt_fail_at(Interp *in, Span sp)
{
    Err *e = &in->ctx.err;
    if (e->code == TSR_OK) e->code = TSR_RUNTIME;
    if (e->span.line == 0) e->span = sp;
    return e->code;
}

tsr_status rt_fail(Interp *in, Span sp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(&in->ctx.err, TSR_RUNTIME, fmt, ap);
    va_end(ap);
    in->ctx.err.span = sp;
    return TSR_RUNTIME;
}

static Value empty_value(void)
{
    Value v;
    memset(&v, 0, sizeof v);
    return v;
}

/* ---- expression helpers ------------------------------------------------------- */

/* Evaluates e, borrowing variables instead of copying them: *res points into
 * the scope or at *tmp.  The caller releases *tmp (empty when borrowed).
 * Borrowed cells stay valid while the expression is evaluated, because
 * callees run in their own scopes. */
static tsr_status eval_ref(Interp *in, const Expr *e, Value *tmp, const Value **res)
{
    *tmp = empty_value();
    if (e->kind == EX_ID) {
        const Value *v = rt_env_get(in->env, e->u.name);
        if (!v) return rt_fail(in, e->span, "Undefined Variable (%s) used in statement", e->u.name);
        *res = v;
        return TSR_OK;
    }
    *res = tmp;
    return rt_eval(in, e, tmp);
}

/* A scalar index or bound value (3.2 conversion); a 1x1 matrix is accepted
 * like as.scalar. */
static tsr_status value_to_int(Interp *in, const Value *v, Span sp, int64_t *out)
{
    const MatBlock *m = rt_mat_block(v);
    *out = 0;
    if (v->dt == DT_SCALAR) {
        *out = rt_as_int(v);
    } else if (m && m->rows * m->cols == 1) {
        Value d = rt_dbl(mb_get(m, 0, 0));
        *out = rt_as_int(&d);
    } else {
        return rt_fail(in, sp, "Invalid index or bound: expected a scalar but found a %s",
                    rt_dt_name(v->dt));
    }
    return TSR_OK;
}

static tsr_status eval_int(Interp *in, const Expr *e, int64_t *out)
{
    Value tmp;
    const Value *v;
    *out = 0;
    tsr_status st = eval_ref(in, e, &tmp, &v);
    if (!st) st = value_to_int(in, v, e->span, out);
    rt_release(&tmp);
    return st;
}

/* Bounds of one index dimension of extent dim. */
static tsr_status eval_dim(Interp *in, const IndexDim *d, int64_t dim, int64_t *lo,
                           int64_t *hi)
{
    tsr_status st;
    switch (d->kind) {
    case IDX_ALL:
        *lo = 1;
        *hi = dim;
        return TSR_OK;
    case IDX_SINGLE:
        st = eval_int(in, d->lo, lo);
        *hi = *lo;
        return st;
    default:
        st = eval_int(in, d->lo, lo);
        return st ? st : eval_int(in, d->hi, hi);
    }
}

/* Bounds of X[row, col] for a matrix or frame value x. */
static tsr_status eval_bounds(Interp *in, const IndexDim *row, const IndexDim *col,
                              const Value *x, IdxBounds *ix)
{
    const MatBlock *m = rt_mat_block(x);
    const FrameBlock *f = rt_frame_block(x);
    int64_t rows = m ? m->rows : f ? f->rows : 0, cols = m ? m->cols : f ? f->cols : 0;
    tsr_status st = eval_dim(in, row, rows, &ix->rl, &ix->ru);
    return st ? st : eval_dim(in, col, cols, &ix->cl, &ix->cu);
}

/* ---- lists ---------------------------------------------------------------------- */

/* Position of element `name` (DML.md 4.2 errors). */
static tsr_status list_find_name(Interp *in, const RtList *l, const char *name, Span sp,
                                 int64_t *pos)
{
    if (!l->names) return rt_fail(in, sp, "Invalid indexing by name in unnamed list: %s.", name);
    for (int k = 0; k < l->n; k++)
        if (strcmp(l->names[k], name) == 0) {
            *pos = k;
            return TSR_OK;
        }
    return rt_fail(in, sp, "List indexing returned no entry for name='%s'", name);
}

/* Resolves a list index dimension to 0-based [*lo, *hi]; by name when the
 * index value is a string (DML.md 4.2). */
static tsr_status list_range(Interp *in, const RtList *l, const IndexDim *d, Span sp,
                             int64_t *lo, int64_t *hi)
{
    if (d->kind == IDX_ALL) {
        *lo = 0;
        *hi = l->n - 1;
        return TSR_OK;
    }
    Value tmp;
    const Value *v;
    *lo = *hi = 0;
    tsr_status st = eval_ref(in, d->lo, &tmp, &v);
    if (st) return st;
    int by_name = d->kind == IDX_SINGLE && v->dt == DT_SCALAR && v->vt == VT_STRING;
    if (by_name)
        st = list_find_name(in, l, v->u.s, sp, lo);   /* 0-based */
    else
        st = value_to_int(in, v, d->lo->span, lo);
    rt_release(&tmp);
    *hi = *lo;
    if (st || by_name) return st;
    if (d->kind == IDX_RANGE && (st = eval_int(in, d->hi, hi))) return st;
    if (*lo < 1 || *hi > l->n || *lo > *hi)
        return rt_fail(in, sp, "Invalid list index range [%lld:%lld] for a list of length %d",
                    (long long)*lo, (long long)*hi, l->n);
    (*lo)--;
    (*hi)--;
    return TSR_OK;
}

static tsr_status list_rindex(Interp *in, const Expr *e, const Value *x, Value *out)
{
    const RtList *l = x->u.l;
    int64_t lo, hi;
    tsr_status st = list_range(in, l, &e->u.index.row, e->span, &lo, &hi);
    if (st) return st;
    int64_t t0 = rt_stats_t0(in);
    *out = rt_list_new(l->names != NULL);
    for (int64_t k = lo; k <= hi; k++)
        rt_list_append(out, rt_copy(&l->items[k]), l->names ? l->names[k] : NULL);
    rt_stats_end(in, "rightIndex", t0);
    return TSR_OK;
}

/* L[i] = v, L["k"] = v, L[a:b] = list(...): replaces existing elements. */
static tsr_status list_lindex(Interp *in, const Stmt *s, Value *target, const Value *rhs)
{
    int64_t lo, hi;
    tsr_status st = list_range(in, target->u.l, &s->u.assign.row, s->span, &lo, &hi);
    if (st) return st;
    int64_t t0 = rt_stats_t0(in);
    if (rhs->dt == DT_LIST && rhs->u.l->n != hi - lo + 1) {
        rt_stats_end(in, "leftIndex", t0);
        return rt_fail(in, s->span, "Invalid list left indexing: %lld elements cannot be "
                    "assigned from a list of length %d", (long long)(hi - lo + 1), rhs->u.l->n);
    }
    if (rhs->dt != DT_LIST && hi != lo) {
        rt_stats_end(in, "leftIndex", t0);
        return rt_fail(in, s->span, "Invalid list left indexing: a range of %lld elements needs "
                    "a list right-hand side", (long long)(hi - lo + 1));
    }
    RtList *l = rt_list_mutable(target);
    for (int64_t k = lo; k <= hi; k++) {
        Value nv = rt_copy(rhs->dt == DT_LIST ? &rhs->u.l->items[k - lo] : rhs);
        rt_release(&l->items[k]);
        l->items[k] = nv;
    }
    rt_stats_end(in, "leftIndex", t0);
    return TSR_OK;
}

/* ---- expressions ------------------------------------------------------------------ */

static tsr_status eval_index(Interp *in, const Expr *e, Value *out)
{
    Value tmp;
    const Value *x;
    tsr_status st = eval_ref(in, e->u.index.target, &tmp, &x);
    if (st) return st;
    if (x->dt == DT_MATRIX || x->dt == DT_FRAME) {   /* the result has x's data type */
        IdxBounds ix;
        st = eval_bounds(in, &e->u.index.row, &e->u.index.col, x, &ix);
        if (!st) st = rt_op_rindex(in, x, &ix, out);
    } else if (x->dt == DT_LIST) {
        st = list_rindex(in, e, x, out);
    } else {
        st = rt_fail(in, e->span, "Invalid right indexing of a %s value", rt_dt_name(x->dt));
    }
    rt_release(&tmp);
    return st ? rt_fail_at(in, e->span) : TSR_OK;
}

static tsr_status eval_binary(Interp *in, const Expr *e, Value *out)
{
    Value ta, tb;
    const Value *a, *b;
    int fused = 0;
    if (e->u.bin.op == BOP_MATMUL) {   /* t(X) %*% X, t(X) %*% (X %*% v), ... (interp_mm.c) */
        tsr_status fst = rt_eval_matmul(in, e, out, &fused);
        if (fused) return fst;
    }
    tsr_status st = eval_ref(in, e->u.bin.l, &ta, &a);
    if (st) return st;
    st = eval_ref(in, e->u.bin.r, &tb, &b);
    /* A dead temporary operand takes the result (inplace.c); else the op. */
    if (!st && !rt_binary_temp_inplace(in, e->u.bin.op, &ta, a, &tb, b, out)) {
        st = rt_op_binary(in, e->u.bin.op, a, b, out);
        if (st) rt_fail_at(in, e->span);
    }
    rt_release(&ta);
    rt_release(&tb);
    return st;
}

static tsr_status eval_unary(Interp *in, const Expr *e, Value *out)
{
    Value ta;
    const Value *a;
    tsr_status st = eval_ref(in, e->u.un.e, &ta, &a);
    if (st) return st;
    st = rt_op_unary(in, e->u.un.op, a, out);
    if (st) rt_fail_at(in, e->span);
    rt_release(&ta);
    return st;
}

/* [e1, e2, ...] (shape arguments of the DNN builtins): an unnamed list. */
static tsr_status eval_bracket_list(Interp *in, const Expr *e, Value *out)
{
    *out = rt_list_new(0);
    for (int k = 0; k < e->u.list.n; k++) {
        Value v;
        tsr_status st = rt_eval(in, e->u.list.items[k], &v);
        if (st) {
            rt_release(out);
            return st;
        }
        rt_list_append(out, v, NULL);
    }
    return TSR_OK;
}

static tsr_status eval_call_value(Interp *in, const Expr *e, Value *out)
{
    Span none = {NULL, 0, 0};
    tsr_status st = rt_eval_call(in, e, none, out, 1);
    if (st == TSR_OK && out->dt == DT_UNKNOWN)
        return rt_fail(in, e->span, "Function '%s' does not return a value", e->u.call.name);
    return st;
}

/* The flat expression dispatch: one case per node kind. */
tsr_status rt_eval(Interp *in, const Expr *e, Value *out)
{
    const Value *v;
    switch (e->kind) {
    case EX_INT: /* literals */
        *out = rt_int(e->u.ival);
        return TSR_OK;
    case EX_DBL:
        *out = rt_dbl(e->u.dval);
        return TSR_OK;
    case EX_BOOL:
        *out = rt_bool(e->u.bval);
        return TSR_OK;
    case EX_STR:
        *out = rt_str_take(xstrndup(e->u.str.s, e->u.str.len));
        return TSR_OK;
    case EX_ID: /* variable read: a new reference */
        v = rt_env_get(in->env, e->u.name);
        if (!v) return rt_fail(in, e->span, "Undefined Variable (%s) used in statement", e->u.name);
        *out = rt_copy(v);
        return TSR_OK;
    case EX_BINARY:
        return eval_binary(in, e, out);
    case EX_UNARY:
        return eval_unary(in, e, out);
    case EX_CALL: /* builtins, user functions, DML-bodied builtins */
        return eval_call_value(in, e, out);
    case EX_INDEX: /* right indexing of matrices and lists */
        return eval_index(in, e, out);
    case EX_LIST:
        return eval_bracket_list(in, e, out);
    }
    return rt_fail(in, e->span, "internal error: unknown expression kind %d", (int)e->kind);
}

/* ---- assignments ---------------------------------------------------------------- */

/* Matrix left indexing, including the accumulator form X[i,j] += v. */
static tsr_status matrix_lindex(Interp *in, const Stmt *s, Value *target, Value *rhs)
{
    IdxBounds ix;
    tsr_status st = eval_bounds(in, &s->u.assign.row, &s->u.assign.col, target, &ix);
    if (st) return st;
    if (s->u.assign.accumulate) {
        Value cur, sum;
        st = rt_op_rindex(in, target, &ix, &cur);
        if (st) return st;
        st = rt_op_binary(in, BOP_ADD, &cur, rhs, &sum);
        rt_release(&cur);
        if (st) return st;
        rt_release(rhs);
        *rhs = sum;
    }
    return rt_op_lindex(in, target, &ix, rhs);
}

/* Frame left indexing F[a:b, c:d] = G (or a scalar into one cell). */
static tsr_status frame_lindex(Interp *in, const Stmt *s, Value *target, const Value *rhs)
{
    IdxBounds ix;
    if (s->u.assign.accumulate)
        return rt_fail(in, s->span, "Invalid accumulator left indexing of frame %s",
                    s->u.assign.target);
    tsr_status st = eval_bounds(in, &s->u.assign.row, &s->u.assign.col, target, &ix);
    return st ? st : rt_op_lindex(in, target, &ix, rhs);
}

static tsr_status exec_lindex(Interp *in, const Stmt *s)
{
    const char *name = s->u.assign.target;
    Value rhs;
    tsr_status st = rt_eval(in, s->u.assign.value, &rhs);
    if (st) return st;
    Value *t = rt_env_get(in->env, name);
    if (!t)
        st = rt_fail(in, s->span, "cannot assign value to indexed identifier %s without first "
                  "initializing %s", name, name);
    else if (t->dt == DT_MATRIX)
        st = matrix_lindex(in, s, t, &rhs);
    else if (t->dt == DT_FRAME)
        st = frame_lindex(in, s, t, &rhs);
    else if (t->dt == DT_LIST)
        st = list_lindex(in, s, t, &rhs);
    else
        st = rt_fail(in, s->span, "Invalid left indexing of %s: it is a %s", name,
                  rt_dt_name(t->dt));
    rt_release(&rhs);
    return st ? rt_fail_at(in, s->span) : TSR_OK;
}

static tsr_status exec_assign(Interp *in, const Stmt *s)
{
    if (s->u.assign.indexed) return exec_lindex(in, s);
    const char *name = s->u.assign.target;
    int done = 0;
    tsr_status st = rt_assign_inplace(in, s, &done);   /* X = X * 2 + 1: into X's block */
    if (done) return st;
    Value v;
    st = s->u.assign.value->kind == EX_CALL ? rt_eval_call(in, s->u.assign.value, s->end, &v, 1)
                                            : rt_eval(in, s->u.assign.value, &v);
    if (st) return st;
    if (s->u.assign.accumulate) {
        const Value *cur = rt_env_get(in->env, name);
        Value sum;
        if (!cur) {
            rt_release(&v);
            return rt_fail(in, s->span,
                        "Invalid accumulator assignment to non-existing variable %s.", name);
        }
        if (rt_accumulate_inplace(in, name, &v)) {   /* X += G: into X's block */
            rt_release(&v);
            return TSR_OK;
        }
        st = rt_op_binary(in, BOP_ADD, cur, &v, &sum);
        rt_release(&v);
        if (st) return rt_fail_at(in, s->span);
        v = sum;
    }
    if (v.dt != DT_UNKNOWN) rt_env_set(in->env, name, v);   /* procedure: nothing */
    return TSR_OK;
}

static tsr_status exec_massign(Interp *in, const Stmt *s)
{
    int n = s->u.massign.ntargets;
    Value *outs = xcalloc((size_t)n, sizeof *outs);
    tsr_status st = rt_eval_call(in, s->u.massign.call, s->end, outs, n);
    for (int k = 0; k < n; k++) {
        if (st == TSR_OK && outs[k].dt != DT_UNKNOWN)
            rt_env_set(in->env, s->u.massign.targets[k], outs[k]);
        else
            rt_release(&outs[k]);
    }
    free(outs);
    return st;
}

/* ---- control flow ----------------------------------------------------------------- */

/* A predicate of if/while (DML.md 4.6): a boolean or numeric scalar. */
static tsr_status eval_pred(Interp *in, const Expr *e, int *res)
{
    Value tmp;
    const Value *v;
    tsr_status st = eval_ref(in, e, &tmp, &v);
    if (st) return st;
    if (v->dt == DT_SCALAR && v->vt == VT_STRING)
        st = rt_fail(in, e->span, "String value '%s' is not allowed for iterable predicate", v->u.s);
    else if (v->dt != DT_SCALAR)
        st = rt_fail(in, e->span, "Predicate must be a boolean or numeric scalar, but is a %s "
                  "(use as.scalar())", rt_dt_name(v->dt));
    else
        *res = rt_as_bool(v);
    rt_release(&tmp);
    return st;
}

static tsr_status exec_if(Interp *in, const Stmt *s)
{
    int c = 0;
    tsr_status st = eval_pred(in, s->u.ifs.pred, &c);
    if (st) return st;
    return rt_exec_block(in, c ? &s->u.ifs.then_b : &s->u.ifs.else_b);
}

static tsr_status exec_while(Interp *in, const Stmt *s)
{
    for (;;) {
        int c = 0;
        tsr_status st = eval_pred(in, s->u.whiles.pred, &c);
        if (st || !c) return st;
        st = rt_exec_block(in, &s->u.whiles.body);
        if (st) return st;
    }
}

/* Iteration space of for/parfor (DML.md 4.8): values from, from+incr, ...
 * (n of them).  Bounds are evaluated once. */
typedef struct Range {
    int64_t from, incr, n;
} Range;

/* A zero increment would loop forever: an error at the loop (SystemDS's
 * text), naming the value when the 3.2 conversion made it 0 (0.5 -> 0). */
static tsr_status zero_incr(Interp *in, const Stmt *s, const Value *v)
{
    const MatBlock *m = rt_mat_block(v);
    Value num = m ? rt_dbl(mb_get(m, 0, 0)) : rt_copy(v);
    tsr_status st;
    if (num.vt == VT_STRING || rt_as_double(&num) != 0.0) {
        StrBuf txt;
        sb_init(&txt);
        rt_scalar_to_string(&num, &txt);
        st = rt_fail(in, s->span, "for loop increment must not be 0 (after conversion to an "
                  "integer: %s)", txt.s ? txt.s : "");
        sb_free(&txt);
    } else {
        st = rt_fail(in, s->span, "Expression for increment of variable '%s' must evaluate to a "
                  "non-zero value.", s->u.fors.var);
    }
    rt_release(&num);
    return st;
}

/* The explicit increment, converted like the bounds; never 0. */
static tsr_status eval_incr(Interp *in, const Stmt *s, int64_t *incr)
{
    Value tmp;
    const Value *v;
    const Expr *e = s->u.fors.incr;
    tsr_status st = eval_ref(in, e, &tmp, &v);
    if (!st) st = value_to_int(in, v, e->span, incr);
    if (!st && *incr == 0) st = zero_incr(in, s, v);
    rt_release(&tmp);
    return st;
}

static tsr_status eval_range(Interp *in, const Stmt *s, Range *r)
{
    int64_t to;
    tsr_status st = eval_int(in, s->u.fors.from, &r->from);
    if (!st) st = eval_int(in, s->u.fors.to, &to);
    if (!st && s->u.fors.incr) st = eval_incr(in, s, &r->incr);
    if (st) return st;
    if (!s->u.fors.incr) r->incr = r->from <= to ? 1 : -1;
    uint64_t span;
    if (r->incr > 0 && r->from <= to)
        span = (uint64_t)to - (uint64_t)r->from;
    else if (r->incr < 0 && r->from >= to)
        span = (uint64_t)r->from - (uint64_t)to;
    else {
        r->n = 0;    /* wrong sign: no iterations */
        return TSR_OK;
    }
    uint64_t step = r->incr > 0 ? (uint64_t)r->incr : (uint64_t)0 - (uint64_t)r->incr;
    uint64_t q = span / step;
    r->n = q >= (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)q + 1;
    return TSR_OK;
}

/* An existing loop variable must be an integer scalar. */
static tsr_status check_loop_var(Interp *in, const Stmt *s)
{
    const Value *v = rt_env_get(in->env, s->u.fors.var);
    if (v && !(v->dt == DT_SCALAR && v->vt == VT_INT64))
        return rt_fail(in, s->span, "iterable predicate in for loop '%s' must be a scalar integer",
                    s->u.fors.var);
    return TSR_OK;
}

static tsr_status run_iterations(Interp *in, const Stmt *s, const Range *r)
{
    for (int64_t k = 0; k < r->n; k++) {
        int64_t i = (int64_t)((uint64_t)r->from + (uint64_t)k * (uint64_t)r->incr);
        rt_env_set(in->env, s->u.fors.var, rt_int(i));
        tsr_status st = rt_exec_block(in, &s->u.fors.body);
        if (st) return st;
    }
    return TSR_OK;
}

static tsr_status exec_for(Interp *in, const Stmt *s)
{
    Range r;
    tsr_status st = eval_range(in, s, &r);
    if (!st) st = check_loop_var(in, s);
    return st ? rt_fail_at(in, s->span) : run_iterations(in, s, &r);
}

tsr_status rt_for_range(Interp *in, const Stmt *s, int64_t *from, int64_t *incr, int64_t *n)
{
    Range r;
    tsr_status st = eval_range(in, s, &r);
    if (!st) st = check_loop_var(in, s);
    *from = r.from;
    *incr = r.incr;
    *n = st ? 0 : r.n;
    return st;
}

/* ---- statements -------------------------------------------------------------------- */

static tsr_status exec_call_stmt(Interp *in, const Stmt *s)
{
    return rt_eval_call(in, s->u.expr.call, s->end, NULL, 0);
}

/* The flat statement dispatch: one case per statement kind. */
static tsr_status exec_stmt(Interp *in, const Stmt *s)
{
    switch (s->kind) {
    case ST_ASSIGN: /* x = e, x += e, X[i,j] = e, L[i] = e */
        return exec_assign(in, s);
    case ST_MULTIASSIGN: /* [a, b] = f(...) */
        return exec_massign(in, s);
    case ST_EXPR: /* call statement; outputs discarded */
        return exec_call_stmt(in, s);
    case ST_IF:
        return exec_if(in, s);
    case ST_WHILE:
        return exec_while(in, s);
    case ST_FOR: /* for and parfor */
        return s->u.fors.is_parfor ? rt_exec_parfor(in, s) : exec_for(in, s);
    case ST_SOURCE: /* resolved by the loader */
    case ST_SETWD:
        return TSR_OK;
    }
    return rt_fail(in, s->span, "internal error: unknown statement kind %d", (int)s->kind);
}

/* Runs of plain assignments go through the compiler (interp_plan.c); the
 * other statements are interpreted here. */
tsr_status rt_exec_block(Interp *in, const StmtList *b)
{
    for (int k = 0; k < b->n; k++) {
        if (in->cp.level >= 0 && cp_stmt_compilable(b->items[k])) {
            int j = k + 1;
            while (j < b->n && cp_stmt_compilable(b->items[j])) j++;
            int ran = 0;
            tsr_status st = rt_exec_compiled(in, (const Stmt *const *)&b->items[k], j - k, &ran);
            if (st) return st;
            k += ran - 1;
            continue;
        }
        tsr_status st = exec_stmt(in, b->items[k]);
        if (st) return rt_fail_at(in, b->items[k]->span);
    }
    return TSR_OK;
}
