//! Personal data stays out of reports: e-mail addresses and phone numbers in
//! excerpts, buyer e-mails, names and addresses, and identifier values, are
//! masked unless the user asks otherwise. Untrusted text is also made safe
//! for where it goes: a terminal ([`excerpt`]), an HTML page
//! ([`escape_html`]) or a spreadsheet cell ([`csv_safe`]).

use crate::input::table::printable;
use regex::Regex;
use std::sync::LazyLock;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b").expect("static pattern")
});

// Seven or more digits, allowing the separators people write phone numbers
// with; order ids (3-7-7 digits) are kept apart by requiring no letters and
// by the caller masking only free text.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}\b|\+\d{8,15}\b",
    )
    .expect("static pattern")
});

// Amazon order ids and dates are not personal data and must stay readable.
static NOT_A_PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(\d{3}-\d{7}-\d{7}|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$",
    )
    .expect("static pattern")
});

/// Masks e-mail addresses and phone numbers in free text.
pub fn mask_text(text: &str) -> String {
    let masked = EMAIL.replace_all(text, |caps: &regex::Captures<'_>| {
        let whole = &caps[0];
        let domain = whole.rsplit_once('@').map_or("", |(_, d)| d);
        format!("***@{domain}")
    });
    PHONE
        .replace_all(&masked, |caps: &regex::Captures<'_>| {
            let whole = &caps[0];
            let digits = whole.chars().filter(char::is_ascii_digit).count();
            if NOT_A_PHONE.is_match(whole) || digits < 7 {
                whole.to_string()
            } else {
                let last: String = whole
                    .chars()
                    .filter(char::is_ascii_digit)
                    .skip(digits - 2)
                    .collect();
                format!("[phone …{last}]")
            }
        })
        .into_owned()
}

/// A short, printable, masked excerpt of untrusted text.
pub fn excerpt(text: &str, max_chars: usize, mask: bool) -> String {
    let flat: String = text
        .replace("\\n", " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let safe = printable(&if mask { mask_text(&flat) } else { flat });
    truncate(&safe, max_chars)
}

/// Cuts at a character boundary and marks the cut.
pub fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// An identifier value shown as its kind and last four characters.
pub fn mask_identifier(kind: &str, value: &str) -> String {
    let chars: Vec<char> = value.chars().filter(|c| !c.is_whitespace()).collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("{kind} …{tail}")
}

/// Personal data of a buyer (an e-mail address, a name, a street address,
/// a postal code) as a report may show it: masked by default, so a shared
/// report identifies an order, never a person.
pub fn mask_personal(value: &str, mask: bool) -> String {
    let value = printable(value.trim());
    if !mask {
        return value;
    }
    if let Some((_, domain)) = value.rsplit_once('@')
        && EMAIL.is_match(&value)
    {
        return format!("***@{domain}");
    }
    // Keep the first character so two buyers in one list stay apart.
    match value.chars().next() {
        Some(first) => format!("{first}***"),
        None => String::new(),
    }
}

/// Text made safe inside HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Bidi overrides can make an HTML page read differently from
            // its source; show them as code points, like the terminal does.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => {
                out.push_str(&format!("&lt;U+{:04X}&gt;", ch as u32));
            }
            c if c.is_control() && c != '\n' && c != '\t' => {
                out.push_str(&format!("&lt;U+{:04X}&gt;", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// A cell value a spreadsheet will show as text, never run as a formula:
/// cells starting with `=`, `+`, `-`, `@`, tab or carriage return get a
/// leading apostrophe (OWASP's advice for CSV injection). Numbers such as
/// `-5` or `+1.5` stay numbers.
pub fn csv_safe(cell: &str) -> String {
    let risky = cell
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    let is_number = cell.parse::<f64>().is_ok_and(f64::is_finite);
    if risky && !is_number {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_is_masked_unless_asked() {
        assert_eq!(
            mask_personal("jane.doe@example.com", true),
            "***@example.com"
        );
        assert_eq!(mask_personal("Jane Doe", true), "J***");
        assert_eq!(mask_personal("12 Elm Street", true), "1***");
        assert_eq!(mask_personal("  ", true), "");
        assert_eq!(mask_personal("Jane Doe", false), "Jane Doe");
        assert_eq!(mask_personal("a\u{1b}[2J", false), "a\\u{1b}[2J");
    }

    #[test]
    fn html_escaping_neutralises_markup_and_bidi() {
        assert_eq!(
            escape_html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape_html("a\u{202e}b"), "a&lt;U+202E&gt;b");
        assert_eq!(escape_html("a\u{1b}b"), "a&lt;U+001B&gt;b");
        assert_eq!(escape_html("五星好评"), "五星好评");
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        for cell in [
            "=HYPERLINK(\"http://x\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert!(csv_safe(cell).starts_with('\''), "{cell}");
        }
        assert_eq!(csv_safe("-5"), "-5");
        assert_eq!(csv_safe("+1.5"), "+1.5");
        assert_eq!(csv_safe("113-1234567-1234567"), "113-1234567-1234567");
        assert_eq!(csv_safe("plain"), "plain");
        assert_eq!(csv_safe(""), "");
    }

    #[test]
    fn masks_emails_and_phones_but_not_order_ids() {
        let text =
            "Write to jane.doe@example.com or call +1 555-010-0199 about 113-1234567-1234567";
        let masked = mask_text(text);
        assert!(!masked.contains("jane.doe"), "{masked}");
        assert!(masked.contains("***@example.com"), "{masked}");
        assert!(!masked.contains("010-0199"), "{masked}");
        assert!(masked.contains("113-1234567-1234567"), "{masked}");
    }

    #[test]
    fn keeps_short_numbers() {
        assert_eq!(
            mask_text("2 units for 19.99 on 2024-01-15"),
            "2 units for 19.99 on 2024-01-15"
        );
    }

    #[test]
    fn excerpts_are_flat_short_and_printable() {
        let out = excerpt("line one\\nline\u{1b}two   three", 14, true);
        assert_eq!(out, "line one line…");
        assert!(excerpt("a\u{1b}[2Jb", 50, true).contains("\\u{1b}"));
    }

    #[test]
    fn identifiers_show_kind_and_last_four() {
        assert_eq!(
            mask_identifier("bank", "DE89 3704 0044 0532 0130 00"),
            "bank …3000"
        );
        assert_eq!(mask_identifier("ip", "1.2"), "ip …1.2");
    }
}
