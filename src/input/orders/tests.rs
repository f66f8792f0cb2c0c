//! Reading orders: items merged, prices summed, chunks joined, tiers kept.

use super::id::IdKey;
use super::map::Found;
use super::row::{DELIVERED_AT, Last, PURCHASE, RecentDates, SHIP_BY, same_bytes};
use super::*;
use crate::input::dates::parse_stamp;
use crate::test_support::xorshift;

fn order(id: &str, line: u64, day: u32) -> Order {
    let purchase = Stamp::on(NaiveDate::from_ymd_opt(2026, 11, day).unwrap());
    Order::bought(id, line, purchase)
}

#[test]
fn a_chunk_knows_whether_the_final_cuts_would_move_its_orders() {
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d);
    let mut reach = Reach {
        as_of: day(20),
        horizon_days: 180,
        detail_days: 90,
    };
    let hasher = Default::default();
    // With as-of given, the cuts never move, however late the dates read.
    let mut chunk = ChunkOrders::new(&hasher);
    assert!(chunk.sorted_by(None), "nothing sorted yet");
    for seen in [day(1), day(5), day(19)] {
        chunk.cuts(reach, seen);
    }
    assert!(chunk.sorted_by(Cuts::of(reach, day(19))));
    // Without it, orders sorted while the latest date was 11-05 may sit
    // in the wrong tier for the final cuts; those of a chunk that only
    // ever saw the final date do not.
    reach.as_of = None;
    let mut early = ChunkOrders::new(&hasher);
    early.cuts(reach, day(5));
    early.cuts(reach, day(19));
    let mut late = ChunkOrders::new(&hasher);
    late.cuts(reach, day(19));
    let last = Cuts::of(reach, day(19));
    assert!(!early.sorted_by(last));
    assert!(late.sorted_by(last));
    assert!(!late.sorted_by(Cuts::of(reach, day(20))), "other cuts");
}

#[test]
fn the_order_index_follows_the_orders_through_pruning() {
    let mut map = OrderMap::new(&Default::default());
    for (i, id) in ["113-a", "113-b", "113-c", "113-d"].iter().enumerate() {
        map.insert_full(order(id, i as u64 + 2, i as u32 + 1));
    }
    // As of 11-04, a 3-day score window keeps orders after 11-01, and
    // rules looking back one day keep orders after 11-03 whole.
    let reach = Reach {
        as_of: NaiveDate::from_ymd_opt(2026, 11, 4),
        horizon_days: 3,
        detail_days: 1,
    };
    let cuts = Cuts::of(reach, None).unwrap();
    map.prune(&cuts);
    let line = |map: &mut OrderMap, id: &str| match map.get_mut(IdKey::of(id)) {
        Some(Found::Full(o)) => Some(("full", o.line)),
        Some(Found::Volume(o)) => Some(("volume", o.line)),
        None => None,
    };
    assert_eq!(
        line(&mut map, "113-a"),
        None,
        "113-a is before every window"
    );
    assert_eq!(line(&mut map, "113-b"), Some(("volume", 3)));
    assert_eq!(line(&mut map, "113-c"), Some(("volume", 4)));
    assert_eq!(line(&mut map, "113-d"), Some(("full", 5)));
    map.insert_full(order("113-a", 9, 20));
    assert_eq!(line(&mut map, "113-a"), Some(("full", 9)));
    let ids: Vec<String> = map.full.iter().map(|o| o.id.to_string()).collect();
    assert_eq!(ids, ["113-d", "113-a"], "file order survives pruning");
    assert_eq!(map.len(), 4);
}

