//! Cell values shared by several exports: booleans, ratings, order statuses,
//! fulfillment channels. Matching is forgiving about case, spacing and
//! Amazon's own spellings, and strict about anything else.

use serde::Serialize;

/// Folds case, surrounding space and inner separators: `Shipped `, `SHIPPED`
/// and `shipped` are one value, and so are `Pending-Availability` and
/// `PendingAvailability`.
pub fn fold(value: &str) -> String {
    value
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Calls `f` with [`fold`]`(value)`, folding short ASCII values on the stack:
/// status, channel and flag cells are read on every order row, and building
/// a `String` for each was a tenth of the time it took to read an orders file.
pub fn with_folded<R>(value: &str, f: impl FnOnce(&str) -> R) -> R {
    const STACK: usize = 64;
    let trimmed = value.trim();
    if trimmed.len() <= STACK && trimmed.is_ascii() {
        let mut buf = [0u8; STACK];
        let mut len = 0;
        for &b in trimmed.as_bytes() {
            if !matches!(b, b' ' | b'-' | b'_') {
                buf[len] = b.to_ascii_lowercase();
                len += 1;
            }
        }
        // Lower-cased ASCII is still ASCII, so this cannot fail.
        if let Ok(folded) = std::str::from_utf8(&buf[..len]) {
            return f(folded);
        }
    }
    f(&fold(value))
}

pub fn parse_bool(value: &str) -> Result<bool, String> {
    with_folded(value, |folded| match folded {
        "true" | "yes" | "y" | "1" | "t" | "valid" => Ok(true),
        "false" | "no" | "n" | "0" | "f" | "invalid" => Ok(false),
        _ => Err(format!("`{value}` is not true or false")),
    })
}

/// A star rating from 1 to 5 (`4`, `4.0` and `4 stars` all read as 4).
pub fn parse_rating(value: &str) -> Result<u8, String> {
    let digits = value
        .trim()
        .trim_end_matches(|c: char| c.is_alphabetic() || c == ' ');
    let number: f64 = digits
        .parse()
        .map_err(|_| format!("rating `{value}` is not a number from 1 to 5"))?;
    if !(1.0..=5.0).contains(&number) {
        Err(format!("rating `{value}` is outside 1 to 5"))
    } else if number.fract() != 0.0 {
        Err(format!(
            "rating `{value}` is not a whole number of stars: feedback is rated 1 to 5"
        ))
    } else {
        Ok(number as u8)
    }
}

/// Order status, with the spellings of Amazon's All Orders report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum OrderStatus {
    Pending,
    Unshipped,
    Shipped,
    Delivered,
    Cancelled,
}

impl OrderStatus {
    pub fn parse(value: &str) -> Result<OrderStatus, String> {
        with_folded(value, |folded| {
            Ok(match folded {
                "pending" | "pendingavailability" | "invoiceunconfirmed" => OrderStatus::Pending,
                // The All Orders report's "Pending - Waiting for Pick Up":
                // ready, but the carrier has not taken it yet.
                "unshipped" | "partiallyshipped" | "unfulfillable" | "pendingwaitingforpickup" => {
                    OrderStatus::Unshipped
                }
                "shipped" | "shipping" => OrderStatus::Shipped,
                "delivered" | "shipped–deliveredtobuyer" | "shippeddeliveredtobuyer" => {
                    OrderStatus::Delivered
                }
                // The rest of the All Orders report's "Shipped - …" states:
                // the order left, whatever became of it.
                "shippedpickedup"
                | "shippedoutfordelivery"
                | "shippedreturningtoseller"
                | "shippedreturnedtoseller"
                | "shippedrejectedbybuyer"
                | "shippedlostintransit"
                | "shippeddamaged" => OrderStatus::Shipped,
                "cancelled" | "canceled" => OrderStatus::Cancelled,
                // Seller Central JP's wording, best-effort.
                "保留中" | "保留" => OrderStatus::Pending,
                "未出荷" => OrderStatus::Unshipped,
                "出荷済み" | "発送済み" => OrderStatus::Shipped,
                "配達済み" | "お届け済み" => OrderStatus::Delivered,
                "キャンセル" | "キャンセル済み" => OrderStatus::Cancelled,
                _ => {
                    return Err(format!(
                        "status `{value}` is not one of Pending, Unshipped, Shipped, Delivered, Cancelled"
                    ));
                }
            })
        })
    }
}

/// Who fulfils an order: the seller (MFN) or Amazon (AFN, FBA).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Channel {
    Mfn,
    Afn,
}

