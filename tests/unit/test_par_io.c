/*
 * test_par_io.c - the parallel csv and text (IJV) readers and writers
 * against the sequential ones (IoMeta.par == NULL): every file is read with
 * pools of 1 and 3 workers under budgets of 2 and 4 threads and with parse
 * ranges from one line to many kilobytes (IoMeta.par_chunk), and must give
 * the same block bit for bit (format, nnz, cells, -0.0 and NaN included) or
 * the same error (code and message, so the same file:line).  Writes must
 * give the same bytes and the same .mtd.
 * Files: dense and sparse, header, NaN/Inf/empty fields, naStrings, quoted
 * fields (not numbers for a matrix: an error), CRLF, with and without a
 * final newline, blank lines inside and at the end, directories of part
 * files, known and unknown dimensions, and malformed lines in later ranges.
 * All files live in a fresh mkdtemp directory removed at the end.
 */
#include "io/io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "blocks.h"
#include "tmpdir.h"

static void put_bytes(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    fwrite(text, 1, n, f);
    fclose(f);
}

static void put_file(const char *path, const char *text)
{
    put_bytes(path, text, strlen(text));
}

static char *get_file(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    StrBuf b;
    sb_init(&b);
    if (f) {
        char chunk[65536];
        size_t k;
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) sb_putn(&b, chunk, k);
        fclose(f);
    }
    *n = b.len;
    char *s = sb_take(&b);
    return s ? s : xstrdup("");
}

/* ---- contexts -------------------------------------------------------------------- */

static ParPool *g_pool[2];
static ParCtx g_ctx[4];
static const int64_t CHUNKS[] = { 1, 3, 17, 256, 4096 };
#define NCHUNKS ((int)(sizeof CHUNKS / sizeof CHUNKS[0]))

static void make_pools(void)
{
    const int workers[2] = { 1, 3 }, threads[2] = { 2, 4 };
    for (int p = 0; p < 2; p++) {
        Err e;
        g_pool[p] = par_pool_new(workers[p], &e);
        if (!g_pool[p]) { printf("pool: %s\n", e.msg); exit(2); }
        for (int t = 0; t < 2; t++) {
            ParCtx c = { .pool = g_pool[p], .threads = threads[t] };
            g_ctx[2 * p + t] = c;
        }
    }
}

/* ---- comparing -------------------------------------------------------------------- */

static tsr_status read_with(const char *path, const IoMeta *o, const ParCtx *par, int64_t chunk,
                            MatBlock **out, Err *e)
{
    IoMeta m;
    io_meta_copy(&m, o);
    m.par = par;
    m.par_chunk = chunk;
    err_clear(e);
    *out = NULL;
    tsr_status st = io_read_matrix(path, &m, out, e);
    io_meta_free(&m);
    return st;
}

/* Reads path sequentially, then with every context and range size, and
 * checks that all agree.  want_err: whether the read must fail (with
 * `want` in the message).  Returns the sequential block (caller frees). */
static MatBlock *check_read(const char *path, const IoMeta *o, int want_err, const char *want,
                            int line)
{
    Err ref, e;
    MatBlock *a = NULL, *b = NULL;
    tsr_status st0 = read_with(path, o, NULL, 0, &a, &ref);
    int ok0 = want_err ? st0 != TSR_OK && (!want || strstr(ref.msg, want)) : st0 == TSR_OK;
    check_at(ok0, path, __FILE__, line);
    if (!ok0) fprintf(stderr, "  sequential read: %s\n", st0 == TSR_OK ? "<ok>" : ref.msg);
    for (int c = 0; c < 4; c++)
        for (int k = 0; k < NCHUNKS + 1; k++) {
            int64_t chunk = k < NCHUNKS ? CHUNKS[k] : 0;
            tsr_status st = read_with(path, o, &g_ctx[c], chunk, &b, &e);
            int ok = st == st0 && (st0 == TSR_OK ? tb_same_bits(a, b) : strcmp(e.msg, ref.msg) == 0);
            if (!check_count(ok))
                fprintf(stderr, "%s:%d: FAILED: %s ctx %d chunk %lld: %s | want %s\n", __FILE__,
                        line, path, c, (long long)chunk, st == TSR_OK ? "<ok>" : e.msg,
                        st0 == TSR_OK ? "<ok>" : ref.msg);
            mb_free(b);
        }
    return a;
}
#define READ_OK(p, o) mb_free(check_read((p), (o), 0, NULL, __LINE__))
#define READ_ERR(p, o, w) check_read((p), (o), 1, (w), __LINE__)

