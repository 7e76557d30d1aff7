/*
 * csv.c - the streaming CSV reader of the ingestion layer.
 *
 * Why our own: the files statisticians bring are spreadsheet exports in every flavour
 * (`;` or `,` or tab, Windows-1252 or UTF-8 with a BOM, CRLF, decimal commas, quoted
 * fields with newlines), some of them gzip'd, some of them tens of millions of rows.
 * One pass, one row in memory at a time: the raw bytes are read in 256 KiB blocks
 * (hashed for the sources record as they go), inflated by zlib when the file starts
 * with the gzip magic, then cut into fields by a small state machine that survives
 * block boundaries.
 *
 * Invariants: fields handed out are NUL-terminated UTF-8; line numbers count physical
 * lines (a quoted newline advances them), so messages point where an editor would.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/ingest_int.h"

#define RAW_BLOCK (256u * 1024u)
#define TXT_BLOCK (1024u * 1024u)

enum encoding { ENC_UTF8, ENC_UTF8_BOM, ENC_CP1252 };

struct cpts_csv {
	char *name;              /* OWNED: file name for messages */
	int fd;                  /* -1 for a memory source */
	const unsigned char *mem; /* BORROWED memory source */
	size_t mem_len, mem_pos;
	unsigned long long raw_size, raw_read; /* bytes of the source, read so far */
	unsigned char *raw;      /* OWNED raw block */
	bool is_gzip, gz_end, raw_eof;
	z_stream z;              /* inflate state when is_gzip */
	bool z_ready;
	cpts_sha256 sha;         /* of the raw bytes */
	unsigned char *txt;      /* OWNED decoded text block */
	size_t txt_len, txt_pos;
	bool txt_eof;
	enum encoding enc;
	size_t n_bad_lines;      /* lines of a UTF-8 file with invalid bytes (warned) */
	unsigned long long txt_base; /* text bytes before the current block */
	unsigned long long row_off;  /* text offset where the current row starts */
	char delim;
	size_t line;             /* current physical line (1-based) */
	size_t row_line;         /* line where the current row started */
	cpts_buf row;            /* fields of the current row, NUL-separated */
	cpts_buf conv;           /* the same after encoding conversion */
	size_t *offs;            /* OWNED: field offsets into row */
	char **fields;           /* OWNED: pointers handed out */
	size_t cap_fields;
	char **hdr, **hdr_low;   /* OWNED header copies */
	size_t n_hdr;
	cpts_ctx *ctx;           /* BORROWED for warnings */
};

/* Windows-1252 bytes 0x80..0x9F as Unicode code points (0 = undefined). */
static const unsigned short cp1252_hi[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
	0x2039, 0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
	0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
};

static void add_utf8(cpts_buf *b, unsigned cp)
{
	char u[3];

	if (cp < 0x80) {
		cpts_buf_addch(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		cpts_buf_add(b, u, 2);
	} else {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		cpts_buf_add(b, u, 3);
	}
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t k;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		k = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		k = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		k = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return k;
}

static bool valid_utf8(const unsigned char *s, size_t n, bool partial_end)
{
	size_t i = 0;

	while (i < n) {
		size_t k = utf8_seq(s + i, n - i);
		if (k == 0)
			return partial_end && n - i < 4 && s[i] >= 0xC2; /* cut sequence */
		i += k;
	}
	return true;
}

/* True when s holds at least one valid multi-byte UTF-8 sequence. */
static bool has_utf8_seq(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = s[i] >= 0x80 ? utf8_seq(s + i, n - i) : 1;
		if (k > 1)
			return true;
	}
	return false;
}

/* Copy UTF-8 text, each invalid byte replaced by U+FFFD; the offset of the first one
 * into *first_bad (when still SIZE_MAX). */
static void utf8_repair(cpts_buf *b, const unsigned char *s, size_t n, size_t base,
			size_t *first_bad)
{
	for (size_t i = 0; i < n;) {
		size_t k = utf8_seq(s + i, n - i);
		if (k == 0) {
			add_utf8(b, 0xFFFD);
			if (*first_bad == SIZE_MAX)
				*first_bad = base + i;
			i++;
			continue;
		}
		cpts_buf_add(b, (const char *)s + i, k);
		i += k;
	}
}

