/*
 * test_parfor_run.c - parfor execution seen from outside (tsr_* API): the
 * optimizer's choices (log=DEBUG), profile=1, the -stats lines, the
 * Chrome trace written by -trace (parsed with cJSON: one complete event per
 * task, covering every iteration exactly once), column partitioning, and
 * that results do not depend on the number of threads.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "tessera.h"

typedef struct Out {
    int rc;
    char *text;    /* print() output */
    char *log;     /* stderr: warnings, optimizer log, profile */
    char *stats;   /* tsr_print_stats */
} Out;

static Out run_named(const char *name, const char *script, int threads, const char *trace);

static Out run(const char *script, int threads, const char *trace)
{
    return run_named("t.dml", script, threads, trace);
}

static Out run_named(const char *name, const char *script, int threads, const char *trace)
{
    Out r;
    size_t n1, n2, n3;
    FILE *out = open_memstream(&r.text, &n1), *log = open_memstream(&r.log, &n2),
         *st = open_memstream(&r.stats, &n3);
    tsr_options o;
    tsr_options_default(&o);
    o.out = out;
    o.err = log;
    o.threads = threads;
    o.stats = 1;
    o.trace = trace;
    tsr_ctx *c = tsr_open(&o);
    if (!c) {
        fprintf(stderr, "tsr_open failed\n");
        exit(2);
    }
    r.rc = tsr_run(c, name, script, NULL);
    if (r.rc) fprintf(log, "%s\n", tsr_errmsg(c));
    tsr_print_stats(c, st);
    tsr_close(c);
    fclose(out);
    fclose(log);
    fclose(st);
    return r;
}

static void out_free(Out *o)
{
    free(o->text);
    free(o->log);
    free(o->stats);
}

static int contains(const char *s, const char *what)
{
    int ok = s && strstr(s, what) != NULL;
    if (!ok) fprintf(stderr, "expected '%s' in:\n%s\n", what, s ? s : "(null)");
    return ok;
}

/* ---- the optimizer's plan ------------------------------------------------------------- */

static void test_plan(void)
{
    /* RULEBASED, par not given: k = threads, FACTORING, threads/k operator threads */
    Out o = run("R = matrix(0, 40, 1)\n"
                "parfor (i in 1:40, log=DEBUG) { R[i, 1] = i }\n"
                "print(sum(R))", 4, NULL);
    CHECK(o.rc == 0);
    CHECK_S(o.text, "820.0\n");
    CHECK(contains(o.log, "PARFOR t.dml:2:1: opt=RULEBASED, 40 iterations, k=4 workers (par=4 "
                          "default"));
    CHECK(contains(o.log, "1 thread per worker's operators, taskpartitioner=FACTORING"));
    out_free(&o);
    /* fewer iterations than threads: one worker per iteration, the rest to operators */
    o = run("R = matrix(0, 2, 1)\n"
            "parfor (i in 1:2, log=DEBUG) { R[i, 1] = i }", 4, NULL);
    CHECK(contains(o.log, "k=2 workers"));
    CHECK(contains(o.log, "2 threads per worker's operators"));
    out_free(&o);
    /* opt=NONE: par and the partitioner as given, even above the iterations */
    o = run("R = matrix(0, 2, 1)\n"
            "parfor (i in 1:2, opt=NONE, par=3, taskpartitioner=STATIC, log=DEBUG) "
            "{ R[i, 1] = i }", 2, NULL);
    CHECK(contains(o.log, "opt=NONE, 2 iterations, k=3 workers (par=3, "));
    CHECK(contains(o.log, "taskpartitioner=STATIC"));
    out_free(&o);
    /* a given partitioner is kept under RULEBASED; CONSTRAINED keeps par */
    o = run("R = matrix(0, 9, 1)\n"
            "parfor (i in 1:9, par=2, taskpartitioner=NAIVE, log=DEBUG) { R[i, 1] = i }\n"
            "parfor (i in 1:9, opt=CONSTRAINED, par=3, log=TRACE) { R[i, 1] = i }", 4, NULL);
    CHECK(contains(o.log, "k=2 workers (par=2,"));
    CHECK(contains(o.log, "taskpartitioner=NAIVE"));
    CHECK(contains(o.log, "opt=CONSTRAINED, 9 iterations, k=3 workers"));
    out_free(&o);
    /* cost model: 3 iterations over a large input on 2 threads run faster as one worker
     * with 2-thread operators (3 / 1.8 < 2 rounds); 4 iterations as 2 workers */
    o = run("X = matrix(1, rows=1000, cols=1000)\n"
            "R = matrix(0, 4, 1)\n"
            "parfor (i in 1:3, log=DEBUG) { R[i, 1] = sum(X) + i }\n"
            "parfor (i in 1:4, log=DEBUG) { R[i, 1] = sum(X) + i }\n"
            "print(sum(R))", 2, NULL);
    CHECK_S(o.text, "4000010.0\n");
    CHECK(contains(o.log, "t.dml:3:1: opt=RULEBASED, 3 iterations, k=1 workers (par=2 default"));
    CHECK(contains(o.log, "2 threads per worker's operators, taskpartitioner=FACTORING "
                          "tasksize=1; operators split (largest input 1000000 cells)"));
    CHECK(contains(o.log, "t.dml:4:1: opt=RULEBASED, 4 iterations, k=2 workers"));
    out_free(&o);
    /* log=INFO (default) prints nothing */
    o = run("R = matrix(0, 3, 1)\nparfor (i in 1:3) { R[i, 1] = i }", 2, NULL);
    CHECK(o.rc == 0 && !strstr(o.log, "PARFOR"));
    out_free(&o);
}

