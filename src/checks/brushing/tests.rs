//! The brushing signals on small hand-built accounts: where each cluster,
//! suspect review and burst begins and ends, and the policy mistakes the
//! kind reports.

use crate::checks::test_support::{build, run};
use crate::findings::Hit;
use crate::input::dates::parse_stamp;
use crate::input::records::{Claim, Review, Source};
use crate::input::strings::{Strings, Sym};
use crate::input::values::OrderStatus;
use crate::input::{Account, Amount, Order, Orders, Sale, Tracking, VolumeOrder};
use std::cell::RefCell;

thread_local! {
    /// The strings of the orders a test builds (each test has its thread).
    static STRINGS: RefCell<Strings> = RefCell::default();
}

fn sym(text: &str) -> Sym {
    STRINGS.with(|s| s.borrow_mut().intern(text))
}

const AS_OF: &str = "2026-11-20";

const HEAD: &str = r#"
[[rule]]
id = "REV-BRUSHING"
title = "t"
category = "reviews"
severity = "high"
appeal = "appealable"
remediation = "r"
check = "brushing"
window_days = 90
"#;

fn rule(extra: &str) -> String {
    format!("{HEAD}{extra}")
}

const CLUSTERS: &str =
    "cluster_days = 14\nmax_orders_per_buyer_asin = 3\nmax_orders_per_address_asin = 5\n";
const REVIEWS: &str = "reviews_on = [\"cancelled\", \"refunded\", \"zero_price\"]\n";
const BURST: &str =
    "burst_days = 7\nburst_multiplier = 4.0\nburst_min_reviews = 8\nbaseline_days = 180\n";

fn order(n: u64, bought: &str, buyer: &str, asin: &str) -> Order {
    Order {
        status: Some(OrderStatus::Delivered),
        tracking: Tracking::new(None, true),
        sale: Sale {
            buyer_id: Some(buyer.into()),
            asins: [sym(asin)].into_iter().collect(),
            total_price: Some(Amount::of(19.99)),
            ..Sale::default()
        },
        ..Order::bought(
            &format!("113-0000000-{n:07}"),
            n + 1,
            parse_stamp(bought, None).unwrap(),
        )
    }
}

fn review(line: u64, date: &str, rating: u8, order_id: Option<&str>) -> Review {
    Review {
        line,
        date: parse_stamp(date, None).unwrap(),
        asin: "B0TEST0001".into(),
        rating,
        body: None,
        title: None,
        reviewer_id: None,
        verified: Some(true),
        order_id: order_id.map(str::to_string),
    }
}

fn account(orders: Vec<Order>, reviews: Vec<Review>, claims: Vec<Claim>) -> Account {
    Account {
        orders: Some(Orders {
            file: "orders.csv".into(),
            orders: orders.into(),
            strings: STRINGS.with(|s| s.borrow().clone()),
            ..Orders::default()
        }),
        reviews: Some(Source {
            file: "reviews.csv".into(),
            texts: Default::default(),
            rows: reviews,
        }),
        claims: Some(Source {
            file: "claims.csv".into(),
            texts: Default::default(),
            rows: claims,
        }),
        ..Account::default()
    }
}

fn hit(extra: &str, account: &Account) -> Option<Hit> {
    let check = build(&rule(extra)).unwrap();
    run(check.as_ref(), account, AS_OF)
}

fn lines(hit: &Hit, file: &str) -> Vec<u64> {
    hit.evidence
        .iter()
        .filter(|e| e.file == file)
        .filter_map(|e| e.line)
        .collect()
}

#[test]
fn four_orders_of_one_asin_to_one_buyer_within_the_span_are_a_cluster() {
    let days = ["2026-10-01", "2026-10-04", "2026-10-08", "2026-10-14"];
    let orders: Vec<Order> = (0..4)
        .map(|i| order(i, days[i as usize], "buyer-1", "B0A"))
        .collect();
    let hit = hit(CLUSTERS, &account(orders, vec![], vec![])).expect("fires");
    assert_eq!(lines(&hit, "orders.csv"), [1, 2, 3, 4]);
    assert_eq!(hit.occurrences, 4);
    assert!(
        hit.message.contains("by one buyer within 14 days"),
        "{}",
        hit.message
    );
    // Buyer ids are masked by default.
    assert!(
        hit.evidence[0].excerpt.contains("buyer …er-1"),
        "{:?}",
        hit.evidence[0]
    );
}

