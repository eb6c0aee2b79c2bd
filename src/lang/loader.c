/*
 * loader.c - builds an AstProgram from a main script and everything it
 * sources (DML.md 5.8/5.9): prs_load_program, prs_load_builtin,
 * prs_load_module, prs_free_program.
 *
 * For each file, its source()/setwd() statements are processed in textual
 * order (SystemDS handles them while walking the parse tree, so a nested one
 * counts too); each file starts with working directory ".".  A relative
 * path p is tried as <workdir>/p, then scripts/<workdir>/p relative to the
 * process, then in the bundled scripts folder (AstProgram.scripts_dir).
 * Files are cached by canonical path and parsed once; cycles terminate
 * because a module is registered before its own imports are processed.
 * Sourced files contribute only their functions; their top-level
 * statements stay in the AST but are never run.
 *
 * Not done here: name resolution of calls (sem_), running anything.
 */
#include "lang/lang_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef TSR_SCRIPTS_DIR
#define TSR_SCRIPTS_DIR "scripts"
#endif

static AstModule *load_file(AstProgram *p, const char *path, const char *ns, int depth, Span at,
                            Err *err);

/* ---- files and paths ------------------------------------------------------- */

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Reads a whole file into a NUL-terminated malloc'd buffer; NULL with errno
 * set on failure. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    StrBuf sb;
    sb_init(&sb);
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) sb_putn(&sb, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        sb_free(&sb);
        errno = EIO;
        return NULL;
    }
    return sb_take(&sb);
}

/* "a" + "/" + "b" in a new malloc'd string. */
static char *join_path(const char *a, const char *b)
{
    StrBuf sb;
    sb_init(&sb);
    sb_printf(&sb, "%s/%s", a, b);
    return sb_take(&sb);
}

/* Cache key of a file: its canonical path, or the path itself if it cannot
 * be canonicalised (e.g. a main script given as text only). */
static const char *module_key(AstProgram *p, const char *path)
{
    char *real = realpath(path, NULL);
    const char *key = ar_strdup(&p->arena, real ? real : path);
    free(real);
    return key;
}

/* Candidate locations of a source() path, in the order of DML.md 5.9.
 * Returns the number of malloc'd strings written to cand (at most 5). */
static int source_candidates(const AstProgram *p, const char *wd, const char *path, char **cand)
{
    int n = 0;
    if (path[0] == '/') {
        cand[n++] = xstrdup(path);
        return n;
    }
    size_t wl = strlen(wd);
    int has_wd = strncmp(path, wd, wl) == 0 && path[wl] == '/';
    cand[n] = has_wd ? xstrdup(path) : join_path(wd, path);
    cand[n + 1] = join_path("scripts", cand[n]);
    n += 2;
    const char *rel = path;
    while (strncmp(rel, "./", 2) == 0) rel += 2;
    cand[n++] = join_path(p->scripts_dir, rel);
    if (strncmp(rel, "scripts/", 8) == 0) {
        cand[n++] = join_path(p->scripts_dir, rel + 8);
        char *up = join_path(p->scripts_dir, "..");
        cand[n++] = join_path(up, rel);
        free(up);
    }
    return n;
}

/* Resolves a source() path; returns the first existing candidate (arena
 * string) or NULL, listing every candidate in `tried`. */
static const char *resolve_source(AstProgram *p, const char *wd, const char *path, StrBuf *tried)
{
    char *cand[5];
    int n = source_candidates(p, wd, path, cand);
    const char *found = NULL;
    for (int i = 0; i < n; i++) {
        if (!found && file_exists(cand[i])) found = ar_strdup(&p->arena, cand[i]);
        sb_printf(tried, "%s%s", i ? ", " : "", cand[i]);
        free(cand[i]);
    }
    return found;
}

/* ---- source statements ------------------------------------------------------- */

typedef struct StmtArr {
    const Stmt **items;
    int n, cap;
} StmtArr;

/* Collects source/setwd statements of a statement list, recursively. */
static void collect_imports(const StmtList *l, StmtArr *out)
{
    for (int i = 0; i < l->n; i++) {
        const Stmt *s = l->items[i];
        if (s->kind == ST_SOURCE || s->kind == ST_SETWD) {
            if (out->n == out->cap) {
                out->cap = out->cap ? out->cap * 2 : 8;
                out->items = xrealloc(out->items, (size_t)out->cap * sizeof *out->items);
            }
            out->items[out->n++] = s;
        } else if (s->kind == ST_IF) {
            collect_imports(&s->u.ifs.then_b, out);
            collect_imports(&s->u.ifs.else_b, out);
        } else if (s->kind == ST_FOR) {
            collect_imports(&s->u.fors.body, out);
        } else if (s->kind == ST_WHILE) {
            collect_imports(&s->u.whiles.body, out);
        }
    }
}

