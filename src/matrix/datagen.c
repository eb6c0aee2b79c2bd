/*
 * datagen.c - data generation: rand (uniform/normal/poisson with sparsity),
 * seq and sample (DML.md 7.1), and the Philox4x32-10 generator behind them.
 *
 * Reproducibility: every random number is a pure function of the seed and
 * counter coordinates, never of the thread count or of how the work is
 * tiled.  rand addresses a cell as (row block br, column block bc, index
 * inside the 1000x1000 block `local` = (i%1000)*1000 + j%1000); each cell
 * owns a stream of uniforms U0, U1, ... with counter (local, draw, br, bc).
 * A non-zero cell's value comes from its own stream (uniform: U1; normal:
 * U1, U2 by Box-Muller; poisson: U1... as many as needed; U0 is skipped),
 * so the non-zero cells of rand(sparsity=p) hold exactly the values of
 * rand(sparsity=1) with the same seed.
 *
 * Which cells are non-zero (0 < sparsity < 1):
 *  - sparsity >= 0.25 (RAND_SKIP_BELOW): per cell, U0 < sparsity;
 *  - sparsity < 0.25: by skipping, not by a draw per cell.  The cells of
 *    block (br, bc) - h x w cells, h and w being the block's actual height
 *    and width (edge blocks are smaller) - are numbered row-major 0 ..
 *    h*w-1 and the gaps between consecutive non-zeros are geometric,
 *    G = floor(log(1-U) / log(1-p)) (the number of zero cells before the
 *    next non-zero), drawn from the block's gap stream with counter
 *    (0xFFFFFFF0, draw, br, bc) (0xFFFFFFF0 is never a cell's `local`).
 * Either way the expected work is O(nnz + number of blocks) (per cell:
 * cells <= 4 nnz) and every block is independent, so any tiling or thread
 * count gives the same matrix.  The same generator feeds the dense and the
 * CSR output (CSR is built directly, band of 1000 rows by band, when
 * mb_prefers_sparse says the expected result is sparse), so the format
 * never changes the cells.  In parallel the blocks are grouped into tasks
 * (see "parallel driver"); a CSR result is built as one piece per task and
 * the pieces are concatenated row by row.  sparsity = 1 draws every cell's value directly
 * (the per-cell rule with U0 < 1 always true); sparsity = 0 draws nothing.
 *
 * Not here: the choice of a fresh seed for seed=-1 (interpreter).
 */
#include "matrix/matrix_int.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- Philox4x32-10 -------------------------------------------------------------------------- */

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u   /* golden ratio */
#define PHILOX_W1 0xBB67AE85u   /* sqrt(3) - 1 */

/* Ten rounds; each multiplies two words (keeping both halves of the 64-bit
 * products), mixes in the other two words and the round key, and the key is
 * bumped by the Weyl constants between rounds. */
static inline __attribute__((always_inline)) void philox(const uint32_t ctr[4],
                                                         const uint32_t key[2], uint32_t out[4])
{
    uint32_t x0 = ctr[0], x1 = ctr[1], x2 = ctr[2], x3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k0 += PHILOX_W0;
            k1 += PHILOX_W1;
        }
        uint64_t p0 = (uint64_t)PHILOX_M0 * x0, p1 = (uint64_t)PHILOX_M1 * x2;
        uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1 ^ k0;
        uint32_t y2 = (uint32_t)(p0 >> 32) ^ x3 ^ k1;
        x1 = (uint32_t)p1;
        x3 = (uint32_t)p0;
        x0 = y0;
        x2 = y2;
    }
    out[0] = x0;
    out[1] = x1;
    out[2] = x2;
    out[3] = x3;
}

void kn_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    philox(ctr, key, out);
}

/* 53 random bits -> [0, 1). */
static inline double u01(uint32_t hi, uint32_t lo)
{
    return (double)((((uint64_t)hi << 32) | lo) >> 11) * 0x1p-53;
}

/* The uniform stream of one cell: counter (c0, t, c2, c3), two uniforms per
 * Philox call. */
typedef struct CellStream {
    uint32_t key[2];
    uint32_t c0, c2, c3, t;
    double u[2];
    int next;
} CellStream;

