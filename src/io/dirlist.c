/*
 * dirlist.c - lists the part files of a matrix stored as a directory (see
 * dirlist_int.h for why this is a separate file).  Not here: reading them.
 */
#include "io/dirlist_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

tsr_status io_list_dir(const char *dir, char ***paths, int *n, Err *err)
{
    DIR *d = opendir(dir);
    if (!d) return err_set(err, TSR_IO, "%s: cannot open directory: %s", dir, strerror(errno));
    int first = *n, cap = *n;
    struct dirent *de;
    size_t dlen = strlen(dir);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || de->d_name[0] == '_') continue;
        size_t len = strlen(de->d_name);
        char *p = xmalloc(dlen + len + 2);
        memcpy(p, dir, dlen);
        p[dlen] = '/';
        memcpy(p + dlen + 1, de->d_name, len + 1);
        struct stat st;
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(p);
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *paths = xrealloc(*paths, (size_t)cap * sizeof **paths);
        }
        (*paths)[(*n)++] = p;
    }
    closedir(d);
    if (*n - first > 1) qsort(*paths + first, (size_t)(*n - first), sizeof **paths, cmp_str);
    return TSR_OK;
}