static int cmp_stmt_pos(const void *a, const void *b)
{
    const Stmt *x = *(const Stmt *const *)a, *y = *(const Stmt *const *)b;
    if (x->span.line != y->span.line) return x->span.line < y->span.line ? -1 : 1;
    return (x->span.col > y->span.col) - (x->span.col < y->span.col);
}

/* Binds `source(path) as ns` of module m; wd is the current setwd dir. */
static int import_one(AstProgram *p, AstModule *m, const Stmt *s, const char *wd, int depth,
                      Err *err)
{
    const char *ns = s->u.source.ns;
    StrBuf tried;
    sb_init(&tried);
    const char *path = resolve_source(p, wd, s->u.source.path, &tried);
    if (!path) {
        err_at(err, s->span, TSR_IO, "cannot find the sourced file '%s' (tried %s)",
               s->u.source.path, tried.s);
        sb_free(&tried);
        return -1;
    }
    sb_free(&tried);
    AstModule *prev = hm_get(&m->imports, ns);
    if (prev && strcmp(module_key(p, prev->file->path), module_key(p, path)) != 0) {
        err_at(err, s->span, TSR_SYNTAX, "Namespace Conflict: '%s' already defined as %s", ns,
               prev->file->path);
        return -1;
    }
    AstModule *sub = load_file(p, path, ns, depth + 1, s->span, err);
    if (!sub) return -1;
    hm_put(&m->imports, ns, sub);
    return 0;
}

/* Processes the source/setwd statements of m in textual order. */
static int process_imports(AstProgram *p, AstModule *m, int depth, Err *err)
{
    StmtArr arr = {NULL, 0, 0};
    collect_imports(&m->file->stmts, &arr);
    for (int i = 0; i < m->file->nfuncs; i++) collect_imports(&m->file->funcs[i]->body, &arr);
    if (arr.n > 1) qsort(arr.items, (size_t)arr.n, sizeof *arr.items, cmp_stmt_pos);
    const char *wd = ".";
    int rc = 0;
    for (int i = 0; i < arr.n && rc == 0; i++) {
        const Stmt *s = arr.items[i];
        if (s->kind == ST_SETWD) wd = s->u.setwd.dir;
        else rc = import_one(p, m, s, wd, depth, err);
    }
    free(arr.items);
    return rc;
}

/* ---- modules ------------------------------------------------------------------- */

static void module_release(AstModule *m)
{
    hm_free(&m->funcs);
    hm_free(&m->imports);
}

/* Parses `text` as the module at `path`, registers it under `key`, then
 * loads what it sources.  On failure nothing stays registered. */
static AstModule *load_text(AstProgram *p, const char *path, const char *key, const char *text,
                            const char *ns, int depth, Err *err)
{
    AstFile *f = prs_parse(&p->arena, path, text, &p->args, err);
    if (!f) return NULL;
    AstModule *m = ar_alloc(&p->arena, sizeof *m);
    m->file = f;
    hm_init(&m->funcs);
    hm_init(&m->imports);
    for (int i = 0; i < f->nfuncs; i++) {
        f->funcs[i]->ns = ns ? ar_strdup(&p->arena, ns) : NULL;
        hm_put(&m->funcs, f->funcs[i]->name, f->funcs[i]);
    }
    hm_put(&p->modules, key, m);
    if (process_imports(p, m, depth, err) != 0) {
        hm_del(&p->modules, key);
        module_release(m);
        return NULL;
    }
    return m;
}

/* Loads the file at `path` once (cache by canonical path).  `at` locates
 * read errors (line 0: the file itself). */
