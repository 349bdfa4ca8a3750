/*
 * mime.h - Internet message building and header text for the mail services (RFC 5322, 2045-2047, 2231).
 *
 * Header safety: every header input is checked for CR, LF and NUL (header injection is impossible: such input
 * is rejected, never stripped), and must be valid UTF-8. Non-ASCII unstructured text (Subject) and display names
 * become RFC 2047 encoded-words (UTF-8, "B"), each at most 75 characters, folded with CRLF SP so that lines
 * holding encoded-words stay within 76 characters. Address lists are parsed ("Name <a@b.c>, d@e.f",
 * quoted names with commas) and every addr-spec is validated (dot-atom local part, LDH domain with a dot).
 * Bodies use CRLF line endings; non-ASCII bodies are base64 (76-column lines). Attachments make a
 * multipart/mixed message; non-ASCII file names use RFC 2231 (filename*=UTF-8''...).
 *
 * Decoding side: RFC 2047 encoded-words in received headers (B and Q, UTF-8 / ISO-8859-1 / Windows-1252 /
 * US-ASCII), and charset normalisation of received text to valid UTF-8.
 */
#ifndef MAIL_MIME_H
#define MAIL_MIME_H

#include <stddef.h>

#define MCP_MIME_MAX_ADDRESSES 100 /* per address header */

/* 1 when s is valid UTF-8 without CR, LF or NUL (usable inside a header). */
int mcp_mime_header_text_ok(const char *s);
/* 1 when s is a valid addr-spec "local@domain" (ASCII dot-atom local part <= 64, domain labels, a dot, <= 254). */
int mcp_mime_addr_spec_valid(const char *s);

/*
 * Parses an address list given by a user ("a@b.c", "Name <a@b.c>", "\"Doe, J\" <a@b.c>", comma separated) and
 * writes the header value: display names quoted when they hold specials, RFC 2047 encoded when non-ASCII,
 * addresses joined by ", " with CRLF SP folding. Returns 0 and a malloc'ed *out (caller frees), or -1 with a
 * one-line reason in err (which address is wrong). *count (may be NULL) receives the number of addresses.
 * header_len is the length of "Name: " that precedes the value on its first line (for folding).
 */
int mcp_mime_format_addresses(const char *list, size_t header_len, char **out, size_t *count, char *err, size_t errsz);
/*
 * Extracts the bare addr-specs of an address list (as received, e.g. a From header) into a malloc'ed,
 * comma-separated, lower-cased list; invalid entries are skipped. NULL on allocation failure.
 */
char *mcp_mime_address_specs(const char *list);

/*
 * "Name: value\r\n" for unstructured text: as is (folded at spaces) when printable ASCII, else RFC 2047
 * encoded-words never splitting a UTF-8 sequence. NULL when value is not header-safe or on allocation failure.
 * Caller frees.
 */
char *mcp_mime_header_line(const char *name, const char *value);
/* The RFC 2047 encoded-words (space separated, folded) for text; first_avail = room on the first line. */
char *mcp_mime_encode_words(const char *text, size_t first_avail);
/* Decodes the RFC 2047 encoded-words in a received header value to UTF-8 (unknown charsets are kept
 * encoded; whitespace between adjacent encoded-words is dropped, as RFC 2047 6.2 says). Caller frees. */
char *mcp_mime_decode_words(const char *s);

/*
 * A MIME parameter "; name=value": a token as is, else a quoted-string, or name*=UTF-8''<pct-encoded> (RFC 2231)
 * when value is not ASCII. NULL when value is not header-safe. Caller frees.
 */
char *mcp_mime_param(const char *name, const char *value);

/* Converts text in charset (NULL/unknown = UTF-8) to valid UTF-8: ISO-8859-1 and Windows-1252 are mapped,
 * invalid UTF-8 sequences become U+FFFD, NUL bytes are dropped. Caller frees. */
char *mcp_mime_to_utf8(const char *s, size_t len, const char *charset);
/* The length of the longest prefix of s (len bytes, UTF-8) not longer than max bytes that ends on a character
 * boundary. */
size_t mcp_utf8_truncate(const char *s, size_t len, size_t max);

/* "Re: <subject>" unless subject already starts with "Re:" (any case); "Re: " for an empty one. Caller frees. */
char *mcp_mime_reply_subject(const char *subject);

typedef struct mcp_mime_attachment {
    const char *filename;     /* required, UTF-8, no CR/LF */
    const char *content_type; /* NULL = guessed from the file name extension, else application/octet-stream */
    const unsigned char *data;
    size_t len;
} mcp_mime_attachment_t;

typedef struct mcp_mime_message {
    const char *from, *to, *cc, *bcc, *reply_to; /* address lists; NULL or "" = absent; to or cc or bcc required */
    const char *subject;                         /* NULL = "" */
    const char *text_body;                       /* UTF-8; NULL = "" */
    const char *html_body;                       /* optional: text + html become multipart/alternative */
    const char *in_reply_to;                     /* "<id@host>" of the replied-to message, optional */
    const char *references;                      /* space separated message ids, optional */
    const mcp_mime_attachment_t *attachments;
    size_t n_attachments;
    long long date; /* unix seconds for the Date header; 0 = now */
} mcp_mime_message_t;

/*
 * Builds the RFC 5322 message (CRLF line endings). Returns 0 with a malloc'ed *out and *out_len (caller frees),
 * or -1 with err naming the offending field ("to: ...", "subject: ...", "attachments[1].filename: ...").
 */
int mcp_mime_build(const mcp_mime_message_t *m, char **out, size_t *out_len, char *err, size_t errsz);

/* Content type for a file name by extension (a small table), "application/octet-stream" when unknown. */
const char *mcp_mime_type_for_filename(const char *filename);

#endif
