/*
 * value.c - runtime values: constructors, reference counting and
 * copy-on-write of matrices, frames and lists, scalar conversions and the printed
 * form of scalars (DML.md 2.3, 3.2, 3.6, 3.7).
 *
 * Does not implement operators (ops.c) or builtins (builtins*.c).  Matrix
 * cells are never touched here except through mb_copy for copy-on-write.
 * Not thread-safe: refcounts are plain ints (one interpreter per thread).
 */
#include "runtime/runtime.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- constructors -------------------------------------------------------- */

static Value rt_scalar(ValueType vt)
{
    Value v;
    memset(&v, 0, sizeof v);
    v.dt = DT_SCALAR;
    v.vt = vt;
    return v;
}

Value rt_int(int64_t x)
{
    Value v = rt_scalar(VT_INT64);
    v.u.i = x;
    return v;
}

Value rt_dbl(double x)
{
    Value v = rt_scalar(VT_FP64);
    v.u.d = x;
    return v;
}

Value rt_bool(int x)
{
    Value v = rt_scalar(VT_BOOL);
    v.u.b = x != 0;
    return v;
}

Value rt_str(const char *s)
{
    return rt_str_take(xstrdup(s ? s : ""));
}

Value rt_str_take(char *s)
{
    Value v = rt_scalar(VT_STRING);
    v.u.s = s;
    return v;
}

Value rt_mat_take(MatBlock *b)
{
    Value v;
    memset(&v, 0, sizeof v);
    v.dt = DT_MATRIX;
    v.vt = VT_FP64;
    v.u.m = xmalloc(sizeof *v.u.m);
    atomic_init(&v.u.m->refcnt, 1);
    v.u.m->blk = b;
    v.u.m->colpart = NULL;
    return v;
}

Value rt_frame_take(FrameBlock *f)
{
    Value v;
    memset(&v, 0, sizeof v);
    v.dt = DT_FRAME;
    v.vt = VT_UNKNOWN;
    v.u.f = xmalloc(sizeof *v.u.f);
    atomic_init(&v.u.f->refcnt, 1);
    v.u.f->fb = f;
    return v;
}

Value rt_list_new(int named)
{
    Value v;
    memset(&v, 0, sizeof v);
    v.dt = DT_LIST;
    v.vt = VT_UNKNOWN;
    v.u.l = xcalloc(1, sizeof *v.u.l);
    atomic_init(&v.u.l->refcnt, 1);
    v.u.l->cap = 4;
    v.u.l->items = xcalloc(4, sizeof(Value));
    if (named)
        v.u.l->names = xcalloc(4, sizeof(char *));
    return v;
}

/* ---- sharing ---------------------------------------------------------------- */

static inline void obj_ref(atomic_int *rc)
{
    atomic_fetch_add_explicit(rc, 1, memory_order_relaxed);
}

/* Drops one reference; 1 if it was the last (the caller frees the object). */
static inline int obj_unref(atomic_int *rc)
{
    return atomic_fetch_sub_explicit(rc, 1, memory_order_acq_rel) == 1;
}

Value rt_copy(const Value *v)
{
    Value c = *v;
    if (v->dt == DT_SCALAR && v->vt == VT_STRING)
        c.u.s = xstrdup(v->u.s ? v->u.s : "");
    else if (v->dt == DT_MATRIX)
        obj_ref(&v->u.m->refcnt);
    else if (v->dt == DT_FRAME)
        obj_ref(&v->u.f->refcnt);
    else if (v->dt == DT_LIST)
        obj_ref(&v->u.l->refcnt);
    return c;
}

static void list_free(RtList *l)
{
    for (int i = 0; i < l->n; i++) {
        rt_release(&l->items[i]);
        if (l->names)
            free(l->names[i]);
    }
    free(l->items);
    free(l->names);
    free(l);
}

void rt_release(Value *v)
{
    if (v->dt == DT_SCALAR && v->vt == VT_STRING) {
        free(v->u.s);
    } else if (v->dt == DT_MATRIX && v->u.m) {
        if (obj_unref(&v->u.m->refcnt)) {
            mb_free(v->u.m->blk);
            mb_free(v->u.m->colpart);
            free(v->u.m);
        }
    } else if (v->dt == DT_FRAME && v->u.f) {
        if (obj_unref(&v->u.f->refcnt)) {
            fr_free(v->u.f->fb);
            free(v->u.f);
        }
    } else if (v->dt == DT_LIST && v->u.l) {
        if (obj_unref(&v->u.l->refcnt))
            list_free(v->u.l);
    }
    memset(v, 0, sizeof *v);
}

MatBlock *rt_mat_block(const Value *v)
{
    return v->dt == DT_MATRIX ? v->u.m->blk : NULL;
}

MatBlock *rt_mat_mutable(Value *v, Err *err)
{
    MatObj *m = v->u.m;
    if (rt_obj_exclusive(&m->refcnt)) {
        mb_free(m->colpart);   /* about to change: a partition would be stale */
        m->colpart = NULL;
        return m->blk;
    }
    MatBlock *c = mb_copy(m->blk, err);
    if (!c)
        return NULL;
    if (obj_unref(&m->refcnt)) {   /* the other holders let go meanwhile */
        mb_free(m->blk);
        mb_free(m->colpart);
        free(m);
    }
    v->u.m = xmalloc(sizeof *v->u.m);
    atomic_init(&v->u.m->refcnt, 1);
    v->u.m->colpart = NULL;
    v->u.m->blk = c;
    return c;
}

FrameBlock *rt_frame_block(const Value *v)
{
    return v->dt == DT_FRAME ? v->u.f->fb : NULL;
}