static void cp1252_to_utf8(cpts_buf *b, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		if (c < 0x80)
			cpts_buf_addch(b, (char)c);
		else if (c < 0xA0)
			add_utf8(b, cp1252_hi[c - 0x80] ? cp1252_hi[c - 0x80] : 0xFFFD);
		else
			add_utf8(b, c);
	}
}

/* Read the next raw block into c->raw; returns bytes read, 0 at the end, < 0 on error. */
static long read_raw(cpts_ctx *ctx, cpts_csv *c)
{
	long n;

	if (c->fd < 0) {
		size_t k = c->mem_len - c->mem_pos;
		if (k > RAW_BLOCK)
			k = RAW_BLOCK;
		memcpy(c->raw, c->mem + c->mem_pos, k);
		c->mem_pos += k;
		n = (long)k;
	} else {
		ssize_t r;
		do
			r = read(c->fd, c->raw, RAW_BLOCK);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return cpts_fail(ctx, CPTS_EIO, "cannot read '%s': %s", c->name,
					 strerror(errno));
		n = (long)r;
	}
	if (n == 0)
		c->raw_eof = true;
	c->raw_read += (unsigned long long)n;
	cpts_sha256_update(&c->sha, c->raw, (size_t)n);
	return n;
}

/* Inflate into c->txt (appending after txt_len); returns CPTS_OK or an error. */
static int fill_gzip(cpts_ctx *ctx, cpts_csv *c)
{
	while (c->txt_len < TXT_BLOCK && !c->gz_end) {
		int zr;
		if (c->z.avail_in == 0) {
			long n = read_raw(ctx, c);
			if (n < 0)
				return (int)n;
			if (n == 0)
				return cpts_fail(ctx, CPTS_EINPUT, "'%s' is a truncated gzip file "
						 "(unexpected end of the compressed data)", c->name);
			c->z.next_in = c->raw;
			c->z.avail_in = (uInt)n;
		}
		c->z.next_out = c->txt + c->txt_len;
		c->z.avail_out = (uInt)(TXT_BLOCK - c->txt_len);
		zr = inflate(&c->z, Z_NO_FLUSH);
		c->txt_len = TXT_BLOCK - c->z.avail_out;
		if (zr == Z_STREAM_END) {
			/* concatenated members: go on while input remains */
			if (c->z.avail_in == 0) {
				long n = read_raw(ctx, c);
				if (n < 0)
					return (int)n;
				c->z.next_in = c->raw;
				c->z.avail_in = (uInt)n;
			}
			if (c->z.avail_in == 0)
				c->gz_end = true;
			else
				inflateReset(&c->z);
		} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			return cpts_fail(ctx, CPTS_EINPUT, "'%s' is a corrupt gzip file: %s", c->name,
					 c->z.msg ? c->z.msg : "inflate error");
		}
	}
	return CPTS_OK;
}

/* Make c->txt hold unread text from txt_pos; sets txt_eof at the end. */
static int refill(cpts_ctx *ctx, cpts_csv *c)
{
	size_t keep = c->txt_len - c->txt_pos;

	memmove(c->txt, c->txt + c->txt_pos, keep);
	c->txt_base += c->txt_pos;
	c->txt_len = keep;
	c->txt_pos = 0;
	if (c->is_gzip) {
		int rc = fill_gzip(ctx, c);
		if (rc < 0)
			return rc;
		if (c->gz_end && c->txt_len == keep)
			c->txt_eof = true;
		return CPTS_OK;
	}
	while (c->txt_len < TXT_BLOCK - RAW_BLOCK && !c->raw_eof) {
		long n = read_raw(ctx, c);
		if (n < 0)
			return (int)n;
		memcpy(c->txt + c->txt_len, c->raw, (size_t)n);
		c->txt_len += (size_t)n;
	}
	if (c->raw_eof && c->txt_len == keep)
		c->txt_eof = true;
	return CPTS_OK;
}

