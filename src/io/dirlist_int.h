/*
 * dirlist_int.h - directory listing for the io module, kept apart from
 * io_int.h because <dirent.h> defines DT_UNKNOWN, DT_DIR, ... which collide
 * with the DataType enum of lang/ast.h.  Include only util.h next to it.
 */
#ifndef TSR_DIRLIST_INT_H
#define TSR_DIRLIST_INT_H

#include "util/util.h"

/* Lists the regular files of `dir` whose names do not start with '.' or '_'
 * (Hadoop's .crc and _SUCCESS files), as "dir/name" paths sorted by name.
 * Appends to *paths (xrealloc'd array of xmalloc'd strings, caller frees)
 * and *n.  Returns TSR_OK or TSR_IO with err set. */
tsr_status io_list_dir(const char *dir, char ***paths, int *n, Err *err);

#endif /* TSR_DIRLIST_INT_H */
