/*
 * frame_int.h - helpers shared between the files of the frame module (not
 * used outside src/frame/).  Prefix fr_.
 */
#ifndef TSR_FRAME_INT_H
#define TSR_FRAME_INT_H

#include <cjson/cJSON.h>

/* Parses a spec with SystemDS's lenient JSON rules (bare keys and word-like
 * values, single-quoted strings, trailing commas; see transform.c).  Returns
 * the cJSON tree (caller frees with cJSON_Delete) or NULL on a syntax error. */
cJSON *fr_json_parse(const char *spec);

#endif /* TSR_FRAME_INT_H */