static void cs_init(CellStream *s, const uint32_t key[2], uint32_t c0, uint32_t c2, uint32_t c3)
{
    s->key[0] = key[0];
    s->key[1] = key[1];
    s->c0 = c0;
    s->c2 = c2;
    s->c3 = c3;
    s->t = 0;
    s->next = 2;
}

static double cs_next(CellStream *s)
{
    if (s->next == 2) {
        uint32_t ctr[4] = { s->c0, s->t++, s->c2, s->c3 }, w[4];
        philox(ctr, s->key, w);
        s->u[0] = u01(w[0], w[1]);
        s->u[1] = u01(w[2], w[3]);
        s->next = 0;
    }
    return s->u[s->next++];
}

static void seed_key(uint64_t seed, uint32_t key[2])
{
    key[0] = (uint32_t)seed;
    key[1] = (uint32_t)(seed >> 32);
}

/* ---- distributions ---------------------------------------------------------------------------- */

/* Box-Muller; 1 - u is in (0, 1] so the logarithm is finite. */
static double draw_normal(CellStream *s)
{
    double u1 = cs_next(s), u2 = cs_next(s);
    return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * M_PI * u2);
}

/* Poisson by sequential inversion of the CDF (small lambda). */
static double poisson_inversion(CellStream *s, double lambda)
{
    double u = cs_next(s), p = exp(-lambda), f = p, k = 0;
    while (u > f) {
        k += 1;
        p *= lambda / k;
        if (p == 0.0) break;   /* CDF rounded below u: the tail is exhausted */
        f += p;
    }
    return k;
}

/* Poisson by Hoermann's transformed rejection with squeeze (PTRS, 1993):
 * exact, O(1) expected uniforms, for lambda >= 10. */
static double poisson_ptrs(CellStream *s, double lambda)
{
    double slam = sqrt(lambda), loglam = log(lambda);
    double b = 0.931 + 2.53 * slam, a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
    for (;;) {
        double u = cs_next(s) - 0.5, v = cs_next(s), us = 0.5 - fabs(u);
        double k = floor((2.0 * a / us + b) * u + lambda + 0.43);
        if (us >= 0.07 && v <= vr) return k;
        if (k < 0 || (us < 0.013 && v > us)) continue;
        int sg;
        double lhs = log(v) + log(invalpha) - log(a / (us * us) + b);
        if (lhs <= -lambda + k * loglam - lgamma_r(k + 1.0, &sg)) return k;
    }
}

static double draw_poisson(CellStream *s, double lambda)
{
    if (lambda <= 0.0) return 0.0;
    return lambda < 10.0 ? poisson_inversion(s, lambda) : poisson_ptrs(s, lambda);
}

/* ---- rand ------------------------------------------------------------------------------------------- */

typedef struct RandSpec {
    uint32_t key[2];
    double min, max, sparsity, lambda;
    double lq;   /* log(1 - sparsity): the gap distribution of skipping */
    KnPdf pdf;
} RandSpec;

#define RAND_BLOCK 1000

/* Normal or poisson value from a cell stream positioned after U0. */
static double stream_value(const RandSpec *sp, CellStream *s)
{
    if (sp->pdf == KR_NORMAL) return draw_normal(s);
    return sp->min + (sp->max - sp->min) * draw_poisson(s, sp->lambda);
}

/* The value of a non-zero cell; `local` is its index inside its block
 * (br, bc).  U0 of the cell's stream is skipped: it is the per-cell
 * decision of rand_cell, so skipping keeps the values of both schemes
 * equal to those of sparsity = 1. */
static inline double rand_value(const RandSpec *sp, uint32_t local, uint32_t br, uint32_t bc)
{
    if (sp->pdf == KR_UNIFORM) {   /* fast path: U1 comes from the first call */
        uint32_t ctr[4] = { local, 0, br, bc }, w[4];
        philox(ctr, sp->key, w);
        return sp->min + (sp->max - sp->min) * u01(w[2], w[3]);
    }
    CellStream s;
    cs_init(&s, sp->key, local, br, bc);
    (void)cs_next(&s);
    return stream_value(sp, &s);
}

/* Per-cell decision (sparsity >= RAND_SKIP_BELOW): the cell is non-zero if
 * its U0 < sparsity, with the value above. */
