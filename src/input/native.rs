//! Amazon's own reports, recognised by their header rather than their file
//! name, so a seller can drop raw Seller Central / SP-API downloads into the
//! account folder as they come (`All Orders Report_12345.txt`, a feedback
//! report, returns, the listings report).
//!
//! Each [`NativeFormat`] says which export it feeds, how to recognise its
//! header, and how its columns map onto a schema: by name (with extra names,
//! such as the Japanese headers of JP downloads) or by position (the
//! feedback report, whose headers are localized per marketplace).
//!
//! The Japanese header names below are best-effort: Amazon does not publish
//! them as a list, so they follow Seller Central JP's wording as sellers and
//! order-management tools quote it. An English header always works too.

use super::decode;
use super::schema::{self, Schema, normalize_header, opt, req};
use super::table::{display_name, sniff_delimiter};
use super::values::parse_rating;
use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// One of Amazon's report layouts.
#[derive(Debug)]
pub struct NativeFormat {
    /// What the report's `inputs` section calls it, e.g. `amazon-all-orders`.
    pub name: &'static str,
    /// The export it feeds, as the report's `inputs` kind names it.
    pub kind: &'static str,
    /// The columns read from it.
    pub schema: &'static Schema,
    /// Header names (any spelling matching after [`normalize_header`]) that
    /// identify the format: every group needs one of its names present.
    signature: &'static [&'static [&'static str]],
    /// Columns of the schema that identify the format too: each needs a
    /// header that stands for it, by any name this format reads it under,
    /// so the names are listed once, with the schema's aliases.
    signature_columns: &'static [&'static str],
    /// Header names that rule the format out (the feedback report's first
    /// layout has no buyer's answers).
    excludes: &'static [&'static str],
    /// Header names beyond the schema's aliases, each to its canonical column.
    pub aliases: &'static [(&'static str, &'static str)],
    /// Columns read by position whatever their header says.
    pub positions: &'static [(usize, &'static str)],
}

impl NativeFormat {
    /// The canonical column a header cell stands for in this format.
    pub fn match_header(&self, header: &str) -> Option<&'static str> {
        let wanted = normalize_header(header);
        self.aliases
            .iter()
            .find(|(alias, _)| normalize_header(alias) == wanted)
            .map(|(_, canonical)| *canonical)
            .or_else(|| self.schema.match_header(header))
    }

    fn signature_matches(&self, names: &[String]) -> bool {
        let excluded = self
            .excludes
            .iter()
            .any(|x| names.iter().any(|n| *n == normalize_header(x)));
        !excluded
            && self.signature.iter().all(|group| {
                group
                    .iter()
                    .any(|g| names.iter().any(|n| *n == normalize_header(g)))
            })
            && self
                .signature_columns
                .iter()
                .all(|&column| names.iter().any(|n| self.match_header(n) == Some(column)))
    }
}

/// The All Orders report (GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE): 32
/// columns, older files 29, one row per order item. English headers match
/// the orders schema's aliases; JP downloads name them in Japanese.
pub const ALL_ORDERS: NativeFormat = NativeFormat {
    name: "amazon-all-orders",
    kind: "orders",
    schema: &schema::ORDERS,
    signature: &[
        &["amazon-order-id", "注文番号"],
        &["merchant-order-id", "出品者注文番号"],
        &["purchase-date", "購入日"],
        &["sales-channel", "販売チャネル"],
        &[
            "item-status",
            "order-status",
            "商品ステータス",
            "注文ステータス",
        ],
    ],
    signature_columns: &[],
    excludes: &[],
    aliases: &[
        ("注文番号", "order_id"),
        ("購入日", "purchase_date"),
        ("注文日", "purchase_date"),
        ("注文ステータス", "status"),
        ("フルフィルメント・チャネル", "fulfillment"),
        ("フルフィルメントチャネル", "fulfillment"),
        ("出荷チャネル", "fulfillment"),
        ("出品者SKU", "sku"),
        ("数量", "quantity"),
        ("通貨", "currency"),
        ("商品価格", "item_price"),
        ("配送先市区町村", "ship_city"),
        ("配送先郵便番号", "ship_postal_code"),
        ("配送先国", "ship_country"),
        ("販売チャネル", "sales_channel"),
    ],
    positions: &[],
};