static int fail_at(cpts_ctx *ctx, const cpts_csv *c, size_t line, cpts_status code,
		   const char *what)
{
	int rc = cpts_fail(ctx, code, "%s:%zu: %s", c->name, line, what);
	return rc;
}

/* Field boundary: terminate the field and record where the next one starts. */
static int end_field(cpts_ctx *ctx, cpts_csv *c, size_t *n_fields)
{
	if (*n_fields + 1 >= CPTS_CSV_MAX_FIELDS)
		return fail_at(ctx, c, c->row_line, CPTS_EINPUT, "too many fields in one row "
			       "(binary file?)");
	cpts_buf_addch(&c->row, '\0');
	c->offs[++*n_fields] = c->row.len;
	return CPTS_OK;
}

/*
 * Cut one row into c->row. Returns 1 with a row, 0 at the end of the input. A state
 * machine of four states (start of field, unquoted, quoted, quote seen inside quotes)
 * because quoted fields may span lines and blocks; it is the one long function here.
 */
static int parse_row(cpts_ctx *ctx, cpts_csv *c, size_t *n_out)
{
	enum { S_START, S_PLAIN, S_QUOTED, S_QUOTE_IN } st = S_START;
	size_t n_fields = 0, quote_line = 0;
	int rc;

	cpts_buf_reset(&c->row);
	c->offs[0] = 0;
	c->row_line = c->line;
	c->row_off = c->txt_base + c->txt_pos;
	for (;;) {
		if (c->txt_pos >= c->txt_len) {
			if ((rc = refill(ctx, c)) < 0)
				return rc;
			if (c->txt_eof) {
				if (st == S_QUOTED) {
					char msg[128];
					snprintf(msg, sizeof(msg), "unbalanced quote: the quoted field"
						 " opened on line %zu never closes", quote_line);
					return fail_at(ctx, c, quote_line, CPTS_EINPUT, msg);
				}
				if (st == S_START && n_fields == 0 && c->row.len == 0)
					return 0;
				break; /* last line without a newline */
			}
		}
		unsigned char ch = c->txt[c->txt_pos++];
		if (ch == '\0')
			return fail_at(ctx, c, c->line, CPTS_EINPUT, "NUL byte: this is a binary "
				       "file, not a CSV");
		if (c->row.len > CPTS_CSV_MAX_ROW)
			return fail_at(ctx, c, c->row_line, CPTS_EINPUT, "row longer than 1 MiB "
				       "(binary file or unbalanced quote?)");
		switch (st) {
		case S_START:
		case S_PLAIN:
			if (ch == (unsigned char)c->delim) {
				if ((rc = end_field(ctx, c, &n_fields)) < 0)
					return rc;
				st = S_START;
			} else if (ch == '\n') {
				c->line++;
				goto done;
			} else if (ch == '\r') {
				/* CRLF or a lone CR: the \n, if any, is skipped next */
				if (c->txt_pos >= c->txt_len && (rc = refill(ctx, c)) < 0)
					return rc;
				if (c->txt_pos < c->txt_len && c->txt[c->txt_pos] == '\n')
					c->txt_pos++;
				c->line++;
				goto done;
			} else if (ch == '"' && st == S_START) {
				st = S_QUOTED;
				quote_line = c->line;
			} else {
				/* the run of ordinary bytes that follows, in one copy (most bytes
				 * of a big file: one call per byte was a tenth of a flows ingest) */
				size_t from = c->txt_pos - 1, to = c->txt_pos;
				while (to < c->txt_len && c->txt[to] != (unsigned char)c->delim &&
				       c->txt[to] != '\n' && c->txt[to] != '\r' && c->txt[to] != '"' &&
				       c->txt[to] != '\0')
					to++;
				cpts_buf_add(&c->row, c->txt + from, to - from);
				c->txt_pos = to;
				st = S_PLAIN;
			}
			break;
		case S_QUOTED:
			if (ch == '"')
				st = S_QUOTE_IN;
			else {
				if (ch == '\n')
					c->line++;
				cpts_buf_addch(&c->row, (char)ch);
			}
			break;
		case S_QUOTE_IN:
			if (ch == '"') {
				cpts_buf_addch(&c->row, '"');
				st = S_QUOTED;
			} else if (ch == (unsigned char)c->delim || ch == '\n' || ch == '\r') {
				c->txt_pos--; /* handled as the end of an unquoted field */
				st = S_PLAIN;
			} else if (ch == ' ' || ch == '\t') {
				/* blanks after a closing quote are tolerated */
			} else if (quote_line != c->line) {
				/* the quote that "closed" is most likely the opening quote of a later
				 * field: the error is where the field opened, not where we gave up */
				char msg[160];
				snprintf(msg, sizeof(msg), "malformed quoted field: the quoted field"
					 " opened on line %zu runs to line %zu (a closing quote missing"
					 " on line %zu?)", quote_line, c->line, quote_line);
				return fail_at(ctx, c, quote_line, CPTS_EINPUT, msg);
			} else {
				return fail_at(ctx, c, c->line, CPTS_EINPUT, "malformed quoted field: "
					       "a character follows the closing quote");
			}
			break;
		}
	}
done:
	cpts_buf_addch(&c->row, '\0');
	c->offs[++n_fields] = c->row.len;
	*n_out = n_fields;
	return 1;
}

