/*
 * plan.c - turns a rewritten HOP DAG into the instruction list the runtime
 * executes (compiler.h), and prints both for -explain (docs/explain.md).
 *
 * Instructions follow the statements in order: each statement's value is
 * computed depth-first, left to right (the interpreter's evaluation order,
 * so errors and side effects happen in the same order), reusing values an
 * earlier statement computed, then assigned to its variable.  Every value
 * lives in a slot that is freed after its last use; an assignment that is
 * the last use moves the value instead of copying it.
 */
#include "compiler/compiler.h"

#include <stdlib.h>
#include <string.h>

typedef struct Lin {
    CpPlan *p;
    char *done;       /* by hop id: emitted */
    int cap;
} Lin;

static void push(CpPlan *p, CpInstrKind k, Hop *h, const char *var, int stmt)
{
    p->code = xrealloc(p->code, (size_t)(p->ncode + 1) * sizeof *p->code);
    CpInstr *c = &p->code[p->ncode++];
    memset(c, 0, sizeof *c);
    c->kind = k;
    c->h = h;
    c->var = var;
    c->stmt = stmt;
}

static void emit_hop(Lin *l, Hop *h, int stmt)
{
    if (l->done[h->id]) return;
    for (int k = 0; k < h->nin; k++) emit_hop(l, h->in[k], stmt);
    l->done[h->id] = 1;
    h->slot = l->p->nslots++;
    push(l->p, CI_EXEC, h, NULL, stmt);
}

/* Whether a not yet emitted node reachable from statements >= from reads
 * the block input `var` (then that read must happen before var changes). */
static Hop *pending_read(Lin *l, const char *var)
{
    CpPlan *p = l->p;
    for (int k = 0; k < p->nhops; k++) {
        Hop *h = p->hops[k];
        if (h->kind == HOP_VAR && !h->dead && h->nuses > 0 && !l->done[h->id] &&
            !strcmp(h->name, var))
            return h;
    }
    return NULL;
}

void cp_linearize(CpPlan *p)
{
    Lin l = { p, xcalloc((size_t)p->nhops + 1, 1), p->nhops };
    cp_count_uses(p);
    for (int s = 0; s < p->nstmts; s++) {
        if (p->st[s].dead) continue;
        emit_hop(&l, p->st[s].root, s);
        const char *var = p->st[s].s->u.assign.target;
        Hop *r = pending_read(&l, var);
        if (r) emit_hop(&l, r, s);
        push(p, CI_ASSIGN, p->st[s].root, var, s);
    }
    /* last use of every slot */
    int *last = xmalloc(((size_t)p->nslots + 1) * sizeof *last);
    for (int k = 0; k < p->nslots; k++) last[k] = -1;
    for (int i = 0; i < p->ncode; i++) {
        CpInstr *c = &p->code[i];
        if (c->kind == CI_ASSIGN) {
            last[c->h->slot] = i;
            continue;
        }
        last[c->h->slot] = last[c->h->slot] < i ? i : last[c->h->slot];
        for (int k = 0; k < c->h->nin; k++) last[c->h->in[k]->slot] = i;
    }
    for (int s = 0; s < p->nslots; s++) {
        int i = last[s];
        if (i < 0) continue;
        CpInstr *c = &p->code[i];
        c->frees = xrealloc(c->frees, (size_t)(c->nfrees + 1) * sizeof *c->frees);
        c->frees[c->nfrees++] = s;
    }
    free(last);
    free(l.done);
}

/* ---- explain ------------------------------------------------------------------------------ */

static const char *agg_name(int agg)
{
    static const char *const n[] = { "sum", "mean", "var", "sd", "min", "max", "prod" };
    return agg >= 0 && agg < (int)(sizeof n / sizeof n[0]) ? n[agg] : "?";
}

static const char *dir_prefix(int dir)
{
    return dir == KD_ROW ? "row" : dir == KD_COL ? "col" : "";
}

const char *cp_opcode(const Hop *h)
{
    switch (h->kind) {
    case HOP_LIT: return "lit";
    case HOP_VAR: return "rvar";
    case HOP_BIN:
        if (h->op == BOP_MATMUL) {
            switch (h->phys) {
            case PH_TSMM_L: case PH_TSMM_R: return "tsmm";
            case PH_MMCHAIN: case PH_MMCHAIN_XV: return "mmchain";
            case PH_TSMM_W: return "wtsmm";
            case PH_GRAM: return "gram";
            default: return "ba+*";
            }
        }
        return ast_binop_name((BinOp)h->op);
    case HOP_UN: return ast_unop_name((UnOp)h->op);
    case HOP_CALL: return h->name;
    case HOP_OPAQUE: return "interp";
    case HOP_FUSED:
        if (h->nouts > 1) return "fused_multiagg";
        if (h->fn == HF_AGG) return h->dir == KD_ALL ? "fused_agg" : h->dir == KD_ROW ? "fused_rowagg" : "fused_colagg";
        return "fused_cell";
    case HOP_OUT: return "out";
    }
    return "?";
}

