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
 */
#include "compiler/compiler.h"

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