#[test]
fn three_orders_or_orders_spread_out_or_cancelled_are_not_a_cluster() {
    let three: Vec<Order> = ["2026-10-01", "2026-10-02", "2026-10-03"]
        .iter()
        .enumerate()
        .map(|(i, d)| order(i as u64, d, "buyer-1", "B0A"))
        .collect();
    assert_eq!(hit(CLUSTERS, &account(three, vec![], vec![])), None);

    // The first and last are 14 days apart: no 14-day span holds four.
    let spread: Vec<Order> = ["2026-10-01", "2026-10-05", "2026-10-10", "2026-10-15"]
        .iter()
        .enumerate()
        .map(|(i, d)| order(i as u64, d, "buyer-1", "B0A"))
        .collect();
    assert_eq!(hit(CLUSTERS, &account(spread, vec![], vec![])), None);

    let mut cancelled: Vec<Order> = ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"]
        .iter()
        .enumerate()
        .map(|(i, d)| order(i as u64, d, "buyer-1", "B0A"))
        .collect();
    cancelled[0].status = Some(OrderStatus::Cancelled);
    assert_eq!(hit(CLUSTERS, &account(cancelled, vec![], vec![])), None);

    // Four orders, but of two ASINs.
    let mixed: Vec<Order> = (0..4)
        .map(|i| {
            order(
                i,
                "2026-10-01",
                "buyer-1",
                if i % 2 == 0 { "B0A" } else { "B0B" },
            )
        })
        .collect();
    assert_eq!(hit(CLUSTERS, &account(mixed, vec![], vec![])), None);
}

#[test]
fn only_orders_in_an_over_limit_span_are_evidence() {
    // An early order 30 days before a cluster of four is not part of it.
    let days = [
        "2026-09-01",
        "2026-10-01",
        "2026-10-02",
        "2026-10-03",
        "2026-10-04",
    ];
    let orders: Vec<Order> = days
        .iter()
        .enumerate()
        .map(|(i, d)| order(i as u64, d, "buyer-1", "B0A"))
        .collect();
    let hit = hit(CLUSTERS, &account(orders, vec![], vec![])).unwrap();
    assert_eq!(lines(&hit, "orders.csv"), [2, 3, 4, 5]);
}

#[test]
fn orders_before_the_window_do_not_count() {
    let orders: Vec<Order> = (0..4)
        .map(|i| order(i, "2026-07-01", "buyer-1", "B0A"))
        .collect();
    assert_eq!(hit(CLUSTERS, &account(orders, vec![], vec![])), None);
}

#[test]
fn one_address_is_matched_ignoring_case_and_spaces() {
    let mut orders: Vec<Order> = (0..6)
        .map(|i| order(i, "2026-11-01", &format!("buyer-{i}"), "B0A"))
        .collect();
    for (i, o) in orders.iter_mut().enumerate() {
        o.sale.ship_postal_code = Some(sym(if i % 2 == 0 { "10001" } else { "10001 " }));
        o.sale.ship_city = Some(sym(if i % 2 == 0 { "New York" } else { "NEW YORK" }));
    }
    let found = hit(CLUSTERS, &account(orders.clone(), vec![], vec![])).expect("fires");
    assert_eq!(lines(&found, "orders.csv").len(), 6);
    assert!(
        found.message.contains("by one address"),
        "{}",
        found.message
    );

    // Five orders to one address are within the limit.
    orders.pop();
    assert_eq!(hit(CLUSTERS, &account(orders, vec![], vec![])), None);
}

#[test]
fn one_postal_code_in_two_cities_is_two_addresses() {
    // Interleaved, so each order's city differs from the one before's.
    let orders: Vec<Order> = (0..9)
        .map(|i| {
            let mut o = order(i, "2026-11-01", &format!("buyer-{i}"), "B0A");
            o.sale.ship_postal_code = Some(sym("10001"));
            o.sale.ship_city = Some(sym(if i % 3 == 2 { "Boston" } else { "New York" }));
            o
        })
        .collect();
    let found = hit(CLUSTERS, &account(orders, vec![], vec![])).expect("fires");
    assert_eq!(lines(&found, "orders.csv"), [1, 2, 4, 5, 7, 8]);
}