/// The Seller Feedback report: `Date Rating Comments Response Order ID Rater
/// Email`, headers localized per marketplace, so read by position.
pub const FEEDBACK: NativeFormat = NativeFormat {
    name: "amazon-feedback",
    kind: "feedback",
    schema: &schema::FEEDBACK,
    signature: &[
        &["rater-email", "評価者のEメール"],
        &["response", "your-response", "返答"],
    ],
    signature_columns: &[],
    excludes: &["arrived-on-time"],
    aliases: &[],
    positions: &[
        (0, "date"),
        (1, "rating"),
        (2, "comments"),
        (4, "order_id"),
        (5, "rater_email"),
    ],
};

/// The Seller Feedback report since the buyer's three yes/no answers were
/// added: `Date Rating Comments Your Response Arrived on Time Item as
/// Described Customer Service Order ID Rater Email`.
pub const FEEDBACK_WITH_ANSWERS: NativeFormat = NativeFormat {
    name: "amazon-feedback",
    kind: "feedback",
    schema: &schema::FEEDBACK,
    signature: &[
        &["rater-email", "評価者のEメール"],
        &["arrived-on-time", "item-as-described"],
    ],
    signature_columns: &[],
    excludes: &[],
    aliases: &[],
    positions: &[
        (0, "date"),
        (1, "rating"),
        (2, "comments"),
        (7, "order_id"),
        (8, "rater_email"),
    ],
};

/// The marketplace whose domain a feedback report's rater address is at:
/// Amazon writes `…@marketplace.amazon.nl` for a rater on Amazon.nl.
pub fn marketplace_of_rater(email: &str) -> Option<&'static str> {
    const DOMAINS: &[(&str, &str)] = &[
        ("com", "US"),
        ("ca", "CA"),
        ("com.mx", "MX"),
        ("com.br", "BR"),
        ("co.uk", "UK"),
        ("ie", "IE"),
        ("de", "DE"),
        ("fr", "FR"),
        ("it", "IT"),
        ("es", "ES"),
        ("nl", "NL"),
        ("com.be", "BE"),
        ("se", "SE"),
        ("pl", "PL"),
        ("com.tr", "TR"),
        ("ae", "AE"),
        ("sa", "SA"),
        ("eg", "EG"),
        ("in", "IN"),
        ("sg", "SG"),
        ("com.au", "AU"),
        ("co.jp", "JP"),
        ("co.za", "ZA"),
        ("cn", "CN"),
    ];
    const HOST: &str = "marketplace.amazon.";
    let (_, domain) = email.trim().rsplit_once('@')?;
    let host = domain.get(..HOST.len())?;
    if !host.eq_ignore_ascii_case(HOST) {
        return None;
    }
    let tld = &domain[HOST.len()..];
    DOMAINS
        .iter()
        .find(|(suffix, _)| suffix.eq_ignore_ascii_case(tld))
        .map(|&(_, code)| code)
}

/// Seller-fulfilled returns (GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE),
/// with its `A-to-Z Claim` Y/N column and dates like `10-Jul-2025`.
pub const FBM_RETURNS: NativeFormat = NativeFormat {
    name: "amazon-fbm-returns",
    kind: "returns",
    schema: &RETURNS,
    signature: &[&["a-to-z-claim"], &["order-id"], &["return-request-date"]],
    signature_columns: &[],
    excludes: &[],
    aliases: &[],
    positions: &[],
};

/// FBA customer returns (GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA).
pub const FBA_RETURNS: NativeFormat = NativeFormat {
    name: "amazon-fba-returns",
    kind: "returns",
    schema: &RETURNS,
    signature: &[
        &["return-date"],
        &["order-id"],
        &["fnsku"],
        &["detailed-disposition"],
    ],
    signature_columns: &[],
    excludes: &[],
    aliases: &[],
    positions: &[],
};

/// The All Listings report (GET_MERCHANT_LISTINGS_ALL_DATA): the seller's
/// own offers.
pub const LISTINGS: NativeFormat = NativeFormat {
    name: "amazon-listings",
    kind: "offers",
    schema: &LISTING_COLUMNS,
    signature: &[&["item-name"], &["seller-sku"], &["asin1"]],
    signature_columns: &[],
    excludes: &[],
    aliases: &[],
    positions: &[],
};

/// A shipments export (the seller's shipping tool, or ahr's own columns in
/// `shipments.csv`): ship-by, ship, tracking and delivery per order id. It
/// fills in the orders another file lists, such as the All Orders report,
/// which has no ship dates.
pub const SHIPMENTS: NativeFormat = NativeFormat {
    name: "shipments",
    kind: "orders",
    schema: &SHIPMENT_COLUMNS,
    signature: &[],
    signature_columns: &["order_id", "shipped_at", "ship_by"],
    // A purchase date does not rule it out: a late-shipment download lists
    // the order date beside the ship dates. Read as shipments, a file only
    // fills in orders another file lists, and orders.csv itself keeps its
    // own layout (see `load_account`).
    excludes: &[],
    aliases: &[("order-id", "order_id")],
    positions: &[],
};

