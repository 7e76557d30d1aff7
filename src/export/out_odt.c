/*
 * out_odt.c - an ex_doc (html_lettre.c) as an OpenDocument text file (.odt), so that a
 * CPTS founder can open the "Premiers éléments de diagnostic" in LibreOffice or Word
 * and paste them into the lettre d'intention.
 *
 * Why libzip: an ODT is a zip container whose first entry must be the file "mimetype",
 * stored uncompressed; libzip (Debian's libzip-dev) writes that exactly. The XML is
 * small and generated here with its own escaping (no DOM needed). The container is
 * written to path.tmp and renamed on success; libzip's errors are translated into
 * CPTS_EIO with the library's message (it is only used in this file).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "export/report_int.h"

static const char mimetype[] = "application/vnd.oasis.opendocument.text";

static const char manifest[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\""
	" manifest:version=\"1.2\">\n"
	" <manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.2\""
	" manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>\n"
	" <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\n"
	" <manifest:file-entry manifest:full-path=\"styles.xml\" manifest:media-type=\"text/xml\"/>\n"
	"</manifest:manifest>\n";

#define NS_OFFICE "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
#define NS_TEXT "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\""
#define NS_STYLE "xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\""
#define NS_FO "xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\""

static const char styles[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<office:document-styles " NS_OFFICE " " NS_STYLE " " NS_TEXT " " NS_FO
	" office:version=\"1.2\"><office:styles>"
	"<style:style style:name=\"Standard\" style:family=\"paragraph\">"
	"<style:text-properties style:font-name=\"DejaVu Sans\" fo:font-size=\"11pt\"/>"
	"<style:paragraph-properties fo:margin-bottom=\"0.2cm\"/></style:style>"
	"<style:style style:name=\"Title\" style:family=\"paragraph\""
	" style:parent-style-name=\"Standard\"><style:text-properties fo:font-size=\"17pt\""
	" fo:font-weight=\"bold\"/></style:style>"
	"<style:style style:name=\"Heading_20_2\" style:display-name=\"Heading 2\""
	" style:family=\"paragraph\" style:parent-style-name=\"Standard\">"
	"<style:text-properties fo:font-size=\"13pt\" fo:font-weight=\"bold\"/>"
	"<style:paragraph-properties fo:margin-top=\"0.3cm\"/></style:style>"
	"</office:styles></office:document-styles>\n";

/* XML text: &, <, > escaped; control characters other than tab/newline dropped. */
static void add_xml(cpts_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '&')
			cpts_buf_addstr(b, "&amp;");
		else if (c == '<')
			cpts_buf_addstr(b, "&lt;");
		else if (c == '>')
			cpts_buf_addstr(b, "&gt;");
		else if (c >= 0x20 || c == '\t' || c == '\n')
			cpts_buf_addch(b, (char)c);
	}
}

static void content_xml(cpts_buf *b, const ex_doc *doc)
{
	bool in_list = false;

	cpts_buf_addstr(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-content "
			NS_OFFICE " " NS_TEXT " " NS_STYLE " " NS_FO " office:version=\"1.2\">"
			"<office:body><office:text>\n");
	for (size_t k = 0; k < doc->n; k++) {
		if (doc->kind[k] != EX_DOC_ITEM && in_list) {
			cpts_buf_addstr(b, "</text:list>\n");
			in_list = false;
		}
		switch (doc->kind[k]) {
		case EX_DOC_TITLE:
			cpts_buf_addstr(b, "<text:p text:style-name=\"Title\">");
			add_xml(b, doc->text[k]);
			cpts_buf_addstr(b, "</text:p>\n");
			break;
		case EX_DOC_HEAD:
			cpts_buf_addstr(b, "<text:h text:style-name=\"Heading_20_2\""
					" text:outline-level=\"2\">");
			add_xml(b, doc->text[k]);
			cpts_buf_addstr(b, "</text:h>\n");
			break;
		case EX_DOC_PARA:
			cpts_buf_addstr(b, "<text:p text:style-name=\"Standard\">");
			add_xml(b, doc->text[k]);
			cpts_buf_addstr(b, "</text:p>\n");
			break;
		case EX_DOC_ITEM:
			if (!in_list)
				cpts_buf_addstr(b, "<text:list>\n");
			in_list = true;
			cpts_buf_addstr(b, "<text:list-item><text:p text:style-name=\"Standard\">");
			add_xml(b, doc->text[k]);
			cpts_buf_addstr(b, "</text:p></text:list-item>\n");
			break;
		}
	}
	if (in_list)
		cpts_buf_addstr(b, "</text:list>\n");
	cpts_buf_addstr(b, "</office:text></office:body></office:document-content>\n");
}

/* Add one entry from memory (libzip copies nothing: data must live until close). */
static int add_entry(zip_t *z, const char *name, const char *data, size_t len, bool store)
{
	zip_source_t *src = zip_source_buffer(z, data, len, 0);
	zip_int64_t idx;

	if (!src)
		return -1;
	idx = zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
	if (idx < 0) {
		zip_source_free(src);
		return -1;
	}
	if (store && zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0) < 0)
		return -1;
	/* a fixed date (1 January 2000): the same report gives the same bytes */
	if (zip_file_set_mtime(z, (zip_uint64_t)idx, 946684800, 0) < 0)
		return -1;
	return 0;
}

int ex_doc_odt(cpts_ctx *ctx, const char *path, const ex_doc *doc)
{
	char *tmp = cpts_asprintf("%s.tmp", path);
	cpts_buf content = CPTS_BUF_INIT;
	zip_t *z = NULL;
	int zerr = 0, rc = CPTS_OK;

	content_xml(&content, doc);
	unlink(tmp);
	z = zip_open(tmp, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	if (!z) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, zerr);
		rc = cpts_fail(ctx, CPTS_EIO, "cannot create '%s': %s", tmp, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		goto out;
	}
	if (add_entry(z, "mimetype", mimetype, sizeof(mimetype) - 1, true) < 0 ||
	    add_entry(z, "content.xml", content.data, content.len, false) < 0 ||
	    add_entry(z, "styles.xml", styles, sizeof(styles) - 1, false) < 0 ||
	    add_entry(z, "META-INF/manifest.xml", manifest, sizeof(manifest) - 1, false) < 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot write '%s': %s", tmp, zip_strerror(z));
		zip_discard(z);
		z = NULL;
		goto out;
	}
	if (zip_close(z) < 0) {
		rc = cpts_fail(ctx, CPTS_EIO, "cannot write '%s': %s", tmp, zip_strerror(z));
		zip_discard(z);
		z = NULL;
		goto out;
	}
	z = NULL;
	if (rename(tmp, path) != 0)
		rc = cpts_fail(ctx, CPTS_EIO, "cannot rename '%s' to '%s'", tmp, path);
out:
	if (rc < 0)
		unlink(tmp);
	cpts_buf_release(&content);
	free(tmp);
	return rc;
}
