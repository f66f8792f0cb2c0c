//! Personal data stays out of reports: e-mail addresses and phone numbers in
//! excerpts, buyer e-mails, names and addresses, and identifier values, are
//! masked unless the user asks otherwise. Untrusted text is also made safe
//! for a terminal ([`excerpt`]); each report format escapes it for its own
//! language (`report::escape`).

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

#[cfg(test)]
mod tests {
    use super::*;

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