#[test]
fn the_order_index_finds_every_order_as_it_grows() {
    let mut map = OrderMap::new(&foldhash::fast::RandomState::default());
    let id = |i: u64| {
        // Amazon's ids and others, which hash and compare apart.
        if i.is_multiple_of(7) {
            format!("other-{i}")
        } else {
            format!("113-{i:07}-0000001")
        }
    };
    let volume = |i: u64| i.is_multiple_of(3);
    for i in 0..20_000u64 {
        let order = order(&id(i), i + 2, 20);
        if volume(i) {
            map.insert_volume(VolumeOrder::of(&order));
        } else {
            map.insert_full(order);
        }
        // Every earlier order is still found as the table grows.
        if i.is_power_of_two() || i % 4999 == 0 {
            for j in 0..=i {
                let line = match map.get_mut(IdKey::of(&id(j))) {
                    Some(Found::Full(o)) => (false, o.line),
                    Some(Found::Volume(o)) => (true, o.line),
                    None => panic!("{} is in the map", id(j)),
                };
                assert_eq!(line, (volume(j), j as u32 + 2));
            }
        }
    }
    assert!(map.get_mut(IdKey::of("113-9999999-0000001")).is_none());
    assert!(map.get_mut(IdKey::of("other-20001")).is_none());
    assert_eq!(map.len(), 20_000);
}

#[test]
fn a_sealed_map_keeps_its_maybe_bits_and_finds_every_order_once_opened() {
    let id = |i: u64| {
        if i.is_multiple_of(7) {
            format!("other-{i}")
        } else {
            format!("113-{i:07}-0000001")
        }
    };
    for count in [0, 1, 3, 9, 4_000, 20_000] {
        let mut map = OrderMap::new(&foldhash::fast::RandomState::default());
        for i in 0..count {
            let order = order(&id(i), i + 2, 20);
            if i.is_multiple_of(3) {
                map.insert_volume(VolumeOrder::of(&order));
            } else {
                map.insert_full(order);
            }
        }
        // The map's own ids, then as many it does not hold.
        let lines = |map: &mut OrderMap| -> Vec<_> {
            (0..2 * count + 10)
                .map(|i| match map.get_mut(IdKey::of(&id(i))) {
                    Some(Found::Full(o)) => Some((false, o.line)),
                    Some(Found::Volume(o)) => Some((true, o.line)),
                    None => None,
                })
                .collect()
        };
        let open = lines(&mut map);
        assert_eq!(open.iter().flatten().count() as u64, count);
        assert!(open[..count as usize].iter().all(Option::is_some));
        map.seal();
        let maybe = map.maybe_ids();
        for i in 0..count {
            let text = id(i);
            assert!(maybe.may_hold(map.hash(IdKey::of(&text)).1), "{text}");
        }
        // Asked again, a sealed map indexes its orders anew.
        assert_eq!(lines(&mut map), open, "{count} orders");
        map.seal();
        map.insert_full(order("114-0000000-0000002", 1, 20));
        assert!(map.get_mut(IdKey::of("114-0000000-0000002")).is_some());
        assert_eq!(lines(&mut map), open);
    }
}

#[test]
fn the_maybe_bits_hold_every_id_of_the_map_and_few_others() {
    let mut map = OrderMap::new(&foldhash::fast::RandomState::default());
    for i in 0..1000 {
        map.insert_full(order(&format!("113-{i:07}-0000001"), i + 2, 20));
    }
    let maybe = map.maybe_ids();
    for i in 0..1000 {
        let id = format!("113-{i:07}-0000001");
        assert!(
            maybe.may_hold(map.hash(IdKey::of(&id)).1),
            "{id} is in the map"
        );
    }
    let others = (0..10_000)
        .map(|i| format!("114-{i:07}-0000002"))
        .filter(|id| maybe.may_hold(map.hash(IdKey::of(id)).1))
        .count();
    // About one in eight, by the bits' size.
    assert!(others < 2_500, "{others} of 10000 ids not in the map pass");
}