static void print_mem(StrBuf *o, double b)
{
    if (b < 0) sb_puts(o, "?");
    else if (b < 1024) sb_printf(o, "%.0f B", b);
    else if (b < 1024.0 * 1024) sb_printf(o, "%.1f KB", b / 1024);
    else if (b < 1024.0 * 1024 * 1024) sb_printf(o, "%.1f MB", b / (1024.0 * 1024));
    else sb_printf(o, "%.2f GB", b / (1024.0 * 1024 * 1024));
}

static void print_dims(StrBuf *o, const Hop *h)
{
    switch (h->dt) {
    case DT_SCALAR: sb_printf(o, "scalar %s", rt_vt_name(h->vt)); return;
    case DT_MATRIX:
        sb_puts(o, "matrix ");
        if (h->rows >= 0) sb_printf(o, "%lld", (long long)h->rows); else sb_puts(o, "?");
        sb_puts(o, "x");
        if (h->cols >= 0) sb_printf(o, "%lld", (long long)h->cols); else sb_puts(o, "?");
        if (h->nnz >= 0) sb_printf(o, ", nnz %lld", (long long)h->nnz);
        return;
    case DT_FRAME: sb_puts(o, "frame"); return;
    case DT_LIST: sb_puts(o, "list"); return;
    default: sb_puts(o, "unknown"); return;
    }
}

static const char *fop_name(const KnFuseOp *o)
{
    static const char *const un[] = {
#define X(e, s) s,
        KN_UNARY_FNS(X)
#undef X
    };
    static const char *const bf[] = { "min", "max", "xor", "log" };
    switch (o->kind) {
    case KF_BIN: return ast_binop_name((BinOp)o->op);
    case KF_UN: return o->op >= 0 && o->op < KU__COUNT ? un[o->op] : "?";
    case KF_BINFN: return o->op >= 0 && o->op < 4 ? bf[o->op] : "?";
    case KF_IFELSE: return "ifelse";
    default: return "?";
    }
}

static const char *fagg_name(KnFuseAgg a)
{
    static const char *const n[] = { "cells", "sum", "min", "max", "rowSums", "rowMins",
                                     "rowMaxs", "colSums", "colMins", "colMaxs" };
    return (int)a >= 0 && (int)a < (int)(sizeof n / sizeof n[0]) ? n[a] : "?";
}

/* The fused program as text: r3 = r1 * r2, ... */
static void print_prog(StrBuf *o, const Hop *h, const char *indent)
{
    const KnFuseProg *p = h->fprog;
    for (int k = 0; k < p->nops; k++) {
        const KnFuseOp *f = &p->ops[k];
        sb_printf(o, "%s    r%d = ", indent, k);
        switch (f->kind) {
        case KF_IN:
            sb_printf(o, "in%d", f->a);
            if (f->a == p->sparse_driver) sb_puts(o, " (sparse driver)");
            break;
        case KF_CONST: sb_printf(o, "%.17g", f->k); break;
        case KF_UN: sb_printf(o, "%s(r%d)", fop_name(f), f->a); break;
        case KF_BIN: sb_printf(o, "r%d %s r%d", f->a, fop_name(f), f->b); break;
        case KF_BINFN: sb_printf(o, "%s(r%d, r%d)", fop_name(f), f->a, f->b); break;
        case KF_IFELSE: sb_printf(o, "ifelse(r%d, r%d, r%d)", f->a, f->b, f->c); break;
        }
        sb_putc(o, '\n');
    }
    for (int k = 0; k < p->nouts; k++)
        sb_printf(o, "%s    out%d = %s(r%d)\n", indent, k, fagg_name(p->outs[k].agg),
                  p->outs[k].op);
}

static void print_hop_line(StrBuf *o, const Hop *h)
{
    sb_printf(o, "  (%d) %s", h->id, cp_opcode(h));
    if (h->kind == HOP_VAR) sb_printf(o, " %s", h->name);
    if (h->kind == HOP_LIT) {
        sb_putc(o, ' ');
        if (h->lit.vt == VT_STRING) sb_printf(o, "\"%s\"", h->lit.u.s);
        else rt_scalar_to_string(&h->lit, o);
    }
    if (h->kind == HOP_CALL && h->fn == HF_AGG) sb_printf(o, " [%s%s]", dir_prefix(h->dir), agg_name(h->agg));
    if (h->kind == HOP_OUT) sb_printf(o, " %d", h->op);
    if (h->nin) {
        sb_puts(o, " (");
        for (int k = 0; k < h->nin; k++) sb_printf(o, k ? ",%d" : "%d", h->in[k]->id);
        sb_puts(o, ")");
    }
    sb_puts(o, " [");
    print_dims(o, h);
    sb_puts(o, ", mem ");
    print_mem(o, h->mem);
    sb_puts(o, "]");
    if (h->kind == HOP_BIN && h->op == BOP_MATMUL) {
        static const char *const ph[] = { "ba+*", "ba+* transposed", "tsmm left", "tsmm right",
                                          "mmchain", "wtsmm", "gram",
                                          "mmchain with X %*% v" };
        sb_printf(o, " %s", ph[h->phys]);
        if (h->phys == PH_MMT) sb_printf(o, " (t=%d,%d)", h->ta, h->tb);
    }
    if (h->kind == HOP_FUSED && h->sparse_driver >= 0) sb_puts(o, " sparse-safe");
    if (h->kind == HOP_OPAQUE || (h->kind == HOP_CALL && h->op < 0)) sb_puts(o, " (interpreted)");
    Span sp = h->expr ? h->expr->span : h->span;   /* nodes made by rewrites: h->span */
    if (sp.line) sb_printf(o, "  @%d:%d", sp.line, sp.col);
    sb_putc(o, '\n');
}

