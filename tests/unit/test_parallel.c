/*
 * test_parallel.c - the thread pool (every task runs exactly once, worker
 * ids stay within the width, nested jobs, the sequential back end) and the
 * task partitioners (pinned sequences).
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "check.h"
#include "parallel/parallel.h"

/* ---- partitioners ---------------------------------------------------------------- */
static void check_seq(ParPartKind kind, int64_t n, int k, int64_t param, const int64_t *want,
                      int64_t nwant, int line)
{
    int64_t *got = NULL, cnt = 0;
    Err err;
    err_clear(&err);
    int ok = par_part_sizes(kind, n, k, param, &got, &cnt, &err) == TSR_OK && cnt == nwant;
    for (int64_t i = 0; ok && i < cnt; i++) ok = got[i] == want[i];
    if (!ok) {
        fprintf(stderr, "%s n=%lld k=%d param=%lld: got", par_part_name(kind), (long long)n, k,
                (long long)param);
        for (int64_t i = 0; i < cnt; i++) fprintf(stderr, " %lld", (long long)got[i]);
        fprintf(stderr, "\n");
    }
    check_at(ok, par_part_name(kind), __FILE__, line);
    free(got);
}
#define SEQ(kind, n, k, param, ...)                                                  \
    do {                                                                             \
        static const int64_t w_[] = {__VA_ARGS__};                                   \
        check_seq(kind, n, k, param, w_, (int64_t)(sizeof w_ / sizeof w_[0]), __LINE__); \
    } while (0)

static void test_partitioners(void)
{
    /* The reference sequence of DESIGN.md 5 / SystemDS. */
    SEQ(PAR_FACTORING, 101, 4, 0, 13, 13, 13, 13, 7, 7, 7, 7, 3, 3, 3, 3, 2, 2, 2, 2, 1);
    SEQ(PAR_NAIVE, 5, 4, 0, 1, 1, 1, 1, 1);
    SEQ(PAR_STATIC, 10, 4, 0, 3, 3, 2, 2);   /* DML.md 8.3: first n mod k one larger */
    SEQ(PAR_STATIC, 3, 4, 0, 1, 1, 1);
    SEQ(PAR_STATIC, 11, 3, 0, 4, 4, 3);
    SEQ(PAR_STATIC, 8, 4, 0, 2, 2, 2, 2);
    SEQ(PAR_FIXED, 10, 4, 4, 4, 4, 2);
    SEQ(PAR_GSS, 20, 4, 0, 5, 4, 3, 2, 2, 1, 1, 1, 1);
    /* TSS: F = ceil(100/8) = 13, N = ceil(200/14) = 15, delta = 12/14 */
    SEQ(PAR_TSS, 100, 4, 0, 13, 13, 12, 11, 10, 9, 8, 7, 7, 6, 4);
    SEQ(PAR_FACTORING_CMIN, 101, 4, 5, 13, 13, 13, 13, 7, 7, 7, 7, 5, 5, 5, 5, 1);
    SEQ(PAR_FACTORING_CMAX, 101, 4, 10, 10, 10, 10, 10, 8, 8, 8, 8, 4, 4, 4, 4, 2, 2, 2, 2, 1, 1, 1,
        1, 1);
    SEQ(PAR_FACTORING, 1, 4, 0, 1);
    /* n = 0: no task */
    int64_t *v = NULL, c = -1;
    Err err;
    err_clear(&err);
    CHECK(par_part_sizes(PAR_FACTORING, 0, 4, 0, &v, &c, &err) == TSR_OK && c == 0);
    free(v);
    /* every sequence covers n exactly */
    for (int kind = 0; kind < PAR__NPART; kind++)
        for (int64_t n = 0; n < 300; n += 7)
            for (int k = 1; k <= 9; k += 4) {
                int64_t *s = NULL, cnt = 0, sum = 0;
                int pos = 1;
                CHECK(par_part_sizes((ParPartKind)kind, n, k, 3, &s, &cnt, &err) == TSR_OK);
                for (int64_t i = 0; i < cnt; i++) {
                    sum += s[i];
                    pos &= s[i] > 0;
                }
                check_count(sum == n && pos);
                free(s);
            }
    CHECK(par_part_parse("FACTORING_CMAX") == PAR_FACTORING_CMAX);
    CHECK(par_part_parse("factoring") == -1);
    CHECK_S(par_part_name(PAR_TSS), "TSS");
}

/* ---- pool ---------------------------------------------------------------------- */
typedef struct Counter {
    atomic_int *hits;
    int width;
    atomic_int bad_wid;
    const ParCtx *ctx;     /* for nested jobs */
    atomic_llong nested_sum;
} Counter;

