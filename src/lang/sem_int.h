/*
 * sem_int.h - private interface between the files of the validator (sem.c
 * and sem_parfor.c).  Not used outside src/lang.
 */
#ifndef TSR_SEM_INT_H
#define TSR_SEM_INT_H

#include "lang/ast.h"
#include "util/util.h"

/* Answers whether `name` exists before a parfor loop and with which data
 * type (DT_UNKNOWN when not known). */
typedef int (*SemVarLookup)(void *ud, const char *name, DataType *dt);

/* The loop-dependency analysis of DML.md 8.4 for one parfor statement
 * (callers skip it for check=0).  Returns TSR_OK, or TSR_TYPE with err set
 * at the statement: "PARFOR loop dependency analysis: inter-iteration
 * (loop-carried) dependencies detected for variable(s): A, B. \n Please,
 * ensure independence of iterations." */
tsr_status sem_parfor_deps(const Stmt *pf, SemVarLookup look, void *ud, Err *err);

#endif /* TSR_SEM_INT_H */
