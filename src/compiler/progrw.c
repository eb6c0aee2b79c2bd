/*
 * progrw.c - program-level rewrites before execution (compiler.h): branch
 * removal on constant predicates.
 *
 * Command-line arguments are literals in the tree (the parser substitutes
 * $x), so `if ($debug == 1) {...}` has a predicate made of literals only.
 * Such an if is replaced by the statements of the branch taken, and a
 * while whose predicate is constantly false disappears; the statements
 * around them then form larger blocks for the DAG compiler.  A predicate
 * that is not a number or boolean (a string: a run-time error) stays.
 * Also: the plain assignments whose variable is never read in its scope
 * (dead-code candidates, cp_find_unread).
 */
#include "compiler/compiler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Evaluates a literal-only scalar expression; 0 if e is not one. */
static int const_value(const Expr *e, Value *out)
{
    RtCtx scratch;
    Value a, b;
    int ok = 0;
    memset(&scratch, 0, sizeof scratch);
    memset(out, 0, sizeof *out);
    switch (e->kind) {
    case EX_INT: *out = rt_int(e->u.ival); return 1;
    case EX_DBL: *out = rt_dbl(e->u.dval); return 1;
    case EX_BOOL: *out = rt_bool(e->u.bval); return 1;
    case EX_BINARY:
        if (!const_value(e->u.bin.l, &a)) return 0;
        if (const_value(e->u.bin.r, &b)) {
            ok = e->u.bin.op != BOP_MATMUL && rt_binop(&scratch, e->u.bin.op, &a, &b, out) == TSR_OK;
            rt_release(&b);
        }
        rt_release(&a);
        return ok;
    case EX_UNARY:
        if (!const_value(e->u.un.e, &a)) return 0;
        ok = rt_unop(&scratch, e->u.un.op, &a, out) == TSR_OK;
        rt_release(&a);
        return ok;
    default:
        return 0;
    }
}

/* 1 / 0 for a constant predicate, -1 otherwise. */
static int const_pred(const Expr *e)
{
    Value v;
    if (!const_value(e, &v)) return -1;
    int r = -1;
    if (v.dt == DT_SCALAR && v.vt != VT_STRING) r = rt_as_bool(&v) ? 1 : 0;
    rt_release(&v);
    return r;
}

static void rewrite_list(Arena *ar, StmtList *l, int *removed);

static void append(Arena *ar, Stmt ***items, int *n, int *cap, Stmt *s)
{
    if (*n == *cap) {
        int ncap = *cap ? 2 * *cap : 8;
        Stmt **ni = ar_alloc(ar, (size_t)ncap * sizeof *ni);
        if (*n) memcpy(ni, *items, (size_t)*n * sizeof *ni);
        *items = ni;
        *cap = ncap;
    }
    (*items)[(*n)++] = s;
}

static void rewrite_list(Arena *ar, StmtList *l, int *removed)
{
    Stmt **items = NULL;
    int n = 0, cap = 0, changed = 0;
    for (int k = 0; k < l->n; k++) {
        Stmt *s = l->items[k];
        int c;
        switch (s->kind) {
        case ST_IF:
            rewrite_list(ar, &s->u.ifs.then_b, removed);
            rewrite_list(ar, &s->u.ifs.else_b, removed);
            c = const_pred(s->u.ifs.pred);
            if (c >= 0) {
                const StmtList *b = c ? &s->u.ifs.then_b : &s->u.ifs.else_b;
                for (int j = 0; j < b->n; j++) append(ar, &items, &n, &cap, b->items[j]);
                (*removed)++;
                changed = 1;
                continue;
            }
            break;
        case ST_WHILE:
            rewrite_list(ar, &s->u.whiles.body, removed);
            if (const_pred(s->u.whiles.pred) == 0) {
                (*removed)++;
                changed = 1;
                continue;
            }
            break;
        case ST_FOR:
            rewrite_list(ar, &s->u.fors.body, removed);
            break;
        default:
            break;
        }
        append(ar, &items, &n, &cap, s);
    }
    if (changed) {
        l->items = items;
        l->n = n;
    }
}

int cp_remove_branches(AstProgram *p)
{
    int removed = 0;
    size_t it = 0;
    void *val;
    while (hm_next(&p->modules, &it, NULL, &val)) {
        AstModule *m = val;
        rewrite_list(&p->arena, &m->file->stmts, &removed);
        for (int k = 0; k < m->file->nfuncs; k++)
            rewrite_list(&p->arena, &m->file->funcs[k]->body, &removed);
    }
    if (!hm_has(&p->modules, p->main->file->path)) {
        AstModule *m = p->main;
        rewrite_list(&p->arena, &m->file->stmts, &removed);
        for (int k = 0; k < m->file->nfuncs; k++)
            rewrite_list(&p->arena, &m->file->funcs[k]->body, &removed);
    }
    return removed;
}

