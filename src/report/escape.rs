//! Escaping for every output language. Export text (message bodies, file
//! names, buyer comments) is untrusted: it must never close a tag, start a
//! workflow command, break a table row or mention a GitHub user.

/// Text for XML and HTML element content and double-quoted attributes.
/// Characters XML 1.0 forbids (most C0 controls) become U+FFFD, so a stray
/// NUL in an export cannot make the document unreadable.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push('\u{fffd}')
            }
            // Bidi overrides can make a page read differently from its
            // source; show them as code points, as the terminal table does.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => {
                out.push_str(&format!("&lt;U+{:04X}&gt;", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for one line of Markdown, also inside a table cell: newlines fold
/// to spaces, markup characters are backslash-escaped, `<`/`>`/`&` become
/// entities, and `@` cannot mention anyone.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' | '\n' | '\t' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '{' | '}' | '(' | ')' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// The message part of a GitHub workflow command (`::error ...::DATA`).
pub fn workflow_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value of a GitHub workflow command (`file=`, `title=`).
pub fn workflow_property(text: &str) -> String {
    workflow_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A relative path as a URI reference: every byte outside the unreserved
/// set and `/` is percent-encoded, so SARIF consumers read it back exactly.
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.replace('\\', "/").bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_controls_and_bidi_cannot_reach_a_page() {
        assert_eq!(
            super::xml("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(super::xml("a\u{202e}b"), "a&lt;U+202E&gt;b");
        assert_eq!(super::xml("a\u{1b}b"), "a\u{fffd}b");
        assert_eq!(super::xml("五星好评"), "五星好评");
    }

    use super::*;

    #[test]
    fn xml_cannot_close_a_tag_or_carry_a_nul() {
        assert_eq!(
            xml("</failure><x a=\"1\">&\u{0}"),
            "&lt;/failure&gt;&lt;x a=&quot;1&quot;&gt;&amp;\u{fffd}"
        );
    }

    #[test]
    fn markdown_stays_on_one_line_and_mentions_no_one() {
        let text = markdown("a|b\n**c** <img src=x> @team [x](http://e)");
        assert!(!text.contains('\n'));
        assert!(text.contains("a\\|b"));
        assert!(text.contains("\\*\\*c\\*\\*"));
        assert!(text.contains("&lt;img"));
        assert!(!text.contains('@'));
        assert!(text.contains("\\[x\\]\\(http://e\\)"));
    }

    #[test]
    fn workflow_commands_escape_as_the_runner_expects() {
        assert_eq!(workflow_data("50%\r\n::x"), "50%25%0D%0A::x");
        assert_eq!(workflow_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn uri_paths_are_percent_encoded() {
        assert_eq!(
            uri_path("exports/订单 1.csv"),
            "exports/%E8%AE%A2%E5%8D%95%201.csv"
        );
        assert_eq!(uri_path("a\\b.csv"), "a/b.csv");
    }
}