/* Convert the fields of c->row to UTF-8 into c->conv when needed; fill c->fields. */
static void decode_row(cpts_csv *c, size_t n)
{
	const unsigned char *r = (const unsigned char *)c->row.data;
	bool high = false;

	for (size_t i = 0; i < c->row.len; i++)
		if (r[i] >= 0x80) {
			high = true;
			break;
		}
	if (!high || (c->enc != ENC_CP1252 && valid_utf8(r, c->row.len, false))) {
		for (size_t i = 0; i < n; i++)
			c->fields[i] = c->row.data + c->offs[i];
		return;
	}
	/*
	 * A line of a UTF-8 file with invalid bytes: never the whole file re-read. A line
	 * with no valid UTF-8 sequence was most likely typed in Windows-1252 (Caf\xe9):
	 * read as such; one that mixes both keeps its UTF-8 and each invalid byte becomes
	 * U+FFFD. Either way a warning names the line and the byte offset.
	 */
	bool as_1252 = c->enc == ENC_CP1252 || !has_utf8_seq(r, c->row.len);
	size_t first_bad = SIZE_MAX;
	cpts_buf_reset(&c->conv);
	size_t *start = cpts_mallocarray(n, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		start[i] = c->conv.len;
		if (as_1252)
			cp1252_to_utf8(&c->conv, r + c->offs[i], c->offs[i + 1] - c->offs[i]);
		else
			utf8_repair(&c->conv, r + c->offs[i], c->offs[i + 1] - c->offs[i],
				    c->offs[i], &first_bad);
	}
	if (c->enc != ENC_CP1252 && c->ctx && c->n_bad_lines++ < 5) {
		/* the first byte that is not UTF-8 */
		for (size_t i = 0; i < c->row.len && first_bad == SIZE_MAX;) {
			size_t k = utf8_seq(r + i, c->row.len - i);
			if (k == 0)
				first_bad = i;
			i += k ? k : 1;
		}
		cpts_warn(c->ctx, "%s:%zu: byte 0x%02X at offset %llu is not valid UTF-8 (the"
			  " file is read as UTF-8): %s%s", c->name, c->row_line,
			  first_bad < c->row.len ? r[first_bad] : 0,
			  c->row_off + (first_bad < c->row.len ? first_bad : 0),
			  as_1252 ? "this line read as Windows-1252"
				  : "invalid bytes replaced by U+FFFD",
			  c->n_bad_lines == 5 ? " (further such lines are not reported)" : "");
	}
	for (size_t i = 0; i < n; i++)
		c->fields[i] = c->conv.data + start[i];
	free(start);
}

/* Choose the delimiter from the header line: the most frequent of ; , tab. */
static char detect_delim(const unsigned char *s, size_t n)
{
	size_t semi = 0, comma = 0, tab = 0;
	bool q = false;

	for (size_t i = 0; i < n && (q || (s[i] != '\n' && s[i] != '\r')); i++) {
		if (s[i] == '"')
			q = !q;
		else if (!q && s[i] == ';')
			semi++;
		else if (!q && s[i] == ',')
			comma++;
		else if (!q && s[i] == '\t')
			tab++;
	}
	if (tab > semi && tab > comma)
		return '\t';
	if (comma > semi)
		return ',';
	return ';';
}

