/*
 * html_text.h - HTML to readable plain text for tool results (mail bodies, web content).
 *
 * Drops <script>, <style>, <head>, comments and other markup; decodes character references (named ones in
 * common use, decimal and hex); keeps link targets as "text (https://...)" (omitted when the text is the URL
 * itself, and for javascript:/fragment links); images become their alt text; block elements (p, div, br, li,
 * tr, headings, ...) become line breaks, list items "- "; whitespace collapses to single spaces, at most one
 * blank line in a row, trimmed ends; <pre> keeps its whitespace. Tolerant of broken markup; never fails except
 * on allocation.
 */
#ifndef MAIL_HTML_TEXT_H
#define MAIL_HTML_TEXT_H

#include <stddef.h>

/* Converts len bytes of HTML (UTF-8) to text. Returns a malloc'ed UTF-8 string (caller frees) or NULL. */
char *mcp_html_to_text(const char *html, size_t len);

/* Decodes one character reference at s ("&amp;", "&#233;", "&#x1F600;"): writes UTF-8 to out (>= 8 bytes),
 * returns the number of input bytes used (0 when s does not start a known reference); *out_len gets the bytes. */
size_t mcp_html_entity(const char *s, size_t len, char *out, size_t *out_len);

#endif
