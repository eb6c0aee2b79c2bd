/*
 * main.c - the `tessera` command: parses SystemDS-style options, runs one
 * DML script through the embedding API (include/tessera.h) and maps the
 * outcome to an exit status (0 success, 1 script error, 2 usage error).
 *
 * Options follow DML.md 11.1: -f FILE | -s TEXT, -args v1 v2 ..., -nvargs
 * k=v ..., -stats [n], -explain [level], -exec MODE, -seed S, -threads K,
 * -trace F,
 * -config FILE, -help/--help, -version/--version.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tessera.h"

typedef struct CliOpts {
    const char *file, *text;
    const char **pos;
    int npos;
    const char **keys, **vals;
    int nnamed;
    tsr_options run;
} CliOpts;

static const char *const known_opts[] = {
    "-f", "-s", "-args", "-nvargs", "-stats", "-explain", "-exec", "-seed", "-threads",
    "-trace", "-O0", "-O1", "-O2",
    "-config", "-blocks", "-help", "--help", "-h", "-version", "--version", "-mem", "-debug", "-gpu",
    "-lineage", "-clean", NULL};

static void usage(FILE *f)
{
    fputs("usage: tessera (-f script.dml | -s \"script\") [options]\n"
          "\n"
          "Runs a DML (SystemDS) script.\n"
          "\n"
          "options:\n"
          "  -f FILE              script file to run\n"
          "  -s TEXT              script text to run\n"
          "  -args V1 V2 ...      positional parameters $1, $2, ... (rest of the line)\n"
          "  -nvargs K=V ...      named parameters $K (rest of the line)\n"
          "  -stats [N]           print statistics with the top N (10) heavy hitters\n"
          "  -explain [LEVEL]     print compiled plans: hops (default), runtime, all\n"
          "  -O0|-O1|-O2          optimisation level: -O0 no rewrites and no fusion (default -O2)\n"
          "  -exec MODE           singlenode | hybrid | spark (accepted; local execution)\n"
          "  -seed S              seed for unseeded rand()/sample()\n"
          "  -threads K           degree of parallelism (0 = number of cores)\n"
          "  -trace FILE          write a Chrome/Perfetto trace of the parfor tasks to FILE\n"
          "  -blocks FMT          matrix block format: auto (by density), dense, sparse\n"
          "  -config FILE         accepted for SystemDS compatibility, ignored\n"
          "  -help, --help        this text\n"
          "  -version, --version  print the version\n",
          f);
}

static int is_known_opt(const char *a)
{
    for (int i = 0; known_opts[i]; i++)
        if (strcmp(a, known_opts[i]) == 0) return 1;
    return 0;
}

static int valid_key(const char *k, size_t n)
{
    if (n == 0 || !isalpha((unsigned char)k[0])) return 0;
    for (size_t i = 1; i < n; i++)
        if (!isalnum((unsigned char)k[i]) && k[i] != '_') return 0;
    return 1;
}

/* Parses a non-negative integer option value; returns -1 if malformed. */
static long long parse_count(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0) return -1;
    return v;
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "tessera: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    fputs("try 'tessera --help'\n", stderr);
    return 2;
}

/* -nvargs K=V ...: consumes words up to the next known option. */
static int parse_nvargs(CliOpts *o, int argc, char **argv, int *i)
{
    while (*i + 1 < argc && !is_known_opt(argv[*i + 1])) {
        const char *kv = argv[++*i];
        const char *eq = strchr(kv, '=');
        if (!eq || !valid_key(kv, (size_t)(eq - kv)) || strchr(eq + 1, '='))
            return usage_error("Invalid argument specified for -nvargs option, must be a list "
                               "of space separated K=V pairs, where K is a valid name of a "
                               "variable in the DML/PyDML program", kv);
        size_t kn = (size_t)(eq - kv);
        char *key = malloc(kn + 1);
        if (!key) return usage_error("out of memory", NULL);
        memcpy(key, kv, kn);
        key[kn] = '\0';
        o->keys[o->nnamed] = key;
        o->vals[o->nnamed++] = eq + 1;
    }
    return 0;
}

