//! `offers`: who sells on which listings (跟卖).
//!
//! Finds, in the offers export, either other sellers offering on ASINs of the
//! brands `account.toml` lists (`find = "others_on_own_brands"`, hijackers),
//! or the account's own offers (its `seller_id`) on ASINs of brands it does
//! not list (`find = "own_on_other_brands"`, piggybacking). Why it matters:
//! hijackers on a brand owner's listing bring counterfeit complaints and
//! defects the owner did not cause; a reseller offering on a branded listing
//! it has no right to sell invites IP and authenticity complaints.
//!
//! Brands match ignoring case and spaces. Without a `seller_id` in
//! `account.toml` the account's own offers cannot be told apart, so the check
//! finds nothing; offers without a brand are not judged. Parameters: `find`,
//! `window_days` (offers observed earlier are left out; offers without
//! `observed_at` always count), `allow_sellers` (authorised resellers of your
//! brands), `allow_brands` (brands you are authorised to resell),
//! `breach_at_least`.

use super::{Check, CheckKind, Context};
use crate::findings::{Evidence, FindingStatus, Hit};
use crate::input::records::Offer;
use crate::metrics::Window;
use crate::policy::diagnostics::Loc;
use crate::policy::params::Params;
use crate::privacy;
use chrono::NaiveDate;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

pub const KIND: CheckKind = CheckKind {
    name: "offers",
    summary: "other sellers on your brands' ASINs, or your offers on brands you do not list",
    keys: &[
        "find",
        "window_days",
        "allow_sellers",
        "allow_brands",
        "breach_at_least",
    ],
    build,
};

const OTHERS_ON_OWN: &str = "others_on_own_brands";
const OWN_ON_OTHER: &str = "own_on_other_brands";
const FINDS: &[&str] = &[OTHERS_ON_OWN, OWN_ON_OTHER];

#[derive(Debug)]
struct OffersCheck {
    find: &'static str,
    window_days: Option<u32>,
    /// Folded seller ids that may sell the account's brands.
    allow_sellers: Vec<String>,
    /// Folded brands the account may resell.
    allow_brands: Vec<String>,
    breach_at_least: u64,
}

fn build(p: &mut Params<'_>) -> Option<Box<dyn Check>> {
    let find = p.choice("find", FINDS);
    let window_days = p.opt_int("window_days", 1, 3650).map(|d| d as u32);
    let allow_sellers = p.opt_str_list("allow_sellers").unwrap_or_default();
    let allow_brands = p.opt_str_list("allow_brands").unwrap_or_default();
    let breach_at_least = p.opt_int("breach_at_least", 1, i64::MAX).unwrap_or(1) as u64;
    // A list that the chosen mode never reads is a mistake worth saying.
    let misplaced = |list: &[(String, Loc)], key: &str, mode: &str, p: &mut Params<'_>| {
        if let Some((_, loc)) = list.first() {
            let owner = p.owner.clone();
            p.diags.error_with_help(
                *loc,
                format!("`{key}` in {owner} is read only with `find = \"{mode}\"`"),
                format!("remove `{key}`, or set `find = \"{mode}\"`"),
            );
        }
    };
    match find {
        Some(OTHERS_ON_OWN) => misplaced(&allow_brands, "allow_brands", OWN_ON_OTHER, p),
        Some(_) => misplaced(&allow_sellers, "allow_sellers", OTHERS_ON_OWN, p),
        None => {}
    }
    let fold_all = |list: Vec<(String, Loc)>| list.iter().map(|(v, _)| fold(v)).collect();
    Some(Box::new(OffersCheck {
        find: find?,
        window_days,
        allow_sellers: fold_all(allow_sellers),
        allow_brands: fold_all(allow_brands),
        breach_at_least,
    }))
}

