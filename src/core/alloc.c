/*
 * alloc.c - allocation that never returns NULL (see cpts/util.h for why), plus the
 * small string and path helpers everything uses.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cpts/ctx.h"
#include "cpts/util.h"

static _Noreturn void die_nomem(size_t n)
{
	fprintf(stderr, "cpts: fatal: out of memory (allocating %zu bytes)\n", n);
	exit(CPTS_EXIT_ENV);
}

void *cpts_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die_nomem(n);
	return p;
}

void *cpts_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die_nomem(n * size);
	return p;
}

void *cpts_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		die_nomem(n);
	return q;
}

void *cpts_mallocarray(size_t n, size_t size)
{
	size_t total;

	if (!cpts_mul_ok(n, size, &total))
		die_nomem(SIZE_MAX);
	return cpts_malloc(total);
}

void *cpts_reallocarray(void *p, size_t n, size_t size)
{
	size_t total;

	if (!cpts_mul_ok(n, size, &total))
		die_nomem(SIZE_MAX);
	return cpts_realloc(p, total);
}

char *cpts_strdup(const char *s)
{
	return cpts_strndup(s, strlen(s));
}

char *cpts_strndup(const char *s, size_t n)
{
	char *p;
	size_t len = strnlen(s, n);

	p = cpts_malloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int cpts_strcasecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = (unsigned char)*a, cb = (unsigned char)*b;
		if (ca >= 'A' && ca <= 'Z')
			ca += 'a' - 'A';
		if (cb >= 'A' && cb <= 'Z')
			cb += 'a' - 'A';
		if (ca != cb || !ca)
			return ca - cb;
	}
}

char *cpts_trim(char *s)
{
	char *start = s, *end;
	size_t n;

	while (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n')
		start++;
	end = start + strlen(start);
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
			       end[-1] == '\n'))
		end--;
	n = (size_t)(end - start);
	memmove(s, start, n);
	s[n] = '\0';
	return s;
}

bool cpts_parse_double(const char *s, double *out)
{
	char tmp[64], *end;
	size_t n = strlen(s), j = 0;

	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof(tmp))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == ',')
			c = '.';
		tmp[j++] = c;
	}
	tmp[j] = '\0';
	errno = 0;
	*out = strtod(tmp, &end);
	if (end == tmp || *end != '\0' || errno == ERANGE)
		return false;
	return *out == *out; /* rejects "nan" */
}

bool cpts_parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return end != s && *end == '\0' && errno == 0;
}

char *cpts_path_stem(const char *path)
{
	static const char *const exts[] = { ".csv.gz", ".geojson.gz", ".gz", ".csv", ".tsv",
					    ".txt", ".gpkg", ".geojson", ".json", ".shp",
					    ".sqlite", NULL };
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	for (int i = 0; exts[i]; i++) {
		size_t e = strlen(exts[i]);
		if (n > e && cpts_strcasecmp(base + n - e, exts[i]) == 0) {
			n -= e;
			break;
		}
	}
	return cpts_strndup(base, n);
}

int cpts_mkdir_p(const char *path, int mode)
{
	char *p = cpts_strdup(path);
	int rc = 0;

	for (char *q = p + 1; ; q++) {
		if (*q == '/' || *q == '\0') {
			char save = *q;
			*q = '\0';
			if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST) {
				rc = -errno;
				break;
			}
			*q = save;
			if (!save)
				break;
		}
	}
	free(p);
	return rc;
}

void cpts_qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

double cpts_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cpts_timestamp_utc(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;
	const char *fixed = getenv("CPTS_FIXED_TIME"); /* reproducible outputs in tests */

	if (fixed && *fixed) {
		snprintf(out, 32, "%s", fixed);
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Programmer-error abort (cpts/ctx.h): here, with the other aborts (out of memory), so
 * that the allocation and buffer files depend on no other file of core. */
_Noreturn void cpts_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cpts: BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(CPTS_EXIT_INTERNAL);
}
