/*
 * cpts/store_json.h - read a JSON document as flat rows (SQLite's json_tree), for the
 * audit of `--json` outputs: SQLite is already linked, so no JSON library is added.
 */
#ifndef CPTS_STORE_JSON_H
#define CPTS_STORE_JSON_H

#include <stddef.h>

#include "cpts/ctx.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One node of the document. */
typedef struct cpts_json_row {
	char *path;   /* OWNED: full path, "$.territories[0].flows_in[1]", keys unquoted */
	char *text;   /* OWNED: the atom as text (strings, numbers, true/false); NULL for
			 null, objects and arrays */
	int is_num;   /* 1 for integer and real atoms */
	double num;   /* the number when is_num */
} cpts_json_row;

/**
 * Every node of the JSON text (leaves and containers, document order).
 * @param[out] rows OWNED array (cpts_json_rows_free); @param[out] n its length
 * @return CPTS_OK, CPTS_EINPUT when the text is not JSON (what names the file)
 */
int cpts_json_rows(cpts_ctx *ctx, const char *text, const char *what, cpts_json_row **rows,
		   size_t *n);
void cpts_json_rows_free(cpts_json_row *rows, size_t n);

#ifdef __cplusplus
}
#endif

#endif
