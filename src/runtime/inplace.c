/*
 * inplace.c - in-place updates of a variable by an assignment (see
 * rt_inplace.h): `X = X * 0.5 + 1` overwrites X's block instead of
 * allocating two new 200 MB matrices per statement.
 *
 * The plan.  The statement's value is walked from the top down along its
 * *spine*: the chain of cellwise operators whose operand on one side leads
 * to the target X.  Each spine node is one step (binary with the other
 * operand, unary -/!, or a one-argument math builtin).  The operands off
 * the spine are evaluated by the ordinary evaluator, in the order the
 * ordinary path evaluates them (an operand left of the spine before
 * everything below it, one on the right after).
 *
 * Execution.  Steps are first only *checked* (the operand is a number, a
 * 1x1 matrix on the right, or a dense matrix of X's shape), not applied,
 * so X stays untouched while anything can still fail.  If a step does not
 * qualify, the steps before it are computed out of place from X and the
 * rest of the statement continues on the ordinary operators (which produce
 * the usual result or error, at the usual span).  If all qualify and X's
 * object is still referenced only by the symbol table (operands holding X,
 * `Y = X` aliases, function arguments all raise the count), every step is
 * applied to X's dense cells in place (kn_binary_inplace & co.), one pass
 * per step.  A step whose out-of-place result would have been stored in
 * CSR gets its -0.0 cells cleared, as that round trip would have done, so
 * the values match the ordinary path exactly; the final result gets the
 * usual format decision (mb_examine).
 */
#include "runtime/rt_inplace.h"
#include "runtime/builtins_int.h"

#include <string.h>

#define IP_MAX_STEPS 32

typedef enum { IK_BIN, IK_UN, IK_CALL } IpKind;

typedef struct IpStep {
    const Expr *node;      /* the spine node */
    IpKind kind;
    BinOp op;              /* IK_BIN */
    int spine_left;        /* IK_BIN: X's side is the left operand */
    const Expr *operand;   /* IK_BIN: the other operand */
    UnOp uop;              /* IK_UN */
    KnUnary fn;            /* IK_UN, IK_CALL: the cell function */
    const RtBuiltin *b;    /* IK_CALL */
    Value val;             /* IK_BIN: the operand's value, once evaluated */
    const MatBlock *y;     /* in place: a dense operand of X's shape, or NULL */
    double s;              /*           else this number */
} IpStep;

typedef struct IpPlan {
    IpStep st[IP_MAX_STEPS];   /* top-down: st[0] computes the statement's value */
    int n;
    const Stmt *stmt;
} IpPlan;

/* ---- the plan --------------------------------------------------------------------- */

/* Cell function of a native one-argument math builtin (by handler, so that
 * aliases like ceiling/isNaN count too); -1 if b is not one. */
static int call_fn(const RtBuiltin *b, int nargs)
{
    static const struct { RtBuiltinFn fn; KnUnary ku; } tab[] = {
        {bi_abs, KU_ABS}, {bi_exp, KU_EXP}, {bi_sqrt, KU_SQRT}, {bi_floor, KU_FLOOR},
        {bi_ceil, KU_CEIL}, {bi_round, KU_ROUND}, {bi_sign, KU_SIGN}, {bi_sin, KU_SIN},
        {bi_cos, KU_COS}, {bi_tan, KU_TAN}, {bi_asin, KU_ASIN}, {bi_acos, KU_ACOS},
        {bi_atan, KU_ATAN}, {bi_sinh, KU_SINH}, {bi_cosh, KU_COSH}, {bi_tanh, KU_TANH},
        {bi_isnan, KU_ISNAN}, {bi_isinf, KU_ISINF}, {bi_log, KU_LOG},
    };
    if (nargs != 1) return -1;
    for (size_t k = 0; k < sizeof tab / sizeof tab[0]; k++)
        if (b->fn == tab[k].fn) return (int)tab[k].ku;
    return -1;
}