static int parse_args(CliOpts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-help") || !strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "-version") || !strcmp(a, "--version")) {
            printf("tessera %s\n", tsr_version());
            exit(0);
        } else if (!strcmp(a, "-f") || !strcmp(a, "-s")) {
            if (!next) return usage_error("missing argument for", a);
            if (o->file || o->text) return usage_error("only one of -f and -s may be given", NULL);
            if (a[1] == 'f') o->file = next;
            else o->text = next;
            i++;
        } else if (!strcmp(a, "-args")) {
            while (i + 1 < argc && !is_known_opt(argv[i + 1])) o->pos[o->npos++] = argv[++i];
        } else if (!strcmp(a, "-nvargs")) {
            int rc = parse_nvargs(o, argc, argv, &i);
            if (rc) return rc;
        } else if (!strcmp(a, "-stats")) {
            o->run.stats = 1;
            if (next && isdigit((unsigned char)next[0])) {
                long long n = parse_count(next);
                if (n < 0) return usage_error("Invalid argument specified for -stats option, "
                                              "must be a valid integer", next);
                o->run.stats_top = (int)(n > 1000 ? 1000 : n);
                i++;
            }
        } else if (!strcmp(a, "-explain")) {
            static const char *const levels[] = {"hops", "runtime", "recompile_hops",
                                                 "recompile_runtime", "all", NULL};
            int lv = -1;
            for (int k = 0; next && levels[k]; k++)
                if (!strcmp(next, levels[k])) lv = k;
            if (next && next[0] != '-' && lv < 0 && i + 1 < argc - 1)
                return usage_error("Invalid argument specified for -explain option, must be "
                                   "one of [hops, runtime, recompile_hops, recompile_runtime, "
                                   "all]", next);
            if (lv >= 0) i++;
            o->run.explain = lv < 0 ? 1 : lv == 4 ? 3 : (lv % 2 == 0 ? 1 : 2);
        } else if (!strcmp(a, "-O0") || !strcmp(a, "-O1") || !strcmp(a, "-O2")) {
            o->run.optlevel = a[2] - '0';
        } else if (!strcmp(a, "-exec")) {
            static const char *const modes[] = {"hadoop", "singlenode", "hybrid", "HYBRID",
                                                "spark", NULL};
            int ok = 0;
            for (int k = 0; next && modes[k]; k++) ok |= !strcmp(next, modes[k]);
            if (!ok) return usage_error("Invalid argument specified for -exec option, must be "
                                        "one of [hadoop, singlenode, hybrid, HYBRID, spark]", next);
            i++;
        } else if (!strcmp(a, "-blocks")) {
            static const char *const fmts[] = {"auto", "dense", "sparse", NULL};
            int f = -1;
            for (int k = 0; next && fmts[k]; k++)
                if (!strcmp(next, fmts[k])) f = k;
            if (f < 0) return usage_error("-blocks must be one of auto, dense, sparse", next);
            o->run.block_format = f;
            i++;
        } else if (!strcmp(a, "-seed") || !strcmp(a, "-threads")) {
            long long n = next ? parse_count(next) : -1;
            if (n < 0) return usage_error("expected a non-negative integer after", a);
            if (a[1] == 's') o->run.seed = n;
            else o->run.threads = (int)(n > 4096 ? 4096 : n);
            i++;
        } else if (!strcmp(a, "-trace")) {
            if (!next || next[0] == '\0') return usage_error("missing file name for", a);
            o->run.trace = next;
            i++;
        } else if (!strcmp(a, "-config") || !strcmp(a, "-mem")) {
            if (!next) return usage_error("missing argument for", a);
            i++;
        } else if (!strcmp(a, "-debug") || !strcmp(a, "-clean") || !strcmp(a, "-gpu") ||
                   !strcmp(a, "-lineage")) {
            /* SystemDS-specific switches: accepted and ignored */
        } else if (!o->file && !o->text && a[0] != '-') {
            o->file = a;   /* `tessera script.dml` like the systemds launcher */
        } else {
            return usage_error("unknown option", a);
        }
    }
    if (!o->file && !o->text) return usage_error("no script given (use -f FILE or -s TEXT)", NULL);
    return 0;
}

int main(int argc, char **argv)
{
    CliOpts o;
    memset(&o, 0, sizeof o);
    tsr_options_default(&o.run);
    o.pos = calloc((size_t)argc + 1, sizeof *o.pos);
    o.keys = calloc((size_t)argc + 1, sizeof *o.keys);
    o.vals = calloc((size_t)argc + 1, sizeof *o.vals);
    if (!o.pos || !o.keys || !o.vals) return usage_error("out of memory", NULL);

    int rc = parse_args(&o, argc, argv);
    if (rc == 0) {
        tsr_ctx *c = tsr_open(&o.run);
        if (!c) {
            rc = usage_error("out of memory", NULL);
        } else {
            tsr_args args = {o.pos, o.npos, o.keys, o.vals, o.nnamed};
            const char *path = o.file ? o.file : "<script>";
            int st = tsr_run(c, path, o.text, &args);
            fflush(stdout);
            if (st != 0) {
                const char *m = tsr_errmsg(c);
                size_t n = strlen(m);
                fputs(m, stderr);
                if (n == 0 || m[n - 1] != '\n') fputc('\n', stderr);
                rc = 1;
            } else {
                tsr_print_stats(c, stdout);
            }
            tsr_close(c);
        }
    }
    for (int i = 0; i < o.nnamed; i++) free((void *)o.keys[i]);
    free(o.pos);
    free(o.keys);
    free(o.vals);
    return rc;
}
