/*
 * fused_bench.c - the fused cellwise kernel (kn_fused, src/matrix/fused.c)
 * against the unfused kernel sequence, on sum((X*2+Y)^2/(Z+1)) with X, Y, Z
 * dense (2e7 cells each: 480 MB read), on 1 and on K threads.
 *   fused:   kn_fused, one pass, no intermediate;
 *   unfused: kn_binary_scalar / kn_binary per op (5 intermediates of 160 MB,
 *            from the buffer cache as in the runtime) + kn_agg_full;
 *   read:    a plain (uncompensated, vectorised) sum of X + Y + Z over the same
 *            chunks on the pool: the memory-read bandwidth of the machine.
 * Also colSums(X*Y) and rowSums((X-mu)^2) (fused vs unfused).  Results of
 * fused and unfused are compared bit for bit.
 * Usage: fused_bench [threads] [rows cols]  (default: all cores, 20000 1000).
 * Prints the best of 7 runs in ms.  Not a test: timings never go into tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix/matrix.h"

#define RUNS 7

static MatBlock *rnd(int64_t r, int64_t c, uint64_t seed)
{
    Err e;
    MatBlock *m = mb_new(r, c, &e);
    if (!m) {
        fprintf(stderr, "fused_bench: %s\n", e.msg);
        exit(1);
    }
    for (int64_t i = 0; i < r * c; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        m->dense[i] = (double)(seed >> 11) * 0x1p-53 * 4.0 - 1.0;
    }
    mb_recount_nnz(m);
    return m;
}

/* The read-bandwidth reference: sum of x + y + z per chunk, 4 vector
 * accumulators (no compensation). */
typedef double v4 __attribute__((vector_size(32)));
typedef struct ReadJob {
    const double *x, *y, *z;
    int64_t grain;
    double part[PAR_MAX_TASKS];
} ReadJob;

static void read_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    ReadJob *j = arg;
    v4 a[4] = { { 0 } };
    int64_t i = lo;
    (void)wid;
    for (; i + 16 <= hi; i += 16)
        for (int l = 0; l < 4; l++) {
            v4 u, v, w;
            memcpy(&u, j->x + i + 4 * l, sizeof u);
            memcpy(&v, j->y + i + 4 * l, sizeof v);
            memcpy(&w, j->z + i + 4 * l, sizeof w);
            a[l] += u + v + w;
        }
    double s = 0;
    for (int l = 0; l < 4; l++) s += a[l][0] + a[l][1] + a[l][2] + a[l][3];
    for (; i < hi; i++) s += j->x[i] + j->y[i] + j->z[i];
    j->part[lo / j->grain] = s;   /* par_grain makes at most PAR_MAX_TASKS chunks */
}

static double ms_since(int64_t t0) { return (double)(tm_now_ns() - t0) / 1e6; }

static void check(tsr_status st, const Err *e)
{
    if (st != TSR_OK) {
        fprintf(stderr, "fused_bench: %s\n", e->msg);
        exit(1);
    }
}

/* sum((X*2+Y)^2/(Z+1)) unfused. */
static double unfused_chain(const ParCtx *par, const MatBlock *x, const MatBlock *y,
                            const MatBlock *z)
{
    Err e;
    MatBlock *t1, *t2, *t3, *t4, *t5;
    double s;
    check(kn_binary_scalar(par, BOP_MUL, x, 2.0, 0, &t1, &e), &e);
    check(kn_binary(par, BOP_ADD, t1, y, &t2, &e), &e);
    mb_free(t1);
    check(kn_binary_scalar(par, BOP_POW, t2, 2.0, 0, &t3, &e), &e);
    mb_free(t2);
    check(kn_binary_scalar(par, BOP_ADD, z, 1.0, 0, &t4, &e), &e);
    check(kn_binary(par, BOP_DIV, t3, t4, &t5, &e), &e);
    mb_free(t3);
    mb_free(t4);
    check(kn_agg_full(par, KA_SUM, t5, &s, &e), &e);
    mb_free(t5);
    return s;
}

static KnFuseProg chain_prog(void)
{
    KnFuseProg p;
    memset(&p, 0, sizeof p);
    p.sparse_driver = -1;
    const KnFuseOp ops[] = {
        { KF_IN, 0, 0, 0, 0, 0 },         { KF_CONST, 0, 0, 0, 0, 2.0 },
        { KF_BIN, BOP_MUL, 0, 1, 0, 0 },  { KF_IN, 0, 1, 0, 0, 0 },
        { KF_BIN, BOP_ADD, 2, 3, 0, 0 },  { KF_BIN, BOP_POW, 4, 1, 0, 0 },
        { KF_IN, 0, 2, 0, 0, 0 },         { KF_CONST, 0, 0, 0, 0, 1.0 },
        { KF_BIN, BOP_ADD, 6, 7, 0, 0 },  { KF_BIN, BOP_DIV, 5, 8, 0, 0 },
    };
    p.nops = (int)(sizeof ops / sizeof ops[0]);
    memcpy(p.ops, ops, sizeof ops);
    p.nouts = 1;
    p.outs[0] = (KnFuseOut){ 9, KF_SUM };
    return p;
}