static IoMeta opts(IoFormat f)
{
    IoMeta m;
    io_meta_init(&m);
    m.format = f;
    return m;
}

/* Deterministic pseudo-random numbers (xorshift). */
static uint64_t g_rng = 88172645463325252ull;
static uint64_t rnd(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return g_rng;
}
static double urand(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* A cell's text: numbers in many spellings, zeros, specials. */
static void cell_text(StrBuf *b, double zero_frac)
{
    static const char *const SPECIAL[] = { "NaN", "Infinity", "-Infinity", "-0", "-0.0",
                                           "1e-300", " 7 ", "1E5", "+3.25", ".5" };
    double u = urand();
    if (u < zero_frac) { sb_puts(b, rnd() % 2 ? "0" : "0.0"); return; }
    if (u < zero_frac + 0.02) { sb_puts(b, SPECIAL[rnd() % 10]); return; }
    sb_printf(b, "%.*g", (int)(1 + rnd() % 17), (urand() - 0.5) * pow(10.0, (double)(rnd() % 12) - 4));
}

/* rows x cols csv text; blank_every > 0 puts a blank line every so many rows. */
static char *csv_text(int64_t rows, int64_t cols, double zero_frac, const char *sep,
                      const char *eol, int final_eol)
{
    StrBuf b;
    sb_init(&b);
    for (int64_t i = 0; i < rows; i++) {
        for (int64_t j = 0; j < cols; j++) {
            if (j) sb_puts(&b, sep);
            cell_text(&b, zero_frac);
        }
        if (i + 1 < rows || final_eol) sb_puts(&b, eol);
    }
    return sb_take(&b);
}

/* ---- csv reads ---------------------------------------------------------------------- */

static void test_csv_dense_sparse(void)
{
    IoMeta o = opts(IO_FMT_CSV);
    const char *p = P("dense.csv");
    char *t = csv_text(700, 7, 0.1, ",", "\n", 1);
    put_file(p, t);
    free(t);
    MatBlock *a = check_read(p, &o, 0, NULL, __LINE__);
    CHECK(a && a->rows == 700 && a->cols == 7 && !a->sparse);
    mb_free(a);

    /* CRLF, no final newline, multi-char separator */
    p = P("crlf.csv");
    t = csv_text(333, 5, 0.3, "::", "\r\n", 0);
    put_file(p, t);
    free(t);
    IoMeta o2 = opts(IO_FMT_CSV);
    o2.sep = xstrdup("::");
    READ_OK(p, &o2);
    io_meta_free(&o2);

    /* sparse: mostly zeros (CSR result) */
    p = P("sparse.csv");
    t = csv_text(2000, 40, 0.99, ",", "\n", 1);
    put_file(p, t);
    free(t);
    a = check_read(p, &o, 0, NULL, __LINE__);
    CHECK(a && a->sparse && a->nnz > 0);
    mb_free(a);

    /* sparse for the first 300 rows, dense afterwards (the builder turns
     * dense while the pieces are fed); -0 cells on both sides */
    p = P("mixed.csv");
    char *t1 = csv_text(300, 30, 0.995, ",", "\n", 1), *t2 = csv_text(900, 30, 0.05, ",", "\n", 1);
    StrBuf b;
    sb_init(&b);
    sb_puts(&b, t1);
    sb_puts(&b, t2);
    free(t1);
    free(t2);
    put_file(p, b.s);
    sb_free(&b);
    READ_OK(p, &o);

    /* dense from the metadata's nnz: the builder is dense from the start */
    IoMeta o3 = opts(IO_FMT_CSV);
    o3.nnz = 900 * 30;
    READ_OK(p, &o3);
    io_meta_free(&o);
}

static void test_csv_options(void)
{
    const char *p = P("opts.csv");
    /* header, empty fields, naStrings, blank lines inside and at the end */
    put_file(p, "a,b,c\n1,,3\nNA,5,-\n\n7,8,9\r\n  \n0,0,-0\n\n\n");
    IoMeta o = opts(IO_FMT_CSV);
    o.has_header = o.header = 1;
    READ_ERR(p, &o, ":3: cannot parse \"NA\" as a number (column 1)");
    o.na_strings = xstrdup("NA\xC2\xB7-");
    READ_ERR(p, &o, ":4: expected 3 cells but found 1");   /* the blank row */
    io_meta_free(&o);

    /* one column: a blank line is a row with an empty cell (default 0),
     * trailing blanks count only up to the known row count */
    p = P("onecol.csv");
    put_file(p, "h\n1\n\n2\n \n\n\n");
    o = opts(IO_FMT_CSV);
    o.has_header = o.header = 1;
    MatBlock *a = check_read(p, &o, 0, NULL, __LINE__);
    CHECK(a && a->rows == 3 && a->cols == 1);
    mb_free(a);
    o.rows = 5;
    a = check_read(p, &o, 0, NULL, __LINE__);
    CHECK(a && a->rows == 5);
    mb_free(a);
    o.rows = 7;
    READ_ERR(p, &o, "the file has 6 rows but the metadata or read options say 7");
    o.cols = 1;
    READ_ERR(p, &o, "the file has 6 rows but the metadata or read options say 7");
    o.rows = 2;
    READ_ERR(p, &o, ":4: found more than the 2 rows given");
    o.has_default = 1;
    o.default_value = -4.5;
    o.rows = 4;
    READ_OK(p, &o);
    o.has_fill = 1;
    o.fill = 0;
    READ_ERR(p, &o, ":3: Empty fields found in delimited file");
    io_meta_free(&o);

    /* dimension mismatches found by pass 1 */
    p = P("dims.csv");
    char *t = csv_text(50, 4, 0.2, ",", "\n", 1);
    put_file(p, t);
    free(t);
    o = opts(IO_FMT_CSV);
    o.cols = 5;
    READ_ERR(p, &o, "the file has 4 columns but the metadata or read options say 5");
    o.cols = -1;
    o.rows = 49;
    READ_ERR(p, &o, "the file has 50 rows but the metadata or read options say 49");
    o.cols = 4;
    READ_ERR(p, &o, ":50: found more than the 49 rows given");
    o.rows = 50;
    READ_OK(p, &o);
    o.cols = 0;   /* n x 0: nothing parsed */
    READ_OK(p, &o);
    io_meta_free(&o);

    /* empty file, header only, blank lines only */
    o = opts(IO_FMT_CSV);
    put_file(P("empty.csv"), "");
    READ_OK(P("empty.csv"), &o);
    put_file(P("blank.csv"), "\n \n\r\n");
    READ_OK(P("blank.csv"), &o);
    o.rows = 2;
    a = check_read(P("blank.csv"), &o, 0, NULL, __LINE__);
    CHECK(a && a->rows == 2 && a->cols == 1);
    mb_free(a);
    o.rows = -1;
    o.has_header = o.header = 1;
    put_file(P("hdr.csv"), "x,y,z");
    READ_OK(P("hdr.csv"), &o);
    io_meta_free(&o);

    /* embedded NUL byte and a quoted field (not a number for a matrix) */
    static const char nul[] = "1,2\n3,4\n5,\0\n";
    put_bytes(P("nul.csv"), nul, sizeof nul - 1);
    o = opts(IO_FMT_CSV);
    READ_OK(P("nul.csv"), &o);
    put_file(P("quoted.csv"), "1,2\n3,\"4\"\n\"5\",6\n");
    READ_ERR(P("quoted.csv"), &o, ":2: cannot parse \"\"4\"\" as a number (column 2)");
    io_meta_free(&o);
}

/* Bad lines late in the file: the first in file order must be reported. */
static void test_csv_first_error(void)
{
    const char *p = P("bad.csv");
    StrBuf b;
    sb_init(&b);
    for (int i = 1; i <= 6000; i++) {
        if (i == 4321) sb_puts(&b, "1,2,oops,4\n");
        else if (i == 5000) sb_puts(&b, "1,2,3\n");
        else if (i == 5999) sb_puts(&b, "1,2,3,4,5\n");
        else sb_printf(&b, "%d,%d.5,-%d,%de-3\n", i, i, i, i);
    }
    put_file(p, b.s);
    sb_free(&b);
    IoMeta o = opts(IO_FMT_CSV);
    READ_ERR(p, &o, "bad.csv:4321: cannot parse \"oops\" as a number (column 3)");
    o.rows = 6000;
    o.cols = 4;
    READ_ERR(p, &o, "bad.csv:4321: cannot parse \"oops\" as a number (column 3)");
    io_meta_free(&o);

    /* only a cell-count error, very late */
    p = P("bad2.csv");
    sb_init(&b);
    for (int i = 1; i <= 3000; i++) sb_puts(&b, i == 2999 ? "1,2\n" : "1,2,3\n");
    put_file(p, b.s);
    sb_free(&b);
    o = opts(IO_FMT_CSV);
    READ_ERR(p, &o, "bad2.csv:2999: expected 3 cells but found 2");
    io_meta_free(&o);
}

/* A directory of part files: header in the first, blank tails dropped. */
static void test_csv_parts(void)
{
    const char *d = P("parts.csv");
    mkdir(d, 0777);
    char name[64];
    for (int k = 0; k < 3; k++) {
        snprintf(name, sizeof name, "parts.csv/part-%05d", k);
        char *t = csv_text(120 + 40 * k, 3, 0.3, ",", "\n", 1);
        StrBuf b;
        sb_init(&b);
        if (k == 0) sb_puts(&b, "A,B,C\n");
        sb_puts(&b, t);
        if (k < 2) sb_puts(&b, "\n\n");
        free(t);
        put_file(P(name), b.s);
        sb_free(&b);
    }
    put_file(P("parts.csv/_SUCCESS"), "");
    IoMeta o = opts(IO_FMT_CSV);
    o.has_header = o.header = 1;
    MatBlock *a = check_read(d, &o, 0, NULL, __LINE__);
    CHECK(a && a->rows == 120 + 160 + 200);
    mb_free(a);
    io_meta_free(&o);
}

/* A file above the automatic threshold (no par_chunk): several ranges. */
static void test_csv_auto(void)
{
    const char *p = P("big.csv");
    char *t = csv_text(60000, 6, 0.05, ",", "\n", 1);
    put_file(p, t);
    free(t);
    IoMeta o = opts(IO_FMT_CSV);
    Err e;
    MatBlock *a = NULL, *b = NULL;
    CHECK(read_with(p, &o, NULL, 0, &a, &e) == TSR_OK);
    for (int c = 0; c < 4; c++) {
        CHECK(read_with(p, &o, &g_ctx[c], 0, &b, &e) == TSR_OK);
        CHECK(tb_same_bits(a, b));
        mb_free(b);
    }
    mb_free(a);
    io_meta_free(&o);
}

/* ---- text (IJV) reads -------------------------------------------------------------- */

static void test_text_reads(void)
{
    /* row-major cells, zero lines, blank lines, CRLF */
    StrBuf b;
    sb_init(&b);
    for (int i = 1; i <= 400; i++)
        for (int j = 1; j <= 30; j += 1 + (int)(rnd() % 7)) {
            if (rnd() % 50 == 0) sb_puts(&b, "\r\n");
            sb_printf(&b, "%d %d%s", i, j, rnd() % 3 ? " " : " \t ");
            StrBuf c;
            sb_init(&c);
            cell_text(&c, 0.05);   /* zeros too: those lines are skipped */
            sb_printf(&b, "%s%s", c.s, rnd() % 2 ? "\n" : "\r\n");
            sb_free(&c);
        }
    const char *p = P("cells.ijv");
    put_file(p, b.s);
    sb_free(&b);
    IoMeta o = opts(IO_FMT_TEXT);
    o.rows = 400;
    o.cols = 30;
    READ_OK(p, &o);
    o.nnz = 400 * 30;   /* dense from the start */
    READ_OK(p, &o);

    /* any order, duplicates across ranges (last wins) */
    sb_init(&b);
    for (int k = 0; k < 5000; k++)
        sb_printf(&b, "%d %d %d.25\n", 1 + (int)(rnd() % 60), 1 + (int)(rnd() % 9),
                  (int)(rnd() % 100) - 50);
    sb_puts(&b, "3 3 1");   /* no final newline */
    p = P("shuffled.ijv");
    put_file(p, b.s);
    sb_free(&b);
    o = opts(IO_FMT_TEXT);
    o.rows = 60;
    o.cols = 9;
    READ_OK(p, &o);
    o.nnz = 2;   /* a wrong small hint */
    READ_OK(p, &o);

    /* errors: the first in file order */
    sb_init(&b);
    for (int i = 1; i <= 3000; i++) {
        if (i == 1777) sb_puts(&b, "5 x 1\n");
        else if (i == 2500) sb_puts(&b, "9999 1 1\n");
        else if (i == 2900) sb_puts(&b, "1 2\n");
        else sb_printf(&b, "%d 1 %d\n", i, i);
    }
    p = P("bad.ijv");
    put_file(p, b.s);
    sb_free(&b);
    o = opts(IO_FMT_TEXT);
    o.rows = 3000;
    o.cols = 2;
    READ_ERR(p, &o, "bad.ijv:1777: invalid cell index in \"5 x 1\"");
    o.rows = 2600;
    READ_ERR(p, &o, "bad.ijv:1777: invalid cell index in \"5 x 1\"");
    put_file(p, "1 1 1\n2 2 2\n\n3 3 abc\n4 4 4 4\n");
    o.rows = o.cols = 5;
    READ_ERR(p, &o, "bad.ijv:4: cannot parse \"abc\" as a number");
    put_file(p, "1 1 1\n2 2 2\n9 9 9\n4 4 4 4\n");
    READ_ERR(p, &o, "bad.ijv:3: cell index (9,9) is out of range for a 5x5 matrix");
    put_file(p, "0 0 0\n");
    READ_OK(p, &o);
    io_meta_free(&o);
}

/* ---- writes ---------------------------------------------------------------------------- */

static MatBlock *random_block(int64_t rows, int64_t cols, double density, int sparse)
{
    Err e;
    MatBlock *m = mb_new(rows, cols, &e);
    static const double SPEC[] = { NAN, INFINITY, -INFINITY, -0.0, 1e-300, 5e-324, 1e22, 0.1 };
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < cols; j++) {
            if (urand() >= density) continue;
            double v = rnd() % 40 == 0 ? SPEC[rnd() % 8] : (urand() - 0.5) * pow(10.0, (double)(rnd() % 14) - 6);
            mb_set(m, i, j, v);
        }
    if (sparse) mb_to_sparse_inplace(m, &e);
    return m;
}