/* Fills step p->st[p->n] from spine node e and returns the child the spine
 * continues in (first choice: left), or NULL if e cannot be a step. */
static const Expr *step_of(IpPlan *p, const Expr *e, int try_right)
{
    IpStep *s = &p->st[p->n];
    memset(s, 0, sizeof *s);
    s->node = e;
    switch (e->kind) {
    case EX_BINARY:
        if (!kn_binop_is_cellwise(e->u.bin.op)) return NULL;
        s->kind = IK_BIN;
        s->op = e->u.bin.op;
        s->spine_left = !try_right;
        s->operand = try_right ? e->u.bin.l : e->u.bin.r;
        return try_right ? e->u.bin.r : e->u.bin.l;
    case EX_UNARY:
        if (try_right || e->u.un.op == UOP_PLUS) return NULL;
        s->kind = IK_UN;
        s->uop = e->u.un.op;
        s->fn = e->u.un.op == UOP_NEG ? KU_NEG : KU_NOT;
        return e->u.un.e;
    case EX_CALL: {
        if (try_right || e->u.call.builtin_id < 0 || e->u.call.nargs != 1 ||
            e->u.call.args[0].name)
            return NULL;
        const RtBuiltin *b = rt_builtin_by_id(e->u.call.builtin_id);
        int fn = call_fn(b, e->u.call.nargs);
        if (fn < 0) return NULL;
        s->kind = IK_CALL;
        s->b = b;
        s->fn = (KnUnary)fn;
        return e->u.call.args[0].value;
    }
    default:
        return NULL;
    }
}

/* Appends the spine from e down to the variable x; 0 (plan unchanged) if
 * e does not lead to x through steps. */
static int build(IpPlan *p, const Expr *e, const char *x)
{
    if (e->kind == EX_ID) return strcmp(e->u.name, x) == 0;
    if (p->n >= IP_MAX_STEPS) return 0;
    for (int right = 0; right <= 1; right++) {
        const Expr *child = step_of(p, e, right);
        if (!child) continue;
        p->n++;
        if (build(p, child, x)) return 1;
        p->n--;
    }
    return 0;
}

/* ---- steps on the ordinary operators ----------------------------------------------- */

static const char *step_opcode(const IpStep *s)
{
    if (s->kind == IK_BIN) return rt_binop_opcode(s->op);
    if (s->kind == IK_CALL) return s->b->name;
    return s->uop == UOP_NEG ? "u-" : "!";
}

/* A one-argument builtin call on x, as rt_eval_call would make it. */
static tsr_status call_builtin(Interp *in, const IpPlan *p, const IpStep *s, const Value *x,
                               Value *res)
{
    Value arg = rt_copy(x);
    RtArgs a;
    memset(&a, 0, sizeof a);
    a.pos = &arg;
    a.npos = 1;
    a.span = s->node->span;
    if (s->node == p->stmt->u.assign.value) a.end = p->stmt->end;   /* the statement's value */
    tsr_status st = rt_op_builtin(in, s->b, &a, res, 1);
    rt_release(&arg);
    if (st == TSR_OK && res->dt == DT_UNKNOWN)   /* (a math builtin always returns) */
        st = err_set(&in->ctx.err, TSR_RUNTIME, "Function '%s' does not return a value",
                     s->b->name);
    return st;
}

/* *cur = step s applied to *cur out of place; errors get the node's span. */
static tsr_status step_generic(Interp *in, const IpPlan *p, const IpStep *s, Value *cur)
{
    Value res;
    memset(&res, 0, sizeof res);
    tsr_status st;
    if (s->kind == IK_BIN)
        st = s->spine_left ? rt_op_binary(in, s->op, cur, &s->val, &res)
                           : rt_op_binary(in, s->op, &s->val, cur, &res);
    else if (s->kind == IK_UN)
        st = rt_op_unary(in, s->uop, cur, &res);
    else
        st = call_builtin(in, p, s, cur, &res);
    if (st) {
        rt_release(&res);
        return rt_fail_at(in, s->node->span);
    }
    rt_release(cur);
    *cur = res;
    return TSR_OK;
}