impl Channel {
    pub fn parse(value: &str) -> Result<Channel, String> {
        with_folded(value, |folded| match folded {
            "mfn" | "merchant" | "fbm" | "default" | "seller" | "sellerfulfilled" | "出品者"
            | "出品者出荷" => Ok(Channel::Mfn),
            "afn" | "amazon" | "fba" | "amazonna" | "amazoneu" | "amazonfe" | "amazonjp" => {
                Ok(Channel::Afn)
            }
            _ => Err(format!(
                "fulfillment `{value}` is not MFN/Merchant or AFN/Amazon"
            )),
        })
    }
}

/// Who cancelled an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CancelledBy {
    Seller,
    Buyer,
    System,
}

impl CancelledBy {
    pub fn parse(value: &str) -> Result<CancelledBy, String> {
        with_folded(value, |folded| match folded {
            "seller" | "merchant" => Ok(CancelledBy::Seller),
            "buyer" | "customer" | "buyerrequested" => Ok(CancelledBy::Buyer),
            "system" | "amazon" | "auto" | "automatic" => Ok(CancelledBy::System),
            _ => Err(format!(
                "cancelled_by `{value}` is not one of seller, buyer, system"
            )),
        })
    }
}

/// Picks one of a fixed set of lower-case names, forgiving case and spacing.
pub fn parse_choice(
    column: &str,
    value: &str,
    choices: &[&'static str],
) -> Result<&'static str, String> {
    let folded = fold(value);
    choices
        .iter()
        .copied()
        .find(|c| fold(c) == folded)
        .ok_or_else(|| format!("{column} `{value}` is not one of {}", choices.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_forgive_case_space_and_amazon_spellings() {
        assert_eq!(OrderStatus::parse("Shipped "), Ok(OrderStatus::Shipped));
        assert_eq!(OrderStatus::parse("SHIPPED"), Ok(OrderStatus::Shipped));
        assert_eq!(OrderStatus::parse("Canceled"), Ok(OrderStatus::Cancelled));
        assert_eq!(
            OrderStatus::parse("PendingAvailability"),
            Ok(OrderStatus::Pending)
        );
        assert!(OrderStatus::parse("Lost").is_err());
    }

    #[test]
    fn every_all_orders_report_status_is_read() {
        use OrderStatus::*;
        for (text, status) in [
            ("Pending", Pending),
            ("Pending - Waiting for Pick Up", Unshipped),
            ("Unshipped", Unshipped),
            ("Shipping", Shipped),
            ("Shipped", Shipped),
            ("Shipped - Picked Up", Shipped),
            ("Shipped - Out for Delivery", Shipped),
            ("Shipped - Delivered to Buyer", Delivered),
            ("Shipped - Returning to Seller", Shipped),
            ("Shipped - Returned to Seller", Shipped),
            ("Shipped - Rejected by Buyer", Shipped),
            ("Shipped - Lost in Transit", Shipped),
            ("Shipped - Damaged", Shipped),
            ("Cancelled", Cancelled),
        ] {
            assert_eq!(OrderStatus::parse(text), Ok(status), "{text}");
        }
    }

    #[test]
    fn channels_read_amazon_and_listing_spellings() {
        assert_eq!(Channel::parse("Merchant"), Ok(Channel::Mfn));
        assert_eq!(Channel::parse("Amazon"), Ok(Channel::Afn));
        assert_eq!(Channel::parse("AMAZON_NA"), Ok(Channel::Afn));
        assert_eq!(Channel::parse("DEFAULT"), Ok(Channel::Mfn));
        assert_eq!(Channel::parse("出品者"), Ok(Channel::Mfn));
        assert_eq!(OrderStatus::parse("出荷済み"), Ok(OrderStatus::Shipped));
        assert_eq!(OrderStatus::parse("キャンセル"), Ok(OrderStatus::Cancelled));
        assert!(Channel::parse("drone").is_err());
    }

    #[test]
    fn ratings_are_whole_stars_from_one_to_five() {
        assert_eq!(parse_rating("1"), Ok(1));
        assert_eq!(parse_rating("5.0"), Ok(5));
        assert!(
            parse_rating("4.5")
                .unwrap_err()
                .contains("not a whole number")
        );
        assert!(parse_rating("6").unwrap_err().contains("outside 1 to 5"));
        assert_eq!(parse_rating("4 stars"), Ok(4));
        assert!(parse_rating("7").is_err());
        assert!(parse_rating("0").is_err());
        assert!(parse_rating("2.5").is_err());
        assert!(parse_rating("bad").is_err());
    }

    #[test]
    fn folding_on_the_stack_agrees_with_fold() {
        for value in [
            " Shipped ",
            "Pending-Availability",
            "AMAZON_NA",
            "Shipped – Delivered to Buyer",
            "出荷済み",
            "",
            &"X-".repeat(40),
        ] {
            assert_eq!(with_folded(value, str::to_string), fold(value), "{value:?}");
        }
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool("TRUE"), Ok(true));
        assert_eq!(parse_bool("n"), Ok(false));
        assert!(parse_bool("maybe").is_err());
    }
}
