/*
 * cpts/util.h - memory, strings, growable vectors, a string-keyed hash map, SHA-256,
 * atomic file replacement and French number formatting.
 *
 * Allocation: cpts_malloc and friends never return NULL. On exhaustion they print
 * "cpts: fatal: out of memory" and exit with code 5, as git's xmalloc does: a run
 * that cannot allocate has nothing useful left to do, and every call site stays
 * simple. Size arithmetic goes through cpts_mul_ok/cpts_add_ok before allocating.
 */
#ifndef CPTS_UTIL_H
#define CPTS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

void *cpts_malloc(size_t n);
void *cpts_calloc(size_t n, size_t size);
void *cpts_realloc(void *p, size_t n);
/** Allocate n * size bytes, dying on overflow as on exhaustion. */
void *cpts_mallocarray(size_t n, size_t size);
void *cpts_reallocarray(void *p, size_t n, size_t size);
char *cpts_strdup(const char *s);
char *cpts_strndup(const char *s, size_t n);
/** printf into a new string, OWNED by the caller. */
char *cpts_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline bool cpts_mul_ok(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}
static inline bool cpts_add_ok(size_t a, size_t b, size_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

/*
 * cpts_buf: a growable string. Invariants (as git's strbuf): after init, data is never
 * NULL and always NUL-terminated; len excludes the terminator; alloc is private (0
 * means data points at a shared empty string that must not be written).
 */
typedef struct cpts_buf {
	char *data;
	size_t len;
	size_t alloc; /* private */
} cpts_buf;

extern char cpts_buf_empty[];
#define CPTS_BUF_INIT { cpts_buf_empty, 0, 0 }

void cpts_buf_init(cpts_buf *b);
void cpts_buf_release(cpts_buf *b);
void cpts_buf_reset(cpts_buf *b); /* len = 0, keeps memory */
void cpts_buf_grow(cpts_buf *b, size_t extra);
void cpts_buf_add(cpts_buf *b, const void *data, size_t n);
void cpts_buf_addstr(cpts_buf *b, const char *s);
void cpts_buf_addch(cpts_buf *b, char c);
void cpts_buf_addf(cpts_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cpts_buf_vaddf(cpts_buf *b, const char *fmt, va_list ap);
/** Append s with &, <, >, " and ' escaped for HTML/XML. */
void cpts_buf_add_html(cpts_buf *b, const char *s);
/** Append s as a JSON string literal (quotes included). */
void cpts_buf_add_json(cpts_buf *b, const char *s);
/** Detach the data: OWNED by caller; b is reset to CPTS_BUF_INIT. */
char *cpts_buf_detach(cpts_buf *b, size_t *len_out);

/*
 * cpts_vec: a growable array of fixed-size elements with a maximum count. A failed grow
 * (maximum reached) returns NULL and leaves the vector valid.
 */
typedef struct cpts_vec {
	void *data;
	size_t n;    /* elements in use */
	size_t cap;  /* elements allocated */
	size_t size; /* bytes per element */
	size_t max;  /* most elements allowed */
} cpts_vec;

void cpts_vec_init(cpts_vec *v, size_t elem_size, size_t max);
/** Append one zeroed element; returns it (BORROWED) or NULL when max is reached. */
void *cpts_vec_push(cpts_vec *v);
/** Make room for at least n elements in total; false when above max. */
bool cpts_vec_reserve(cpts_vec *v, size_t n);
void cpts_vec_release(cpts_vec *v);
#define cpts_vec_at(v, type, i) (((type *)(v)->data)[i])

/*
 * cpts_strmap: open-addressing hash map from NUL-terminated strings (copied, OWNED by
 * the map) to int64 values. Used for INSEE code -> commune index and similar lookups.
 */
typedef struct cpts_strmap cpts_strmap;
cpts_strmap *cpts_strmap_new(size_t expected);
void cpts_strmap_free(cpts_strmap *m);
/** Insert or replace. */
void cpts_strmap_put(cpts_strmap *m, const char *key, int64_t value);
/** Look up; returns true and sets *value when found. */
bool cpts_strmap_get(const cpts_strmap *m, const char *key, int64_t *value);
size_t cpts_strmap_count(const cpts_strmap *m);

/* SHA-256 (FIPS 180-4). */
typedef struct cpts_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char block[64];
	size_t fill;
} cpts_sha256;
void cpts_sha256_init(cpts_sha256 *s);
void cpts_sha256_update(cpts_sha256 *s, const void *data, size_t n);
void cpts_sha256_final(cpts_sha256 *s, char hex_out[65]);
/** Hash a whole file; returns 0 or -errno. */
int cpts_sha256_file(const char *path, char hex_out[65]);

/** qsort that accepts an empty or one-element array with a NULL base (C's qsort does
 * not: passing NULL is undefined even with n = 0, and UBSan says so). */
void cpts_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

/** Time helpers: wall clock seconds (monotonic) and an ISO-8601 UTC timestamp. */
double cpts_now(void);
void cpts_timestamp_utc(char out[32]);

/*
 * French number formats for what a report reader sees: thousands separated by a
 * narrow no-break space (U+202F), decimal comma. `12 345`, `12,4`.
 * Write into out (size n, always terminated); returns out.
 */
char *cpts_fmt_fr(char *out, size_t n, double v, int decimals);
/** Longest prefix of s of at most max bytes that does not cut a UTF-8 character. */
size_t cpts_utf8_fit(const char *s, size_t max);
/** Copy s into out[n] (NUL-terminated), truncated at a character boundary. */
void cpts_utf8_copy(char *out, size_t n, const char *s);
/** A percentage from a proportion in [0,1]: `12,4 %` (with a no-break space). */
char *cpts_fmt_fr_pct(char *out, size_t n, double proportion, int decimals);

/** Case-insensitive ASCII comparison. */
int cpts_strcasecmp(const char *a, const char *b);
/** Trim ASCII white space in place; returns s. */
char *cpts_trim(char *s);
/** Parse a whole string as a double (point or comma), false on any junk. */
bool cpts_parse_double(const char *s, double *out);
/** Parse a whole string as a long, false on junk or overflow. */
bool cpts_parse_long(const char *s, long *out);

/** Base name of a path without its directory and without its last extension(s)
 * (.csv, .csv.gz, .gpkg ...); OWNED by the caller. */
char *cpts_path_stem(const char *path);
/** Create a directory and its parents (mkdir -p); 0 or -errno. */
int cpts_mkdir_p(const char *path, int mode);

#ifdef __cplusplus
}
#endif
#endif
