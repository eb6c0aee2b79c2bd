/*
 * test_parfor_merge.c - the parfor result merge (src/runtime/parfor_merge.c,
 * DML.md 8.5) on each kind of result: dense and CSR matrices with and
 * without compare (NaN cells, zeros written over non-zeros, rows that were
 * empty), accumulators, resized values, frames, lists, and the type-change
 * error.  Expected values are written out cell by cell from the rules.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "blocks.h"
#include "runtime/rt_int.h"

static Interp g_in;

static Interp *interp(void)
{
    memset(&g_in, 0, sizeof g_in);
    g_in.ctx.block_format = MB_FMT_AUTO;
    return &g_in;
}

/* A matrix value from rows x cols cells (row-major), in the given format. */
static Value mat(int64_t rows, int64_t cols, const double *cells, int sparse)
{
    Err err;
    err_clear(&err);
    MatBlock *d = mb_new(rows, cols, &err);
    for (int64_t k = 0; k < rows * cols; k++) d->dense[k] = cells[k];
    mb_recount_nnz(d);
    MatBlock *b = tb_as_fmt(d, sparse);
    mb_free(d);
    return rt_mat_take(b);
}

/* The merged matrix has exactly these cells (NaN equal to NaN) and a valid block. */
static void check_cells(const Value *v, int64_t rows, int64_t cols, const double *want,
                        const char *what)
{
    const MatBlock *m = rt_mat_block(v);
    int ok = m && m->rows == rows && m->cols == cols && tb_valid(m);
    for (int64_t i = 0; ok && i < rows; i++)
        for (int64_t j = 0; ok && j < cols; j++) {
            double g = mb_get(m, i, j), w = want[i * cols + j];
            if (!(g == w || (isnan(g) && isnan(w)))) {
                fprintf(stderr, "%s: cell (%lld,%lld) = %g, want %g\n", what, (long long)i,
                        (long long)j, g, w);
                ok = 0;
            }
        }
    check_at(ok, what, __FILE__, __LINE__);
}

static tsr_status merge(const Value *old, const Value *const *nv, int n, int acc, Value *out)
{
    Span sp = {0};
    return rt_pf_merge(interp(), "R", old, nv, n, acc, sp, out);
}

/* Dense old with non-zeros: compare-based; zero over non-zero and NaN
 * are visible, NaN over NaN is no change, an untouched worker is skipped. */
static void test_dense_compare(void)
{
    const double o[] = {1, 2, 3, NAN, 5, 6};
    const double a[] = {1, 0, 3, NAN, 5, 6};          /* worker 0: (0,1) := 0 */
    const double b[] = {1, 2, 3, NAN, NAN, 7};        /* worker 1: (1,1) := NaN, (1,2) := 7 */
    const double want[] = {1, 0, 3, NAN, NAN, 7};
    for (int fo = 0; fo < 2; fo++)
        for (int fw = 0; fw < 2; fw++) {
            Value old = mat(2, 3, o, fo), va = mat(2, 3, a, fw), vb = mat(2, 3, b, !fw);
            Value same = rt_copy(&old), out;
            const Value *nv[] = {&va, NULL, &same, &vb};
            CHECK(merge(&old, nv, 4, 0, &out) == TSR_OK);
            check_cells(&out, 2, 3, want, fo ? "dense compare (CSR old)" : "dense compare");
            rt_release(&out);
            rt_release(&old);
            rt_release(&va);
            rt_release(&vb);
            rt_release(&same);
        }
}

/* Old all zeros: without compare, a worker's zeros never overwrite. */
static void test_no_compare(void)
{
    const double o[] = {0, 0, 0, 0, 0, 0};
    const double a[] = {4, 0, 0, 0, -0.5, 0};
    const double b[] = {0, 9, 0, 0, 0, NAN};
    const double want[] = {4, 9, 0, 0, -0.5, NAN};
    for (int fo = 0; fo < 2; fo++) {
        Value old = mat(2, 3, o, fo), va = mat(2, 3, a, 0), vb = mat(2, 3, b, 1), out;
        const Value *nv[] = {&va, &vb};
        CHECK(merge(&old, nv, 2, 0, &out) == TSR_OK);
        check_cells(&out, 2, 3, want, "no compare");
        rt_release(&out);
        rt_release(&old);
        rt_release(&va);
        rt_release(&vb);
    }
}