/* ---- profile, -stats -------------------------------------------------------------------- */

static void test_profile_stats(void)
{
    Out o = run("R = matrix(0, 100, 1)\n"
                "parfor (i in 1:100, taskpartitioner=FIXED, tasksize=10, profile=1) "
                "{ R[i, 1] = i * i }\n"
                "print(sum(R))", 2, NULL);
    CHECK(o.rc == 0);
    CHECK_S(o.text, "338350.0\n");
    CHECK(contains(o.log, "PARFOR t.dml:2:1 profile: "));
    CHECK(contains(o.log, "2 workers, 10 tasks, 100 iterations, merge "));
    CHECK(contains(o.stats, "ParFor loops optimized:\t\t1.\nParFor optimize time:\t\t"));
    CHECK(contains(o.stats, "ParFor result merge time:\t"));
    CHECK(contains(o.stats, "ParFOR loops (runs, workers, tasks, iterations; busy time per "
                            "worker; merge):\n  t.dml:2:1: 1 run, 2 workers, 10 tasks, 100 "
                            "iterations, "));
    out_free(&o);
    /* a nested parfor: the inner statement sums its runs (one per outer iteration) */
    o = run("R = matrix(0, 6, 5)\n"
            "parfor (i in 1:6) {\n"
            "  parfor (j in 1:5) { R[i, j] = i * 10 + j }\n"
            "}\n"
            "print(sum(R))", 2, NULL);
    CHECK_S(o.text, "1140.0\n");
    CHECK(contains(o.stats, "  t.dml:3:3: 6 runs, 1 worker, "));
    CHECK(contains(o.stats, " 30 iterations, "));
    out_free(&o);
}

/* ---- -trace ---------------------------------------------------------------------------- */

