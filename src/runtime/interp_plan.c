/*
 * interp_plan.c - runs statement blocks through the compiler: finds or
 * compiles the plan of a block for the sizes of its current inputs (plan
 * cache per block, recompiled when the input signature changes) and
 * executes its instructions over a register file of values (slots), each
 * operation through the dispatch layer so -stats sees it.
 *
 * Values move instead of being copied where a slot dies: an assignment
 * that is the slot's last use hands the value to the variable, and a
 * binary operator whose dead operand is an exclusively owned dense block
 * writes its result there (rt_binary_temp_inplace).
 */
#include "runtime/rt_int.h"
#include "runtime/rt_inplace.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Plans kept per block (different input signatures). */
#define PLANS_PER_BLOCK 16

typedef struct PlanEntry {
    CpPlan *plans[PLANS_PER_BLOCK];
    int busy[PLANS_PER_BLOCK];   /* executions in progress (recursion) */
    int n, next;
} PlanEntry;

static Value empty_value(void)
{
    Value v;
    memset(&v, 0, sizeof v);
    return v;
}

/* ---- signature lookups ------------------------------------------------------------ */

static int lookup(void *arg, const char *name, CpInput *info)
{
    Interp *in = arg;
    const Value *v = rt_env_get(in->env, name);
    if (!v) return 0;
    info->dt = v->dt;
    info->vt = v->vt;
    info->rows = info->cols = info->nnz = -1;
    info->sparse = 0;
    if (v->dt == DT_MATRIX) {
        const MatBlock *m = rt_mat_block(v);
        info->rows = m->rows;
        info->cols = m->cols;
        info->nnz = m->nnz;
        info->sparse = m->sparse;
    }
    return 1;
}

/* ---- the plan cache --------------------------------------------------------------------- */

void rt_plans_free(Interp *in)
{
    size_t it = 0;
    void *val;
    while (hm_next(&in->plans, &it, NULL, &val)) {
        PlanEntry *e = val;
        for (int k = 0; k < e->n; k++) cp_plan_free(e->plans[k]);
        free(e);
    }
    hm_free(&in->plans);
}

static void explain(Interp *in, const CpPlan *p)
{
    StrBuf sb;
    sb_init(&sb);
    if (in->explain & RT_EXPLAIN_HOPS) cp_explain_hops(p, &sb);
    if (in->explain & RT_EXPLAIN_RUNTIME) cp_explain_runtime(p, &sb);
    if (sb.s) fputs(sb.s, in->ctx.out);
    sb_free(&sb);
}

/* Whether the plan's run-time guards hold for the current inputs. */
static int guards_hold(Interp *in, const CpPlan *p)
{
    for (int k = 0; k < p->nguards; k++) {
        const Value *v = rt_env_get(in->env, p->guards[k].var);
        if (!v || v->dt != DT_MATRIX) return 0;
        double m = kn_maxabs(rt_mat_block(v));
        if (!(m <= p->guards[k].limit)) return 0;
    }
    return 1;
}

/* The plan cache's key of a block: its statement array and length in hex
 * (formatted by hand: snprintf cost ~1% of a small-batch training loop). */
static void plan_key(char *key, const Stmt *const *stmts, int n)
{
    static const char hex[] = "0123456789abcdef";
    uintptr_t v = (uintptr_t)stmts;
    int k = 0;
    do {
        key[k++] = hex[v & 15];
        v >>= 4;
    } while (v);
    key[k++] = ':';
    unsigned u = (unsigned)n;
    do {
        key[k++] = hex[u & 15];
        u >>= 4;
    } while (u);
    key[k] = '\0';
}

/* The cached plan for the current signature, or a new one.  *slot is its
 * index in the entry, or -1 for a plan the caller must free (all cached
 * plans busy in outer executions of the same block). */
static CpPlan *find_plan(Interp *in, const Stmt *const *stmts, int n, PlanEntry **entry,
                         int *slot)
{
    char key[48];
    plan_key(key, stmts, n);
    PlanEntry *e = hm_get(&in->plans, key);
    if (!e) {
        e = xcalloc(1, sizeof *e);
        hm_put(&in->plans, key, e);
    }
    *entry = e;
    int guarded_failed = 0;
    for (int k = 0; k < e->n; k++)
        if (cp_plan_matches(e->plans[k], lookup, in)) {
            if (e->plans[k]->nguards && !guards_hold(in, e->plans[k])) {
                guarded_failed = 1;
                continue;
            }
            in->ctx.stats.plan_hits++;
            *slot = k;
            return e->plans[k];
        }
    CpOpts o = in->cp;
    o.no_guarded = guarded_failed;
    CpPlan *p = cp_compile(stmts, n, &o, lookup, in);
    in->ctx.stats.plans_compiled++;
    in->ctx.stats.compile_ns += p->compile_ns;
    if (p->nguards && !guards_hold(in, p)) {   /* this run's values break a guard */
        cp_plan_free(p);
        o.no_guarded = 1;
        p = cp_compile(stmts, n, &o, lookup, in);
        in->ctx.stats.plans_compiled++;
        in->ctx.stats.compile_ns += p->compile_ns;
    }
    if (in->explain) explain(in, p);
    int k = e->n < PLANS_PER_BLOCK ? e->n++ : -1;
    if (k < 0) {   /* replace round robin, skipping plans in use */
        for (int t = 0; t < PLANS_PER_BLOCK && k < 0; t++) {
            int c = (e->next + t) % PLANS_PER_BLOCK;
            if (!e->busy[c]) k = c;
        }
        if (k < 0) {
            *slot = -1;
            return p;
        }
        e->next = (k + 1) % PLANS_PER_BLOCK;
        cp_plan_free(e->plans[k]);
    }
    e->plans[k] = p;
    e->busy[k] = 0;
    *slot = k;
    return p;
}

