/*
 * lang.h - the DML front end: lexer, parser, module loader, validator.
 *
 *   text --prs_parse--> AstFile          (one file; $-params substituted)
 *   main file --prs_load_program--> AstProgram
 *        (follows source(...) as ns recursively, honouring setwd, with the
 *         scripts/ search-path fallback of DML.md 5.9)
 *   AstProgram --sem_validate--> annotated AST or a located TSR_TYPE error
 *
 * Errors are reported through Err with span file:line:col.  The parser may
 * longjmp internally (its memory lives in the arena) but never lets a jump
 * escape these entry points.
 */
#ifndef TSR_LANG_H
#define TSR_LANG_H

#include "lang/ast.h"
#include "util/util.h"

/* Command-line bindings for $1.. (-args) and $name (-nvargs). Borrowed. */
typedef struct ParseArgs {
    const char **pos;     /* pos[0] binds $1 */
    int npos;
    const char **keys;    /* without '$' */
    const char **vals;
    int nnamed;
} ParseArgs;

/* Limits the input controls (STYLE.md 11). */
#define PRS_MAX_NESTING 200          /* expression/statement nesting depth */

/* Parses one file.  All nodes go into `a`.  Returns NULL on error with
 * err->code = TSR_SYNTAX (TSR_LIMIT if nesting exceeds PRS_MAX_NESTING) and
 * span set.  `path` is copied into the arena and used in spans. */
AstFile *prs_parse(Arena *a, const char *path, const char *text, const ParseArgs *args, Err *err);

/* A namespace scope: the functions a file defines and the namespaces it
 * binds with source(). */
typedef struct AstModule {
    AstFile *file;
    HMap funcs;      /* name -> FuncDef* defined in this file              */
    HMap imports;    /* namespace -> struct AstModule* (source ... as ns)  */
} AstModule;

typedef struct AstProgram {
    Arena arena;             /* owns every node of every file              */
    AstModule *main;         /* the script given with -f / -s              */
    HMap modules;            /* resolved path -> AstModule* (loaded once)  */
    ParseArgs args;
    const char *scripts_dir; /* bundled scripts/ folder (DML builtins, nn)  */
} AstProgram;

/* Loads the main script (`path` is used for spans; `text` may be NULL to
 * read the file) and every file it sources.  Returns NULL with err set on
 * any syntax error, missing sourced file or namespace conflict.  Codes:
 * TSR_SYNTAX, TSR_IO (file missing/unreadable), TSR_LIMIT (nesting deeper
 * than PRS_MAX_NESTING).  On failure err->span.file is either `path` itself
 * or points into err->msg (after its terminator) for errors inside a
 * sourced file, because the program's arena is already freed: it stays
 * valid only as long as that Err object (render it before it goes away). */
AstProgram *prs_load_program(const char *path, const char *text, const ParseArgs *args,
                             const char *scripts_dir, Err *err);
/* Loads (once) scripts_dir/builtin/<name>.dml as a DML-bodied builtin and
 * returns its module, or NULL (err set only if the file exists but fails). */
AstModule *prs_load_builtin(AstProgram *p, const char *name, Err *err);
/* Loads an arbitrary file as a module (used by eval("path::f") later). */
AstModule *prs_load_module(AstProgram *p, const char *path, Err *err);
void prs_free_program(AstProgram *p);

/* Debug dump of a file's AST, one node per line (for tests and -explain). */
void ast_dump(const AstFile *f, StrBuf *out);

/* ---- validation (sem.c) ------------------------------------------------------
 * The validator checks names, calls, types and the statement rules of
 * DML.md 2-6 and 8.1/8.7, resolves every call (Expr.call.builtin_id / .fn,
 * loading DML-bodied builtins through prs_load_builtin) and fills the
 * inferred Expr.dt/vt (UNKNOWN where not known).  Errors are TSR_TYPE with
 * the span of the offending expression or statement (loading a builtin
 * file may also give TSR_SYNTAX/TSR_IO).  Warnings of the main script go to
 * the `warn` stream as "WARNING: file:line:col: msg".  Not thread-safe. */
typedef struct SemCtx SemCtx;

SemCtx *sem_new(AstProgram *p, FILE *warn);
void sem_free(SemCtx *s);
/* Validates the main script, all functions of the main file and of every
 * module reachable from it (sourced namespaces, DML-bodied builtins). */
tsr_status sem_validate(SemCtx *s, Err *err);
/* Validates the functions of a module (e.g. loaded at run time by eval);
 * a module is validated only once. */
tsr_status sem_validate_module(SemCtx *s, AstModule *m, Err *err);

#endif /* TSR_LANG_H */