/* colSums(X*Y) or rowSums((X-mu)^2) (mu: 1 x cols), fused and unfused. */
static MatBlock *small_prog(const ParCtx *par, int rows_sum, const MatBlock *x, const MatBlock *y,
                            int fused)
{
    Err e;
    MatBlock *out[1], *t1, *t2;
    double sc[1];
    if (fused) {
        KnFuseProg p;
        memset(&p, 0, sizeof p);
        p.sparse_driver = -1;
        p.nops = rows_sum ? 4 : 3;
        p.ops[0] = (KnFuseOp){ KF_IN, 0, 0, 0, 0, 0 };
        p.ops[1] = (KnFuseOp){ KF_IN, 0, 1, 0, 0, 0 };
        p.ops[2] = (KnFuseOp){ KF_BIN, rows_sum ? BOP_SUB : BOP_MUL, 0, 1, 0, 0 };
        p.ops[3] = (KnFuseOp){ KF_BIN, BOP_MUL, 2, 2, 0, 0 };
        p.nouts = 1;
        p.outs[0] = (KnFuseOut){ rows_sum ? 3 : 2, rows_sum ? KF_ROWSUM : KF_COLSUM };
        KnFuseIn in[2] = { { x, 0 }, { y, 0 } };
        check(kn_fused(par, &p, in, 2, x->rows, x->cols, out, sc, &e), &e);
        return out[0];
    }
    check(kn_binary(par, rows_sum ? BOP_SUB : BOP_MUL, x, y, &t1, &e), &e);
    if (rows_sum) {
        check(kn_binary(par, BOP_MUL, t1, t1, &t2, &e), &e);
        mb_free(t1);
        t1 = t2;
    }
    check(kn_agg_dir(par, KA_SUM, rows_sum ? KD_ROW : KD_COL, t1, &out[0], &e), &e);
    mb_free(t1);
    return out[0];
}

static int same(const MatBlock *a, const MatBlock *b)
{
    return a->rows == b->rows && a->cols == b->cols &&
           memcmp(a->dense, b->dense, (size_t)(a->rows * a->cols) * sizeof(double)) == 0;
}

int main(int argc, char **argv)
{
    int k = argc > 1 ? atoi(argv[1]) : par_ncores();
    int64_t rows = argc > 3 ? atoll(argv[2]) : 20000, cols = argc > 3 ? atoll(argv[3]) : 1000;
    if (k < 1) k = 1;
    Err e;
    err_clear(&e);
    ParPool *pool = par_pool_new(k - 1, &e);
    MbCache *cache = mb_cache_new(NULL, &e);
    if (!pool || !cache) {
        fprintf(stderr, "fused_bench: %s\n", e.msg);
        return 1;
    }
    MatBlock *x = rnd(rows, cols, 1), *y = rnd(rows, cols, 2), *z = rnd(rows, cols, 3);
    MatBlock *mu = rnd(1, cols, 4);
    double mb = 3.0 * (double)(rows * cols) * 8.0 / 1e6;
    printf("sum((X*2+Y)^2/(Z+1)), X Y Z %lldx%lld dense (%.0f MB read); best of %d, ms\n",
           (long long)rows, (long long)cols, mb, RUNS);
    KnFuseProg p = chain_prog();
    KnFuseIn in[3] = { { x, 0 }, { y, 0 }, { z, 0 } };
    for (int th = 1; th <= k; th = th == k ? k + 1 : (th * 2 > k ? k : th * 2)) {
        ParCtx ctx = { pool, th, cache };
        /* best times: fused chain, unfused chain, read, colSums fused/unfused, rowSums f/u */
        double best[7], sf = 0, su = 0;
        int same_small = 1;
        for (int b = 0; b < 7; b++) best[b] = 1e30;
        for (int r = 0; r < RUNS; r++) {
            MatBlock *o[1];
            double s[1], t[7];
            int64_t t0 = tm_now_ns();
            check(kn_fused(&ctx, &p, in, 3, rows, cols, o, s, &e), &e);
            t[0] = ms_since(t0);
            sf = s[0];
            t0 = tm_now_ns();
            su = unfused_chain(&ctx, x, y, z);
            t[1] = ms_since(t0);
            t0 = tm_now_ns();
            ReadJob rj;
            rj.x = x->dense, rj.y = y->dense, rj.z = z->dense;
            rj.grain = par_grain(rows * cols, 1.0);
            par_for(&ctx, rows * cols, rj.grain, read_task, &rj);
            t[2] = ms_since(t0);
            for (int rs = 0; rs < 2; rs++) {
                t0 = tm_now_ns();
                MatBlock *f = small_prog(&ctx, rs, x, rs ? mu : y, 1);
                t[3 + 2 * rs] = ms_since(t0);
                t0 = tm_now_ns();
                MatBlock *u = small_prog(&ctx, rs, x, rs ? mu : y, 0);
                t[4 + 2 * rs] = ms_since(t0);
                same_small &= same(f, u);
                mb_free(f);
                mb_free(u);
            }
            for (int q = 0; q < 7; q++) best[q] = t[q] < best[q] ? t[q] : best[q];
        }
        printf("  %d thread%s: fused %.1f (%.1f GB/s)  unfused %.1f (x%.1f)  read X+Y+Z %.1f "
               "(%.1f GB/s)  %s\n",
               th, th > 1 ? "s" : " ", best[0], mb / best[0], best[1], best[1] / best[0],
               best[2], mb / best[2], sf == su ? "same bits" : "DIFFERENT");
        printf("             colSums(X*Y) fused %.1f unfused %.1f   rowSums((X-mu)^2) fused %.1f "
               "unfused %.1f   %s\n",
               best[3], best[4], best[5], best[6], same_small ? "same bits" : "DIFFERENT");
    }
    mb_free(x), mb_free(y), mb_free(z), mb_free(mu);
    mb_cache_free(cache);
    par_pool_free(pool);
    return 0;
}