static inline double rand_cell(const RandSpec *sp, uint32_t local, uint32_t br, uint32_t bc)
{
    if (sp->pdf == KR_UNIFORM) {   /* U0 and U1 come from one call */
        uint32_t ctr[4] = { local, 0, br, bc }, w[4];
        philox(ctr, sp->key, w);
        if (!(u01(w[0], w[1]) < sp->sparsity)) return 0.0;
        return sp->min + (sp->max - sp->min) * u01(w[2], w[3]);
    }
    CellStream s;
    cs_init(&s, sp->key, local, br, bc);
    if (!(cs_next(&s) < sp->sparsity)) return 0.0;
    return stream_value(sp, &s);
}

/* Fully dense generation (sparsity 1): rows [r0, r1) x columns [c0, c1) of
 * z (c0 a multiple of RAND_BLOCK), walked block column by block column so
 * that the block coordinates need no division per cell; returns their nnz. */
static int64_t rand_rect(const RandSpec *sp, MatBlock *z, int64_t r0, int64_t r1, int64_t c0,
                         int64_t c1)
{
    int64_t nz = 0, n = z->cols;
    for (int64_t i = r0; i < r1; i++) {
        double *o = z->dense + i * n;
        uint32_t br = (uint32_t)(i / RAND_BLOCK), li = (uint32_t)(i % RAND_BLOCK) * RAND_BLOCK;
        for (int64_t j0 = c0; j0 < c1; j0 += RAND_BLOCK) {
            uint32_t bc = (uint32_t)(j0 / RAND_BLOCK);
            int64_t j1 = j0 + RAND_BLOCK < c1 ? j0 + RAND_BLOCK : c1;
            for (int64_t j = j0; j < j1; j++) {
                double v = rand_value(sp, li + (uint32_t)(j - j0), br, bc);
                o[j] = v;
                nz += (v != 0.0);
            }
        }
    }
    return nz;
}

/* ---- sparse generation (0 < sparsity < 1) ------------------------------------------------- */

#define RAND_GAP_STREAM 0xFFFFFFF0u
/* Below this sparsity non-zeros are found by skipping; from it on a draw
 * per cell is cheaper (a gap costs a logarithm) and still O(nnz) work. */
#define RAND_SKIP_BELOW 0.25

/* Where the generated cells of one band (RAND_BLOCK rows) go: straight into
 * a dense block, or into band buffers that are sorted into the CSR rows of
 * a piece once the band is complete (block by block, cells arrive column
 * block first). */
typedef struct RandSink {
    MatBlock *z;               /* dense block, or the CSR piece */
    int64_t r0;                /* first row of the band (in z) */
    int32_t *li, *j;           /* CSR: band buffer (row in band, column) */
    double *v;
    int64_t n, cap;
    int64_t nz;                /* dense: non-zeros written */
} RandSink;

static tsr_status sink_grow(RandSink *k, Err *err)
{
    int64_t cap = k->cap ? k->cap * 2 : 1024;
    int32_t *li = realloc(k->li, (size_t)cap * sizeof *li);
    if (li) k->li = li;
    int32_t *j = li ? realloc(k->j, (size_t)cap * sizeof *j) : NULL;
    if (j) k->j = j;
    double *v = j ? realloc(k->v, (size_t)cap * sizeof *v) : NULL;
    if (!v) return err_set(err, TSR_NOMEM, "out of memory in rand");
    k->v = v;
    k->cap = cap;
    return TSR_OK;
}

static inline tsr_status sink_put(RandSink *k, int64_t li, int64_t j, double v, Err *err)
{
    if (v == 0.0) return TSR_OK;   /* a value can be 0 (poisson, min = max = 0) */
    if (!k->z->sparse) {
        k->z->dense[(k->r0 + li) * k->z->cols + j] = v;
        k->nz++;
        return TSR_OK;
    }
    if (k->n == k->cap && sink_grow(k, err)) return TSR_NOMEM;
    k->li[k->n] = (int32_t)li;
    k->j[k->n] = (int32_t)j;
    k->v[k->n++] = v;
    return TSR_OK;
}

/* Number of zero cells before the next non-zero: geometric with success
 * probability p, lq = log(1 - p) < 0; a double so that huge gaps (tiny p)
 * cannot overflow. */