/* ---- executing instructions ------------------------------------------------------------ */

typedef struct Run {
    Interp *in;
    const CpPlan *p;
    Value *slots;
    const CpInstr *c;    /* the instruction being executed */
} Run;

static int dies_here(const CpInstr *c, int slot)
{
    for (int k = 0; k < c->nfrees; k++)
        if (c->frees[k] == slot) return 1;
    return 0;
}

/* The value of input k of h: moved out of its slot when this is its last
 * use and no other input of h reads the same slot, else a new reference. */
static Value take_input(Run *r, const Hop *h, int k)
{
    int s = h->in[k]->slot;
    int shared = 0;
    for (int j = 0; j < h->nin; j++) shared |= j != k && h->in[j]->slot == s;
    if (!shared && dies_here(r->c, s)) {
        Value v = r->slots[s];
        r->slots[s] = empty_value();
        return v;
    }
    return rt_copy(&r->slots[s]);
}

static int is_root(const Run *r, const Hop *h)
{
    return r->p->st[r->c->stmt].root == h;
}

static tsr_status exec_call(Run *r, const Hop *h, Value *out)
{
    Interp *in = r->in;
    RtArgs a;
    memset(&a, 0, sizeof a);
    a.span = h->expr ? h->expr->span : h->span;
    if (is_root(r, h)) a.end = r->p->stmts[r->c->stmt]->end;
    a.pos = xcalloc((size_t)h->nin + 1, sizeof *a.pos);
    a.named = xcalloc((size_t)h->nin + 1, sizeof *a.named);
    a.names = xcalloc((size_t)h->nin + 1, sizeof *a.names);
    for (int k = 0; k < h->nin; k++) {
        if (h->argnames[k]) {
            a.names[a.nnamed] = h->argnames[k];
            a.named[a.nnamed++] = take_input(r, h, k);
        } else {
            a.pos[a.npos++] = take_input(r, h, k);
        }
    }
    tsr_status st;
    const char *fname = h->name;
    if (h->op >= 0) {
        Span sp = a.span;
        st = rt_op_builtin(in, rt_builtin_by_id(h->op), &a, out, 1);
        rt_args_free(&a);
        if (st) return rt_fail_at(in, sp);
    } else {
        st = rt_eval_call_args(in, h->expr, &a, a.end, out, 1);   /* frees a */
        if (st) return st;
    }
    if (out->dt == DT_UNKNOWN && !is_root(r, h))
        return rt_fail(in, h->span, "Function '%s' does not return a value", fname);
    return TSR_OK;
}

static tsr_status exec_opaque(Run *r, const Hop *h, Value *out)
{
    const Expr *e = h->expr;
    if (e->kind == EX_CALL && is_root(r, h))
        return rt_eval_call(r->in, e, r->p->stmts[r->c->stmt]->end, out, 1);
    tsr_status st = rt_eval(r->in, e, out);
    return st;
}

static tsr_status exec_binary(Run *r, const Hop *h, Value *out)
{
    Interp *in = r->in;
    const Value *a = &r->slots[h->in[0]->slot];
    const Value *b = h->nin > 1 ? &r->slots[h->in[1]->slot] : NULL;
    const Value *c = h->nin > 2 ? &r->slots[h->in[2]->slot] : NULL;
    tsr_status st;
    switch (h->phys) {
    case PH_TSMM_L: case PH_TSMM_R:
        st = rt_op_tsmm(in, a, h->phys == PH_TSMM_L, out);
        break;
    case PH_MMT:
        st = rt_op_matmul_ex(in, a, h->ta, b, h->tb, out);
        break;
    case PH_TSMM_W:
        st = rt_op_tsmm_w(in, a, b, out);
        break;
    case PH_GRAM:
        st = rt_op_gram(in, a, b, c, out);
        break;
    case PH_MMCHAIN:
        st = rt_op_mmchain(in, a, b, c, out);
        break;
    case PH_MMCHAIN_XV:
        st = rt_op_mmchain_xv(in, a, b, c, out);
        break;
    default: {
        int sa = h->in[0]->slot, sb = h->in[1]->slot;
        Value ta = empty_value(), tb = empty_value();
        if (sa != sb && dies_here(r->c, sa)) {
            ta = r->slots[sa];
            r->slots[sa] = empty_value();
            a = &ta;
        }
        if (sa != sb && dies_here(r->c, sb)) {
            tb = r->slots[sb];
            r->slots[sb] = empty_value();
            b = &tb;
        }
        if (rt_binary_temp_inplace(in, (BinOp)h->op, &ta, a, &tb, b, out)) st = TSR_OK;
        else st = rt_op_binary(in, (BinOp)h->op, a, b, out);
        rt_release(&ta);
        rt_release(&tb);
        break;
    }
    }
    return st ? rt_fail_at(in, h->span) : TSR_OK;
}

