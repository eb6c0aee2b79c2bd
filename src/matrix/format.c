/*
 * format.c - toString of a matrix (DML.md 6.2): dense rows of fixed-point
 * cells joined by `sep`, each row ended by `linesep`, or, with sparse=TRUE,
 * one "i sep j sep value linesep" line per non-zero cell (1-based).  Only
 * the first rows x cols cells are rendered (negative = all).
 *
 * The cell format itself (round-half-even on the exact binary value, -0.0,
 * NaN/Infinity, decimal = -1) is nf_fixed in util; frames and lists are
 * rendered by the runtime.
 */
#include "matrix/matrix_int.h"

static int64_t clamp_limit(int64_t limit, int64_t dim)
{
    return limit < 0 || limit > dim ? dim : limit;
}

void kn_to_string(const MatBlock *a, int64_t rows, int64_t cols, int decimal, int sparse,
                  const char *sep, const char *linesep, StrBuf *out)
{
    int64_t m = clamp_limit(rows, a->rows), n = clamp_limit(cols, a->cols);
    for (int64_t i = 0; i < m; i++) {
        const double *x = n > 0 ? a->dense + i * a->cols : NULL;
        if (sparse) {
            for (int64_t j = 0; j < n; j++) {
                if (x[j] == 0.0) continue;
                sb_printf(out, "%lld%s%lld%s", (long long)(i + 1), sep, (long long)(j + 1), sep);
                nf_fixed(out, x[j], decimal);
                sb_puts(out, linesep);
            }
        } else {
            for (int64_t j = 0; j < n; j++) {
                if (j > 0) sb_puts(out, sep);
                nf_fixed(out, x[j], decimal);
            }
            sb_puts(out, linesep);
        }
    }
}