#[test]
fn recent_dates_read_as_the_parser_reads_them() {
    let ctx = ParseContext::default();
    let mut dates = RecentDates::default();
    let texts = [
        "2026-11-01T17:01:22-07:00",
        "2026-11-01T17:01:22-07:00",
        "2026-11-01T17:01:22-08:00", // same length, other instant
        // The same first ten bytes: the day is known, the rest is read.
        "2026-11-01T23:30:00-05:00", // the next day in UTC
        "2026-11-01T00:15:00+05:30", // the day before in UTC
        "2026-11-01T23:59:59Z",
        "2026-11-01T24:00:00Z",    // no such time: the parser's error
        "2026-11-01 07:35:42 PST", // not the plain form: the parser reads it
        "2026-11-01T08:00:00+01:00",
        "2026-11-01x",
        "2026-11-01",
        "2026-11-01T08:00:00Z",
        "2026-11-02T08:00:00Z",
        "2026-11-01",
        "not a date",
        "2026-11-01",
        "Sunday, November 1, 2026 at 5:01:22 PM Pacific Standard Time",
        "2026-11-02",
    ];
    for text in texts {
        let expected = parse_stamp(text, None).map(|s| PackedStamp::new(s).unwrap());
        for slot in [SHIP_BY, DELIVERED_AT] {
            assert_eq!(dates.read(slot, text, &ctx), expected, "{text}");
        }
    }
    assert_eq!(
        dates.read(PURCHASE, "2026-11-01T17:01:22-07:00", &ctx),
        dates.read(SHIP_BY, "2026-11-01T17:01:22-07:00", &ctx)
    );
}

#[test]
fn short_texts_compare_as_slices_do() {
    let text: Vec<u8> = (0..40u8).map(|i| b'0' + i % 10).collect();
    for len in 0..=text.len() {
        let a = &text[..len];
        assert!(same_bytes(a, a));
        assert!(!same_bytes(a, &text[..len.saturating_sub(1)]) || len == 0);
        for at in 0..len {
            let mut b = a.to_vec();
            b[at] ^= 0x20;
            assert!(!same_bytes(a, &b), "{len} bytes, differing at {at}");
        }
    }
}

#[test]
fn two_alternating_values_are_each_read_once() {
    let mut last = Last::default();
    let mut parsed = Vec::new();
    for text in [
        "AFN", "MFN", "AFN", "MFN", "MFN", "AFN", "Amazon", "MFN", "AFN",
    ] {
        let read = last.read(text, |t| {
            parsed.push(t.to_string());
            Channel::parse(t)
        });
        assert_eq!(read, Channel::parse(text), "{text}");
    }
    // A third value takes the place of the one kept longest.
    assert_eq!(parsed, ["AFN", "MFN", "Amazon", "AFN"]);
}

#[test]
fn a_repeated_status_reads_as_the_parser_reads_it() {
    let mut last = Last::default();
    let texts = [
        "Shipped",
        "Shipped",
        "Lost", // an error is the parser's, and is not kept
        "Lost",
        "Shipped",
        "Pending - Waiting for Pick Up",
        "Pending - Waiting for Pick Up",
        "Shipped - Returned to Seller",
        "Shipped - Delivered to Buyer and then some more words", // too long to keep
        "Shipped - Delivered to Buyer and then some more words",
        "Cancelled",
        "canceled",
    ];
    for text in texts {
        assert_eq!(
            last.read(text, OrderStatus::parse),
            OrderStatus::parse(text),
            "{text}"
        );
    }
}

#[test]
fn prices_read_in_the_forms_exports_use() {
    assert_eq!(parse_price("24.99"), Some(24.99));
    assert_eq!(parse_price("$1,299.00"), Some(1299.0));
    assert_eq!(parse_price("24,99 €"), Some(24.99));
    assert_eq!(parse_price("1.299,00"), Some(1299.0));
    assert_eq!(parse_price("1,299"), Some(1299.0));
    assert_eq!(parse_price("0.00"), Some(0.0));
    assert_eq!(parse_price("free"), None);
}