FrameBlock *rt_frame_mutable(Value *v, Err *err)
{
    FrameObj *f = v->u.f;
    if (rt_obj_exclusive(&f->refcnt))
        return f->fb;
    FrameBlock *c = fr_copy(f->fb, err);
    if (!c)
        return NULL;
    if (obj_unref(&f->refcnt)) {
        fr_free(f->fb);
        free(f);
    }
    v->u.f = xmalloc(sizeof *v->u.f);
    atomic_init(&v->u.f->refcnt, 1);
    v->u.f->fb = c;
    return c;
}

/* ---- lists ------------------------------------------------------------------ */

RtList *rt_list_mutable(Value *v)
{
    RtList *l = v->u.l;
    if (rt_obj_exclusive(&l->refcnt))
        return l;
    RtList *c = xcalloc(1, sizeof *c);
    atomic_init(&c->refcnt, 1);
    c->n = l->n;
    c->cap = l->n > 4 ? l->n : 4;
    c->items = xcalloc((size_t)c->cap, sizeof(Value));
    if (l->names)
        c->names = xcalloc((size_t)c->cap, sizeof(char *));
    for (int i = 0; i < l->n; i++) {
        c->items[i] = rt_copy(&l->items[i]);
        if (l->names)
            c->names[i] = xstrdup(l->names[i]);
    }
    if (obj_unref(&l->refcnt)) list_free(l);
    v->u.l = c;
    return c;
}

/* Appends item (taken).  On a named list a NULL name is stored as "".  On
 * a non-empty unnamed list the name is ignored (SystemDS ListObject.add);
 * an empty unnamed list becomes named by its first named element, so that
 * `L = list(); L = append(L, list(k=v))` builds a named list. */
void rt_list_append(Value *list, Value item, const char *name)
{
    RtList *l = rt_list_mutable(list);
    if (!l->names && name && l->n == 0)
        l->names = xcalloc((size_t)l->cap, sizeof(char *));
    if (l->n == l->cap) {
        l->cap *= 2;
        l->items = xrealloc(l->items, (size_t)l->cap * sizeof(Value));
        if (l->names)
            l->names = xrealloc(l->names, (size_t)l->cap * sizeof(char *));
    }
    l->items[l->n] = item;
    if (l->names)
        l->names[l->n] = xstrdup(name ? name : "");
    l->n++;
}

/* ---- scalar conversions ------------------------------------------------------ */

/* DML.md 3.2: sign(v) * floor(|v| + 2^-53), saturating like Java (long). */
static int64_t dbl_to_int(double d)
{
    if (isnan(d))
        return 0;
    double t = floor(fabs(d) + 0x1p-53);
    if (t >= 0x1p63)
        return d < 0 ? INT64_MIN : INT64_MAX;
    return d < 0 ? -(int64_t)t : (int64_t)t;
}

static double str_to_double(const char *s)
{
    double d;
    if (nf_parse_double(s, &d) == 0)
        return d;
    if (strcmp(s, "TRUE") == 0 || strcmp(s, "true") == 0)
        return 1.0;
    if (strcmp(s, "FALSE") == 0 || strcmp(s, "false") == 0)
        return 0.0;
    return NAN;
}

double rt_as_double(const Value *v)
{
    switch (v->vt) {
    case VT_INT64: return (double)v->u.i;
    case VT_FP64: return v->u.d;
    case VT_BOOL: return v->u.b ? 1.0 : 0.0;
    case VT_STRING: return str_to_double(v->u.s);
    default: return NAN;
    }
}

int64_t rt_as_int(const Value *v)
{
    int64_t i;
    switch (v->vt) {
    case VT_INT64: return v->u.i;
    case VT_FP64: return dbl_to_int(v->u.d);
    case VT_BOOL: return v->u.b ? 1 : 0;
    case VT_STRING:
        if (nf_parse_long(v->u.s, &i) == 0)
            return i;
        return dbl_to_int(str_to_double(v->u.s));
    default: return 0;
    }
}

int rt_as_bool(const Value *v)
{
    switch (v->vt) {
    case VT_INT64: return v->u.i != 0;
    case VT_FP64: return v->u.d != 0.0;   /* NaN != 0 -> TRUE */
    case VT_BOOL: return v->u.b != 0;
    case VT_STRING: return strcmp(v->u.s, "TRUE") == 0 || strcmp(v->u.s, "true") == 0;
    default: return 0;
    }
}

void rt_scalar_to_string(const Value *v, StrBuf *out)
{
    char buf[64];
    switch (v->vt) {
    case VT_INT64:
        sb_printf(out, "%lld", (long long)v->u.i);
        break;
    case VT_FP64:
        nf_double(buf, sizeof buf, v->u.d);
        sb_puts(out, buf);
        break;
    case VT_BOOL:
        sb_puts(out, v->u.b ? "TRUE" : "FALSE");
        break;
    case VT_STRING:
        sb_puts(out, v->u.s ? v->u.s : "");
        break;
    default:
        break;
    }
}

const char *rt_dt_name(DataType dt)
{
    switch (dt) {
    case DT_SCALAR: return "scalar";
    case DT_MATRIX: return "matrix";
    case DT_FRAME: return "frame";
    case DT_LIST: return "list";
    default: return "unknown";
    }
}

const char *rt_vt_name(ValueType vt)
{
    switch (vt) {
    case VT_FP64: return "FP64";
    case VT_INT64: return "INT64";
    case VT_BOOL: return "BOOLEAN";
    case VT_STRING: return "STRING";
    default: return "UNKNOWN";
    }
}