#[test]
fn positive_reviews_on_cancelled_refunded_or_free_orders_are_suspect() {
    let mut cancelled = order(1, "2026-10-01", "b1", "B0A");
    cancelled.status = Some(OrderStatus::Cancelled);
    let refunded = order(2, "2026-10-01", "b2", "B0A");
    let mut free = order(3, "2026-10-01", "b3", "B0A");
    free.sale.total_price = Some(Amount::ZERO);
    let normal = order(4, "2026-10-01", "b4", "B0A");
    let denied = order(5, "2026-10-01", "b5", "B0A");
    let claim = |o: &Order, status: &'static str| Claim {
        line: 2,
        order_id: o.id.clone(),
        filed_at: parse_stamp("2026-10-05", None).unwrap(),
        status: Some(status),
        reason: None,
    };
    let claims = vec![claim(&refunded, "granted"), claim(&denied, "denied")];
    let reviews = vec![
        review(2, "2026-10-10", 5, Some(&cancelled.id.text())),
        review(3, "2026-10-10", 4, Some(&refunded.id.text())),
        review(4, "2026-10-10", 5, Some(&free.id.text())),
        review(5, "2026-10-10", 5, Some(&normal.id.text())),
        review(6, "2026-10-10", 5, Some(&denied.id.text())),
        // An unhappy buyer who got a refund is no sign of brushing.
        review(7, "2026-10-10", 1, Some(&refunded.id.text())),
        review(8, "2026-10-10", 5, Some("113-9999999-9999999")),
    ];
    let orders = vec![cancelled, refunded, free, normal, denied];
    let hit = hit(REVIEWS, &account(orders, reviews, claims)).expect("fires");
    assert_eq!(lines(&hit, "reviews.csv"), [2, 3, 4]);
    assert_eq!(lines(&hit, "orders.csv"), [2, 3, 4]);
    assert!(hit.evidence[0].excerpt.contains("which was cancelled"));
    assert!(hit.evidence[2].excerpt.contains("which was refunded"));
    assert!(hit.evidence[4].excerpt.contains("sold at price 0"));
    // Three fake orders: a review is evidence about its order, not an
    // event of its own.
    assert_eq!(hit.occurrences, 3);
}

#[test]
fn an_order_both_clustered_and_reviewed_free_is_one_event() {
    // Four orders of one ASIN to one buyer, the first sold at price 0 and
    // reviewed five stars: two signals, four fake orders.
    let days = ["2026-10-01", "2026-10-04", "2026-10-08", "2026-10-14"];
    let mut orders: Vec<Order> = (0..4)
        .map(|i| order(i, days[i as usize], "buyer-1", "B0A"))
        .collect();
    orders[0].sale.total_price = Some(Amount::ZERO);
    let reviews = vec![review(2, "2026-10-20", 5, Some(&orders[0].id.text()))];
    let extra = format!("{CLUSTERS}{REVIEWS}");
    let hit = hit(&extra, &account(orders, reviews, vec![])).expect("fires");
    assert_eq!(lines(&hit, "reviews.csv"), [2]);
    assert_eq!(hit.occurrences, 4);
}

#[test]
fn a_review_months_after_its_order_finds_the_order_past_the_rules_reach() {
    // Bought 120 days before as-of, past the rule's 90-day reach: only a
    // volume-only record of the order is kept, and it is enough.
    let bought = parse_stamp("2026-07-23", None).unwrap().date;
    let mut cancelled = VolumeOrder::bought("113-0000000-0000001", 41, bought);
    cancelled.status = Some(OrderStatus::Cancelled);
    let mut free = VolumeOrder::bought("113-0000000-0000002", 42, bought);
    free.total_price = Some(Amount::ZERO);
    let paid = VolumeOrder::bought("113-0000000-0000003", 43, bought);
    let reviews = vec![
        review(2, "2026-10-10", 5, Some(&cancelled.id.text())),
        review(3, "2026-10-10", 5, Some(&free.id.text())),
        review(4, "2026-10-10", 5, Some(&paid.id.text())),
    ];
    let mut account = account(vec![], reviews, vec![]);
    if let Some(orders) = &mut account.orders {
        orders.volume_only = vec![cancelled, free, paid].into();
    }
    let hit = hit(REVIEWS, &account).expect("fires");
    assert_eq!(lines(&hit, "reviews.csv"), [2, 3]);
    assert_eq!(lines(&hit, "orders.csv"), [41, 42]);
    assert!(
        hit.evidence[1]
            .excerpt
            .contains("order bought 2026-07-23, cancelled"),
        "{:?}",
        hit.evidence[1]
    );
}

