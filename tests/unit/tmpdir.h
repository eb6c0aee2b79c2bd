/*
 * tmpdir.h - a private temporary directory for the C unit tests that write
 * files (test_io.c, test_par_io.c).  Like check.h, everything is static: each
 * test program includes it once and gets its own copy.
 *
 *   tmpdir_open("tsr_io")   creates $TMPDIR/tsr_io_XXXXXX (or /tmp/...); 0 on success
 *   P("name")               path of a file in it, remembered for cleanup
 *   tmpdir_close()          removes every path handed out (and its .mtd), then the dir
 */
#ifndef TSR_TESTS_UNIT_TMPDIR_H
#define TSR_TESTS_UNIT_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

static char g_dir[256];
/* every path handed out by P(), removed at the end (with its .mtd) */
static char *g_paths[1024];
static int g_npaths;

static inline int tmpdir_open(const char *prefix)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/%s_XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

/* Path of `name` inside the temp dir (registered for cleanup). */
static inline const char *P(const char *name)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", g_dir, name);
    for (int i = 0; i < g_npaths; i++)
        if (strcmp(g_paths[i], buf) == 0) return g_paths[i];
    if (g_npaths == (int)(sizeof g_paths / sizeof g_paths[0])) {
        fprintf(stderr, "tmpdir.h: more than %d paths\n", g_npaths);
        abort();
    }
    g_paths[g_npaths] = xstrdup(buf);
    return g_paths[g_npaths++];
}

static inline void tmpdir_close(void)
{
    char buf[600];
    for (int i = g_npaths - 1; i >= 0; i--) {
        snprintf(buf, sizeof buf, "%s.mtd", g_paths[i]);
        unlink(buf);
        if (unlink(g_paths[i]) != 0) rmdir(g_paths[i]);
        free(g_paths[i]);
    }
    g_npaths = 0;
    rmdir(g_dir);
}

#endif
