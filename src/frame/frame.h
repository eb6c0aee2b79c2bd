/*
 * frame.h - frame blocks (DML.md 2.1, 2.5, 7.12): 2-D tables with one value
 * type per column, optional column names and per-column transform metadata,
 * the operations the runtime applies to them (slicing, left indexing,
 * cbind/rbind, toString, casts from and to matrices, removeEmpty, replace,
 * detectSchema) and the transform encoders (transformencode, transformapply,
 * transformdecode).  Prefix fr_.
 *
 * Storage: one array per column.  STRING columns hold owned C strings (NULL
 * is a null cell); FP64/FP32 columns hold doubles, INT64/INT32/BOOLEAN
 * columns hold int64 (booleans as 0/1).  FP32 and INT32 keep their schema
 * name but are stored (and computed) in 64 bits.  Numeric columns may hold
 * null cells too (`na`, allocated on the first null).
 *
 * Column names: `name == NULL` means the default name "C<j>" of the column's
 * current 1-based position (SystemDS leaves unnamed frames without names and
 * generates C1..Cn on demand).
 *
 * Ownership and errors: functions that build a frame return a new block the
 * caller frees with fr_free; inputs are never modified except by the
 * explicitly mutating fr_set_* / fr_assign.  Cell arrays are allocated with
 * malloc and failures become TSR_NOMEM; cell strings use xstrdup.  Errors
 * carry a message only (the interpreter adds the script location).  Not
 * thread-safe per block; no global state.
 */
#ifndef TSR_FRAME_H
#define TSR_FRAME_H

#include <stdint.h>

#include "matrix/matrix.h"
#include "util/util.h"

typedef enum { FR_STRING = 0, FR_FP64, FR_FP32, FR_INT64, FR_INT32, FR_BOOLEAN } FrType;
#define FR_NTYPES 6

typedef struct FrColumn {
    FrType type;
    char **s;            /* FR_STRING: owned strings, NULL = null cell */
    double *d;           /* FR_FP64, FR_FP32 */
    int64_t *i;          /* FR_INT64, FR_INT32, FR_BOOLEAN (0/1) */
    uint8_t *na;         /* numeric columns: na[r] != 0 marks a null cell; NULL: none */
    char *name;          /* owned; NULL = default "C<j>" */
    /* Column metadata of transform meta frames (SystemDS ColumnMetadata):
     * the missing-value replacement of an impute spec and the number of
     * distinct values (recode) or bins.  Kept by slicing and copying. */
    char *mv;            /* owned or NULL */
    int64_t ndistinct;   /* 0 = unset */
} FrColumn;

typedef struct FrameBlock {
    int64_t rows, cols;
    FrColumn *c;         /* cols entries */
} FrameBlock;

/* Limits on user-controlled sizes. */
#define FR_MAX_CELLS ((int64_t)1 << 34)
/* Buffer size for fr_cell_text / fr_col_name. */
#define FR_CELLBUF 48

/* ---- schema --------------------------------------------------------------- */
/* "STRING", "FP64", "FP32", "INT64", "INT32", "BOOLEAN". */
const char *fr_type_name(FrType t);
/* Case-insensitive type name of n bytes (also "double", "int", "integer",
 * "string", "str", "boolean", "bool"); 0 on success, -1 if unknown. */
int fr_type_parse(const char *s, size_t n, FrType *t);
/* Comma-separated schema ("STRING,FP64,..."; blanks around names ignored).
 * *out is malloc'ed (caller frees) with *n entries.  Error: "Invalid value
 * type <t> in frame schema '<s>'". */
tsr_status fr_schema_parse(const char *s, FrType **out, int64_t *n, Err *err);
int fr_is_numeric(FrType t);

/* ---- blocks --------------------------------------------------------------- */
/* New rows x cols frame (schema NULL: all STRING); string cells null,
 * numeric cells 0.  NULL with TSR_LIMIT/TSR_NOMEM in err. */
FrameBlock *fr_new(int64_t rows, int64_t cols, const FrType *schema, Err *err);
void fr_free(FrameBlock *f);
FrameBlock *fr_copy(const FrameBlock *f, Err *err);
/* Name of column j (0-based): the stored name or "C<j+1>" written into buf. */
const char *fr_col_name(const FrameBlock *f, int64_t j, char buf[FR_CELLBUF]);
void fr_set_col_name(FrameBlock *f, int64_t j, const char *name);   /* copies; NULL = default */
/* 1 if any column has an explicit name. */
int fr_has_names(const FrameBlock *f);

/* ---- cells (0-based; callers validate the indexes) ------------------------ */
int fr_is_null(const FrameBlock *f, int64_t r, int64_t j);
/* String form of a cell (Java toString of the value: FP64 "1.0", INT64 "1",
 * BOOLEAN "true"/"false"; strings as stored); NULL for a null cell.  The
 * result points into the frame or into buf. */
const char *fr_cell_text(const FrameBlock *f, int64_t r, int64_t j, char buf[FR_CELLBUF]);
/* Numeric value of a cell: 0 with *out set (null and empty strings give
 * NaN), -1 if a string cell does not parse as a number. */
int fr_cell_double(const FrameBlock *f, int64_t r, int64_t j, double *out);
/* Sets a cell from text (NULL = null) converted to the column type: numbers
 * with Java Double.parseDouble rules (INT columns truncate, "" is null),
 * booleans from true/false (any case) or a number.  Error: "Cannot convert
 * '<s>' to <TYPE> for frame cell [<r>,<c>]" (1-based). */