static tsr_status exec_fused(Run *r, const Hop *h, Value *out)
{
    Interp *in = r->in;
    KnFuseIn ins[KN_FUSE_MAX_INPUTS];
    MatBlock *mats[KN_FUSE_MAX_OUTS];
    double scal[KN_FUSE_MAX_OUTS];
    for (int k = 0; k < h->nin; k++) {
        const Value *v = &r->slots[h->in[k]->slot];
        ins[k].m = v->dt == DT_MATRIX ? rt_mat_block(v) : NULL;
        ins[k].s = 0;
        if (v->dt == DT_SCALAR && v->vt != VT_STRING) ins[k].s = rt_as_double(v);
        else if (v->dt != DT_MATRIX)
            return rt_fail(in, h->span, "internal error: fused operator input %d is a %s", k,
                        rt_dt_name(v->dt));
    }
    tsr_status st = rt_op_fused(in, cp_opcode(h), h->fprog, ins, h->nin, h->crows, h->ccols, mats,
                                scal);
    if (st) return rt_fail_at(in, h->span);
    const KnFuseProg *p = h->fprog;
    if (p->nouts == 1) {
        *out = mats[0] ? rt_mat_take(mats[0]) : rt_dbl(scal[0]);
        return TSR_OK;
    }
    *out = rt_list_new(0);
    for (int k = 0; k < p->nouts; k++)
        rt_list_append(out, mats[k] ? rt_mat_take(mats[k]) : rt_dbl(scal[k]), NULL);
    return TSR_OK;
}

static tsr_status exec_hop(Run *r, const Hop *h, Value *out)
{
    Interp *in = r->in;
    const Value *v;
    switch (h->kind) {
    case HOP_LIT:
        *out = rt_copy(&h->lit);
        return TSR_OK;
    case HOP_VAR:
        v = rt_env_get(in->env, h->name);
        if (!v) return rt_fail(in, h->span, "Undefined Variable (%s) used in statement", h->name);
        *out = rt_copy(v);
        return TSR_OK;
    case HOP_BIN:
        return exec_binary(r, h, out);
    case HOP_UN: {
        tsr_status st = rt_op_unary(in, (UnOp)h->op, &r->slots[h->in[0]->slot], out);
        return st ? rt_fail_at(in, h->span) : TSR_OK;
    }
    case HOP_CALL:
        return exec_call(r, h, out);
    case HOP_OPAQUE:
        return exec_opaque(r, h, out);
    case HOP_FUSED:
        return exec_fused(r, h, out);
    case HOP_OUT:
        *out = rt_copy(&r->slots[h->in[0]->slot].u.l->items[h->op]);
        return TSR_OK;
    }
    return rt_fail(in, h->span, "internal error: unknown operation kind %d", (int)h->kind);
}

static tsr_status run_plan(Interp *in, const CpPlan *p)
{
    Run r = { in, p, xcalloc((size_t)p->nslots + 1, sizeof(Value)), NULL };
    tsr_status st = TSR_OK;
    for (int i = 0; i < p->ncode && !st; i++) {
        const CpInstr *c = &p->code[i];
        r.c = c;
        if (c->kind == CI_ASSIGN) {
            Value *v = &r.slots[c->h->slot];
            if (v->dt != DT_UNKNOWN) {
                if (dies_here(c, c->h->slot)) {
                    rt_env_set(in->env, c->var, *v);
                    *v = empty_value();
                } else {
                    rt_env_set(in->env, c->var, rt_copy(v));
                }
            }
        } else {
            Value out = empty_value();
            st = exec_hop(&r, c->h, &out);
            if (st) {
                rt_release(&out);
                rt_fail_at(in, p->stmts[c->stmt]->span);
                break;
            }
            rt_release(&r.slots[c->h->slot]);
            r.slots[c->h->slot] = out;
        }
        for (int k = 0; k < c->nfrees; k++) rt_release(&r.slots[c->frees[k]]);
    }
    for (int k = 0; k < p->nslots; k++) rt_release(&r.slots[k]);
    free(r.slots);
    return st;
}

tsr_status rt_exec_compiled(Interp *in, const Stmt *const *stmts, int n, int *ran)
{
    int done = 0;
    *ran = 1;
    tsr_status st = rt_assign_inplace(in, stmts[0], &done);   /* X = X * 2 + 1 in X's block */
    if (done) return st;
    PlanEntry *e;
    int slot;
    CpPlan *p = find_plan(in, stmts, n, &e, &slot);
    if (slot >= 0) e->busy[slot]++;
    *ran = p->nstmts;
    st = run_plan(in, p);
    if (slot >= 0) e->busy[slot]--;
    else cp_plan_free(p);
    return st;
}