/// Every format, in the order they are tried.
pub const ALL: [&NativeFormat; 7] = [
    &ALL_ORDERS,
    &FBM_RETURNS,
    &FBA_RETURNS,
    &LISTINGS,
    &SHIPMENTS,
    &FEEDBACK,
    &FEEDBACK_WITH_ANSWERS,
];

/// The format a file name alone says, for names that are not an export's
/// stem but still name what they hold.
pub fn by_stem(stem: &str) -> Option<&'static NativeFormat> {
    (stem == "shipments").then_some(&SHIPMENTS)
}

/// The columns of both returns reports (FBA and seller-fulfilled).
pub const RETURNS: Schema = Schema {
    stem: "returns",
    row_is: "a customer return",
    columns: &[
        req("order_id", &["amazon-order-id"]),
        req("date", &["return-date", "return-request-date"]),
        opt("sku", &["merchant-sku", "seller-sku"]),
        opt("asin", &[]),
        opt("quantity", &["return-quantity"]),
        opt("reason", &["return-reason"]),
        opt("status", &["return-request-status"]),
        opt("disposition", &["detailed-disposition"]),
        opt("comments", &["customer-comments"]),
        opt("a_to_z_claim", &["a-to-z-claim", "atoz-claim"]),
    ],
    relaxed: &[],
};

/// The orders columns (all of them, so the orders reader finds every column
/// it asks for), with the purchase date optional: a shipments file only
/// fills in orders another file lists.
pub const SHIPMENT_COLUMNS: Schema = Schema {
    stem: "shipments",
    row_is: "a shipment of an order",
    columns: schema::ORDERS.columns,
    relaxed: &["purchase_date"],
};

/// The columns of the All Listings report that describe an offer.
pub const LISTING_COLUMNS: Schema = Schema {
    stem: "listings",
    row_is: "one of your listings",
    columns: &[
        req("asin", &["asin1"]),
        opt("sku", &["seller-sku"]),
        opt("price", &[]),
        opt("open_date", &[]),
        opt("condition", &["item-condition"]),
        opt("fulfillment", &["fulfillment-channel"]),
        opt("status", &[]),
    ],
    relaxed: &[],
};

/// The first lines of a file, decoded and split into cells.
#[derive(Debug, Default)]
pub struct Peek {
    pub header: Vec<String>,
    pub first_row: Vec<String>,
}

/// Reads the header and first data row of `path` (decoding and
/// decompressing as the table reader would), bounded so a file without
/// newlines cannot exhaust memory.
pub fn peek(path: &Path, japanese_hint: bool) -> Result<Peek> {
    const LIMIT: u64 = 4 << 20;
    let decoded = decode::open_text(path, japanese_hint)?;
    let mut reader = BufReader::new(decoded.reader.take(2 * LIMIT));
    let mut header = Vec::new();
    let mut row = Vec::new();
    let name = display_name(path);
    (&mut reader)
        .take(LIMIT)
        .read_until(b'\n', &mut header)
        .with_context(|| format!("{name}: could not read the header line"))?;
    (&mut reader)
        .take(LIMIT)
        .read_until(b'\n', &mut row)
        .with_context(|| format!("{name}: could not read the first row"))?;
    let lower = name.to_ascii_lowercase();
    let default = if lower.trim_end_matches(".gz").ends_with(".csv") {
        b','
    } else {
        b'\t'
    };
    let delimiter = sniff_delimiter(&header, default);
    Ok(Peek {
        header: split(&header, delimiter),
        first_row: split(&row, delimiter),
    })
}

fn split(line: &[u8], delimiter: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .quoting(delimiter != b'\t')
        .flexible(true)
        .has_headers(false)
        .from_reader(line);
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => record.iter().map(|c| c.trim().to_string()).collect(),
        _ => String::from_utf8_lossy(line)
            .trim_end_matches(['\r', '\n'])
            .split(delimiter as char)
            .map(|c| c.trim().to_string())
            .collect(),
    }
}

/// The native format a file's first lines show, if any.
///
/// Formats are recognised by their header names; the feedback report, whose
/// headers are localized, also by the shape of its first row: a rating in
/// the second column and an Amazon order id in the fifth.
pub fn recognise(peek: &Peek) -> Option<&'static NativeFormat> {
    let names: Vec<String> = peek.header.iter().map(|h| normalize_header(h)).collect();
    if let Some(format) = ALL.iter().copied().find(|f| f.signature_matches(&names)) {
        return Some(format);
    }
    feedback_report_layout(peek)
}

