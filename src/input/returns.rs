//! Customer returns from Amazon's returns reports (FBA and seller-fulfilled),
//! and what they say about the account: a seller-fulfilled return marked
//! `A-to-Z Claim = Y` is an A-to-z claim on that order, which the order
//! defect rate counts even when no claims export was downloaded.

use super::dates::Stamp;
use super::native::{self, RETURNS};
use super::records::{Claim, Offer, ParseContext, Record, Source};
use super::schema::Schema;
use super::strings::Strings;
use super::table::{Row, Table};
use super::values::{Channel, parse_bool};

/// One returned order item.
#[derive(Clone, Debug, PartialEq)]
pub struct Return {
    pub line: u64,
    pub order_id: String,
    /// `return-date` (FBA) or `Return request date` (seller-fulfilled).
    pub date: Stamp,
    pub sku: Option<String>,
    pub asin: Option<String>,
    pub quantity: Option<u32>,
    pub reason: Option<String>,
    pub status: Option<String>,
    pub disposition: Option<String>,
    pub comments: Option<String>,
    /// Seller-fulfilled returns only: the buyer filed an A-to-z claim.
    pub a_to_z_claim: Option<bool>,
}

pub struct ReturnColumns {
    order_id: Option<usize>,
    date: Option<usize>,
    sku: Option<usize>,
    asin: Option<usize>,
    quantity: Option<usize>,
    reason: Option<usize>,
    status: Option<usize>,
    disposition: Option<usize>,
    comments: Option<usize>,
    a_to_z_claim: Option<usize>,
}

fn owned(value: Option<&str>) -> Option<String> {
    value.map(str::to_string)
}

impl Record for Return {
    const SCHEMA: &'static Schema = &RETURNS;
    type Columns = ReturnColumns;
    fn columns(table: &Table) -> ReturnColumns {
        ReturnColumns {
            order_id: table.index("order_id"),
            date: table.index("date"),
            sku: table.index("sku"),
            asin: table.index("asin"),
            quantity: table.index("quantity"),
            reason: table.index("reason"),
            status: table.index("status"),
            disposition: table.index("disposition"),
            comments: table.index("comments"),
            a_to_z_claim: table.index("a_to_z_claim"),
        }
    }
    fn parse(
        row: &Row<'_>,
        c: &ReturnColumns,
        ctx: &ParseContext,
        _: &mut Strings,
    ) -> Result<Self, String> {
        let quantity = row
            .get(c.quantity)?
            .map(|q| {
                q.parse::<u32>()
                    .map_err(|_| format!("quantity `{q}` is not a whole number"))
            })
            .transpose()?;
        Ok(Return {
            line: row.line,
            order_id: row.required(c.order_id, "order_id")?.to_string(),
            date: ctx.date(row, c.date, "date")?,
            sku: owned(row.get(c.sku)?),
            asin: owned(row.get(c.asin)?),
            quantity,
            reason: owned(row.get(c.reason)?),
            status: owned(row.get(c.status)?),
            disposition: owned(row.get(c.disposition)?),
            comments: owned(row.get(c.comments)?),
            a_to_z_claim: row
                .get(c.a_to_z_claim)?
                .map(|v| parse_bool(v).map_err(|e| format!("A-to-Z Claim: {e}")))
                .transpose()?,
        })
    }
}

/// The A-to-z claims the returns show: one per order marked `A-to-Z Claim =
/// Y`, with the return request date as its filing date. Amazon's returns
/// report does not say how the claim ended, so its status is not given and
/// it counts as a defect, as an open claim would.
pub fn claims_from_returns(returns: &Source<Return>) -> Source<Claim> {
    let mut seen = std::collections::HashSet::new();
    let rows = returns
        .rows
        .iter()
        .filter(|r| r.a_to_z_claim == Some(true))
        .filter(|r| seen.insert(r.order_id.clone()))
        .map(|r| Claim {
            line: r.line,
            order_id: r.order_id.as_str().into(),
            filed_at: r.date,
            status: None,
            reason: r.reason.clone(),
        })
        .collect();
    Source::new(returns.file.clone(), rows)
}

struct ListingColumns {
    asin: Option<usize>,
    price: Option<usize>,
    open_date: Option<usize>,
    condition: Option<usize>,
    fulfillment: Option<usize>,
}

/// Reads the listings report as the seller's own offers: `seller_id` is the
/// account's (account.toml `seller_id`, else its id), so offer checks can
/// tell them from other sellers' offers.
pub fn read_listings(
    table: &mut Table,
    ctx: &ParseContext,
    seller_id: &str,
    seller_name: Option<&str>,
) -> anyhow::Result<Source<Offer>> {
    let c = ListingColumns {
        asin: table.index("asin"),
        price: table.index("price"),
        open_date: table.index("open_date"),
        condition: table.index("condition"),
        fulfillment: table.index("fulfillment"),
    };
    let mut rows = Vec::new();
    table.for_each_row(|row| {
        let fulfillment = row.get(c.fulfillment)?.map(|f| match Channel::parse(f) {
            Ok(Channel::Mfn) => "MFN".to_string(),
            Ok(Channel::Afn) => "AFN".to_string(),
            Err(_) => f.to_string(),
        });
        rows.push(Offer {
            line: row.line,
            asin: row.required(c.asin, "asin1")?.to_string(),
            seller_id: seller_id.to_string(),
            brand: None,
            seller_name: seller_name.map(str::to_string),
            condition: row.get(c.condition)?.map(native::condition_name),
            price: owned(row.get(c.price)?),
            fulfillment,
            // Listings carry no observation date; when the listing opened is the nearest.
            observed_at: ctx.opt_date(row, c.open_date, "open-date")?,
        });
        Ok(())
    })?;
    Ok(Source::new(table.report.file.clone(), rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::dates::parse_stamp;

    fn ret(line: u64, order: &str, claim: Option<bool>) -> Return {
        Return {
            line,
            order_id: order.into(),
            date: parse_stamp("10-Jul-2025", None).unwrap(),
            sku: None,
            asin: None,
            quantity: Some(1),
            reason: Some("Item defective".into()),
            status: None,
            disposition: None,
            comments: None,
            a_to_z_claim: claim,
        }
    }

    #[test]
    fn only_returns_marked_as_claims_become_claims_once_per_order() {
        let returns = Source {
            file: "returns.txt".into(),
            texts: Default::default(),
            rows: vec![
                ret(2, "111-0000001-0000001", Some(true)),
                ret(3, "111-0000001-0000001", Some(true)),
                ret(4, "111-0000002-0000002", Some(false)),
                ret(5, "111-0000003-0000003", None),
            ],
        };
        let claims = claims_from_returns(&returns);
        assert_eq!(claims.file, "returns.txt");
        assert_eq!(claims.rows.len(), 1);
        assert_eq!(claims.rows[0].line, 2);
        assert_eq!(claims.rows[0].status, None);
        assert_eq!(claims.rows[0].filed_at.date.to_string(), "2025-07-10");
    }
}
