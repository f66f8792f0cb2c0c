//! The columns of every export ahr reads: canonical names, the aliases
//! Amazon's own reports use, and which are required. Header matching ignores
//! case and treats `-`, `_` and spaces alike.

/// One column of an export.
#[derive(Debug)]
pub struct Column {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// The columns of one kind of export, found by file stem.
#[derive(Debug)]
pub struct Schema {
    pub stem: &'static str,
    /// What one row is, for error messages and `ahr init`-style help.
    pub row_is: &'static str,
    pub columns: &'static [Column],
    /// Required columns this export may lack: a shipments file shares the
    /// orders columns but only fills in orders another file lists, so it
    /// needs no purchase date.
    pub relaxed: &'static [&'static str],
}

impl Schema {
    /// Whether every file of this export must have `column`.
    pub fn requires(&self, column: &Column) -> bool {
        column.required && !self.relaxed.contains(&column.name)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The canonical column a header cell stands for, if any.
    pub fn match_header(&self, header: &str) -> Option<&'static str> {
        let wanted = normalize_header(header);
        self.columns
            .iter()
            .find(|c| {
                normalize_header(c.name) == wanted
                    || c.aliases.iter().any(|a| normalize_header(a) == wanted)
            })
            .map(|c| c.name)
    }
}

/// Lower-cases and folds `-`, `_`, spaces and dots into one `_`, so
/// `Amazon-Order-ID`, `amazon_order_id` and `amazon order id` are one name.
pub fn normalize_header(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut pending_sep = false;
    for ch in header.trim().trim_start_matches('\u{feff}').chars() {
        if matches!(ch, '-' | '_' | ' ' | '.' | '\t') {
            pending_sep = !out.is_empty();
            continue;
        }
        if pending_sep {
            out.push('_');
            pending_sep = false;
        }
        out.extend(ch.to_lowercase());
    }
    out
}

