//! Hijackers and piggybacking on a hand-built offers export.

use crate::checks::test_support::{build, run};
use crate::findings::Hit;
use crate::input::dates::parse_stamp;
use crate::input::records::{Offer, Source};
use crate::input::{Account, Profile};

const AS_OF: &str = "2026-11-20";
const ME: &str = "A2OWN00001";

fn rule(find: &str, extra: &str) -> String {
    format!(
        r#"
[[rule]]
id = "LIST-TEST"
title = "t"
category = "listing"
severity = "low"
appeal = "appealable"
remediation = "r"
check = "offers"
find = "{find}"
{extra}
"#
    )
}

fn offer(line: u64, asin: &str, seller: &str, brand: Option<&str>) -> Offer {
    Offer {
        line,
        asin: asin.into(),
        seller_id: seller.into(),
        brand: brand.map(str::to_string),
        seller_name: Some(format!("Store {seller}")),
        condition: Some("New".into()),
        price: Some("9.99".into()),
        fulfillment: None,
        observed_at: None,
    }
}

fn account(offers: Vec<Offer>, seller_id: Option<&str>) -> Account {
    Account {
        profile: Profile {
            id: "test".into(),
            seller_id: seller_id.map(str::to_string),
            brands: vec!["North Wind".into(), "Fabrikam".into()],
            ..Profile::default()
        },
        offers: Some(Source {
            file: "offers.csv".into(),
            texts: Default::default(),
            rows: offers,
        }),
        ..Account::default()
    }
}

fn sample() -> Vec<Offer> {
    vec![
        offer(2, "B0NW000001", ME, Some("North Wind")),
        offer(3, "B0NW000001", "A3OTHER001", Some("northwind")),
        offer(4, "B0NW000001", "A3OTHER001", Some("NORTH WIND")),
        offer(5, "B0FB000001", "A4OTHER002", Some(" Fabrikam ")),
        offer(6, "B0CT000001", ME, Some("Contoso")),
        offer(7, "B0CT000001", "A5CONTOSO", Some("Contoso")),
        offer(8, "B0XX000001", ME, None),
        offer(9, "B0XX000002", "A6NOBRAND", None),
        offer(10, "B0LT000001", "a2own00001", Some("Litware")),
    ]
}

fn hit(find: &str, extra: &str, account: &Account) -> Option<Hit> {
    let check = build(&rule(find, extra)).unwrap();
    run(check.as_ref(), account, AS_OF)
}

fn lines(hit: &Hit) -> Vec<u64> {
    hit.evidence.iter().filter_map(|e| e.line).collect()
}

#[test]
fn other_sellers_on_own_brands_are_hijackers_once_per_asin() {
    let hit = hit("others_on_own_brands", "", &account(sample(), Some(ME))).expect("fires");
    // Lines 3 and 4 are one offer seen twice without a date: the later row stands.
    assert_eq!(lines(&hit), [4, 5]);
    assert_eq!(hit.occurrences, 2);
    assert!(
        hit.evidence[0]
            .excerpt
            .contains("seller A3OTHER001 (Store A3OTHER001) offers B0NW000001"),
        "{:?}",
        hit.evidence[0]
    );
    assert!(hit.evidence[0].excerpt.contains("9.99, New"));
    assert!(
        hit.message.starts_with("2 other sellers on 2 ASINs"),
        "{}",
        hit.message
    );
}

#[test]
fn own_offers_on_brands_not_listed_are_piggybacking() {
    let hit = hit("own_on_other_brands", "", &account(sample(), Some(ME))).expect("fires");
    // The seller id matches ignoring case; offers without a brand are not judged.
    assert_eq!(lines(&hit), [6, 10]);
    assert!(hit.message.contains("Contoso") && hit.message.contains("Litware"));
}

#[test]
fn allow_lists_leave_authorised_sellers_and_brands_out() {
    let hit_ = hit(
        "others_on_own_brands",
        "allow_sellers = [\"a3other001\"]",
        &account(sample(), Some(ME)),
    )
    .unwrap();
    assert_eq!(lines(&hit_), [5]);
    let hit_ = hit(
        "own_on_other_brands",
        "allow_brands = [\"CONTOSO\", \"Litware\"]",
        &account(sample(), Some(ME)),
    );
    assert_eq!(hit_, None);
}

#[test]
fn a_clean_offers_file_has_no_finding() {
    let offers = vec![
        offer(2, "B0NW000001", ME, Some("North Wind")),
        offer(3, "B0CT000001", "A5CONTOSO", Some("Contoso")),
    ];
    for find in ["others_on_own_brands", "own_on_other_brands"] {
        assert_eq!(hit(find, "", &account(offers.clone(), Some(ME))), None);
    }
}

#[test]
fn without_a_seller_id_nothing_is_judged() {
    for find in ["others_on_own_brands", "own_on_other_brands"] {
        assert_eq!(hit(find, "", &account(sample(), None)), None);
    }
}

#[test]
fn the_latest_snapshot_of_an_offer_is_the_evidence() {
    let mut offers = sample();
    offers[1].observed_at = Some(parse_stamp("2026-11-19", None).unwrap());
    offers[1].price = Some("7.99".into());
    offers[2].observed_at = Some(parse_stamp("2026-11-01", None).unwrap());
    let hit = hit("others_on_own_brands", "", &account(offers, Some(ME))).unwrap();
    assert_eq!(lines(&hit), [3, 5]);
    assert!(hit.evidence[0].excerpt.contains("7.99, New"));
}

#[test]
fn window_days_leaves_out_offers_seen_long_ago() {
    let mut offers = sample();
    offers[1].observed_at = Some(parse_stamp("2026-01-01", None).unwrap());
    offers[2].observed_at = Some(parse_stamp("2026-01-02", None).unwrap());
    let hit = hit(
        "others_on_own_brands",
        "window_days = 30",
        &account(offers, Some(ME)),
    )
    .unwrap();
    assert_eq!(lines(&hit), [5]);
}

#[test]
fn breach_at_least_sets_how_many_it_takes() {
    assert_eq!(
        hit(
            "own_on_other_brands",
            "breach_at_least = 3",
            &account(sample(), Some(ME))
        ),
        None
    );
}

#[test]
fn policy_mistakes_are_located() {
    let err = build(&rule("hijackers", "")).unwrap_err();
    assert!(err.contains("test.toml:10"), "{err}");
    assert!(err.contains("expected one of others_on_own_brands, own_on_other_brands"));

    let err = build(&rule("own_on_other_brands", "allow_sellers = [\"A1\"]")).unwrap_err();
    assert!(
        err.contains("`allow_sellers` in rule `LIST-TEST` is read only with `find = \"others_on_own_brands\"`"),
        "{err}"
    );

    let err = build(&rule("others_on_own_brands", "allow_seller = [\"A1\"]")).unwrap_err();
    assert!(err.contains("did you mean `allow_sellers`"), "{err}");
}