static inline double gap_draw(CellStream *g, double lq)
{
    return floor(log(1.0 - cs_next(g)) / lq);
}

/* The non-zeros of block (br, bc): h x w cells whose first column is j0. */
static tsr_status rand_block(const RandSpec *sp, RandSink *k, uint32_t br, uint32_t bc,
                             int64_t h, int64_t w, int64_t j0, Err *err)
{
    if (sp->sparsity >= RAND_SKIP_BELOW) {   /* dense enough: decide per cell */
        for (int64_t li = 0; li < h; li++)
            for (int64_t lj = 0; lj < w; lj++) {
                double v = rand_cell(sp, (uint32_t)(li * RAND_BLOCK + lj), br, bc);
                if (sink_put(k, li, j0 + lj, v, err)) return TSR_NOMEM;
            }
        return TSR_OK;
    }
    CellStream g;
    cs_init(&g, sp->key, RAND_GAP_STREAM, br, bc);
    double cells = (double)(h * w), pos = -1.0;
    for (;;) {
        pos += gap_draw(&g, sp->lq) + 1.0;
        if (!(pos < cells)) return TSR_OK;
        int64_t c = (int64_t)pos, li = c / w, lj = c % w;
        double v = rand_value(sp, (uint32_t)(li * RAND_BLOCK + lj), br, bc);
        if (sink_put(k, li, j0 + lj, v, err)) return TSR_NOMEM;
    }
}

/* Appends the band buffer (h rows) to the CSR block: a stable counting sort
 * by row keeps the columns increasing (blocks arrive left to right). */
static tsr_status band_to_csr(RandSink *k, int64_t h, Err *err)
{
    MatBlock *z = k->z;
    int64_t cnt[RAND_BLOCK + 1] = { 0 };
    if (mb_csr_reserve(z, k->n, err)) return TSR_NOMEM;
    for (int64_t e = 0; e < k->n; e++) cnt[k->li[e] + 1]++;
    for (int64_t r = 0; r < h; r++) {
        cnt[r + 1] += cnt[r];
        z->ptr[k->r0 + r + 1] = z->nnz + cnt[r + 1];
    }
    for (int64_t e = 0; e < k->n; e++) {
        int64_t at = z->nnz + cnt[k->li[e]]++;
        z->idx[at] = k->j[e];
        z->val[at] = k->v[e];
    }
    z->nnz += k->n;
    k->n = 0;
    return TSR_OK;
}

/* Rows [r0, r1) (whole bands) x block columns [b0, b1) into z: a dense
 * block (rows at their place) or a CSR piece whose row 0 is row r0.  The
 * dense non-zero count is added to *nz. */
static tsr_status rand_sparse(const RandSpec *sp, MatBlock *z, int64_t r0, int64_t r1, int64_t b0,
                              int64_t b1, int64_t *nz, Err *err)
{
    RandSink k = { z, 0, NULL, NULL, NULL, 0, 0, 0 };
    int64_t cols = z->cols, base = z->sparse ? r0 : 0;
    tsr_status st = TSR_OK;
    for (int64_t b = r0; b < r1 && st == TSR_OK; b += RAND_BLOCK) {
        int64_t h = r1 - b < RAND_BLOCK ? r1 - b : RAND_BLOCK;
        k.r0 = b - base;
        for (int64_t bc = b0; bc < b1 && st == TSR_OK; bc++) {
            int64_t j0 = bc * RAND_BLOCK, w = cols - j0 < RAND_BLOCK ? cols - j0 : RAND_BLOCK;
            st = rand_block(sp, &k, (uint32_t)(b / RAND_BLOCK), (uint32_t)bc, h, w, j0, err);
        }
        if (st == TSR_OK && z->sparse) st = band_to_csr(&k, h, err);
    }
    *nz += k.nz;
    free(k.li);
    free(k.j);
    free(k.v);
    return st;
}

/* ---- parallel driver ------------------------------------------------------------------------
 * The blocks form a grid of tasks: `tb` bands (RAND_BLOCK rows each) by `tc`
 * block columns.  A dense target is written in place; a CSR target gets one
 * piece per task (its rows, its block columns), and row i of the result is
 * the concatenation of row i of the pieces of its task row, left to right.
 * Every cell depends only on the seed and its coordinates, so any grid
 * gives the same matrix. */