tsr_status fr_set_text(FrameBlock *f, int64_t r, int64_t j, const char *s, Err *err);
/* Sets a cell from a double (INT columns truncate toward zero, BOOLEAN is
 * v != 0, STRING gets Java Double.toString). */
void fr_set_double(FrameBlock *f, int64_t r, int64_t j, double v);
void fr_set_null(FrameBlock *f, int64_t r, int64_t j);

/* ---- operations ------------------------------------------------------------ */
/* Rows rl..ru, columns cl..cu (0-based, inclusive, validated by the caller):
 * schema, names and column metadata of the selected columns are kept. */
tsr_status fr_slice(const FrameBlock *f, int64_t rl, int64_t ru, int64_t cl, int64_t cu,
                    FrameBlock **out, Err *err);
/* The cells at rows[0..nr) x cols[0..nc) (0-based, validated by the
 * caller, repeats allowed), with the columns' schema, names and metadata. */
tsr_status fr_select(const FrameBlock *f, const int64_t *rows, int64_t nr, const int64_t *cols,
                     int64_t nc, FrameBlock **out, Err *err);
/* dst[rl.., cl..] = src (in place); cells are converted to dst's column
 * types (the target schema is kept).  The caller checks the shapes. */
tsr_status fr_assign(FrameBlock *dst, int64_t rl, int64_t cl, const FrameBlock *src, Err *err);
/* n-ary concatenation.  cbind: equal row counts ("inputs to cbind must have
 * same number of rows: input 1 rows: <r1>, input <k> rows: <rk>"), names
 * concatenated.  rbind: equal column counts (analogous message); the
 * schema and names come from the first input, a column whose types differ
 * between inputs becomes STRING. */
tsr_status fr_cbind(const FrameBlock *const *in, int n, FrameBlock **out, Err *err);
tsr_status fr_rbind(const FrameBlock *const *in, int n, FrameBlock **out, Err *err);
/* toString (DML.md 6.2): "# FRAME: nrow = r, ncol = c", "#" + names,
 * "#" + schema, then the first rows x cols cells (negative = all); FP64/FP32
 * cells with nf_fixed(decimal), booleans TRUE/FALSE, nulls "null". */
void fr_to_string(const FrameBlock *f, int64_t rows, int64_t cols, int decimal,
                  const char *sep, const char *linesep, StrBuf *out);
/* as.matrix: every cell as a double (null/empty -> NaN).  Error on a string
 * that is not a number: "Cannot convert frame cell [<r>,<c>] with value
 * '<s>' to a double". */
tsr_status fr_to_matrix(const FrameBlock *f, MatBlock **out, Err *err);
/* as.frame(matrix): FP64 schema, default names. */
tsr_status fr_from_matrix(const MatBlock *m, FrameBlock **out, Err *err);
/* removeEmpty on frames: a cell is empty if it is null, "", a numeric 0 or
 * FALSE; rows (columns) with at least one non-empty cell are kept, or those
 * where select != 0.  Nothing kept: empty_return -> one empty row (column),
 * else 0 rows (columns). */
tsr_status fr_remove_empty(const FrameBlock *f, int by_rows, const MatBlock *select,
                           int empty_return, FrameBlock **out, Err *err);
/* replace on frames: string columns replace cells equal to `pattern`;
 * numeric columns compare numerically when pattern is a number (NaN
 * matches NaN and null cells) and parse `replacement` into the column type. */
tsr_status fr_replace(const FrameBlock *f, const char *pattern, const char *replacement,
                      FrameBlock **out, Err *err);
/* 1 x ncol STRING frame of inferred types: non-string columns report their
 * own type; string columns the narrowest of BOOLEAN < INT32 < INT64 < FP64
 * < STRING that holds every non-null, non-empty cell (none: STRING). */
tsr_status fr_detect_schema(const FrameBlock *f, FrameBlock **out, Err *err);
/* 1 x ncol STRING frame holding the column names / the schema names. */
tsr_status fr_names_frame(const FrameBlock *f, int schema, FrameBlock **out, Err *err);

/* ---- transformations (transform.c) ---------------------------------------
 * spec: JSON (bare keys allowed, see transform.c) with ids, recode,
 * dummycode, bin, impute, omit.  The metadata frame M has one STRING column
 * per input column (named like the input column) and max(#entries) rows:
 * recode columns hold "value\u00B7code" in code order, bin columns hold
 * "binMin\u00B7binMax" per bin, other cells are null; the column metadata
 * carries the impute replacement (mv) and the number of codes/bins. */
tsr_status fr_transform_encode(const FrameBlock *in, const char *spec, MatBlock **x,
                               FrameBlock **meta, Err *err);
tsr_status fr_transform_apply(const FrameBlock *in, const char *spec, const FrameBlock *meta,
                              MatBlock **x, Err *err);
tsr_status fr_transform_decode(const MatBlock *x, const char *spec, const FrameBlock *meta,
                               FrameBlock **out, Err *err);

/* ---- tokenize (tokenize.c) -------------------------------------------------
 * Bag-of-words / token n-grams of the spec's tokenize_col, one document per
 * row of `in`, with the id_cols copied into every output row; at most
 * max_tokens (>= 1) tokens per document.  Spec keys and output layouts are
 * documented in tokenize.c and docs/builtins.md. */
tsr_status fr_tokenize(const FrameBlock *in, const char *spec, int64_t max_tokens,
                       FrameBlock **out, Err *err);

#endif /* TSR_FRAME_H */
