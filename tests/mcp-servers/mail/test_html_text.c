/* test_html_text.c - HTML to readable text. */
#include "cu.h"
#include "mail/html_text.h"

#include <stdlib.h>
#include <string.h>

static void expect(const char *html, const char *text)
{
    char *t = mcp_html_to_text(html, strlen(html));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    if (strcmp(t, text) != 0)
        fprintf(stderr, "\nhtml:   %s\nwanted: %s\ngot:    %s\n", html, text, t);
    CU_ASSERT_STRING_EQUAL(t, text);
    free(t);
}

static void test_strip(void)
{
    expect("<p>Hello <b>bold</b> world</p>", "Hello bold world");
    expect("<html><head><title>T</title><style>p{x:1}</style></head><body><script>if (a<b) alert(1)</script>"
           "Text</body></html>",
           "Text");
    expect("a<!-- hidden <p> -->b", "ab");
    expect("<!DOCTYPE html><div>x</div>", "x");
    expect("1 < 2 and 3 > 2", "1 < 2 and 3 > 2");
    expect("<img src=x alt=\"Logo\">Text", "Logo Text");
    expect("<div title='a>b'>quoted</div>", "quoted");
}

static void test_entities(void)
{
    expect("Tom &amp; Jerry &lt;3 &quot;x&quot; &#233;t&eacute; &#x1F600; &nbsp;end", "Tom & Jerry <3 \"x\" été 😀 end");
    expect("&unknown; &amp", "&unknown; &amp");
    expect("caf&#xE9;&zwnj;s", "cafés");
}

static void test_links(void)
{
    expect("See <a href=\"https://example.com/r?a=1&amp;b=2\">the report</a>.",
           "See the report (https://example.com/r?a=1&b=2).");
    expect("<a href=\"https://example.com\">https://example.com</a>", "https://example.com");
    expect("<a href=\"mailto:a@b.c\">a@b.c</a>", "a@b.c");
    expect("<a href=\"#top\">Top</a> <a href=\"javascript:x()\">Click</a>", "Top Click");
}

static void test_blocks(void)
{
    expect("<h1>Title</h1><p>One</p><p>Two<br>Three</p>", "Title\n\nOne\n\nTwo\nThree");
    expect("<ul><li>one</li><li>two</li></ul>after", "- one\n- two\n\nafter");
    expect("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc");
    expect("  lots   of \n\n  space  ", "lots of space");
    expect("<p></p><p></p><p>x</p><br><br><br><br>y", "x\n\ny");
    expect("<pre>a  b\n  c</pre>", "a  b\n  c");
}

static void test_broken(void)
{
    expect("<p>unterminated <b", "unterminated");
    expect("<a href=\"https://x.org\">open link", "open link (https://x.org)");
    expect("", "");
    char *t = mcp_html_to_text("bad \xFF byte", 10);
    CU_ASSERT_STRING_EQUAL(t, "bad \xEF\xBF\xBD byte");
    free(t);
}

void tests_register(void)
{
    CU_SUITE("html_text", NULL, NULL, {"strip markup", test_strip}, {"entities", test_entities}, {"links", test_links},
             {"blocks and whitespace", test_blocks}, {"broken input", test_broken});
}