/// A price cell reads as the same amount through the whole-number path
/// for plain prices as through the float: every shape near the edges of
/// that path (signs, dots, four and five decimals, fifteen and sixteen
/// digits), and a spread of plain prices.
#[test]
fn plain_prices_read_as_the_float_would_round_them() {
    let float = |text: &str| parse_price(text).map(Amount::of);
    let mut texts: Vec<String> = [
        "0",
        "-0",
        "0.0",
        "-0.00",
        "24.99",
        "-24.99",
        "1.5",
        "007.50",
        "19.9999",
        "19.99995",
        "0.00005",
        "1.00015",
        "5.",
        ".5",
        "-.5",
        "-",
        ".",
        "",
        "1.2.3",
        "--5",
        "5-",
        "1-2",
        "999999999999999",
        "99999999999.9999",
        "9999999999999999",
        "999999999999.9999",
        "-99999999999.9999",
        "99999999999",
        "999999999999",
        "-999999999999.5",
        "1e5",
        "+5",
        " 5",
        "5 ",
        "24,99",
        "$24.99",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    // A fixed sequence of values with 0 to 5 decimals.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20_000 {
        state = xorshift(state);
        let decimals = (state % 6) as usize;
        let digits = (state >> 8) % 10_u64.pow(9);
        let text = digits.to_string();
        let text = if decimals == 0 || decimals >= text.len() {
            text
        } else {
            let (whole, part) = text.split_at(text.len() - decimals);
            format!("{whole}.{part}")
        };
        texts.push(if state & (1 << 40) != 0 {
            format!("-{text}")
        } else {
            text
        });
    }
    for text in &texts {
        assert_eq!(Amount::parse(text), float(text), "{text:?}");
    }
    assert_eq!(Amount::parse("24.99"), Some(Amount::of(24.99)));
    assert_eq!(
        plain_amount(b"24.99"),
        Some(249_900),
        "read without the float"
    );
    assert_eq!(
        plain_amount(b"19.99995"),
        None,
        "five decimals take the float"
    );
    assert_eq!(plain_amount(b"99999999999.9999"), Some(999_999_999_999_999));
    assert_eq!(
        plain_amount(b"999999999999"),
        None,
        "twelve whole digits take the float"
    );
}

#[test]
fn price_sums_are_the_same_in_any_order() {
    let prices = [0.1, 0.2, -0.3];
    let sum = |order: [usize; 3]| {
        order.iter().fold(None, |total, &i| {
            add_prices(total, Some(Amount::of(prices[i])))
        })
    };
    // As floats, the total misses zero, by an amount that depends on
    // the order the prices are added in.
    let (a, b) = (
        (prices[0] + prices[1]) + prices[2],
        prices[0] + (prices[1] + prices[2]),
    );
    assert!(a > 0.0 && b > 0.0 && a != b);
    for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
        assert_eq!(sum(order), Some(Amount::ZERO), "{order:?}");
    }
    assert_eq!(Amount::of(24.99).plus(Amount::of(0.01)), Amount::of(25.0));
}

#[test]
fn amounts_order_as_their_values_and_saturate_at_the_ends() {
    let values = [
        f64::MIN,
        -1e14,
        -25.0,
        -0.0001,
        0.0,
        0.0001,
        25.0,
        1e14,
        f64::MAX,
    ];
    let amounts: Vec<Amount> = values.iter().map(|&v| Amount::of(v)).collect();
    assert!(amounts.windows(2).all(|w| w[0] < w[1]), "{amounts:?}");
    assert!(Amount::of(-0.0001) < Amount::ZERO && Amount::ZERO < Amount::of(0.0001));
    let (low, high) = (amounts[0], amounts[amounts.len() - 1]);
    assert_eq!(low.plus(low), low);
    assert_eq!(high.plus(high), high);
    assert_eq!(
        low.plus(high),
        Amount::ZERO,
        "the ends are as far from zero"
    );
    assert_eq!(Amount::of(-25.0).plus(Amount::of(25.0)), Amount::ZERO);
    assert_eq!(std::mem::size_of::<Option<Amount>>(), 8);
}