typedef struct RandJob {
    const RandSpec *sp;
    MatBlock *z;          /* dense target */
    int full;             /* sparsity 1: every cell drawn */
    int64_t rows, cols, nbc;
    int64_t tb, tc, ntc;  /* task: tb bands x tc block columns; ntc task columns */
    MatBlock **pieces;    /* CSR target: per task, row-major over the grid */
    double pcap;          /* expected nnz per cell (piece reservations) */
    atomic_llong nnz;
    ParStatus st;
} RandJob;

static void rand_task(void *arg, int64_t t, int wid)
{
    RandJob *j = arg;
    (void)wid;
    if (par_status_failed(&j->st)) return;
    int64_t tr = t / j->ntc, tcn = t % j->ntc;
    int64_t r0 = tr * j->tb * RAND_BLOCK, r1 = r0 + j->tb * RAND_BLOCK;
    int64_t b0 = tcn * j->tc, b1 = b0 + j->tc < j->nbc ? b0 + j->tc : j->nbc;
    int64_t c0 = b0 * RAND_BLOCK, c1 = b1 * RAND_BLOCK < j->cols ? b1 * RAND_BLOCK : j->cols;
    if (r1 > j->rows) r1 = j->rows;
    int64_t nz = 0;
    Err err;
    err_clear(&err);
    tsr_status st = TSR_OK;
    if (j->full) {
        nz = rand_rect(j->sp, j->z, r0, r1, c0, c1);
    } else if (!j->pieces) {
        st = rand_sparse(j->sp, j->z, r0, r1, b0, b1, &nz, &err);
    } else {
        double cap = j->pcap * (double)(r1 - r0) * (double)(c1 - c0);
        MatBlock *p = mb_new_sparse(r1 - r0, j->cols, (int64_t)cap + 16, &err);
        j->pieces[t] = p;
        st = p ? rand_sparse(j->sp, p, r0, r1, b0, b1, &nz, &err) : err.code;
    }
    if (st != TSR_OK) par_status_fail(&j->st, st, &err);
    atomic_fetch_add_explicit(&j->nnz, (long long)nz, memory_order_relaxed);
}

/* Copies the pieces of task row tr into the rows of z (ptr already set). */
typedef struct RandCat {
    const RandJob *j;
    MatBlock *z;
} RandCat;

static void rand_cat_task(void *arg, int64_t tr, int wid)
{
    const RandCat *c = arg;
    const RandJob *j = c->j;
    MatBlock *z = c->z;
    MatBlock *const *pc = j->pieces + tr * j->ntc;
    int64_t r0 = tr * j->tb * RAND_BLOCK;
    (void)wid;
    for (int64_t r = 0; r < pc[0]->rows; r++) {
        int64_t at = z->ptr[r0 + r];
        for (int64_t g = 0; g < j->ntc; g++) {
            const MatBlock *p = pc[g];
            int64_t len = p->ptr[r + 1] - p->ptr[r];
            memcpy(z->idx + at, p->idx + p->ptr[r], (size_t)len * sizeof *z->idx);
            memcpy(z->val + at, p->val + p->ptr[r], (size_t)len * sizeof *z->val);
            at += len;
        }
    }
}

/* The CSR result from the pieces of a grid of ntr x ntc tasks. */
static MatBlock *rand_concat(const ParCtx *par, const RandJob *j, int64_t ntr, Err *err)
{
    int64_t total = 0;
    for (int64_t t = 0; t < ntr * j->ntc; t++) total += j->pieces[t]->nnz;
    MatBlock *z = mb_new_sparse(j->rows, j->cols, total, err);
    if (!z) return NULL;
    for (int64_t tr = 0; tr < ntr; tr++) {
        int64_t r0 = tr * j->tb * RAND_BLOCK, h = j->pieces[tr * j->ntc]->rows;
        for (int64_t r = 0; r < h; r++) {
            int64_t len = 0;
            for (int64_t g = 0; g < j->ntc; g++) {
                const MatBlock *p = j->pieces[tr * j->ntc + g];
                len += p->ptr[r + 1] - p->ptr[r];
            }
            z->ptr[r0 + r + 1] = z->ptr[r0 + r] + len;
        }
    }
    RandCat c = { j, z };
    par_run(par, ntr, rand_cat_task, &c);
    z->nnz = total;
    return z;
}