/* ---- assignments whose variable is never read ------------------------------------------
 * A scope is the main script's statements or one function's body.  Names
 * read anywhere in the scope (operands, index targets, left-indexing and +=
 * targets, loop bounds, predicates, call arguments, the string argument of
 * exists(), the function's outputs) are live; a plain assignment to any
 * other name is a candidate for removal.  The compiler drops a candidate
 * only when its value cannot fail and has no effect (rewrite.c). */

static void reads_expr(const Expr *e, HMap *r)
{
    if (!e) return;
    switch (e->kind) {
    case EX_ID: hm_put(r, e->u.name, (void *)1); return;
    case EX_BINARY: reads_expr(e->u.bin.l, r); reads_expr(e->u.bin.r, r); return;
    case EX_UNARY: reads_expr(e->u.un.e, r); return;
    case EX_CALL:
        for (int k = 0; k < e->u.call.nargs; k++) {
            const Expr *a = e->u.call.args[k].value;
            if (a->kind == EX_STR && !strcmp(e->u.call.name, "exists")) {
                char *s = xstrndup(a->u.str.s, a->u.str.len);
                hm_put(r, s, (void *)1);
                free(s);
            }
            reads_expr(a, r);
        }
        return;
    case EX_INDEX:
        reads_expr(e->u.index.target, r);
        reads_expr(e->u.index.row.lo, r);
        reads_expr(e->u.index.row.hi, r);
        reads_expr(e->u.index.col.lo, r);
        reads_expr(e->u.index.col.hi, r);
        return;
    case EX_LIST:
        for (int k = 0; k < e->u.list.n; k++) reads_expr(e->u.list.items[k], r);
        return;
    default:
        return;
    }
}

static void reads_list(const StmtList *l, HMap *r)
{
    for (int k = 0; k < l->n; k++) {
        const Stmt *s = l->items[k];
        switch (s->kind) {
        case ST_ASSIGN:
            if (s->u.assign.indexed || s->u.assign.accumulate)
                hm_put(r, s->u.assign.target, (void *)1);
            reads_expr(s->u.assign.row.lo, r);
            reads_expr(s->u.assign.row.hi, r);
            reads_expr(s->u.assign.col.lo, r);
            reads_expr(s->u.assign.col.hi, r);
            reads_expr(s->u.assign.value, r);
            break;
        case ST_MULTIASSIGN: reads_expr(s->u.massign.call, r); break;
        case ST_EXPR: reads_expr(s->u.expr.call, r); break;
        case ST_IF:
            reads_expr(s->u.ifs.pred, r);
            reads_list(&s->u.ifs.then_b, r);
            reads_list(&s->u.ifs.else_b, r);
            break;
        case ST_FOR:
            reads_expr(s->u.fors.from, r);
            reads_expr(s->u.fors.to, r);
            reads_expr(s->u.fors.incr, r);
            reads_list(&s->u.fors.body, r);
            break;
        case ST_WHILE:
            reads_expr(s->u.whiles.pred, r);
            reads_list(&s->u.whiles.body, r);
            break;
        default:
            break;
        }
    }
}

static void mark_unread(const StmtList *l, const HMap *r, HMap *out)
{
    char key[32];
    for (int k = 0; k < l->n; k++) {
        const Stmt *s = l->items[k];
        switch (s->kind) {
        case ST_ASSIGN:
            if (!s->u.assign.indexed && !s->u.assign.accumulate &&
                !hm_has(r, s->u.assign.target)) {
                snprintf(key, sizeof key, "%p", (const void *)s);
                hm_put(out, key, (void *)1);
            }
            break;
        case ST_IF:
            mark_unread(&s->u.ifs.then_b, r, out);
            mark_unread(&s->u.ifs.else_b, r, out);
            break;
        case ST_FOR: mark_unread(&s->u.fors.body, r, out); break;
        case ST_WHILE: mark_unread(&s->u.whiles.body, r, out); break;
        default: break;
        }
    }
}

static void scope_unread(const StmtList *body, const FuncDef *fn, HMap *out)
{
    HMap r;
    hm_init(&r);
    reads_list(body, &r);
    for (int k = 0; fn && k < fn->nouts; k++) hm_put(&r, fn->outs[k].name, (void *)1);
    mark_unread(body, &r, out);
    hm_free(&r);
}

void cp_find_unread(AstProgram *p, HMap *out)
{
    size_t it = 0;
    void *val;
    scope_unread(&p->main->file->stmts, NULL, out);
    for (int k = 0; k < p->main->file->nfuncs; k++)
        scope_unread(&p->main->file->funcs[k]->body, p->main->file->funcs[k], out);
    while (hm_next(&p->modules, &it, NULL, &val)) {
        AstModule *m = val;
        if (m == p->main) continue;
        for (int k = 0; k < m->file->nfuncs; k++)
            scope_unread(&m->file->funcs[k]->body, m->file->funcs[k], out);
    }
}