/// Brands and seller ids compare ignoring case and spaces: `North Wind`,
/// `northwind` and ` NORTHWIND` are one brand.
pub fn fold(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn describe_terms(offer: &Offer, mask: bool) -> String {
    let price = offer
        .price
        .as_deref()
        .map(|p| privacy::excerpt(p, 20, mask))
        .unwrap_or_else(|| "price not given".into());
    let condition = offer
        .condition
        .as_deref()
        .map(|c| privacy::excerpt(c, 30, mask))
        .unwrap_or_else(|| "condition not given".into());
    format!("{price}, {condition}")
}

impl Check for OffersCheck {
    fn run(&self, ctx: &Context<'_>) -> Option<Hit> {
        let offers = ctx.account.offers.as_ref()?;
        let own_id = fold(ctx.account.profile.seller_id.as_deref()?);
        let own_brands: Vec<String> = ctx.account.profile.brands.iter().map(|b| fold(b)).collect();
        let window = self.window_days.map(|d| Window::ending(ctx.as_of, d));
        // (seller, ASIN) → the latest snapshot of that offer and its evidence.
        let mut latest: BTreeMap<(String, String), (Option<NaiveDate>, Evidence)> = BTreeMap::new();
        let mut asins: BTreeSet<&str> = BTreeSet::new();
        let mut names: BTreeSet<String> = BTreeSet::new();
        for offer in &offers.rows {
            if let (Some(w), Some(seen_at)) = (&window, offer.observed_at)
                && !w.contains(seen_at.date)
            {
                continue;
            }
            let Some(brand) = offer.brand.as_deref() else {
                continue;
            };
            let (brand_key, seller) = (fold(brand), fold(&offer.seller_id));
            let is_own_brand = own_brands.contains(&brand_key);
            let brand_shown = privacy::excerpt(brand, 40, ctx.mask);
            let excerpt = if self.find == OTHERS_ON_OWN {
                if !is_own_brand || seller == own_id || self.allow_sellers.contains(&seller) {
                    continue;
                }
                let name = offer
                    .seller_name
                    .as_deref()
                    .map(|n| format!(" ({})", privacy::excerpt(n, 40, ctx.mask)))
                    .unwrap_or_default();
                names.insert(privacy::excerpt(&offer.seller_id, 30, ctx.mask));
                format!(
                    "seller {}{name} offers {} of your brand {brand_shown}: {}",
                    privacy::excerpt(&offer.seller_id, 30, ctx.mask),
                    offer.asin,
                    describe_terms(offer, ctx.mask)
                )
            } else {
                if is_own_brand || seller != own_id || self.allow_brands.contains(&brand_key) {
                    continue;
                }
                names.insert(brand_shown.clone());
                format!(
                    "your offer on {} of brand {brand_shown}, which account.toml does not list: {}",
                    offer.asin,
                    describe_terms(offer, ctx.mask)
                )
            };
            // One offer per seller and ASIN, as last seen: an export with
            // several snapshots lists the same offer again.
            let observed = offer.observed_at.map(|s| s.date);
            asins.insert(&offer.asin);
            let evidence = Evidence {
                file: offers.file.clone(),
                line: Some(offer.line),
                key: offer.asin.clone(),
                excerpt,
            };
            match latest.entry((seller, offer.asin.clone())) {
                Entry::Occupied(mut slot) if observed >= slot.get().0 => {
                    slot.insert((observed, evidence));
                }
                Entry::Occupied(_) => {}
                Entry::Vacant(slot) => {
                    slot.insert((observed, evidence));
                }
            }
        }
        let mut evidence: Vec<Evidence> = latest.into_values().map(|(_, e)| e).collect();
        evidence.sort_by_key(|e| e.line);
        let found = evidence.len() as u64;
        if found < self.breach_at_least {
            return None;
        }
        let plural = |n: usize, one: &str, many: &str| {
            if n == 1 {
                format!("1 {one}")
            } else {
                format!("{n} {many}")
            }
        };
        let names: Vec<String> = names.into_iter().collect();
        let brands = ctx
            .account
            .profile
            .brands
            .iter()
            .map(|b| privacy::excerpt(b, 40, false))
            .collect::<Vec<_>>()
            .join(", ");
        let form = crate::i18n::MessageForm::new(
            if self.find == OTHERS_ON_OWN {
                "offers_hijack"
            } else {
                "offers_piggyback"
            },
            &[
                ("sellers", names.len().to_string()),
                ("asins", asins.len().to_string()),
                ("brands", brands.clone()),
                ("names", names.join(", ")),
            ],
        );
        let message = if self.find == OTHERS_ON_OWN {
            format!(
                "{} on {} of your brands ({}): {}",
                plural(names.len(), "other seller", "other sellers"),
                plural(asins.len(), "ASIN", "ASINs"),
                brands,
                names.join(", ")
            )
        } else {
            format!(
                "your offers on {} of brands account.toml does not list: {}",
                plural(asins.len(), "ASIN", "ASINs"),
                names.join(", ")
            )
        };
        Some(Hit {
            status: FindingStatus::Breach,
            message,
            occurrences: found,
            evidence,
            severity: None,
            form: Some(form),
        })
    }

    fn parameters(&self) -> Vec<(String, String)> {
        let mut out = vec![("find".to_string(), self.find.to_string())];
        if let Some(d) = self.window_days {
            out.push(("window_days".into(), d.to_string()));
        }
        if !self.allow_sellers.is_empty() {
            out.push(("allow_sellers".into(), self.allow_sellers.join(", ")));
        }
        if !self.allow_brands.is_empty() {
            out.push(("allow_brands".into(), self.allow_brands.join(", ")));
        }
        out.push(("breach_at_least".into(), self.breach_at_least.to_string()));
        out
    }
}

#[cfg(test)]
mod tests;