static void test_trace(void)
{
    char path[] = "/tmp/tsr_trace_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    Out o = run("R = matrix(0, 50, 1)\n"
                "parfor (i in 1:50, taskpartitioner=FIXED, tasksize=7) { R[i, 1] = i }\n"
                "print(sum(R))", 2, path);
    CHECK(o.rc == 0);
    CHECK_S(o.text, "1275.0\n");
    out_free(&o);
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len = f ? getdelim(&buf, &cap, '\0', f) : -1;
    if (f) fclose(f);
    unlink(path);
    CHECK(len > 0);
    cJSON *root = len > 0 ? cJSON_Parse(buf) : NULL;
    CHECK(root != NULL);
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(root, "traceEvents");
    CHECK(cJSON_IsArray(ev));
    int tasks = 0, merges = 0, meta = 0, covered[51] = {0}, ok = 1;
    const cJSON *e;
    cJSON_ArrayForEach(e, ev) {
        const char *ph = cJSON_GetStringValue(cJSON_GetObjectItem(e, "ph"));
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(e, "name"));
        if (ph && !strcmp(ph, "M")) {
            meta++;
            continue;
        }
        ok &= ph && !strcmp(ph, "X") && name && cJSON_IsNumber(cJSON_GetObjectItem(e, "ts")) &&
              cJSON_GetObjectItem(e, "dur")->valuedouble >= 0 &&
              cJSON_IsNumber(cJSON_GetObjectItem(e, "tid"));
        if (name && !strcmp(name, "merge")) {
            merges++;
            continue;
        }
        long a = 0, b = -1;
        ok &= name && sscanf(name, "task %ld..%ld", &a, &b) == 2 && a >= 1 && b <= 50 && a <= b;
        for (long i = a; i <= b; i++) covered[i]++;
        const cJSON *args = cJSON_GetObjectItem(e, "args");
        ok &= cJSON_GetObjectItem(args, "iterations")->valuedouble == (double)(b - a + 1);
        ok &= !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(args, "parfor")), "t.dml:2:1");
        tasks++;
    }
    CHECK(ok);
    CHECK(tasks == 8);    /* 7 tasks of 7 and one of 1 */
    CHECK(merges == 1);   /* 2 workers: one merge (1 worker: in place, none) */
    CHECK(meta == 1);
    for (int i = 1; i <= 50; i++) ok &= covered[i] == 1;
    CHECK(ok);            /* every iteration in exactly one task */
    cJSON_Delete(root);
    free(buf);
    buf = NULL;
    cap = 0;
    /* a script name with a quote and a backslash stays valid JSON */
    memcpy(path + strlen(path) - 6, "XXXXXX", 6);
    fd = mkstemp(path);
    CHECK(fd >= 0);
    close(fd);
    o = run_named("we\"ird\\n.dml", "R = matrix(0, 4, 1)\nparfor (i in 1:4) { R[i, 1] = i }",
                  2, path);
    CHECK(o.rc == 0);
    out_free(&o);
    f = fopen(path, "r");
    len = f ? getdelim(&buf, &cap, '\0', f) : -1;
    if (f) fclose(f);
    unlink(path);
    root = len > 0 ? cJSON_Parse(buf) : NULL;
    CHECK(root != NULL);
    ev = cJSON_GetObjectItemCaseSensitive(root, "traceEvents");
    const cJSON *last = cJSON_GetArrayItem(ev, cJSON_GetArraySize(ev) - 1);
    CHECK_S(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(last, "args"), "parfor")),
            "we\"ird\\n.dml:2:1");
    cJSON_Delete(root);
    free(buf);
    /* an unwritable trace file: a warning, the run itself succeeds */
    o = run("parfor (i in 1:2) { x = i }", 1, "/nonexistent-dir/t.json");
    CHECK(o.rc == 0);
    CHECK(contains(o.log, "WARNING: cannot write the trace file '/nonexistent-dir/t.json'"));
    out_free(&o);
}

/* ---- column partitioning and thread-count independence --------------------------------- */

#define PEARSON(opts)                                        \
    "D = matrix(seq(1, 6000), rows=200, cols=30) %% 17 / 7\n" \
    "R = matrix(0, 30, 30)\n"                                 \
    "parfor (i in 1:30, " opts "log=DEBUG) {\n"               \
    "  X = D[, i]\n"                                          \
    "  parfor (j in 1:30) {\n"                                \
    "    Y = D[, j]\n"                                        \
    "    R[i, j] = cov(X, Y) / (sd(X) * sd(Y))\n"             \
    "  }\n"                                                   \
    "}\n"                                                     \
    "print(toString(R[1:3, 1:3], decimal=12))\n"             \
    "print(sum(R))\n"

static void test_partition_threads(void)
{
    const char *s = PEARSON(""), *none = PEARSON("datapartitioner=NONE, ");
    Out o1 = run(s, 1, NULL), o2 = run(s, 2, NULL), o4 = run(s, 4, NULL), on = run(none, 2, NULL);
    CHECK(o1.rc == 0 && o2.rc == 0 && o4.rc == 0 && on.rc == 0);
    CHECK(contains(o2.log, "column-partitioned inputs: D;"));
    CHECK(contains(on.log, "column-partitioned inputs: none;"));
    CHECK(contains(o1.log, "k=1 workers"));
    CHECK(contains(o4.log, "k=4 workers"));
    CHECK_S(o2.text, o1.text);
    CHECK_S(o4.text, o1.text);
    CHECK_S(on.text, o1.text);
    CHECK(contains(o1.text, "1.000000000000"));   /* the diagonal */
    out_free(&o1);
    out_free(&o2);
    out_free(&o4);
    out_free(&on);
}

int main(void)
{
    test_plan();
    test_profile_stats();
    test_trace();
    test_partition_threads();
    return check_summary();
}
