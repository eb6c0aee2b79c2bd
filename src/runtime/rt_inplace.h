/*
 * rt_inplace.h - in-place updates of a variable by an assignment
 * (runtime/inplace.c), called by the statement code of interp.c.
 *
 * `X = X * 0.5 + 1`, `X = (X - m) / s`, `X = exp(-X)`, `X += G`: when the old
 * value of X is referenced only by the symbol table, its dense block is
 * overwritten with the result instead of allocating a new one.  Results,
 * errors (text and location), -stats counts and the order in which
 * operands are evaluated are those of the ordinary path; X is changed only
 * after everything that can fail has succeeded.
 */
#ifndef TSR_RT_INPLACE_H
#define TSR_RT_INPLACE_H

#include "runtime/rt_int.h"

/* Statement `X = e` (plain assignment, not indexed, not +=) where e is a
 * chain of cellwise operators (+ - * / ^ %% %/% comparisons & |, unary -
 * and !) and one-argument math builtins (exp, log, abs, sqrt, round, ...)
 * leading down to X.  *done = 0: the statement does not qualify (or X is
 * not an exclusively owned dense matrix) and nothing was evaluated: run
 * the ordinary path.  *done = 1: the statement was executed, with the
 * returned status (on error X is unchanged and the span is set). */
tsr_status rt_assign_inplace(Interp *in, const Stmt *s, int *done);

/* `X += v` with v already evaluated: adds v into X's block in place when X
 * is an exclusively owned dense matrix and v a number, a 1x1 matrix or a
 * dense matrix of X's shape.  Returns 1 when done (cannot fail), 0 when
 * the caller must take the ordinary path. */
int rt_accumulate_inplace(Interp *in, const char *name, const Value *v);

/* For eval_binary: a op b where a (or else b) is the evaluator's own
 * temporary (a == ta, a dense matrix referenced once: the result of a
 * nested operation, dead after this one) and the other operand fits as in
 * rt_accumulate_inplace: computes the result into the temporary's block and
 * moves it to *out (ta/tb left empty).  Returns 1 when done (cannot fail;
 * -stats counted as rt_op_binary would), 0: call rt_op_binary as usual.
 * (X * 2 + Y) / (Y + 1) then allocates two blocks instead of four. */
int rt_binary_temp_inplace(Interp *in, BinOp op, Value *ta, const Value *a, Value *tb,
                           const Value *b, Value *out);

#endif /* TSR_RT_INPLACE_H */