static AstModule *load_file(AstProgram *p, const char *path, const char *ns, int depth, Span at,
                            Err *err)
{
    const char *key = module_key(p, path);
    AstModule *m = hm_get(&p->modules, key);
    if (m) return m;
    if (depth > PRS_MAX_NESTING) {
        err_at(err, at, TSR_LIMIT, "source() nesting too deep (more than %d files)",
               PRS_MAX_NESTING);
        return NULL;
    }
    char *text = read_file(path);
    if (!text) {
        if (at.line == 0) at.file = path;
        err_at(err, at, TSR_IO, "cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    m = load_text(p, path, key, text, ns, depth, err);
    free(text);
    return m;
}

/* ---- program ----------------------------------------------------------------- */

static const char **copy_strs(Arena *a, const char *const *v, int n)
{
    if (!v || n <= 0) return NULL;
    const char **out = ar_alloc(a, (size_t)n * sizeof *out);
    for (int i = 0; i < n; i++) out[i] = v[i] ? ar_strdup(a, v[i]) : NULL;
    return out;
}

static void copy_args(AstProgram *p, const ParseArgs *args)
{
    if (!args) return;
    p->args.pos = copy_strs(&p->arena, args->pos, args->npos);
    p->args.npos = p->args.pos ? args->npos : 0;
    p->args.keys = copy_strs(&p->arena, args->keys, args->nnamed);
    p->args.vals = copy_strs(&p->arena, args->vals, args->nnamed);
    p->args.nnamed = (p->args.keys && p->args.vals) ? args->nnamed : 0;
}

/* The program (and with it every file name) is about to be freed: make
 * err->span.file point at storage that survives, i.e. the caller's `path`
 * or a copy kept inside err->msg behind the message's terminator. */
static void detach_err_file(Err *err, const char *main_path)
{
    if (!err || !err->span.file) return;
    if (strcmp(err->span.file, main_path) == 0) {
        err->span.file = main_path;
        return;
    }
    size_t fl = strlen(err->span.file), cap = sizeof err->msg;
    if (fl + 2 > cap) {
        err->span.file = NULL;
        return;
    }
    size_t ml = strlen(err->msg);
    if (ml + 1 + fl + 1 > cap) {
        ml = cap - fl - 2;
        err->msg[ml] = '\0';
    }
    memmove(err->msg + ml + 1, err->span.file, fl + 1);
    err->span.file = err->msg + ml + 1;
}

static AstProgram *program_new(const ParseArgs *args, const char *scripts_dir)
{
    AstProgram *p = xcalloc(1, sizeof *p);
    ar_init(&p->arena);
    hm_init(&p->modules);
    copy_args(p, args);
    p->scripts_dir = ar_strdup(&p->arena, scripts_dir ? scripts_dir : TSR_SCRIPTS_DIR);
    return p;
}

AstProgram *prs_load_program(const char *path, const char *text, const ParseArgs *args,
                             const char *scripts_dir, Err *err)
{
    Span none = {NULL, 0, 0};
    if (!path) path = "<script>";
    AstProgram *p = program_new(args, scripts_dir);
    if (text)
        p->main = load_text(p, path, module_key(p, path), text, NULL, 0, err);
    else
        p->main = load_file(p, path, NULL, 0, none, err);
    if (!p->main) {
        detach_err_file(err, path);
        prs_free_program(p);
        return NULL;
    }
    return p;
}

/* A builtin name is a plain identifier (no path tricks). */
static int valid_builtin_name(const char *name)
{
    if (!name || !*name) return 0;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '_'))
            return 0;
    return 1;
}

AstModule *prs_load_builtin(AstProgram *p, const char *name, Err *err)
{
    if (!valid_builtin_name(name)) return NULL;
    StrBuf sb;
    sb_init(&sb);
    sb_printf(&sb, "%s/builtin/%s.dml", p->scripts_dir, name);
    AstModule *m = NULL;
    Span none = {NULL, 0, 0};
    if (file_exists(sb.s)) m = load_file(p, ar_strdup(&p->arena, sb.s), NULL, 0, none, err);
    sb_free(&sb);
    return m;
}

AstModule *prs_load_module(AstProgram *p, const char *path, Err *err)
{
    StrBuf tried;
    sb_init(&tried);
    const char *found = resolve_source(p, ".", path, &tried);
    Span none = {NULL, 0, 0};
    AstModule *m = NULL;
    if (found) m = load_file(p, found, NULL, 0, none, err);
    else err_at(err, none, TSR_IO, "cannot find the file '%s' (tried %s)", path, tried.s);
    sb_free(&tried);
    return m;
}

void prs_free_program(AstProgram *p)
{
    if (!p) return;
    size_t it = 0;
    void *val;
    while (hm_next(&p->modules, &it, NULL, &val)) module_release(val);
    hm_free(&p->modules);
    ar_free(&p->arena);
    free(p);
}