/* Work units of one full block: a Philox call per cell (uniform), more for
 * normal (log, cos) and poisson; times the fraction of cells drawn. */
static double rand_block_work(const RandSpec *sp)
{
    double cell = sp->pdf == KR_UNIFORM ? 8.0 : sp->pdf == KR_NORMAL ? 30.0 : 40.0;
    double frac = sp->sparsity >= RAND_SKIP_BELOW ? 1.0 : sp->sparsity * 2.0;
    return (double)RAND_BLOCK * RAND_BLOCK * cell * frac + 64.0;
}

/* Fills z (dense, or the CSR result when *z is sparse) on the grid. */
static tsr_status rand_run(const ParCtx *par, const RandSpec *sp, MatBlock **zp, int full,
                           Err *err)
{
    MatBlock *z = *zp;
    RandJob j;
    j.sp = sp;
    j.z = z;
    j.full = full;
    j.rows = z->rows;
    j.cols = z->cols;
    j.nbc = (z->cols + RAND_BLOCK - 1) / RAND_BLOCK;
    int64_t nbr = (z->rows + RAND_BLOCK - 1) / RAND_BLOCK, nblk = nbr * j.nbc;
    /* blocks per task from the work of an average block (edge blocks are small) */
    double avg = rand_block_work(sp) * ((double)z->rows * (double)z->cols) /
                 ((double)nblk * RAND_BLOCK * RAND_BLOCK);
    int64_t bpt = par_grain(nblk, avg);
    j.tb = bpt >= j.nbc ? bpt / j.nbc : 1;
    j.tc = bpt >= j.nbc ? j.nbc : bpt;
    j.ntc = (j.nbc + j.tc - 1) / j.tc;
    int64_t ntr = (nbr + j.tb - 1) / j.tb, nt = ntr * j.ntc;
    j.pieces = NULL;
    j.pcap = sp->sparsity * 1.05;
    atomic_init(&j.nnz, 0);
    par_status_init(&j.st);
    if (z->sparse && nt > 1 && !(j.pieces = calloc((size_t)nt, sizeof *j.pieces)))
        return err_set(err, TSR_NOMEM, "out of memory in rand");
    par_run(par, nt, rand_task, &j);
    tsr_status st = TSR_OK;
    if (par_status_failed(&j.st)) {
        *err = j.st.err;
        st = err->code;
    } else if (j.pieces) {
        MatBlock *c = rand_concat(par, &j, ntr, err);
        if (!c) st = err->code;
        else {
            mb_free(z);
            *zp = c;
        }
    } else if (!z->sparse) {
        z->nnz = (int64_t)atomic_load(&j.nnz);
    }
    for (int64_t t = 0; j.pieces && t < nt; t++) mb_free(j.pieces[t]);
    free(j.pieces);
    return st;
}

/* The output block for 0 < sparsity < 1: CSR when AUTO would keep the
 * expected result sparse, with room for the expected nnz plus six standard
 * deviations (so the arrays almost never grow); else a zeroed dense block. */
static MatBlock *rand_target(const ParCtx *par, int64_t rows, int64_t cols, double p, Err *err)
{
    double cells = (double)rows * (double)cols, mean = p * cells;
    if (cells > (double)MB_MAX_CELLS || !mb_prefers_sparse(rows, cols, (int64_t)mean))
        return mb_new_ctx(par, rows, cols, err);   /* (reports the size limit) */
    double cap = mean + 6.0 * sqrt(mean * (1.0 - p)) + 16.0;
    return mb_new_sparse(rows, cols, cap < cells ? (int64_t)cap : (int64_t)cells, err);
}

static tsr_status bad_number(Err *err, const char *what, double v)
{
    char buf[32];
    nf_double(buf, sizeof buf, v);
    return err_set(err, TSR_RUNTIME, "%s (got %s)", what, buf);
}

