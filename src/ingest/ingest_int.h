/*
 * ingest/ingest_int.h - shared by the files of src/ingest/ only.
 *
 * csv.c is a streaming CSV reader (file, .gz through zlib, or a memory buffer) that
 * detects the delimiter, the encoding (UTF-8 with or without BOM, else Windows-1252
 * converted to UTF-8) and handles quoted fields, CRLF and newlines inside quotes. It
 * keeps one row at a time, so memory is bounded by the longest row whatever the size
 * of the file. read_vector.c reads commune layers; read_tables.c the CSV kinds;
 * resolve.c maps the codes of a file onto the communes of the workspace (passage
 * table, arrondissements).
 */
#ifndef CPTS_INGEST_INT_H
#define CPTS_INGEST_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpts/ctx.h"
#include "cpts/ingest.h"
#include "cpts/util.h"

/* Longest accepted row (bytes): a longer one is a binary file or an unbalanced quote. */
#define CPTS_CSV_MAX_ROW (1u << 20)
/* Most fields in a row. */
#define CPTS_CSV_MAX_FIELDS 4096

typedef struct cpts_csv cpts_csv; /* opaque: the reader state lives in csv.c */

/**
 * Open a CSV file (plain or gzip, detected by zlib) and read its header.
 * @param[out] out OWNED by caller, free with cpts_csv_free()
 * @return CPTS_OK; CPTS_EIO when the file cannot be opened or read; CPTS_EINPUT for an
 *         empty, binary or malformed header (file named)
 */
int cpts_csv_open(cpts_ctx *ctx, cpts_csv **out, const char *path);

/**
 * Open a CSV held in memory (the fuzzing entry point). data is BORROWED and must stay
 * valid until cpts_csv_free; name is used in messages.
 */
int cpts_csv_open_mem(cpts_ctx *ctx, cpts_csv **out, const void *data, size_t len,
		      const char *name);

void cpts_csv_free(cpts_csv *c); /* NULL-safe */

/**
 * Read the next row. Fields are NUL-terminated UTF-8 strings (quotes removed), BORROWED
 * until the next call. A row with fewer fields than the header is an error (truncated
 * file); extra empty trailing fields are dropped.
 * @return 1 with a row, 0 at the end, < 0 on error (file and line named)
 */
int cpts_csv_next(cpts_ctx *ctx, cpts_csv *c, char ***fields_out, size_t *n_out);

/** Header fields (BORROWED), lower-cased copies for matching. */
size_t cpts_csv_n_cols(const cpts_csv *c);
const char *cpts_csv_col(const cpts_csv *c, size_t i);      /* as written */
const char *cpts_csv_col_low(const cpts_csv *c, size_t i);  /* lower case, trimmed */
/** Line number (1-based) where the current row starts. */
size_t cpts_csv_line(const cpts_csv *c);
/** File name used in messages. */
const char *cpts_csv_name(const cpts_csv *c);
/** The detected delimiter and encoding ("UTF-8", "UTF-8 (BOM)", "Windows-1252"). */
char cpts_csv_delim(const cpts_csv *c);
const char *cpts_csv_encoding(const cpts_csv *c);
/** Fraction of the input consumed (compressed bytes for .gz), for progress. */
double cpts_csv_progress(const cpts_csv *c);
/** SHA-256 of the raw bytes read so far (the whole file once cpts_csv_next returned 0). */
void cpts_csv_sha256(cpts_csv *c, char hex_out[65]);

/** Values of a cell. */
enum cpts_cell {
	CPTS_CELL_VALUE,   /* a number in *v */
	CPTS_CELL_EMPTY,   /* empty cell */
	CPTS_CELL_MASKED,  /* <11, < 11, s, NS, secret, ... */
	CPTS_CELL_BAD,     /* not a number (or thousands groups not of 3 digits) */
	CPTS_CELL_AMBIGUOUS, /* "1,234": thousands or decimal, and nothing tells */
};
/** Classify and parse a numeric cell (decimal comma or point, blanks, and ',' or '.'
 * grouping thousands by three; "1,234" alone reads as a decimal). */
enum cpts_cell cpts_ingest__cell(const char *s, double *v);
/**
 * The same, knowing the file: *dec is its decimal separator (',' or '.', '\0' while
 * unknown; learnt from a cell that shows it unambiguously). A whole count (whole) reads
 * "1,234" as 1234 unless the file's decimal separator is ','; another number gets
 * CPTS_CELL_AMBIGUOUS while the separator is unknown.
 */
enum cpts_cell cpts_ingest__number(const char *s, char *dec, bool whole, double *v);

/* A commune read from a layer, before it is stored. */
typedef struct cpts_ingest_commune {
	char code[6];
	char dep[4];
	char reg[4];       /* "" when unknown */
	char parent[6];    /* commune of an arrondissement, else "" */
	char *name;        /* OWNED */
	int srid;
	double area_km2, perimeter_km, px, py, lon, lat;
	unsigned char *wkb; /* OWNED: polygonal geometry in the projected CRS */
	size_t wkb_len;
	long long fid;
	bool dropped;      /* an arrondissement whose commune is in the layer too */
} cpts_ingest_commune;

/* Communes of a layer. */
typedef struct cpts_ingest_layer {
	cpts_ingest_commune *c; /* OWNED */
	size_t n;
	size_t n_skipped;      /* features skipped with skip_failures */
	size_t n_repaired;     /* geometries repaired by GEOSMakeValid */
	size_t n_dropped;      /* arrondissements dropped for their commune */
	char *layer_name;      /* OWNED */
} cpts_ingest_layer;

/**
 * Read and check a commune layer without a workspace (used by cpts_ingest_communes and
 * by the fuzzer). path may be a /vsimem/ path.
 */
int cpts_ingest__read_layer(cpts_ctx *ctx, cpts_ingest_layer *out, const char *path,
			    const cpts_ingest_communes_opts *opts);
void cpts_ingest__layer_release(cpts_ingest_layer *l);

/**
 * Parse a whole CSV of a kind without a workspace, checking columns and values
 * (the fuzzing entry point of the table readers). Returns the number of data rows or
 * an error.
 */
int cpts_ingest__check_csv_mem(cpts_ctx *ctx, cpts_table_kind kind, const void *data,
			       size_t len, long long *n_rows_out);

#endif