pub(super) const fn req(name: &'static str, aliases: &'static [&'static str]) -> Column {
    Column {
        name,
        aliases,
        required: true,
    }
}

pub(super) const fn opt(name: &'static str, aliases: &'static [&'static str]) -> Column {
    Column {
        name,
        aliases,
        required: false,
    }
}

pub const ORDERS: Schema = Schema {
    stem: "orders",
    row_is: "an order or an order item",
    columns: &[
        req("order_id", &["amazon-order-id"]),
        req("purchase_date", &["order-date", "purchased_at"]),
        opt("status", &["order-status"]),
        opt(
            "fulfillment",
            &["fulfillment-channel", "fulfilment-channel"],
        ),
        opt(
            "ship_by",
            &["latest-ship-date", "ship-by-date", "expected-ship-date"],
        ),
        opt(
            "shipped_at",
            &[
                "ship-date",
                "shipment-date",
                "shipped-date",
                // Seller Central's late-shipment download
                "ship-confirm-date",
                "confirmed-ship-date",
                "actual-ship-date",
            ],
        ),
        opt("carrier", &["carrier-name", "carrier-code"]),
        opt("tracking_id", &["tracking-number"]),
        opt("tracking_valid", &["valid-tracking", "is-tracking-valid"]),
        opt(
            "promised_delivery",
            &[
                "latest-delivery-date",
                "promised-delivery-date",
                "estimated-arrival-date",
            ],
        ),
        opt(
            "delivered_at",
            &["delivery-date", "actual-delivery-date", "delivered-date"],
        ),
        opt("cancelled_by", &["canceled-by", "cancellation-by"]),
        opt("buyer_id", &["buyer-email"]),
        opt("ship_postal_code", &["ship-zip"]),
        opt("ship_city", &[]),
        opt("ship_country", &[]),
        opt("sku", &["seller-sku"]),
        opt("asin", &[]),
        opt("quantity", &["quantity-purchased", "quantity-shipped"]),
        opt("item_price", &["price"]),
        opt("currency", &[]),
        // `Non-Amazon` marks multi-channel fulfillment orders, which Amazon's metrics leave out.
        opt("sales_channel", &[]),
    ],
    relaxed: &[],
};

pub const FEEDBACK: Schema = Schema {
    stem: "feedback",
    row_is: "a seller feedback",
    columns: &[
        req("date", &["feedback-date"]),
        req("rating", &["feedback-rating", "stars"]),
        opt("comments", &["comment", "feedback-comments"]),
        req("order_id", &["amazon-order-id"]),
        opt("removed", &["is-removed", "struck-through"]),
        // Amazon's report gives each rater an address at the marketplace
        // (`…@marketplace.amazon.de`), which names the date order.
        opt("rater_email", &[]),
    ],
    relaxed: &[],
};

pub const CLAIMS: Schema = Schema {
    stem: "claims",
    row_is: "an A-to-z Guarantee claim",
    columns: &[
        req("order_id", &["amazon-order-id"]),
        req("filed_at", &["claim-date", "filed-date", "date"]),
        opt("status", &["claim-status"]),
        opt("reason", &["claim-reason"]),
    ],
    relaxed: &[],
};

pub const CHARGEBACKS: Schema = Schema {
    stem: "chargebacks",
    row_is: "a chargeback",
    columns: &[
        req("order_id", &["amazon-order-id"]),
        req("filed_at", &["chargeback-date", "filed-date", "date"]),
        opt("kind", &["type", "chargeback-type"]),
        opt("status", &["chargeback-status"]),
    ],
    relaxed: &[],
};

pub const MESSAGES: Schema = Schema {
    stem: "messages",
    row_is: "a buyer-seller message",
    columns: &[
        req("sent_at", &["date", "sent", "sent-date"]),
        req("body", &["message", "text", "content"]),
        opt("order_id", &["amazon-order-id"]),
        opt("direction", &[]),
        opt("subject", &[]),
        opt("template", &["template-name"]),
    ],
    relaxed: &[],
};

pub const INSERTS: Schema = Schema {
    stem: "inserts",
    row_is: "a package insert or template text",
    columns: &[
        req("id", &["insert-id", "name"]),
        req("text", &["body", "content"]),
        opt("sku", &["seller-sku"]),
    ],
    relaxed: &[],
};

pub const REVIEWS: Schema = Schema {
    stem: "reviews",
    row_is: "a product review",
    columns: &[
        req("date", &["review-date"]),
        req("asin", &[]),
        req("rating", &["stars"]),
        opt("body", &["review-text", "text"]),
        opt("title", &["review-title"]),
        opt("reviewer_id", &["reviewer", "customer-id"]),
        opt("verified", &["verified-purchase"]),
        opt("order_id", &["amazon-order-id"]),
    ],
    relaxed: &[],
};

pub const OFFERS: Schema = Schema {
    stem: "offers",
    row_is: "an offer seen on a listing",
    columns: &[
        req("asin", &["asin1"]),
        req("seller_id", &["merchant-id", "seller"]),
        opt("brand", &[]),
        opt("seller_name", &["merchant-name"]),
        opt("condition", &["item-condition"]),
        opt("price", &["listing-price"]),
        opt("fulfillment", &["fulfillment-channel"]),
        opt("observed_at", &["date", "seen-at"]),
    ],
    relaxed: &[],
};

pub const COMPLAINTS: Schema = Schema {
    stem: "complaints",
    row_is: "an IP complaint or policy notice",
    columns: &[
        req("received_at", &["date", "notice-date"]),
        req("kind", &["type", "complaint-type"]),
        opt("status", &[]),
        opt("asin", &[]),
        opt("complainant", &["rights-owner"]),
        opt("reference", &["complaint-id", "reference-id"]),
    ],
    relaxed: &[],
};

pub const IDENTIFIERS: Schema = Schema {
    stem: "identifiers",
    row_is: "something that identifies the account's operator",
    columns: &[
        req("kind", &["type"]),
        req("value", &[]),
        opt("first_seen", &[]),
        opt("last_seen", &[]),
    ],
    relaxed: &[],
};

pub const HEALTH_HISTORY: Schema = Schema {
    stem: "health_history",
    row_is: "one day of Amazon's Account Health Rating",
    columns: &[
        req("date", &[]),
        req("ahr", &["ahr-score", "score", "account-health-rating"]),
    ],
    relaxed: &[],
};

/// Every tabular export, in the order the report lists them.
pub const ALL: [&Schema; 11] = [
    &ORDERS,
    &FEEDBACK,
    &CLAIMS,
    &CHARGEBACKS,
    &MESSAGES,
    &INSERTS,
    &REVIEWS,
    &OFFERS,
    &COMPLAINTS,
    &IDENTIFIERS,
    &HEALTH_HISTORY,
];

pub fn by_stem(stem: &str) -> Option<&'static Schema> {
    ALL.iter().copied().find(|s| s.stem == stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_ignoring_case_and_separators() {
        assert_eq!(ORDERS.match_header("Amazon-Order-ID"), Some("order_id"));
        assert_eq!(ORDERS.match_header("order id"), Some("order_id"));
        assert_eq!(
            ORDERS.match_header(" purchase-date "),
            Some("purchase_date")
        );
        assert_eq!(
            ORDERS.match_header("fulfillment-channel"),
            Some("fulfillment")
        );
        assert_eq!(ORDERS.match_header("\u{feff}order_id"), Some("order_id"));
        assert_eq!(ORDERS.match_header("ship-service-level"), None);
        // Seller Central's late-shipment download
        assert_eq!(ORDERS.match_header("Ship Confirm Date"), Some("shipped_at"));
        assert_eq!(ORDERS.match_header("Expected Ship Date"), Some("ship_by"));
        assert_eq!(FEEDBACK.match_header("Order ID"), Some("order_id"));
    }

    #[test]
    fn no_alias_is_claimed_by_two_columns_of_one_schema() {
        for schema in ALL {
            let mut seen = std::collections::HashSet::new();
            for col in schema.columns {
                for name in std::iter::once(&col.name).chain(col.aliases) {
                    assert!(
                        seen.insert(normalize_header(name)),
                        "{}: `{name}` is listed twice",
                        schema.stem
                    );
                }
            }
        }
    }
}