tsr_status kn_rand(const ParCtx *par, int64_t rows, int64_t cols, double min, double max,
                   double sparsity,
                   uint64_t seed, KnPdf pdf, double lambda, MatBlock **out, Err *err)
{
    *out = NULL;
    if (!(sparsity >= 0.0 && sparsity <= 1.0))
        return bad_number(err, "rand: sparsity must be in [0, 1]", sparsity);
    if (pdf != KR_UNIFORM && pdf != KR_NORMAL && pdf != KR_POISSON)
        return err_set(err, TSR_RUNTIME, "rand: unknown pdf %d", (int)pdf);
    if (pdf == KR_POISSON && !(lambda >= 0.0 && isfinite(lambda)))
        return bad_number(err, "rand: lambda must be a non-negative number", lambda);
    if (pdf != KR_NORMAL && !(isfinite(min) && isfinite(max)))
        return bad_number(err, "rand: min and max must be finite", isfinite(min) ? max : min);
    int sparse_gen = sparsity < 1.0 && rows > 0 && cols > 0;
    MatBlock *z = sparse_gen ? rand_target(par, rows, cols, sparsity, err)
                             : mb_new_uninit(par, rows, cols, err);
    if (!z) return err->code;
    RandSpec sp = { { 0, 0 }, min, max, sparsity, lambda, log1p(-sparsity), pdf };
    seed_key(seed, sp.key);
    tsr_status st = TSR_OK;
    if ((sparse_gen && sparsity > 0.0) || (!sparse_gen && MB_CELLS(z) > 0))
        st = rand_run(par, &sp, &z, !sparse_gen, err);
    if (st != TSR_OK) {
        mb_free(z);
        return st;
    }
    *out = z;
    return TSR_OK;
}

/* ---- seq --------------------------------------------------------------------------------------------- */

static tsr_status seq_error(double from, double to, double incr, Err *err)
{
    char f[32], t[32], i[32];
    nf_double(f, sizeof f, from);
    nf_double(t, sizeof t, to);
    nf_double(i, sizeof i, incr);
    return err_set(err, TSR_RUNTIME, "Invalid seq parameters: (%s, %s, %s)", f, t, i);
}

/* Length per DML.md 7.1: t = floor(to/incr - from/incr); N = t + 1, plus one
 * if from + (t+1)*incr still does not pass `to` (round-off guard).  Returns
 * -1 for invalid parameters, -2 if too long. */
static int64_t seq_length(double from, double to, double incr)
{
    if (!isfinite(from) || !isfinite(to) || !isfinite(incr)) return -1;
    if (from == to) return 1;
    if (incr == 0.0 || (from < to && incr < 0) || (from > to && incr > 0)) return -1;
    double t = floor(to / incr - from / incr);
    if (!(t >= 0.0)) return -1;
    if (t >= (double)MB_MAX_CELLS) return -2;
    double next = from + (t + 1.0) * incr;
    int extra = incr > 0 ? next <= to : next >= to;
    return (int64_t)t + 1 + extra;
}

tsr_status kn_seq(double from, double to, double incr, MatBlock **out, Err *err)
{
    *out = NULL;
    int64_t n = seq_length(from, to, incr);
    if (n == -1) return seq_error(from, to, incr, err);
    if (n == -2) return err_set(err, TSR_LIMIT, "seq result exceeds the size limit");
    MatBlock *z = mb_new(n, 1, err);
    if (!z) return err->code;
    int64_t nz = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = from + (double)i * incr;   /* not accumulated: no drift */
        z->dense[i] = v;
        nz += (v != 0.0);
    }
    z->nnz = nz;
    *out = z;
    return TSR_OK;
}

/* ---- sample ------------------------------------------------------------------------------------------- */

/* Draw t of the stream of output position i (a stream separate from rand's
 * cells: c3 = 0xFFFFFFFF is never a rand column block). */
static uint64_t sample_u64(const uint32_t key[2], uint64_t i, uint32_t t)
{
    uint32_t ctr[4] = { (uint32_t)i, t, (uint32_t)(i >> 32), 0xFFFFFFFFu }, w[4];
    philox(ctr, key, w);
    return ((uint64_t)w[0] << 32) | w[1];
}