#[test]
fn item_rows_merge_into_one_sale() {
    let mut strings = Strings::default();
    let cells = |buyer, postal, asin, price| SaleCells {
        buyer_id: buyer,
        ship_postal_code: postal,
        ship_city: None,
        asin,
        item_price: price,
    };
    let mut sale = Sale::from_cells(
        &cells(Some("b1"), None, Some("B01"), Some("10.00")),
        &mut strings,
    );
    let mut later = Sale::from_cells(
        &cells(Some("b2"), Some("10001"), Some("B02"), Some("$5.50")),
        &mut strings,
    );
    later.merge_cells(&cells(None, None, Some("B01"), None), &mut strings);
    sale.merge(later);
    let text = |sym: Option<Sym>| sym.map(|s| strings.get(s));
    assert_eq!(sale.buyer_id.as_deref(), Some("b1"));
    assert_eq!(text(sale.ship_postal_code), Some("10001"));
    let asins: Vec<&str> = sale.asins.iter().map(|a| strings.get(a)).collect();
    assert_eq!(asins, ["B01", "B02"]);
    assert_eq!(sale.total_price, Some(Amount::of(15.5)));
}

#[test]
fn pruning_keeps_the_strings_of_the_orders_it_keeps() {
    let mut orders = Blocks::default();
    let mut strings = Strings::default();
    // Every order its own postal code, as no real file has: pruning
    // drops the codes only the dropped orders used.
    for i in 0..3000u32 {
        let mut o = order(&format!("113-{i}"), u64::from(i) + 2, 1 + i % 28);
        o.sale.ship_postal_code = Some(strings.intern(&format!("{i:05}")));
        o.sale.asins.push(strings.intern("B01"));
        orders.push(o);
    }
    orders.retain(|o| o.line % 1000 == 0);
    compact_strings(&mut orders, &mut strings);
    let postal: Vec<&str> = orders
        .iter()
        .map(|o| strings.get(o.sale.ship_postal_code.unwrap()))
        .collect();
    assert_eq!(postal, ["00998", "01998", "02998"]);
    assert!(
        orders
            .iter()
            .all(|o| strings.get(o.sale.asins.iter().next().unwrap()) == "B01")
    );
    assert_eq!(strings.len(), 4, "three postal codes and one ASIN are left");
}

#[test]
fn item_rows_of_one_order_keep_its_buyer_address_asins_and_total() {
    let dir = tempfile::Builder::new()
        .prefix("ahr-orders-sale-")
        .tempdir()
        .unwrap();
    let path = dir.path().join("orders.tsv");
    std::fs::write(
        &path,
        "amazon-order-id\tpurchase-date\tbuyer-email\tship-postal-code\tship-city\tasin\titem-price\n\
         113-1\t2026-11-01\tb@example.com\t10001\tNew York\tB01\t10.00\n\
         113-2\t2026-11-02\t\t\t\tB03\t0.00\n\
         113-1\t2026-11-01\t\t\t\tB02\t5.50\n\
         113-1\t2026-11-01\t\t\t\tB01\tn/a\n",
    )
    .unwrap();
    let mut table = Table::open(&path, &crate::input::schema::ORDERS, false).unwrap();
    let reach = Reach {
        as_of: None,
        horizon_days: 60,
        detail_days: 60,
    };
    let orders = read_orders(&mut table, &ParseContext::default(), reach).unwrap();
    assert_eq!(orders.orders.len(), 2);
    let first = &orders.orders[0].sale;
    let text = |sym: Option<Sym>| sym.map(|s| orders.strings.get(s));
    assert_eq!(first.buyer_id.as_deref(), Some("b@example.com"));
    assert_eq!(text(first.ship_postal_code), Some("10001"));
    assert_eq!(text(first.ship_city), Some("New York"));
    let asins: Vec<&str> = first.asins.iter().map(|a| orders.strings.get(a)).collect();
    assert_eq!(asins, ["B01", "B02"]);
    assert_eq!(first.total_price, Some(Amount::of(15.5)));
    assert_eq!(orders.orders[1].sale.total_price, Some(Amount::ZERO));
    assert_eq!(orders.orders[1].sale.buyer_id, None);
}