/* Removes the "created" timestamp line of a .mtd text; returns the length. */
static size_t drop_created(char *s)
{
    char *c = strstr(s, "\"created\"");
    if (c) {
        char *bol = c, *eol = strchr(c, '\n');
        while (bol > s && bol[-1] != '\n') bol--;
        memmove(bol, eol ? eol + 1 : c + strlen(c), strlen(eol ? eol + 1 : c + strlen(c)) + 1);
    }
    return strlen(s);
}

/* Writes a with the options sequentially and in parallel and compares
 * the bytes of the data and of the .mtd. */
static void check_write(const MatBlock *a, const IoMeta *o, const char *name, int line)
{
    const char *p0 = P(name);
    char name1[96], mtd[700];
    snprintf(name1, sizeof name1, "%s.par", name);
    const char *p1 = P(name1);
    Err e;
    IoMeta m;
    io_meta_copy(&m, o);
    CHECK(io_write_matrix(p0, a, &m, &e) == TSR_OK);
    size_t n0, n1, k0, k1;
    char *want = get_file(p0, &n0);
    snprintf(mtd, sizeof mtd, "%s.mtd", p0);
    char *want_mtd = get_file(mtd, &k0);
    k0 = drop_created(want_mtd);
    static const int64_t WCHUNK[] = { 1, 7, 100, 0 };
    for (int c = 0; c < 4; c++)
        for (int k = 0; k < 4; k++) {
            m.par = &g_ctx[c];
            m.par_chunk = WCHUNK[k];
            err_clear(&e);
            tsr_status st = io_write_matrix(p1, a, &m, &e);
            char *got = get_file(p1, &n1);
            snprintf(mtd, sizeof mtd, "%s.mtd", p1);
            char *got_mtd = get_file(mtd, &k1);
            k1 = drop_created(got_mtd);
            int ok = st == TSR_OK && n0 == n1 && memcmp(want, got, n0) == 0 && k0 == k1 &&
                     memcmp(want_mtd, got_mtd, k0) == 0;
            if (!check_count(ok)) {
                size_t at = 0;
                while (at < n0 && at < n1 && want[at] == got[at]) at++;
                fprintf(stderr, "%s:%d: FAILED: write %s ctx %d chunk %lld (%zu vs %zu bytes, "
                        "first difference at %zu: \"%.40s\" vs \"%.40s\")\n", __FILE__, line,
                        name, c, (long long)WCHUNK[k], n1, n0, at, at < n1 ? got + at : "",
                        at < n0 ? want + at : "");
            }
            free(got);
            free(got_mtd);
        }
    free(want);
    free(want_mtd);
    io_meta_free(&m);
}