static bool looks_binary(const unsigned char *s, size_t n)
{
	size_t ctl = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == 0)
			return true;
		if (s[i] < 0x20 && s[i] != '\n' && s[i] != '\r' && s[i] != '\t')
			ctl++;
	}
	return n > 0 && ctl * 20 > n; /* more than 5% control characters */
}

static int read_header(cpts_ctx *ctx, cpts_csv *c)
{
	size_t n, sample;
	int rc;

	if ((rc = refill(ctx, c)) < 0)
		return rc;
	if (c->txt_len == 0)
		return cpts_fail(ctx, CPTS_EINPUT, "'%s' is empty (expected a header line and "
				 "data rows)", c->name);
	sample = c->txt_len < 65536 ? c->txt_len : 65536;
	if (looks_binary(c->txt, sample))
		return cpts_fail(ctx, CPTS_EINPUT, "'%s' is a binary file, not a CSV", c->name);
	if (c->txt_len >= 3 && memcmp(c->txt, "\xEF\xBB\xBF", 3) == 0) {
		c->enc = ENC_UTF8_BOM;
		c->txt_pos = 3;
	} else if (!valid_utf8(c->txt, sample, sample < c->txt_len) &&
		   !has_utf8_seq(c->txt, sample)) {
		/* high bytes and no UTF-8 sequence at all: a Windows-1252 (Latin-1) file; a
		 * UTF-8 file with a few bad bytes stays UTF-8 (decode_row warns per line) */
		c->enc = ENC_CP1252;
	}
	c->delim = detect_delim(c->txt + c->txt_pos, c->txt_len - c->txt_pos);
	if ((rc = parse_row(ctx, c, &n)) < 0)
		return rc;
	if (rc == 0 || (n == 1 && c->row.data[0] == '\0'))
		return cpts_fail(ctx, CPTS_EINPUT, "'%s' has no header line", c->name);
	c->n_hdr = n;
	c->hdr = cpts_calloc(n, sizeof(char *));
	c->hdr_low = cpts_calloc(n, sizeof(char *));
	decode_row(c, n);
	for (size_t i = 0; i < n; i++) {
		c->hdr[i] = cpts_strdup(c->fields[i]);
		c->hdr_low[i] = cpts_strdup(c->fields[i]);
		cpts_trim(c->hdr_low[i]);
		for (char *p = c->hdr_low[i]; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	}
	return CPTS_OK;
}

static cpts_csv *csv_new(cpts_ctx *ctx, const char *name)
{
	cpts_csv *c = cpts_calloc(1, sizeof(*c));

	c->name = cpts_strdup(name);
	c->fd = -1;
	c->raw = cpts_malloc(RAW_BLOCK);
	c->txt = cpts_malloc(TXT_BLOCK);
	c->line = 1;
	c->delim = ';';
	c->ctx = ctx;
	cpts_buf_init(&c->row);
	cpts_buf_init(&c->conv);
	c->cap_fields = CPTS_CSV_MAX_FIELDS + 1;
	c->offs = cpts_mallocarray(c->cap_fields, sizeof(size_t));
	c->fields = cpts_mallocarray(c->cap_fields, sizeof(char *));
	cpts_sha256_init(&c->sha);
	return c;
}

/* Look at the first raw block: gzip magic starts the inflater. */
static int start_source(cpts_ctx *ctx, cpts_csv *c)
{
	long n = read_raw(ctx, c);

	if (n < 0)
		return (int)n;
	if (n >= 2 && c->raw[0] == 0x1f && c->raw[1] == 0x8b) {
		c->is_gzip = true;
		if (inflateInit2(&c->z, 15 + 16) != Z_OK)
			return cpts_fail(ctx, CPTS_ENOMEM, "cannot initialise zlib");
		c->z_ready = true;
		c->z.next_in = c->raw;
		c->z.avail_in = (uInt)n;
	} else {
		memcpy(c->txt, c->raw, (size_t)n);
		c->txt_len = (size_t)n;
	}
	return read_header(ctx, c);
}

int cpts_csv_open(cpts_ctx *ctx, cpts_csv **out, const char *path)
{
	cpts_csv *c = csv_new(ctx, path);
	struct stat st;
	int rc;

	*out = NULL;
	c->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if (fstat(c->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot read '%s': is a directory", path);
		goto out;
	}
	c->raw_size = (unsigned long long)st.st_size;
	if ((rc = start_source(ctx, c)) < 0)
		goto out;
	*out = c;
	c = NULL;
out:
	cpts_csv_free(c);
	return rc;
}

int cpts_csv_open_mem(cpts_ctx *ctx, cpts_csv **out, const void *data, size_t len,
		      const char *name)
{
	cpts_csv *c = csv_new(ctx, name);
	int rc;

	*out = NULL;
	c->mem = data;
	c->mem_len = len;
	c->raw_size = len;
	if ((rc = start_source(ctx, c)) < 0)
		goto out;
	*out = c;
	c = NULL;
out:
	cpts_csv_free(c);
	return rc;
}

void cpts_csv_free(cpts_csv *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	if (c->z_ready)
		inflateEnd(&c->z);
	for (size_t i = 0; i < c->n_hdr; i++) {
		free(c->hdr[i]);
		free(c->hdr_low[i]);
	}
	free(c->hdr);
	free(c->hdr_low);
	cpts_buf_release(&c->row);
	cpts_buf_release(&c->conv);
	free(c->offs);
	free(c->fields);
	free(c->raw);
	free(c->txt);
	free(c->name);
	free(c);
}

int cpts_csv_next(cpts_ctx *ctx, cpts_csv *c, char ***fields_out, size_t *n_out)
{
	size_t n;
	int rc;

	for (;;) {
		if ((rc = parse_row(ctx, c, &n)) <= 0)
			return rc;
		if (!(n == 1 && c->row.data[0] == '\0'))
			break; /* skip blank lines */
	}
	while (n > c->n_hdr && c->offs[n] - c->offs[n - 1] == 1)
		n--; /* trailing empty fields (a delimiter at the end of the line) */
	if (n != c->n_hdr) {
		char msg[160];
		snprintf(msg, sizeof(msg), "%zu field%s, the header has %zu%s", n,
			 n > 1 ? "s" : "", c->n_hdr,
			 n < c->n_hdr ? " (truncated line or wrong delimiter?)" : "");
		return fail_at(ctx, c, c->row_line, CPTS_EINPUT, msg);
	}
	decode_row(c, n);
	*fields_out = c->fields;
	*n_out = n;
	return 1;
}

size_t cpts_csv_n_cols(const cpts_csv *c)
{
	return c->n_hdr;
}

const char *cpts_csv_col(const cpts_csv *c, size_t i)
{
	return c->hdr[i];
}

const char *cpts_csv_col_low(const cpts_csv *c, size_t i)
{
	return c->hdr_low[i];
}

size_t cpts_csv_line(const cpts_csv *c)
{
	return c->row_line;
}

const char *cpts_csv_name(const cpts_csv *c)
{
	return c->name;
}

char cpts_csv_delim(const cpts_csv *c)
{
	return c->delim;
}

const char *cpts_csv_encoding(const cpts_csv *c)
{
	return c->enc == ENC_CP1252 ? "Windows-1252" : c->enc == ENC_UTF8_BOM ? "UTF-8 (BOM)"
									      : "UTF-8";
}

double cpts_csv_progress(const cpts_csv *c)
{
	return c->raw_size ? (double)c->raw_read / (double)c->raw_size : 0.0;
}

void cpts_csv_sha256(cpts_csv *c, char hex_out[65])
{
	/* finish reading so the hash covers the whole file (trailing gzip bytes) */
	while (!c->raw_eof && c->fd >= 0) {
		ssize_t r = read(c->fd, c->raw, RAW_BLOCK);
		if (r <= 0)
			break;
		cpts_sha256_update(&c->sha, c->raw, (size_t)r);
	}
	cpts_sha256_final(&c->sha, hex_out);
}