/// Every order as text, its sale's handles read back: two reads of a
/// file agree on this whatever order their strings were kept in.
fn described(orders: &Orders) -> Vec<String> {
    let text = |sym: Option<Sym>| sym.map(|s| orders.strings.get(s).to_string());
    orders
        .orders
        .iter()
        .map(|o| {
            let shipping = Order {
                sale: Sale::default(),
                ..o.clone()
            };
            let asins: Vec<&str> = o.sale.asins.iter().map(|a| orders.strings.get(a)).collect();
            format!(
                "{shipping:?} {:?} {:?} {:?} {asins:?} {:?}",
                o.sale.buyer_id,
                text(o.sale.ship_postal_code),
                text(o.sale.ship_city),
                o.sale.total_price
            )
        })
        .chain({
            // Orders move to the volume-only list as the windows' reach
            // passes them, which chunks see at other times.
            let mut volume_only: Vec<&VolumeOrder> = orders.volume_only.iter().collect();
            volume_only.sort_by_key(|o| o.line);
            volume_only.into_iter().map(|o| format!("{o:?}"))
        })
        .collect()
}

#[test]
fn orders_read_in_chunks_are_the_orders_one_reader_reads() {
    // Item rows of one order far apart, so one order spans chunks: its
    // first row lacks what later rows fill in, and each row adds an
    // ASIN and a price. Some orders lie beyond every window, some past
    // the rules' reach, and the rows are in no order of time.
    let mut text = String::from(
        "order_id,purchase_date,status,ship_by,shipped_at,buyer_id,ship_postal_code,ship_city,asin,item_price\n",
    );
    let mut seed = 11u64;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        seed >> 33
    };
    let mut march = std::collections::HashSet::new();
    for i in 0..1500u64 {
        let order = next() % 500;
        let day = 1 + order % 28;
        let month = ["03", "10", "11", "11", "11"][order as usize % 5];
        if month == "03" {
            march.insert(format!("113-{order:07}"));
        }
        let status = if next() % 3 == 0 { "Shipped" } else { "" };
        let shipped = if next() % 2 == 0 {
            format!("2026-{month}-{day:02}T18:00:00Z")
        } else {
            String::new()
        };
        let buyer = if next() % 4 == 0 {
            String::new()
        } else {
            format!("b{}", order % 97)
        };
        text.push_str(&format!(
            "113-{order:07},2026-{month}-{day:02},{status},2026-{month}-{day:02},{shipped},{buyer},{:05},City {},B0{:03},{}.{:02}\n",
            order % 61,
            order % 13,
            next() % 40,
            next() % 90,
            i % 100,
        ));
    }
    let dir = tempfile::Builder::new()
        .prefix("ahr-orders-chunks-")
        .tempdir()
        .unwrap();
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, &text).unwrap();
    let mut reach = Reach {
        as_of: NaiveDate::from_ymd_opt(2026, 11, 30),
        horizon_days: 90,
        detail_days: 30,
    };
    let read = |split: Option<(u64, u64)>, reach: Reach| {
        let mut table = Table::open(&path, &crate::input::schema::ORDERS, false).unwrap();
        if let Some((threads, min_chunk)) = split {
            table.split_small(threads, min_chunk);
        }
        read_orders(&mut table, &ParseContext::default(), reach).unwrap()
    };
    let one = read(None, reach);
    assert!(
        !march.is_empty() && one.orders.len() > 200 && one.volume_only.len() > 50,
        "every kind is in the file"
    );
    assert!(
        one.orders.iter().any(|o| o.sale.asins.len() > 2),
        "rows far apart make one order"
    );
    let mut ids: Vec<String> = one.orders.iter().map(|o| o.id.to_string()).collect();
    ids.extend(one.volume_only.iter().map(|o| o.id.to_string()));
    assert!(
        ids.iter().all(|id| !march.contains(id.as_str())),
        "March is before every window"
    );
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "an order is kept once, in one list");
    // Without --as-of, each chunk judges reach by the rows it has read.
    let runs = [(2, 2000), (3, 700), (4, 64)];
    let by_latest = Reach {
        as_of: None,
        ..reach
    };
    for (threads, min_chunk, reach) in runs
        .iter()
        .map(|&(t, c)| (t, c, reach))
        .chain(runs.iter().map(|&(t, c)| (t, c, by_latest)))
    {
        let one = read(None, reach);
        let chunked = read(Some((threads, min_chunk)), reach);
        let (got, want) = (described(&chunked), described(&one));
        let differ = (0..got.len().max(want.len())).find(|&i| got.get(i) != want.get(i));
        assert!(
            differ.is_none(),
            "{threads} threads, chunks of {min_chunk} bytes, {:?}: {} orders against {}; \
             first difference:\n{:?}\n{:?}",
            reach.as_of,
            got.len(),
            want.len(),
            differ.and_then(|i| got.get(i)),
            differ.and_then(|i| want.get(i)),
        );
        assert_eq!(chunked.latest_purchase, one.latest_purchase);
    }
    reach.detail_days = reach.horizon_days;
    let whole = read(None, reach);
    assert_eq!(
        whole.orders.len(),
        one.orders.len() + one.volume_only.len(),
        "the orders past the rules' reach are the rest of the orders"
    );
}