/// A feedback report whose headers are in a language not listed, told by
/// its first row: a date, a rating, and an order id where one of the two
/// layouts has it.
fn feedback_report_layout(peek: &Peek) -> Option<&'static NativeFormat> {
    let (header, row) = (&peek.header, &peek.first_row);
    if !(5..=12).contains(&header.len())
        || row.len() < 5
        || !row[0].chars().any(|c| c.is_ascii_digit())
        || parse_rating(&row[1]).is_err()
    {
        return None;
    }
    [&FEEDBACK, &FEEDBACK_WITH_ANSWERS].into_iter().find(|f| {
        f.positions
            .iter()
            .find(|(_, column)| *column == "order_id")
            .is_some_and(|&(at, _)| row.get(at).is_some_and(|cell| is_amazon_order_id(cell)))
    })
}

/// `113-1234567-1234567`: three digits, seven digits, seven digits.
pub fn is_amazon_order_id(text: &str) -> bool {
    let parts: Vec<&str> = text.trim().split('-').collect();
    parts.len() == 3
        && parts
            .iter()
            .zip([3, 7, 7])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Item condition codes of the listings report, as words.
pub fn condition_name(code: &str) -> String {
    match code.trim() {
        "1" => "Used - Like New",
        "2" => "Used - Very Good",
        "3" => "Used - Good",
        "4" => "Used - Acceptable",
        "5" => "Collectible - Like New",
        "6" => "Collectible - Very Good",
        "7" => "Collectible - Good",
        "8" => "Collectible - Acceptable",
        "10" => "Refurbished",
        "11" => "New",
        other => return other.to_string(),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peek_of(header: &str, row: &str) -> Peek {
        Peek {
            header: header.split('\t').map(str::to_string).collect(),
            first_row: row.split('\t').map(str::to_string).collect(),
        }
    }

    const ALL_ORDERS_HEADER: &str = "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\tsales-channel\torder-channel\turl\tship-service-level\tproduct-name\tsku\tasin\titem-status\tquantity\tcurrency\titem-price\titem-tax\tshipping-price\tshipping-tax\tgift-wrap-price\tgift-wrap-tax\titem-promotion-discount\tship-promotion-discount\tship-city\tship-state\tship-postal-code\tship-country\tpromotion-ids\tis-business-order\tpurchase-order-number\tprice-designation";

    #[test]
    fn all_orders_report_is_recognised_in_32_and_29_columns() {
        let p = peek_of(ALL_ORDERS_HEADER, "");
        assert_eq!(recognise(&p).map(|f| f.name), Some("amazon-all-orders"));
        let old: Vec<&str> = ALL_ORDERS_HEADER.split('\t').take(29).collect();
        let p = peek_of(&old.join("\t"), "");
        assert_eq!(recognise(&p).map(|f| f.name), Some("amazon-all-orders"));
    }

    #[test]
    fn japanese_all_orders_headers_map_to_canonical_columns() {
        let p = peek_of(
            "注文番号\t出品者注文番号\t購入日\t最終更新日\t注文ステータス\tフルフィルメント・チャネル\t販売チャネル",
            "",
        );
        let format = recognise(&p).unwrap();
        assert_eq!(format.name, "amazon-all-orders");
        assert_eq!(format.match_header("注文番号"), Some("order_id"));
        assert_eq!(format.match_header("購入日"), Some("purchase_date"));
        assert_eq!(
            format.match_header("フルフィルメント・チャネル"),
            Some("fulfillment")
        );
        assert_eq!(format.match_header("amazon-order-id"), Some("order_id"));
    }

    #[test]
    fn canonical_orders_header_is_not_a_native_format() {
        let p = peek_of("order_id\tpurchase_date\tstatus\tfulfillment", "");
        assert!(recognise(&p).is_none());
    }

    #[test]
    fn the_feedback_report_with_the_buyers_three_answers_is_read() {
        let header = "Date\tRating\tComments\tYour Response\tArrived on Time\tItem as Described\tCustomer Service\tOrder ID\tRater Email";
        let row = "11/9/26\t1\tBroken\t\tNo\tNo\tNo\t113-1234567-1234567\tx@example.com";
        let format = recognise(&peek_of(header, row)).unwrap();
        assert_eq!(format.kind, "feedback");
        assert_eq!(format.match_header("Order ID"), Some("order_id"));
        // In another language the order id is found where this layout has it.
        let header = "A\tB\tC\tD\tE\tF\tG\tH\tI";
        let format = recognise(&peek_of(header, row)).unwrap();
        assert!(
            format.positions.contains(&(7, "order_id")),
            "{:?}",
            format.positions
        );
        // The six-column report keeps its own layout.
        let header = "Date\tRating\tComments\tResponse\tOrder ID\tRater Email";
        let row = "11/9/26\t1\tBroken\t\t113-1234567-1234567\tx@example.com";
        let format = recognise(&peek_of(header, row)).unwrap();
        assert!(format.positions.contains(&(4, "order_id")));
    }

    #[test]
    fn localized_feedback_report_is_recognised_by_its_first_row() {
        let p = peek_of(
            "Datum\tBewertung\tKommentare\tIhre Antwort\tBestellnummer\tE-Mail-Adresse",
            "13.1.17\t1\tKaputt\t\t302-1234567-1234567\tx@example.com",
        );
        assert_eq!(recognise(&p).map(|f| f.name), Some("amazon-feedback"));
        // The canonical feedback file has the order id fourth, not fifth.
        let p = peek_of(
            "date\trating\tcomments\torder_id\tremoved",
            "2026-01-13\t1\tBad\t113-1234567-1234567\tfalse",
        );
        assert!(recognise(&p).is_none());
    }

    #[test]
    fn returns_and_listings_are_told_apart() {
        let fbm = peek_of(
            "Order ID\tOrder date\tReturn request date\tReturn request status\tA-to-Z Claim\tASIN",
            "",
        );
        assert_eq!(recognise(&fbm).map(|f| f.name), Some("amazon-fbm-returns"));
        let fba = peek_of(
            "return-date\torder-id\tsku\tasin\tfnsku\tproduct-name\tquantity\tfulfillment-center-id\tdetailed-disposition\treason\tstatus",
            "",
        );
        assert_eq!(recognise(&fba).map(|f| f.name), Some("amazon-fba-returns"));
        let listings = peek_of(
            "item-name\titem-description\tlisting-id\tseller-sku\tprice\tasin1",
            "",
        );
        assert_eq!(
            recognise(&listings).map(|f| f.name),
            Some("amazon-listings")
        );
    }

    #[test]
    fn shipments_are_recognised_by_name_or_by_ship_columns() {
        assert_eq!(by_stem("shipments").map(|f| f.name), Some("shipments"));
        let p = peek_of("order-id\tship-date\tlatest-ship-date\ttracking-number", "");
        assert_eq!(recognise(&p).map(|f| f.name), Some("shipments"));
        // A late-shipment download lists the order date too; it still
        // only fills in orders (orders.csv keeps its own layout by name).
        let p = peek_of(
            "Order ID\tOrder Date\tExpected Ship Date\tShip Confirm Date\tCarrier",
            "",
        );
        assert_eq!(recognise(&p).map(|f| f.name), Some("shipments"));
        // Every orders column a reader asks for is a shipments column too.
        for column in schema::ORDERS.columns {
            assert!(
                SHIPMENT_COLUMNS.column(column.name).is_some(),
                "{}",
                column.name
            );
        }
    }

    #[test]
    fn amazon_order_ids() {
        assert!(is_amazon_order_id("113-1234567-1234567"));
        assert!(!is_amazon_order_id("113-123456-1234567"));
        assert!(!is_amazon_order_id("false"));
    }

    #[test]
    fn no_alias_of_a_format_is_listed_twice() {
        for format in ALL {
            let mut seen = std::collections::HashSet::new();
            for (alias, _) in format.aliases {
                assert!(
                    seen.insert(normalize_header(alias)),
                    "{}: {alias}",
                    format.name
                );
            }
        }
    }

    #[test]
    fn a_raters_address_names_the_marketplace() {
        assert_eq!(marketplace_of_rater("x1@marketplace.amazon.nl"), Some("NL"));
        assert_eq!(
            marketplace_of_rater(" Y@Marketplace.Amazon.CO.UK "),
            Some("UK")
        );
        assert_eq!(marketplace_of_rater("z@marketplace.amazon.com"), Some("US"));
        assert_eq!(
            marketplace_of_rater("z@marketplace.amazon.com.mx"),
            Some("MX")
        );
        assert_eq!(marketplace_of_rater("z@amazon.com"), None);
        assert_eq!(marketplace_of_rater("z@marketplace.amazon.xyz"), None);
        assert_eq!(marketplace_of_rater("no address"), None);
    }
}