/* ---- steps in place ------------------------------------------------------------------ */

/* Whether binary step s can update the dense block x in place; sets s->y/s->s. */
static int operand_fits(IpStep *s, const MatBlock *x)
{
    const Value *v = &s->val;
    if (s->kind != IK_BIN) return 1;
    if (v->dt == DT_SCALAR) {
        if (v->vt != VT_INT64 && v->vt != VT_FP64 && v->vt != VT_BOOL) return 0;
        s->s = rt_as_double(v);
        return 1;
    }
    if (v->dt != DT_MATRIX) return 0;
    const MatBlock *m = rt_mat_block(v);
    if (s->spine_left && m->rows == 1 && m->cols == 1) {   /* DML.md 3.5: a scalar */
        s->s = mb_get(m, 0, 0);
        return 1;
    }
    if (m->sparse || m->rows != x->rows || m->cols != x->cols) return 0;
    s->y = m;
    return 1;
}

/* Whether the ordinary path would store a result with this nnz in CSR. */
static int would_be_sparse(MbFormat f, const MatBlock *x)
{
    if (f == MB_FMT_DENSE) return 0;
    if (f == MB_FMT_SPARSE) return x->cols <= MB_SPARSE_MAX_COLS;
    return mb_prefers_sparse(x->rows, x->cols, x->nnz);
}

/* Applies steps st[from] .. st[0] (bottom-up) to x's cells, with the
 * statistics of the ordinary operators, then decides the format. */
static void apply_in_place(Interp *in, IpPlan *p, int from, MatBlock *x)
{
    const ParCtx *par = &in->ctx.par;
    for (int k = from; k >= 0; k--) {
        IpStep *s = &p->st[k];
        int64_t t0 = rt_stats_t0(in);
        if (s->kind == IK_BIN) kn_binary_inplace(par, s->op, x, s->spine_left, s->y, s->s);
        else kn_unary_inplace(par, s->fn, x);
        if (k > 0 && would_be_sparse(in->ctx.block_format, x)) kn_dense_clear_negzero(par, x);
        rt_stats_end(in, step_opcode(s), t0);
        mb_cache_count_inplace(in->ctx.par.cache, mb_bytes(x));
    }
    Err e;   /* no memory for CSR: the dense block is a valid result too */
    err_clear(&e);
    mb_examine(x, in->ctx.block_format, &e);
}

/* ---- the statement ---------------------------------------------------------------------- */

static int policy_on(const Interp *in)
{
    const MbCache *c = in->ctx.par.cache;
    return c && mb_cache_opts(c)->inplace;
}

/* X's value if it is an exclusively owned dense matrix, else NULL. */
static Value *exclusive_dense(Interp *in, const char *name)
{
    Value *v = rt_env_get(in->env, name);
    if (!v || v->dt != DT_MATRIX || !rt_obj_exclusive(&v->u.m->refcnt) || v->u.m->blk->sparse) return NULL;
    return v;
}

static tsr_status eval_operand(Interp *in, IpStep *s)
{
    return rt_eval(in, s->operand, &s->val);
}

/* Runs the plan; `held` is a counted reference to X's old value. */
static tsr_status run_plan(Interp *in, IpPlan *p, const Value *held, Value *cur, int *lazy)
{
    const MatBlock *x = rt_mat_block(held);
    tsr_status st;
    /* operands left of the spine, outermost first: evaluated before X */
    for (int k = 0; k < p->n; k++)
        if (p->st[k].kind == IK_BIN && !p->st[k].spine_left && (st = eval_operand(in, &p->st[k])))
            return st;
    /* then bottom-up: each step's right operand, then the step */
    for (int k = p->n - 1; k >= 0; k--) {
        IpStep *s = &p->st[k];
        if (s->kind == IK_BIN && s->spine_left && (st = eval_operand(in, s))) return st;
        if (*lazy && operand_fits(s, x)) continue;
        if (*lazy) {   /* compute the steps below out of place, go on ordinarily */
            *lazy = 0;
            *cur = rt_copy(held);
            for (int j = p->n - 1; j > k; j--)
                if ((st = step_generic(in, p, &p->st[j], cur))) return st;
        }
        if ((st = step_generic(in, p, s, cur))) return st;
    }
    return TSR_OK;
}

