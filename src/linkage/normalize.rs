//! Identifier values as written by people differ in ways that do not change
//! who they point at: `+1 (555) 010-0199` and `15550100199` are one phone,
//! `12 Main Street, Apt. 4` and `12 main st apt 4` one address. Each kind
//! is folded to one comparable form here, so that linkage compares like
//! with like.
//!
//! Choices, per kind:
//! - `phone`, `card`, `bank`: digits only (an IBAN's country letters go; its
//!   check digits and account number stay). A leading `00` on a phone is the
//!   international call prefix, the same as `+`.
//! - `email`: trimmed and lower-cased; a `+tag` after the local part is
//!   dropped (plus-addressing reaches the same mailbox at Gmail, Outlook,
//!   iCloud, Fastmail and most hosts); dots in the local part are dropped
//!   only at gmail.com and googlemail.com, where Google ignores them.
//! - `address`: lower-cased, punctuation read as spaces, spaces collapsed,
//!   and common street words abbreviated the way postal services do
//!   (Street → st, Avenue → ave, Apartment → apt, Straße → str, …).
//! - `tax_id`: upper-cased letters and digits (`12-3456789` = `123456789`,
//!   `DE 123 456 789` = `DE123456789`).
//! - `device`: trimmed and lower-cased (fingerprints are hex or UUIDs).
//! - `ip`: exact, except that an address parsed as IPv4/IPv6 is written in
//!   its canonical form (so `2001:DB8::1` = `2001:db8:0:0:0:0:0:1`).
//!
//! A value too short to identify anyone after folding (`n/a`, a card's last
//! four digits, an empty cell) yields `None` and is not compared.

use std::net::IpAddr;

/// The comparable form of `value` for identifier `kind`, or `None` when the
/// value cannot identify an account on its own.
pub fn normalize(kind: &str, value: &str) -> Option<String> {
    let value = value.trim();
    let folded = match kind {
        "phone" => phone(value),
        "card" | "bank" => digits(value),
        "email" => email(value)?,
        "address" => address(value),
        "tax_id" => value
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect(),
        "device" => value.to_lowercase(),
        "ip" => match value.parse::<IpAddr>() {
            Ok(ip) => ip.to_string(),
            Err(_) => value.to_string(),
        },
        _ => value.to_string(),
    };
    (folded.chars().count() >= min_chars(kind)).then_some(folded)
}

/// The shortest folded value that still identifies someone: fewer digits
/// than this is a placeholder or a masked number (`**** 1234`).
fn min_chars(kind: &str) -> usize {
    match kind {
        "card" => 12,
        "phone" => 7,
        "bank" => 6,
        "tax_id" => 5,
        "address" => 8,
        "email" => 6,
        "ip" => 3,
        _ => 4,
    }
}

fn digits(value: &str) -> String {
    value.chars().filter(char::is_ascii_digit).collect()
}

fn phone(value: &str) -> String {
    let all = digits(value);
    match all.strip_prefix("00") {
        Some(rest) if !value.trim_start().starts_with('+') => rest.to_string(),
        _ => all,
    }
}

fn email(value: &str) -> Option<String> {
    let lower = value.to_lowercase();
    let (local, domain) = lower.rsplit_once('@')?;
    let domain = domain.trim_end_matches('.');
    let local = local.split('+').next().unwrap_or(local);
    let (local, domain) = match domain {
        "gmail.com" | "googlemail.com" => (local.replace('.', ""), "gmail.com"),
        _ => (local.to_string(), domain),
    };
    if local.is_empty() || domain.is_empty() {
        return None;
    }
    Some(format!("{local}@{domain}"))
}