#[test]
fn reviews_on_names_only_the_signals_wanted() {
    let mut cancelled = order(1, "2026-10-01", "b1", "B0A");
    cancelled.status = Some(OrderStatus::Cancelled);
    let reviews = vec![review(2, "2026-10-10", 5, Some(&cancelled.id.text()))];
    let account = account(vec![cancelled], reviews, vec![]);
    assert!(hit("reviews_on = [\"cancelled\"]\n", &account).is_some());
    assert_eq!(hit("reviews_on = [\"zero_price\"]\n", &account), None);
}

/// One five-star review every `every` days over the baseline, from
/// 2026-05-25, plus `burst` on the days given.
fn review_history(every: usize, burst: &[&str]) -> Vec<Review> {
    let start: chrono::NaiveDate = "2026-05-25".parse().unwrap();
    let mut out = Vec::new();
    let mut day = start;
    while day <= "2026-11-20".parse().unwrap() {
        out.push(review(out.len() as u64 + 2, &day.to_string(), 5, None));
        day = day + chrono::Days::new(every as u64);
    }
    for d in burst {
        out.push(review(out.len() as u64 + 2, d, 5, None));
    }
    out
}

#[test]
fn a_burst_far_above_the_normal_rate_is_found() {
    let burst: Vec<String> = (0..10)
        .map(|i| format!("2026-11-{:02}", 10 + i / 2))
        .collect();
    let burst: Vec<&str> = burst.iter().map(String::as_str).collect();
    let reviews = review_history(7, &burst);
    let first_burst_line = reviews.len() as u64 - 10 + 2;
    let hit = hit(BURST, &account(vec![], reviews, vec![])).expect("fires");
    let found = lines(&hit, "reviews.csv");
    // The ten burst reviews and the weekly ones of 11-09 and 11-16: every
    // over-limit 7-day span between 11-07 and 11-16 holds them.
    assert_eq!(found.len(), 12, "{found:?}");
    assert!(found.contains(&first_burst_line));
    assert!(hit.message.contains("1 burst"), "{}", hit.message);
}

#[test]
fn a_steady_high_rate_is_not_a_burst() {
    // Two five-star reviews every day: ~14 a week, every week.
    let mut reviews = review_history(1, &[]);
    reviews.extend(review_history(1, &[]));
    assert_eq!(hit(BURST, &account(vec![], reviews, vec![])), None);
}

#[test]
fn fewer_than_the_minimum_is_not_a_burst_even_on_a_new_account() {
    let reviews = (0..7)
        .map(|i| review(i + 2, "2026-11-15", 5, None))
        .collect();
    assert_eq!(hit(BURST, &account(vec![], reviews, vec![])), None);
    let reviews = (0..8)
        .map(|i| review(i + 2, "2026-11-15", 5, None))
        .collect();
    assert!(hit(BURST, &account(vec![], reviews, vec![])).is_some());
}

#[test]
fn no_exports_no_finding() {
    let check = build(&rule(&format!("{CLUSTERS}{REVIEWS}{BURST}"))).unwrap();
    assert_eq!(run(check.as_ref(), &Account::default(), AS_OF), None);
}

#[test]
fn policy_mistakes_are_located() {
    let err = build(&rule("reviews_on = [\"refundd\"]\n")).unwrap_err();
    assert!(err.contains("test.toml:11"), "{err}");
    assert!(
        err.contains("`reviews_on`") && err.contains("refundd"),
        "{err}"
    );

    let err = build(&rule(
        "burst_days = 7\nburst_multiplier = 4.0\nburst_min_reviews = 8\nbaseline_days = 10\n",
    ))
    .unwrap_err();
    assert!(err.contains("must be at least twice `burst_days`"), "{err}");

    let err = build(&rule("burst_days = 7\n")).unwrap_err();
    assert!(err.contains("no `burst_multiplier`"), "{err}");

    let err = build(&rule("max_orders_per_buyer_asin = 3\n")).unwrap_err();
    assert!(err.contains("has no `cluster_days`"), "{err}");

    let err = build(&rule("")).unwrap_err();
    assert!(err.contains("turns on no signal"), "{err}");

    let err = build(&rule("cluster_days = 14\nmax_orders_per_buyer = 3\n")).unwrap_err();
    assert!(
        err.contains("did you mean `max_orders_per_buyer_asin`"),
        "{err}"
    );

    let err = build(&rule(
        "reviews_on = [\"cancelled\"]\nreviews_min_rating = 9\n",
    ))
    .unwrap_err();
    assert!(err.contains("it must be from 1 to 5"), "{err}");
}

