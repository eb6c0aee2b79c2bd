/*
 * io.h - readers and writers for matrix files and their .mtd metadata
 * (prefix io_).
 *
 * Formats (DML.md 6.7): csv, text (IJV), mm (Matrix Market coordinate) and
 * Tessera's own binary format.  Every write also writes "<file>.mtd" (JSON,
 * via cJSON) in the key order of DML.md 6.6; every read first looks for
 * "<file>.mtd" and lets explicit options override/complement it.
 *
 * Errors: a malformed file is a TSR_IO error whose message names the file
 * and the 1-based line, e.g. "data.csv:17: expected 4 cells but found 3".
 * Nothing here knows about the interpreter; the caller adds the script span.
 */
#ifndef TSR_IO_H
#define TSR_IO_H

#include <stdint.h>
#include "frame/frame.h"
#include "matrix/matrix.h"
#include "util/util.h"

typedef enum { IO_FMT_UNKNOWN = 0, IO_FMT_TEXT, IO_FMT_CSV, IO_FMT_MM, IO_FMT_BINARY,
               IO_FMT_LIBSVM } IoFormat;

/* Parses a format name case-insensitively ("text", "csv", "mm", "binary",
 * "libsvm"); IO_FMT_UNKNOWN otherwise. */
IoFormat io_format_parse(const char *name);
const char *io_format_name(IoFormat f);

/* Options of read()/write() and fields of a .mtd file.  `has_*` flags say
 * whether a value was given.  Strings are owned by the struct (io_meta_free). */
typedef struct IoMeta {
    DataType data_type;       /* DT_MATRIX (default), DT_SCALAR, DT_FRAME, DT_LIST */
    ValueType value_type;     /* VT_FP64 (default), ... */
    IoFormat format;
    int64_t rows, cols, nnz;  /* -1: unknown */
    int has_header, header;
    char *sep;                /* NULL: "," */
    int has_fill, fill;       /* csv read: fill defaults to TRUE */
    int has_default;          /* default_value given (else 0.0) */
    double default_value;
    char *na_strings;         /* '·'-separated list (U+00B7), or NULL */
    int64_t rows_in_block, cols_in_block;   /* -1: not given */
    char *description_json;   /* raw JSON text of `description`, or NULL */
    char *schema;             /* frames only */
    int sparse;               /* csv write: zeros as empty fields */
    char *ind_sep;            /* libsvm index separator; NULL: ":" */
    /* Not part of the .mtd (never read, merged or written): how a csv/text
     * read or write may use threads.  The result never depends on them. */
    const ParCtx *par;        /* NULL (or one thread): the sequential reader/writer */
    int64_t par_chunk;        /* tuning knob for tests: bytes per parse range of a
                                 parallel read, rows per formatting task of a
                                 parallel write; 0 picks them from the size, > 0
                                 also takes the parallel path for small files */
} IoMeta;

/* Init: every field "not given" (data_type DT_UNKNOWN and value_type
 * VT_UNKNOWN read as matrix/double, format IO_FMT_UNKNOWN, numbers -1). */
void io_meta_init(IoMeta *m);
void io_meta_free(IoMeta *m);
/* Deep copy of src into dst (dst uninitialised or freed). */
void io_meta_copy(IoMeta *dst, const IoMeta *src);
/* Fills every field not given in dst from src (dst's values win). */
void io_meta_merge(IoMeta *dst, const IoMeta *src);
/* Reads "<path>.mtd" if it exists. Returns 1 if read, 0 if absent, -1 on a
 * malformed file (err set: "<path>.mtd: ..."). Lenient: trailing commas ok. */
int io_meta_read(const char *path, IoMeta *m, Err *err);
/* Writes "<path>.mtd" for a matrix/scalar. */
tsr_status io_meta_write(const char *path, const IoMeta *m, Err *err);

/* Reads a matrix.  `opt` carries the merged read() options and metadata;
 * format IO_FMT_UNKNOWN means text.  text/mm/binary need rows/cols (from
 * metadata, the MM size line or options): "Missing or incomplete dimension
 * information in read statement: <path>".  Missing file:
 * "Read input file does not exist on FS (local mode): <path>".
 * The block comes back in the format mb_examine(AUTO) picks from its exact
 * nnz (a sparse-layout binary file always as CSR); sparse data is built as
 * CSR directly, in memory proportional to nnz + rows. */
tsr_status io_read_matrix(const char *path, const IoMeta *opt, MatBlock **out, Err *err);
/* Writes a matrix in opt->format (default text) plus the .mtd file.  A CSR
 * block is written from its non-zeros (never through a dense copy). */
tsr_status io_write_matrix(const char *path, const MatBlock *m, const IoMeta *opt, Err *err);
/* Scalars: one-line text file + .mtd with data_type scalar. `text` is the
 * printed value (DML.md 3.7). */
tsr_status io_write_scalar(const char *path, const char *text, ValueType vt, Err *err);
/* Reads the text of a scalar file (trimmed); caller frees *out. */
tsr_status io_read_scalar_text(const char *path, char **out, Err *err);

/* Frames (frame_csv.c): csv (header = column names, schema from the options
 * or the .mtd, all STRING without one) and text (IJV) formats.  Missing
 * file: "Read input file does not exist on FS (local mode): <path>".  The
 * writer's .mtd has data_type frame and the schema. */
tsr_status io_read_frame(const char *path, const IoMeta *opt, FrameBlock **out, Err *err);
tsr_status io_write_frame(const char *path, const FrameBlock *f, const IoMeta *opt, Err *err);

#endif /* TSR_IO_H */