/* A sparse result: stored cells removed by zero writes, empty rows filled,
 * two workers on different rows, a later worker winning a shared cell. */
static void test_sparse_rows(void)
{
    enum { R = 6, C = 50 };
    double o[R * C], a[R * C], b[R * C], want[R * C];
    memset(o, 0, sizeof o);
    o[0 * C + 3] = 1;
    o[0 * C + 40] = 2;
    o[2 * C + 10] = 3;
    o[5 * C + 49] = 4;
    memcpy(a, o, sizeof a);
    memcpy(b, o, sizeof b);
    a[0 * C + 3] = 0;      /* removes a stored cell */
    a[1 * C + 0] = 7;      /* row 1 was empty */
    a[4 * C + 20] = 8;
    b[2 * C + 10] = 0;
    b[2 * C + 11] = 5;
    b[4 * C + 20] = 9;     /* same cell as worker 0: worker 1 wins */
    b[5 * C + 49] = NAN;
    memcpy(want, o, sizeof want);
    want[0 * C + 3] = 0;
    want[1 * C + 0] = 7;
    want[2 * C + 10] = 0;
    want[2 * C + 11] = 5;
    want[4 * C + 20] = 9;
    want[5 * C + 49] = NAN;
    for (int fa = 0; fa < 2; fa++) {
        Value old = mat(R, C, o, 1), va = mat(R, C, a, fa), vb = mat(R, C, b, 1), out;
        const Value *nv[] = {&va, &vb};
        CHECK(merge(&old, nv, 2, 0, &out) == TSR_OK);
        check_cells(&out, R, C, want, fa ? "sparse merge (CSR workers)" : "sparse merge");
        CHECK(rt_mat_block(&out)->nnz == 5);
        CHECK(rt_mat_block(&out)->sparse);   /* 5 of 300 cells: stays CSR */
        rt_release(&out);
        rt_release(&old);
        rt_release(&va);
        rt_release(&vb);
    }
}

/* One worker: the merge equals the worker's value. */
static void test_single_worker(void)
{
    const double o[] = {1, 2, 3, 4};
    const double a[] = {0, 2, 30, 4};
    Value old = mat(2, 2, o, 0), va = mat(2, 2, a, 0), out;
    const Value *nv[] = {&va};
    CHECK(merge(&old, nv, 1, 0, &out) == TSR_OK);
    check_cells(&out, 2, 2, a, "single worker");
    rt_release(&out);
    /* nobody wrote: the old object itself */
    const Value *none[] = {NULL, &old};
    CHECK(merge(&old, none, 2, 0, &out) == TSR_OK);
    CHECK(out.u.m == old.u.m);
    rt_release(&out);
    rt_release(&old);
    rt_release(&va);
}

/* Accumulator: old + sum (new - old). */
static void test_accumulate(void)
{
    const double o[] = {1, 1, 1, 1};
    const double a[] = {2, 3, 1, 1};    /* + (1, 2, 0, 0) */
    const double b[] = {1, 1, 11, 0};   /* + (0, 0, 10, -1) */
    const double want[] = {2, 3, 11, 0};
    Value old = mat(2, 2, o, 0), va = mat(2, 2, a, 0), vb = mat(2, 2, b, 1), out;
    const Value *nv[] = {&va, &vb, NULL};
    CHECK(merge(&old, nv, 3, 1, &out) == TSR_OK);
    check_cells(&out, 2, 2, want, "accumulate");
    rt_release(&out);
    rt_release(&old);
    rt_release(&va);
    rt_release(&vb);
}

/* A worker that resized the value replaces it; a later worker merges on it. */
static void test_resized(void)
{
    const double o[] = {1, 2, 3, 4};
    const double a[] = {5, 6, 7, 8, 9, 10};
    Value old = mat(2, 2, o, 0), va = mat(2, 3, a, 0), out;
    const Value *nv[] = {&va};
    CHECK(merge(&old, nv, 1, 0, &out) == TSR_OK);
    check_cells(&out, 2, 3, a, "resized");
    rt_release(&out);
    Value sc = rt_int(3);
    const Value *bad[] = {&sc};
    CHECK(merge(&old, bad, 1, 0, &out) == TSR_RUNTIME);
    CHECK(strstr(g_in.ctx.err.msg, "'R' is a matrix before the loop but a worker left a scalar"));
    rt_release(&old);
    rt_release(&va);
}