#[test]
fn an_empty_reviews_on_turns_that_signal_off() {
    let mut cancelled = order(1, "2026-10-01", "b1", "B0A");
    cancelled.status = Some(OrderStatus::Cancelled);
    let reviews = vec![review(2, "2026-10-10", 5, Some(&cancelled.id.text()))];
    let account = account(vec![cancelled], reviews, vec![]);
    assert_eq!(hit(&format!("{CLUSTERS}reviews_on = []\n"), &account), None);
    let err = build(&rule("reviews_on = []\n")).unwrap_err();
    assert!(err.contains("turns on no signal"), "{err}");
}

#[test]
fn two_clusters_of_one_buyer_leave_the_orders_between_them_out() {
    let days = [
        "2026-09-01",
        "2026-09-02",
        "2026-09-03",
        "2026-09-04", // cluster
        "2026-09-20", // alone
        "2026-10-10",
        "2026-10-11",
        "2026-10-12",
        "2026-10-13",
        "2026-10-14", // cluster
    ];
    let orders: Vec<Order> = days
        .iter()
        .enumerate()
        .map(|(i, d)| order(i as u64, d, "buyer-1", "B0A"))
        .collect();
    let hit = hit(CLUSTERS, &account(orders, vec![], vec![])).unwrap();
    assert_eq!(lines(&hit, "orders.csv"), [1, 2, 3, 4, 6, 7, 8, 9, 10]);
}

#[test]
fn keys_fold_case_spaces_and_dashes_whether_or_not_they_need_it() {
    let slow = |v: &str| -> String {
        v.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_lowercase)
            .collect()
    };
    for value in [
        "10001",
        "10001 ",
        "New York",
        "buyer_1@example.com",
        "SW1A-1AA",
        "a\u{0b}b",
        "ÉCOLE",
        "東京都",
        "",
    ] {
        assert_eq!(super::fold_key(value), slow(value), "{value:?}");
    }
    assert!(matches!(
        super::fold_key("buyer_1@example.com"),
        std::borrow::Cow::Borrowed(_)
    ));
}

#[test]
fn buyers_whose_keys_share_a_hash_are_still_two_groups() {
    use super::{BY_BUYER, BrushingCheck, Flags, Grouping};
    use crate::metrics::Window;
    let days = ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04"];
    // buyer-1 orders B0A four times, buyer-2 three times: seven orders of
    // one ASIN, but only buyer-1 is over a limit of 3.
    let mut orders: Vec<Order> = (0..4)
        .map(|i| order(i, days[i as usize], "buyer-1", "B0A"))
        .collect();
    orders.extend((4..7).map(|i| order(i, days[i as usize - 4], "buyer-2", "B0A")));
    let account = account(orders, vec![], vec![]);
    let metrics = std::collections::BTreeMap::new();
    let ctx = crate::checks::Context {
        account: &account,
        as_of: AS_OF.parse().unwrap(),
        metrics: &metrics,
        mask: false,
        peers: &crate::linkage::EMPTY,
    };
    let check = BrushingCheck {
        window_days: 90,
        cluster_days: 14,
        max_per_buyer: Some(3),
        max_per_address: None,
        reviews_on: Vec::new(),
        reviews_min_rating: 4,
        burst: None,
    };
    let every_key_alike = Grouping {
        key_of: |_, _| Some(7),
        ..BY_BUYER
    };
    let window = Window::ending(ctx.as_of, 90);
    let mut flags = Flags::default();
    check.clusters(&ctx, &window, 3, &every_key_alike, &mut flags);
    let flagged: Vec<u64> = flags.evidence.iter().filter_map(|e| e.line).collect();
    assert_eq!(flagged, [1, 2, 3, 4], "buyer-1's orders only");
    assert!(
        flags.evidence[0].excerpt.contains("buyer buyer-1"),
        "{:?}",
        flags.evidence[0]
    );
}
