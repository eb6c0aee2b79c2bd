/*
 * tessera.h - the public embedding API of Tessera (prefix tsr_).
 *
 * A context (tsr_ctx) owns everything a run needs: options, the random seed,
 * the last error, statistics, and later the thread pool and buffer pool.
 * There is no global state; two contexts are independent.  A context is not
 * thread-safe: use one per thread.
 *
 *   tsr_ctx *c = tsr_open(&opts);
 *   if (tsr_run(c, "script.dml", NULL, &args) != 0) fputs(tsr_errmsg(c), stderr);
 *   tsr_close(c);
 */
#ifndef TESSERA_H
#define TESSERA_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TSR_API __attribute__((visibility("default")))

typedef struct tsr_ctx tsr_ctx;

typedef struct tsr_options {
    int threads;             /* 0: number of cores (used by later issues)     */
    int block_format;        /* 0 auto (by density), 1 force dense, 2 force sparse */
    int64_t seed;            /* -1: none; else seeds unseeded rand()/sample() */
    int stats;               /* print the statistics block after the run       */
    int stats_top;           /* heavy hitters to list (default 10)             */
    FILE *out;               /* print() output; NULL = stdout                  */
    FILE *err;               /* warnings; NULL = stderr                        */
    const char *scripts_dir; /* bundled scripts/ folder; NULL = built-in path  */
    int optlevel;            /* 0: no rewrites/fusion (-O0); 1, 2 (default): all */
    int explain;             /* 1: HOP DAGs, 2: runtime programs, 3: both; printed
                                to `out` when a block is compiled */
    const char *trace;       /* write a Chrome/Perfetto trace of the parfor tasks
                                to this file after each run; NULL: none */
} tsr_options;

/* Command-line style parameters: $1.. and $name. Borrowed for the call. */
typedef struct tsr_args {
    const char **pos;
    int npos;
    const char **keys;
    const char **vals;
    int nnamed;
} tsr_args;

TSR_API void tsr_options_default(tsr_options *o);
/* Returns NULL only on allocation failure. */
TSR_API tsr_ctx *tsr_open(const tsr_options *o);
TSR_API void tsr_close(tsr_ctx *c);

/* Parses, validates and runs a script.  `path` names the script (used in
 * error locations); `text` is its source, or NULL to read `path`.  Returns 0
 * on success, else a non-zero status (see util.h tsr_status); the message
 * "file:line:col: error: ..." is then available from tsr_errmsg. */
TSR_API int tsr_run(tsr_ctx *c, const char *path, const char *text, const tsr_args *args);
TSR_API const char *tsr_errmsg(const tsr_ctx *c);

/* Writes the statistics block (DML.md 11.2) of the last run. */
TSR_API void tsr_print_stats(const tsr_ctx *c, FILE *f);

TSR_API const char *tsr_version(void);

#ifdef __cplusplus
}
#endif
#endif /* TESSERA_H */
