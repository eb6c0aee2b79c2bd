/*
 * interp_mm.c - matrix-product patterns of the interpreter: a %*% whose
 * operands involve the builtin transpose t() is executed as one fused
 * operation instead of materialising t(X) (SystemDS's rewrites to tsmm,
 * mmchain and transposed matmult):
 *
 *   t(X) %*% X, X %*% t(X)            same variable X    -> kn_tsmm ("tsmm")
 *   t(X) %*% (X %*% v)                same variable X    -> kn_mmchain ("mmchain")
 *   t(X) %*% (w * (X %*% v)), t(X) %*% ((X %*% v) * w)   -> kn_mmchain, w n x 1
 *   t(A) %*% B, A %*% t(B), t(A) %*% t(B)                -> kn_matmul_ex ("ba+*")
 *
 * A pattern applies only when the called t is the builtin (the validator
 * resolved it to the builtin: a user function named t shadows it and the
 * call stays a call).  The operands are evaluated once, in the order of the
 * unfused expression.  When the values do not fit the fused operation (not
 * matrices, shapes that do not fit mmchain), the unfused operations run on
 * the values already computed, so results and error messages/locations are
 * those of the plain evaluation.  Patterns keyed on "the same variable" look
 * the variable up first: an expression cannot reassign a caller's variable,
 * so both occurrences denote the same value.
 */
#include "runtime/rt_int.h"

#include <string.h>

/* mmchain with v of more columns than this runs unfused. */
#define MM_CHAIN_MAX_COLS 16

/* The argument of e when e is t(arg) with the builtin transpose, else NULL. */
static const Expr *t_arg(const Expr *e)
{
    if (e->kind != EX_CALL || e->u.call.builtin_id < 0 || e->u.call.nargs != 1 ||
        e->u.call.args[0].name)
        return NULL;
    const RtBuiltin *b = rt_builtin_by_id(e->u.call.builtin_id);
    return b && strcmp(b->name, "t") == 0 ? e->u.call.args[0].value : NULL;
}

static int same_var(const Expr *a, const Expr *b)
{
    return a && b && a->kind == EX_ID && b->kind == EX_ID && strcmp(a->u.name, b->u.name) == 0;
}

static int is_matrix(const Value *v)
{
    return v->dt == DT_MATRIX;
}

/* A new reference to the matrix variable named by e, or 0 when e is not a
 * defined matrix variable (then nothing is fused). */
static int matrix_var(Interp *in, const Expr *e, Value *out)
{
    const Value *v = rt_env_get(in->env, e->u.name);
    if (!v || !is_matrix(v)) return 0;
    *out = rt_copy(v);
    return 1;
}

/* out = t(x) through the builtin, as the call expression `call` would. */
static tsr_status apply_t(Interp *in, const Expr *call, const Value *x, Value *out)
{
    Value arg = rt_copy(x), named[1];
    const char *names[1] = { NULL };
    RtArgs a;
    memset(&a, 0, sizeof a);
    memset(named, 0, sizeof named);
    a.pos = &arg;
    a.npos = 1;
    a.named = named;
    a.names = names;
    a.span = call->span;
    memset(out, 0, sizeof *out);
    tsr_status st = rt_op_builtin(in, rt_builtin_by_id(call->u.call.builtin_id), &a, out, 1);
    rt_release(&arg);
    if (st) {
        rt_release(out);
        return rt_fail_at(in, call->span);
    }
    return TSR_OK;
}

/* One operand of a transposed product: the value of `t(arg)` (trans = 1,
 * transpose pending) or of a plain expression (trans = 0).  A t() of a
 * non-matrix is applied at once, as the unfused evaluation does. */
static tsr_status operand(Interp *in, const Expr *whole, const Expr *arg, Value *v, int *trans)
{
    tsr_status st = rt_eval(in, arg ? arg : whole, v);
    *trans = arg != NULL;
    if (st || !arg || is_matrix(v)) return st;
    Value t;
    st = apply_t(in, whole, v, &t);
    rt_release(v);
    *v = t;
    *trans = 0;
    return st;
}

/* t(A) %*% B, A %*% t(B), t(A) %*% t(B): transposes become kernel flags. */
static tsr_status eval_transposed(Interp *in, const Expr *e, const Expr *ta, const Expr *tb,
                                  Value *out)
{
    Value a, b;
    int fa, fb;
    tsr_status st = operand(in, e->u.bin.l, ta, &a, &fa);
    if (st) return st;
    st = operand(in, e->u.bin.r, tb, &b, &fb);
    if (st) {
        rt_release(&a);
        return st;
    }
    if (is_matrix(&a) && is_matrix(&b))
        st = rt_op_matmul_ex(in, &a, fa, &b, fb, out);
    else   /* a non-matrix operand: the operator reports it (no pending t here) */
        st = rt_op_binary(in, BOP_MATMUL, &a, &b, out);
    if (st) rt_fail_at(in, e->span);
    rt_release(&a);
    rt_release(&b);
    return st;
}

/* The shape of an mmchain pattern t(X) %*% ([w *] (X %*% v) [* w]). */
typedef struct Chain {
    const Expr *tcall;    /* t(X) */
    const Expr *x;        /* X (EX_ID) */
    const Expr *prod;     /* X %*% v */
    const Expr *mul;      /* the product with w, NULL without w */
    const Expr *w;
    int w_left;           /* w * (X %*% v) */
} Chain;