static void test_writes(void)
{
    MatBlock *d = random_block(900, 13, 0.8, 0), *s = random_block(1500, 200, 0.01, 1);
    MatBlock *z = random_block(40, 5, 0.0, 0), *e0 = random_block(0, 7, 1.0, 0);
    MatBlock *col = random_block(5000, 1, 0.5, 0);
    CHECK(!d->sparse && s->sparse);
    IoMeta o = opts(IO_FMT_CSV);
    check_write(d, &o, "w_dense.csv", __LINE__);
    check_write(s, &o, "w_sparse.csv", __LINE__);
    check_write(z, &o, "w_zero.csv", __LINE__);
    check_write(e0, &o, "w_empty.csv", __LINE__);
    o.has_header = o.header = 1;
    o.sep = xstrdup(";;");
    check_write(d, &o, "w_dense_h.csv", __LINE__);
    o.sparse = 1;
    check_write(s, &o, "w_sparse_s.csv", __LINE__);
    check_write(col, &o, "w_col_s.csv", __LINE__);
    io_meta_free(&o);
    o = opts(IO_FMT_TEXT);
    check_write(d, &o, "w_dense.ijv", __LINE__);
    check_write(s, &o, "w_sparse.ijv", __LINE__);
    check_write(z, &o, "w_zero.ijv", __LINE__);
    check_write(col, &o, "w_col.ijv", __LINE__);
    io_meta_free(&o);

    /* and what the parallel writers wrote reads back in parallel the same */
    o = opts(IO_FMT_CSV);
    o.par = &g_ctx[3];
    o.par_chunk = 5;
    CHECK(io_write_matrix(P("w_back.csv"), s, &o, NULL) == TSR_OK);
    IoMeta r;
    io_meta_init(&r);
    MatBlock *back = check_read(P("w_back.csv"), &r, 0, NULL, __LINE__);
    CHECK(back && back->rows == s->rows && back->sparse);
    mb_free(back);
    io_meta_free(&o);
    mb_free(d);
    mb_free(s);
    mb_free(z);
    mb_free(e0);
    mb_free(col);
}

int main(void)
{
    if (tmpdir_open("tsr_par_io")) return 2;
    make_pools();
    test_csv_dense_sparse();
    test_csv_options();
    test_csv_first_error();
    test_csv_parts();
    test_csv_auto();
    test_text_reads();
    test_writes();
    for (int p = 0; p < 2; p++) par_pool_free(g_pool[p]);
    tmpdir_close();
    return check_summary();
}