tsr_status rt_assign_inplace(Interp *in, const Stmt *s, int *done)
{
    *done = 0;
    const char *name = s->u.assign.target;
    if (s->u.assign.indexed || s->u.assign.accumulate || !policy_on(in)) return TSR_OK;
    IpPlan p;
    p.n = 0;
    p.stmt = s;
    if (!build(&p, s->u.assign.value, name) || p.n == 0 || !exclusive_dense(in, name))
        return TSR_OK;
    *done = 1;
    Value held = rt_copy(rt_env_get(in->env, name)), cur;
    memset(&cur, 0, sizeof cur);
    int lazy = 1;
    tsr_status st = run_plan(in, &p, &held, &cur, &lazy);
    if (st == TSR_OK && lazy) {
        const Value *now = rt_env_get(in->env, name);
        if (now && now->dt == DT_MATRIX && now->u.m == held.u.m && held.u.m->refcnt == 2 &&
            !held.u.m->blk->sparse) {
            apply_in_place(in, &p, p.n - 1, held.u.m->blk);
        } else {   /* X became shared while the operands were evaluated */
            lazy = 0;
            cur = rt_copy(&held);
            for (int k = p.n - 1; k >= 0 && st == TSR_OK; k--) st = step_generic(in, &p, &p.st[k], &cur);
        }
    }
    rt_release(&held);
    for (int k = 0; k < p.n; k++) rt_release(&p.st[k].val);
    if (st == TSR_OK && !lazy && cur.dt != DT_UNKNOWN) rt_env_set(in->env, name, cur);
    else rt_release(&cur);
    return st;
}

int rt_accumulate_inplace(Interp *in, const char *name, const Value *v)
{
    if (!policy_on(in)) return 0;
    Value *xv = exclusive_dense(in, name);
    if (!xv) return 0;
    IpPlan p;
    memset(&p.st[0], 0, sizeof p.st[0]);
    p.n = 1;
    p.stmt = NULL;
    p.st[0].kind = IK_BIN;
    p.st[0].op = BOP_ADD;
    p.st[0].spine_left = 1;
    p.st[0].val = *v;   /* borrowed: not released here */
    if (!operand_fits(&p.st[0], xv->u.m->blk)) return 0;
    apply_in_place(in, &p, 0, xv->u.m->blk);
    return 1;
}

/* ---- dead temporaries --------------------------------------------------------------------- */

int rt_binary_temp_inplace(Interp *in, BinOp op, Value *ta, const Value *a, Value *tb,
                           const Value *b, Value *out)
{
    if (!policy_on(in) || !kn_binop_is_cellwise(op)) return 0;
    for (int right = 0; right <= 1; right++) {   /* the left temporary first */
        Value *t = right ? tb : ta;
        if ((right ? b : a) != t || t->dt != DT_MATRIX || !rt_obj_exclusive(&t->u.m->refcnt) ||
            t->u.m->blk->sparse)
            continue;
        IpStep s;
        memset(&s, 0, sizeof s);
        s.kind = IK_BIN;
        s.op = op;
        s.spine_left = !right;
        s.val = right ? *a : *b;   /* borrowed */
        if (!operand_fits(&s, t->u.m->blk)) continue;
        IpPlan p;
        p.st[0] = s;
        p.n = 1;
        p.stmt = NULL;
        apply_in_place(in, &p, 0, t->u.m->blk);
        *out = *t;
        memset(t, 0, sizeof *t);
        return 1;
    }
    return 0;
}