/// Long street words and their postal abbreviations (English, German,
/// French, Spanish and Italian forms sellers write).
const ADDRESS_WORDS: &[(&str, &str)] = &[
    ("street", "st"),
    ("avenue", "ave"),
    ("av", "ave"),
    ("road", "rd"),
    ("boulevard", "blvd"),
    ("drive", "dr"),
    ("lane", "ln"),
    ("court", "ct"),
    ("place", "pl"),
    ("square", "sq"),
    ("highway", "hwy"),
    ("parkway", "pkwy"),
    ("terrace", "ter"),
    ("circle", "cir"),
    ("suite", "ste"),
    ("apartment", "apt"),
    ("building", "bldg"),
    ("floor", "fl"),
    ("room", "rm"),
    ("north", "n"),
    ("south", "s"),
    ("east", "e"),
    ("west", "w"),
    ("strasse", "str"),
    ("straße", "str"),
    ("rue", "r"),
    ("calle", "c"),
    ("via", "v"),
];

fn address(value: &str) -> String {
    let lower = value.to_lowercase();
    let spaced: String = lower
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words = Vec::new();
    for word in spaced.split_whitespace() {
        // German writes the street word glued on: `Hauptstraße` = `Hauptstr`.
        let word = ["strasse", "straße"]
            .iter()
            .find_map(|long| {
                word.strip_suffix(long)
                    .filter(|stem| !stem.is_empty())
                    .map(|stem| format!("{stem}str"))
            })
            .unwrap_or_else(|| word.to_string());
        let short = ADDRESS_WORDS
            .iter()
            .find(|(long, _)| *long == word)
            .map_or(word.as_str(), |(_, short)| short);
        words.push(short.to_string());
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_cards_and_banks_keep_digits() {
        assert_eq!(
            normalize("phone", "+1 (555) 010-0199"),
            normalize("phone", "1.555.010.0199")
        );
        assert_eq!(
            normalize("phone", "0044 20 7946 0958").as_deref(),
            Some("442079460958")
        );
        assert_eq!(
            normalize("bank", "DE89 3704 0044 0532 0130 00"),
            normalize("bank", "de89370400440532013000")
        );
        assert_eq!(
            normalize("card", "4111-1111-1111-1111").as_deref(),
            Some("4111111111111111")
        );
        // A card's last four digits cannot tell two cards apart.
        assert_eq!(normalize("card", "**** **** **** 1111"), None);
        assert_eq!(normalize("phone", "n/a"), None);
    }

    #[test]
    fn emails_fold_case_tags_and_gmail_dots() {
        assert_eq!(
            normalize("email", " Jane.Doe+amazon@GoogleMail.com ").as_deref(),
            Some("janedoe@gmail.com")
        );
        assert_eq!(
            normalize("email", "Ops+eu@Northwind-Example.com").as_deref(),
            Some("ops@northwind-example.com")
        );
        // Outside Gmail a dot is part of the mailbox name.
        assert_ne!(
            normalize("email", "jane.doe@example.com"),
            normalize("email", "janedoe@example.com")
        );
        assert_eq!(normalize("email", "not an address"), None);
    }

    #[test]
    fn addresses_fold_case_punctuation_and_street_words() {
        assert_eq!(
            normalize("address", "12 Main Street, Apt. 4, Springfield"),
            normalize("address", "12  MAIN ST APT 4 springfield")
        );
        assert_eq!(
            normalize("address", "Hauptstraße 5, 10115 Berlin"),
            normalize("address", "Hauptstr. 5 10115 Berlin")
        );
        assert_ne!(
            normalize("address", "12 Main Street"),
            normalize("address", "14 Main Street")
        );
    }

    #[test]
    fn tax_ids_devices_and_ips() {
        assert_eq!(
            normalize("tax_id", "12-3456789"),
            normalize("tax_id", "123456789")
        );
        assert_eq!(
            normalize("device", "AB12-CD34-EF56"),
            normalize("device", "ab12-cd34-ef56")
        );
        assert_eq!(
            normalize("ip", "2001:DB8:0:0:0:0:0:1").as_deref(),
            Some("2001:db8::1")
        );
        assert_ne!(
            normalize("ip", "203.0.113.7"),
            normalize("ip", "203.0.113.70")
        );
    }
}