static void count_task(void *arg, int64_t t, int wid)
{
    Counter *c = arg;
    atomic_fetch_add(&c->hits[t], 1);
    if (wid < 0 || wid >= c->width) atomic_fetch_add(&c->bad_wid, 1);
}

static void order_task(void *arg, int64_t t, int wid)
{
    int64_t *log = arg;
    log[log[0] + 1] = t;
    log[0]++;
    (void)wid;
}

static void inner_task(void *arg, int64_t t, int wid)
{
    atomic_llong *s = arg;
    atomic_fetch_add(s, t + 1);
    (void)wid;
}

static void outer_task(void *arg, int64_t t, int wid)
{
    Counter *c = arg;
    ParCtx in = par_nested(c->ctx, 2);
    par_run(&in, 100, inner_task, &c->nested_sum);   /* adds 5050 */
    atomic_fetch_add(&c->hits[t], 1);
    (void)wid;
}

static void sum_range(void *arg, int64_t lo, int64_t hi, int wid)
{
    atomic_llong *s = arg;
    long long acc = 0;
    for (int64_t i = lo; i < hi; i++) acc += i;
    atomic_fetch_add(s, acc);
    (void)wid;
}

static void test_pool(int workers, int threads)
{
    Err err;
    err_clear(&err);
    ParPool *pool = par_pool_new(workers, &err);
    CHECK(pool != NULL);
    if (!pool) return;
    ParCtx ctx = {pool, threads, NULL};
    int64_t n = 100000;
    atomic_int *hits = calloc((size_t)n, sizeof *hits);
    for (int rep = 0; rep < 20; rep++) {
        Counter c;
        c.hits = hits;
        c.width = par_width(&ctx, n);
        atomic_init(&c.bad_wid, 0);
        for (int64_t i = 0; i < n; i++) atomic_init(&hits[i], 0);
        par_run(&ctx, n, count_task, &c);
        int once = 1;
        for (int64_t i = 0; i < n; i++) once &= atomic_load(&hits[i]) == 1;
        check_count(once && atomic_load(&c.bad_wid) == 0);
    }
    /* many small jobs back to back (wake-up / close races) */
    for (int rep = 0; rep < 2000; rep++) {
        atomic_llong s;
        atomic_init(&s, 0);
        par_for(&ctx, 1000, 10, sum_range, &s);
        check_count(atomic_load(&s) == 499500);
    }
    /* nested jobs */
    {
        Counter c;
        c.hits = hits;
        c.width = par_width(&ctx, 64);
        c.ctx = &ctx;
        atomic_init(&c.nested_sum, 0);
        for (int64_t i = 0; i < 64; i++) atomic_init(&hits[i], 0);
        par_run(&ctx, 64, outer_task, &c);
        CHECK(atomic_load(&c.nested_sum) == 64 * 5050);
        int once = 1;
        for (int64_t i = 0; i < 64; i++) once &= atomic_load(&hits[i]) == 1;
        CHECK(once);
    }
    ParPoolStats st;
    par_pool_stats(pool, &st);
    CHECK(st.jobs + st.inline_jobs > 0);
    free(hits);
    par_pool_free(pool);
}

static void test_serial(void)
{
    /* The sequential back end runs tasks inline, in order. */
    int64_t log[101] = {0};
    ParCtx s = par_serial();
    par_run(&s, 100, order_task, log);
    int ok = log[0] == 100;
    for (int i = 0; i < 100 && ok; i++) ok = log[i + 1] == i;
    CHECK(ok);
    log[0] = 0;
    par_run(NULL, 10, order_task, log);
    CHECK(log[0] == 10 && log[10] == 9);
    CHECK(par_width(NULL, 100) == 1);
    CHECK(par_width(&s, 100) == 1);
    ParCtx n2 = par_nested(&s, 4);
    CHECK(n2.threads == 1 && n2.pool == NULL);
}

static void test_grain(void)
{
    CHECK(par_grain(10, 1.0) == 10);                  /* tiny: one task */
    int64_t g = par_grain(10000000, 1.0);
    CHECK(par_nchunks(10000000, g) <= PAR_MAX_TASKS && par_nchunks(10000000, g) >= 2);
    CHECK(par_grain(1000000, 1.0) * 1.0 >= PAR_MIN_TASK_WORK);
    CHECK(par_nchunks(0, 5) == 0 && par_nchunks(11, 5) == 3);
}

int main(void)
{
    test_partitioners();
    test_serial();
    test_grain();
    test_pool(0, 4);     /* no workers: the caller does everything */
    test_pool(1, 2);
    test_pool(3, 4);
    test_pool(3, 2);     /* budget below the pool size */
    CHECK(par_ncores() >= 1);
    return check_summary();
}