#[test]
fn a_second_file_fills_in_orders_past_the_rules_reach_too() {
    let dir = tempfile::Builder::new()
        .prefix("ahr-orders-fill-")
        .tempdir()
        .unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let primary = write(
        "orders.csv",
        "order_id,purchase_date\n113-old,2026-08-01\n113-new,2026-11-10\n113-gone,2026-01-01\n",
    );
    let second = write(
        "all-orders.csv",
        "order_id,purchase_date,status,cancelled_by\n\
         113-old,2026-08-01,Cancelled,buyer\n113-new,2026-11-10,Cancelled,\n",
    );
    let reach = Reach {
        as_of: NaiveDate::from_ymd_opt(2026, 11, 20),
        horizon_days: 180,
        detail_days: 60,
    };
    let read = |path: &std::path::Path| {
        let mut table = Table::open(path, &crate::input::schema::ORDERS, false).unwrap();
        read_orders(&mut table, &ParseContext::default(), reach).unwrap()
    };
    let mut orders = read(&primary);
    let unknown = orders.fill_from(read(&second));
    assert_eq!(unknown, 0);
    assert_eq!(
        (orders.orders.len(), orders.volume_only.len()),
        (1, 1),
        "113-gone is before every window"
    );
    let old = &orders.volume_only[0];
    assert_eq!(
        (old.id.text().as_str(), old.status, old.cancelled_by),
        (
            "113-old",
            Some(OrderStatus::Cancelled),
            Some(CancelledBy::Buyer)
        )
    );
    assert_eq!(orders.orders[0].id, "113-new");
    assert!(orders.orders[0].is_cancelled());
}

#[test]
fn tracking_keeps_the_first_flag_and_any_tracking_id() {
    let states = [None, Some(false), Some(true)];
    for valid in states {
        for has_id in [false, true] {
            let tracking = Tracking::new(valid, has_id);
            assert_eq!((tracking.valid(), tracking.has_id()), (valid, has_id));
            for later_valid in states {
                for later_id in [false, true] {
                    let mut merged = tracking;
                    merged.merge(Tracking::new(later_valid, later_id));
                    assert_eq!(merged.valid(), valid.or(later_valid));
                    assert_eq!(merged.has_id(), has_id || later_id);
                }
            }
        }
    }
}

#[test]
fn a_file_past_the_line_limit_is_refused_with_its_line() {
    assert!(refuse_past_line_limit("orders.csv", u64::from(u32::MAX)).is_ok());
    let err = refuse_past_line_limit("orders.csv", u64::from(u32::MAX) + 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "orders.csv:4294967296: more lines than ahr reads in an orders file (4294967295)\n  \
         help: split the file by purchase date and audit the newest part"
    );
}

#[test]
fn orders_stay_as_small_as_their_packing_makes_them() {
    // A million of each on a big account: a field that grows them shows
    // up in its memory.
    assert_eq!(std::mem::size_of::<OrderId>(), 16);
    assert_eq!(std::mem::size_of::<Option<PackedStamp>>(), 8);
    assert_eq!(std::mem::size_of::<Sale>(), 48);
    assert_eq!(std::mem::size_of::<Tracking>(), 1);
    assert_eq!(std::mem::size_of::<Order>(), 112);
    assert_eq!(std::mem::size_of::<VolumeOrder>(), 40);
}
