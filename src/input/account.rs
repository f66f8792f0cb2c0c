//! `account.toml`: the account's profile (who it is, where it sells, which
//! brands it owns, which accounts are legitimately related). Read with the
//! same located diagnostics as the policies.

use crate::policy::diagnostics::{Diagnostics, Loc};
use crate::policy::params::Params;
use crate::policy::tree;
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Profile {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marketplace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seller_id: Option<String>,
    #[serde(skip_serializing)]
    pub emergency_contact: Option<String>,
    #[serde(skip_serializing)]
    pub brands: Vec<String>,
    #[serde(skip_serializing)]
    pub related_accounts: Vec<String>,
}

const KEYS: &[&str] = &[
    "id",
    "name",
    "marketplace",
    "seller_id",
    "emergency_contact",
    "brands",
    "related_accounts",
];

/// Reads `account.toml`; `default_id` (the folder name) fills a missing id.
/// Problems come back rendered with file:line:column.
pub fn parse_profile(file_name: &str, text: &str, default_id: &str) -> Result<Profile, String> {
    let mut diags = Diagnostics::default();
    let Some(table) = tree::parse(&mut diags, file_name, text, "fix the syntax at this place")
    else {
        return Err(diags.render(file_name));
    };
    let mut p = Params::new(table, format!("`{file_name}`"), Loc::default(), &mut diags);
    let id = p.opt_str("id").map(|(s, _)| s);
    let name = p.opt_str("name").map(|(s, _)| s);
    let marketplace = match p.opt_str("marketplace") {
        Some((code, loc)) => {
            let code = code.trim().to_ascii_uppercase();
            if code.len() != 2 || !code.chars().all(|c| c.is_ascii_alphabetic()) {
                p.diags.error_with_help(
                    loc,
                    format!("marketplace `{code}` is not a two-letter marketplace code"),
                    "use US, CA, MX, BR, UK, DE, FR, IT, ES, NL, SE, PL, JP, AU, IN, ...",
                );
            }
            Some(if code == "GB" { "UK".to_string() } else { code })
        }
        None => None,
    };
    let seller_id = p.opt_str("seller_id").map(|(s, _)| s);
    let emergency_contact = p.opt_str("emergency_contact").map(|(s, _)| s);
    let brands = list(&mut p, "brands");
    let related_accounts = list(&mut p, "related_accounts");
    p.finish(KEYS);
    if !diags.is_empty() {
        return Err(diags.render(file_name));
    }
    Ok(Profile {
        id: id.unwrap_or_else(|| default_id.to_string()),
        name,
        marketplace,
        seller_id,
        emergency_contact: emergency_contact.filter(|c| !c.trim().is_empty()),
        brands,
        related_accounts,
    })
}

fn list(p: &mut Params<'_>, key: &str) -> Vec<String> {
    p.opt_str_list(key)
        .unwrap_or_default()
        .into_iter()
        .map(|(s, _)| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_field() {
        let profile = parse_profile(
            "account.toml",
            "id = \"acme-us\"\nname = \"Acme\"\nmarketplace = \"us\"\nseller_id = \"A1\"\n\
             emergency_contact = \"+1 555 0100\"\nbrands = [\"Acme\"]\nrelated_accounts = [\"acme-eu\"]\n",
            "folder",
        )
        .unwrap();
        assert_eq!(profile.id, "acme-us");
        assert_eq!(profile.marketplace.as_deref(), Some("US"));
        assert_eq!(profile.brands, vec!["Acme"]);
        assert_eq!(profile.related_accounts, vec!["acme-eu"]);
    }

    #[test]
    fn folder_name_is_the_default_id() {
        let profile = parse_profile("account.toml", "", "acme").unwrap();
        assert_eq!(profile.id, "acme");
    }

    #[test]
    fn unknown_keys_and_bad_types_are_located() {
        let err = parse_profile("account.toml", "name = 3\nbrand = [\"Acme\"]\n", "x").unwrap_err();
        assert!(err.contains("account.toml:1:8"), "{err}");
        assert!(err.contains("unknown key `brand`"), "{err}");
        assert!(err.contains("did you mean `brands`?"), "{err}");
        assert!(err.ends_with("2 problems in account.toml"), "{err}");
    }

    #[test]
    fn a_syntax_error_is_about_the_profile_not_the_policies() {
        let err = parse_profile("account.toml", "marketplace = [\n", "x").unwrap_err();
        assert!(err.starts_with("error: invalid TOML"), "{err}");
        assert!(err.contains("--> account.toml:2:1"), "{err}");
        assert!(err.ends_with("1 problem in account.toml"), "{err}");
        assert!(!err.contains("polic"), "{err}");
    }
}