/* Unbiased integer in [0, n), n >= 1 (Lemire's multiply-and-reject). */
static uint64_t sample_below(const uint32_t key[2], uint64_t i, uint64_t n)
{
    uint32_t t = 0;
    uint64_t x = sample_u64(key, i, t++);
    unsigned __int128 m = (unsigned __int128)x * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t thr = (0 - n) % n;
        while (lo < thr) {
            x = sample_u64(key, i, t++);
            m = (unsigned __int128)x * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Partial Fisher-Yates over an explicit array of the population. */
static tsr_status sample_dense(const uint32_t key[2], int64_t range, MatBlock *z, Err *err)
{
    int64_t *perm = malloc((size_t)range * sizeof *perm);
    if (!perm) return err_set(err, TSR_NOMEM, "out of memory in sample");
    for (int64_t k = 0; k < range; k++) perm[k] = k;
    for (int64_t i = 0; i < z->rows; i++) {
        int64_t j = i + (int64_t)sample_below(key, (uint64_t)i, (uint64_t)(range - i));
        int64_t tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
        z->dense[i] = (double)(perm[i] + 1);
    }
    free(perm);
    return TSR_OK;
}

/* The same Fisher-Yates with the population held implicitly: a hash map
 * records only the displaced positions (absent key k means value k). */
typedef struct SwapMap {
    int64_t *keys, *vals;   /* key -1 = empty */
    uint64_t mask;
} SwapMap;

static int64_t *sm_slot(SwapMap *m, int64_t k)
{
    uint64_t h = ((uint64_t)k * 0x9E3779B97F4A7C15ull) >> 17;
    for (;; h++) {
        uint64_t s = h & m->mask;
        if (m->keys[s] == k) return &m->vals[s];
        if (m->keys[s] == -1) {
            m->keys[s] = k;
            m->vals[s] = k;
            return &m->vals[s];
        }
    }
}

static tsr_status sample_sparse(const uint32_t key[2], int64_t range, MatBlock *z, Err *err)
{
    uint64_t cap = 16;
    while (cap < (uint64_t)z->rows * 4) cap <<= 1;   /* at most 2 keys per draw */
    SwapMap m = { malloc(cap * sizeof(int64_t)), malloc(cap * sizeof(int64_t)), cap - 1 };
    if (!m.keys || !m.vals) {
        free(m.keys);
        free(m.vals);
        return err_set(err, TSR_NOMEM, "out of memory in sample");
    }
    memset(m.keys, 0xff, cap * sizeof(int64_t));
    for (int64_t i = 0; i < z->rows; i++) {
        int64_t j = i + (int64_t)sample_below(key, (uint64_t)i, (uint64_t)(range - i));
        int64_t *pi = sm_slot(&m, i), vi = *pi;
        int64_t *pj = sm_slot(&m, j);   /* may rehash nothing: slots never move */
        *pi = *pj;
        *pj = vi;
        z->dense[i] = (double)(*pi + 1);
    }
    free(m.keys);
    free(m.vals);
    return TSR_OK;
}

tsr_status kn_sample(int64_t range, int64_t size, int replace, uint64_t seed,
                     MatBlock **out, Err *err)
{
    *out = NULL;
    if (size < 0)
        return err_set(err, TSR_RUNTIME, "Invalid sample size: %lld", (long long)size);
    if (range < 1 && size > 0)
        return err_set(err, TSR_RUNTIME, "Invalid range for sample: %lld (must be >= 1)",
                       (long long)range);
    if (!replace && size > range)
        return err_set(err, TSR_RUNTIME,
                       "Sample (size=%lld) larger than population (size=%lld) can only be "
                       "generated with replacement.",
                       (long long)size, (long long)range);
    MatBlock *z = mb_new(size, 1, err);
    if (!z) return err->code;
    uint32_t key[2];
    seed_key(seed, key);
    tsr_status st = TSR_OK;
    if (replace) {
        for (int64_t i = 0; i < size; i++)
            z->dense[i] = (double)(sample_below(key, (uint64_t)i, (uint64_t)range) + 1);
    } else if (size > 0) {
        if (range <= 4 * size || range <= ((int64_t)1 << 20)) st = sample_dense(key, range, z, err);
        else st = sample_sparse(key, range, z, err);
    }
    if (st != TSR_OK) {
        mb_free(z);
        return st;
    }
    z->nnz = size;
    *out = z;
    return TSR_OK;
}