static int is_xv(const Expr *e, const Expr *x)
{
    return e->kind == EX_BINARY && e->u.bin.op == BOP_MATMUL && same_var(e->u.bin.l, x);
}

/* Recognises the right operand r of t(X) %*% r as a chain over X. */
static int match_chain(const Expr *tcall, const Expr *x, const Expr *r, Chain *c)
{
    memset(c, 0, sizeof *c);
    c->tcall = tcall;
    c->x = x;
    if (is_xv(r, x)) {
        c->prod = r;
        return 1;
    }
    if (r->kind != EX_BINARY || r->u.bin.op != BOP_MUL) return 0;
    c->mul = r;
    if (is_xv(r->u.bin.r, x)) {
        c->prod = r->u.bin.r;
        c->w = r->u.bin.l;
        c->w_left = 1;
        return 1;
    }
    if (is_xv(r->u.bin.l, x)) {
        c->prod = r->u.bin.l;
        c->w = r->u.bin.r;
        return 1;
    }
    return 0;
}

/* Whether the values fit kn_mmchain with the semantics of the unfused
 * expression (a left w broadcasts only over a single column). */
static int chain_fits(const Chain *c, const Value *x, const Value *v, const Value *w)
{
    if (!is_matrix(v) || (w && !is_matrix(w))) return 0;
    const MatBlock *xb = rt_mat_block(x), *vb = rt_mat_block(v);
    if (vb->rows != xb->cols || vb->cols < 1 || vb->cols > MM_CHAIN_MAX_COLS) return 0;
    if (!w) return 1;
    const MatBlock *wb = rt_mat_block(w);
    return wb->rows == xb->rows && wb->cols == 1 && (vb->cols == 1 || !c->w_left);
}

/* The unfused chain on the values already evaluated. */
static tsr_status chain_unfused(Interp *in, const Expr *e, const Chain *c, const Value *x,
                                const Value *v, const Value *w, Value *out)
{
    Value tx, u, s;
    memset(&s, 0, sizeof s);
    tsr_status st = apply_t(in, c->tcall, x, &tx);
    if (st) return st;
    st = rt_op_binary(in, BOP_MATMUL, x, v, &u);
    if (st) {
        rt_release(&tx);
        return rt_fail_at(in, c->prod->span);
    }
    if (w) {
        st = c->w_left ? rt_op_binary(in, BOP_MUL, w, &u, &s)
                       : rt_op_binary(in, BOP_MUL, &u, w, &s);
        if (st) rt_fail_at(in, c->mul->span);
    }
    if (!st) {
        st = rt_op_binary(in, BOP_MATMUL, &tx, w ? &s : &u, out);
        if (st) rt_fail_at(in, e->span);
    }
    rt_release(&tx);
    rt_release(&u);
    rt_release(&s);
    return st;
}

/* t(X) %*% ([w *] (X %*% v)): operands in the unfused order (w before v
 * when w is on the left), then one pass over X. */
static tsr_status eval_chain(Interp *in, const Expr *e, const Chain *c, const Value *x,
                             Value *out)
{
    Value v, w;
    memset(&v, 0, sizeof v);
    memset(&w, 0, sizeof w);
    tsr_status st = TSR_OK;
    if (c->w && c->w_left) st = rt_eval(in, c->w, &w);
    if (!st) st = rt_eval(in, c->prod->u.bin.r, &v);
    if (!st && c->w && !c->w_left) st = rt_eval(in, c->w, &w);
    const Value *wp = c->w ? &w : NULL;
    if (!st) {
        if (chain_fits(c, x, &v, wp)) {
            st = rt_op_mmchain(in, x, &v, wp, out);
            if (st) rt_fail_at(in, e->span);
        } else {
            st = chain_unfused(in, e, c, x, &v, wp, out);
        }
    }
    rt_release(&v);
    rt_release(&w);
    return st;
}

tsr_status rt_eval_matmul(Interp *in, const Expr *e, Value *out, int *handled)
{
    const Expr *l = e->u.bin.l, *r = e->u.bin.r;
    const Expr *ta = t_arg(l), *tb = t_arg(r);
    Chain chain;
    Value x;
    tsr_status st;
    *handled = 0;
    if (e->u.bin.op != BOP_MATMUL || (!ta && !tb)) return TSR_OK;
    if (ta && ta->kind == EX_ID && !tb && (same_var(ta, r) || match_chain(l, ta, r, &chain))) {
        if (!matrix_var(in, ta, &x)) return TSR_OK;   /* unfused: same errors */
        *handled = 1;
        if (same_var(ta, r)) {
            st = rt_op_tsmm(in, &x, 1, out);
            if (st) rt_fail_at(in, e->span);
        } else {
            st = eval_chain(in, e, &chain, &x, out);
        }
        rt_release(&x);
        return st;
    }
    if (tb && !ta && same_var(l, tb)) {
        if (!matrix_var(in, tb, &x)) return TSR_OK;
        *handled = 1;
        st = rt_op_tsmm(in, &x, 0, out);
        if (st) rt_fail_at(in, e->span);
        rt_release(&x);
        return st;
    }
    *handled = 1;
    return eval_transposed(in, e, ta, tb, out);
}