static void block_header(const CpPlan *p, StrBuf *o, const char *what)
{
    const Stmt *a = p->stmts[0], *b = p->stmts[p->nstmts - 1];
    sb_printf(o, "%s: block %s lines %d-%d (%d statement%s)", what,
              a->span.file ? a->span.file : "?", a->span.line, b->end.line ? b->end.line : b->span.line,
              p->nstmts, p->nstmts == 1 ? "" : "s");
    if (p->nguards) {
        sb_puts(o, ", guards");
        for (int k = 0; k < p->nguards; k++)
            sb_printf(o, " max|%s|<=%.3g", p->guards[k].var, p->guards[k].limit);
    }
    if (p->unguarded) sb_puts(o, ", unguarded");
    if (p->ninputs) {
        sb_puts(o, ", inputs");
        for (int k = 0; k < p->ninputs; k++) {
            const CpInput *c = &p->inputs[k];
            sb_printf(o, " %s", c->name);
            if (c->dt == DT_MATRIX)
                sb_printf(o, "[%lldx%lld%s]", (long long)c->rows, (long long)c->cols,
                          c->sparse ? ",sparse" : "");
        }
    }
    sb_putc(o, '\n');
}

void cp_explain_hops(const CpPlan *p, StrBuf *o)
{
    block_header(p, o, "HOPS");
    for (int i = 0; i < p->ncode; i++) {
        const CpInstr *c = &p->code[i];
        if (c->kind == CI_EXEC) {
            print_hop_line(o, c->h);
            if (c->h->kind == HOP_FUSED) print_prog(o, c->h, "  ");
        } else {
            sb_printf(o, "  %s = (%d)\n", c->var, c->h->id);
        }
    }
    const struct CpRewriteStats *r = &p->rw;
    for (int s = 0; s < p->nstmts; s++)
        if (p->st[s].dead)
            sb_printf(o, "  removed dead assignment to %s (line %d)\n", p->st[s].s->u.assign.target,
                      p->st[s].s->span.line);
    if (r->folded || r->cse || r->simplified || r->chains || r->physical || r->fused ||
        r->multiagg || r->dead)
        sb_printf(o, "  rewrites: %d folded, %d cse, %d simplified, %d chain, %d physical, "
                  "%d fused, %d multi-agg, %d dead\n", r->folded, r->cse, r->simplified,
                  r->chains, r->physical, r->fused, r->multiagg, r->dead);
}

void cp_explain_runtime(const CpPlan *p, StrBuf *o)
{
    block_header(p, o, "PROGRAM");
    for (int i = 0; i < p->ncode; i++) {
        const CpInstr *c = &p->code[i];
        sb_printf(o, "  %3d ", i + 1);
        if (c->kind == CI_ASSIGN) {
            sb_printf(o, "assign %s _%d", c->var, c->h->slot);
        } else {
            const Hop *h = c->h;
            sb_puts(o, cp_opcode(h));
            if (h->kind == HOP_VAR) sb_printf(o, " %s", h->name);
            if (h->kind == HOP_LIT && h->lit.vt == VT_STRING) {
                sb_printf(o, " \"%s\"", h->lit.u.s);
            } else if (h->kind == HOP_LIT) {
                sb_putc(o, ' ');
                rt_scalar_to_string(&h->lit, o);
            }
            if (h->kind == HOP_CALL && h->fn == HF_AGG) sb_printf(o, "[%s%s]", dir_prefix(h->dir), agg_name(h->agg));
            if (h->kind == HOP_OUT) sb_printf(o, " %d", h->op);
            for (int k = 0; k < h->nin; k++) sb_printf(o, " _%d", h->in[k]->slot);
            sb_printf(o, " -> _%d", h->slot);
        }
        if (c->nfrees) {
            sb_puts(o, "  free");
            for (int k = 0; k < c->nfrees; k++) sb_printf(o, " _%d", c->frees[k]);
        }
        sb_putc(o, '\n');
    }
}