static Value frame2(const char *s0, const char *s1, double d0, double d1)
{
    Err err;
    err_clear(&err);
    FrType sch[] = {FR_STRING, FR_FP64};
    FrameBlock *f = fr_new(2, 2, sch, &err);
    if (s0) fr_set_text(f, 0, 0, s0, &err);
    if (s1) fr_set_text(f, 1, 0, s1, &err);
    if (!isnan(d0)) fr_set_double(f, 0, 1, d0);
    else fr_set_null(f, 0, 1);
    if (!isnan(d1)) fr_set_double(f, 1, 1, d1);
    else fr_set_null(f, 1, 1);
    return rt_frame_take(f);
}

static void test_frames(void)
{
    char buf[FR_CELLBUF];
    Value old = frame2("a", "b", 1, 2), va = frame2("x", "b", 1, 2), vb = frame2("a", "b", 1, 20);
    Value out;
    const Value *nv[] = {&va, &vb};
    CHECK(merge(&old, nv, 2, 0, &out) == TSR_OK);
    const FrameBlock *f = rt_frame_block(&out);
    CHECK_S(fr_cell_text(f, 0, 0, buf), "x");
    CHECK_S(fr_cell_text(f, 1, 0, buf), "b");
    CHECK(f->c[1].d[0] == 1 && f->c[1].d[1] == 20);
    CHECK_S(fr_cell_text(rt_frame_block(&old), 0, 0, buf), "a");   /* old untouched */
    rt_release(&out);
    rt_release(&old);
    rt_release(&va);
    rt_release(&vb);
    /* all-null old: without compare, a worker's null cells never overwrite */
    Value nul = frame2(NULL, NULL, NAN, NAN), w0 = frame2("p", NULL, NAN, NAN),
          w1 = frame2(NULL, "q", NAN, 3);
    const Value *nv2[] = {&w0, &w1};
    CHECK(merge(&nul, nv2, 2, 0, &out) == TSR_OK);
    f = rt_frame_block(&out);
    CHECK_S(fr_cell_text(f, 0, 0, buf), "p");
    CHECK_S(fr_cell_text(f, 1, 0, buf), "q");
    CHECK(fr_is_null(f, 0, 1) && !fr_is_null(f, 1, 1) && f->c[1].d[1] == 3);
    rt_release(&out);
    rt_release(&nul);
    rt_release(&w0);
    rt_release(&w1);
}

static void test_lists(void)
{
    Value old = rt_list_new(0);
    for (int k = 0; k < 3; k++) rt_list_append(&old, rt_int(k), NULL);
    Value a = rt_copy(&old), b = rt_copy(&old), out;
    RtList *la = rt_list_mutable(&a);
    rt_release(&la->items[0]);
    la->items[0] = rt_dbl(1.5);
    RtList *lb = rt_list_mutable(&b);
    rt_release(&lb->items[2]);
    lb->items[2] = rt_str("z");
    rt_list_append(&b, rt_int(99), NULL);   /* appended in the body */
    const Value *nv[] = {&a, &b};
    CHECK(merge(&old, nv, 2, 0, &out) == TSR_OK);
    const RtList *l = out.u.l;
    CHECK(l->n == 4);
    CHECK(l->items[0].vt == VT_FP64 && l->items[0].u.d == 1.5);
    CHECK(l->items[1].vt == VT_INT64 && l->items[1].u.i == 1);
    CHECK(l->items[2].vt == VT_STRING && strcmp(l->items[2].u.s, "z") == 0);
    CHECK(l->items[3].u.i == 99);
    CHECK(old.u.l->n == 3 && old.u.l->items[0].u.i == 0);   /* old untouched */
    rt_release(&out);
    rt_release(&old);
    rt_release(&a);
    rt_release(&b);
}

int main(void)
{
    test_dense_compare();
    test_no_compare();
    test_sparse_rows();
    test_single_worker();
    test_accumulate();
    test_resized();
    test_frames();
    test_lists();
    return check_summary();
}
