//! Writes a large, realistic seller account for the benchmark in `bench/`:
//! an orders export of exactly `--rows` item rows (about 1.3 rows per order,
//! an MFN/AFN mix, cancellations, late shipments, invalid tracking, late
//! deliveries) over the year ending at `--as-of`, with feedback, A-to-z
//! claims, chargebacks, buyer messages and IP complaints in proportion, and
//! an `account.toml`. The same arguments always write the same bytes.
//! `--days` (default 365) spreads the rows over more or less history: more
//! rows over the same days is a bigger seller, more days a longer export.
//!
//! ```text
//! cargo run --release --example generate_account -- --rows 5000000 --seed 42 --out /tmp/ahr-bench/5m
//! ```

use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// splitmix64: tiny, fast, and good enough to make data look varied; the
/// library gains no dependency for a benchmark input.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `per_million` / 1,000,000.
    fn chance(&mut self, per_million: u64) -> bool {
        self.below(1_000_000) < per_million
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

struct Options {
    rows: u64,
    seed: u64,
    out: PathBuf,
    as_of: NaiveDate,
    /// How many days of history the orders span, ending at as-of.
    days: u32,
}

fn parse_args() -> Result<Options, String> {
    let mut rows = None;
    let mut seed = 42;
    let mut out = None;
    let mut as_of = NaiveDate::from_ymd_opt(2026, 11, 20).expect("a valid date");
    let mut days = 365;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--rows" => {
                rows = Some(
                    value()?
                        .replace('_', "")
                        .parse()
                        .map_err(|e| format!("--rows: {e}"))?,
                )
            }
            "--seed" => seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => out = Some(PathBuf::from(value()?)),
            "--as-of" => {
                as_of = value()?
                    .parse()
                    .map_err(|e| format!("--as-of (YYYY-MM-DD): {e}"))?
            }
            "--days" => {
                days = value()?
                    .parse()
                    .map_err(|e| format!("--days: {e}"))
                    .and_then(|d: u32| {
                        if d == 0 {
                            Err("--days must be at least 1".to_string())
                        } else {
                            Ok(d)
                        }
                    })?
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Options {
        rows: rows.ok_or("--rows N is required")?,
        seed,
        out: out.ok_or("--out DIR is required")?,
        as_of,
        days,
    })
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!(
                "error: {e}\nusage: generate_account --rows N [--seed S] [--as-of YYYY-MM-DD] [--days D] --out DIR"
            );
            return ExitCode::from(2);
        }
    };
    match generate(&options) {
        Ok(counts) => {
            println!(
                "{}: {} order rows ({} orders), {} feedback, {} claims, {} chargebacks, {} messages, {} complaints",
                options.out.display(),
                options.rows,
                counts.orders,
                counts.feedback,
                counts.claims,
                counts.chargebacks,
                counts.messages,
                counts.complaints
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}", options.out.display());
            ExitCode::from(2)
        }
    }
}

#[derive(Default)]
struct Counts {
    orders: u64,
    feedback: u64,
    claims: u64,
    chargebacks: u64,
    messages: u64,
    complaints: u64,
}

struct Writers {
    orders: BufWriter<File>,
    feedback: BufWriter<File>,
    claims: BufWriter<File>,
    chargebacks: BufWriter<File>,
    messages: BufWriter<File>,
    complaints: BufWriter<File>,
}

impl Writers {
    fn create(dir: &std::path::Path) -> std::io::Result<Writers> {
        let open = |name: &str, header: &str| -> std::io::Result<BufWriter<File>> {
            let mut w = BufWriter::with_capacity(1 << 20, File::create(dir.join(name))?);
            writeln!(w, "{header}")?;
            Ok(w)
        };
        Ok(Writers {
            orders: open(
                "orders.csv",
                "order_id,purchase_date,status,fulfillment,ship_by,shipped_at,carrier,tracking_id,\
                 tracking_valid,promised_delivery,delivered_at,cancelled_by,buyer_id,ship_postal_code,\
                 ship_city,ship_country,sku,asin,quantity,item_price,currency",
            )?,
            feedback: open("feedback.csv", "date,rating,comments,order_id,removed")?,
            claims: open("claims.csv", "order_id,filed_at,status,reason")?,
            chargebacks: open("chargebacks.csv", "order_id,filed_at,kind,status")?,
            messages: open("messages.csv", "sent_at,order_id,direction,subject,body")?,
            complaints: open(
                "complaints.csv",
                "received_at,kind,status,asin,complainant,reference",
            )?,
        })
    }

    fn finish(self) -> std::io::Result<()> {
        for mut w in [
            self.orders,
            self.feedback,
            self.claims,
            self.chargebacks,
            self.messages,
            self.complaints,
        ] {
            w.flush()?;
        }
        Ok(())
    }
}

/// An ISO instant; one cell in five is written in Pacific daylight time
/// (`-07:00`) as US reports do, so UTC calendar dates are really exercised.
fn instant(rng: &mut Rng, t: DateTime<Utc>) -> String {
    if rng.chance(200_000) {
        let local = t.naive_utc() - Duration::hours(7);
        format!("{}-07:00", local.format("%Y-%m-%dT%H:%M:%S"))
    } else {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

fn day(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Order ids like Amazon's `113-1234567-1234567`: the 14 digits are an
/// affine bijection of the order's index mod 10^14, so ids never collide.
fn order_id(rng: &mut Rng, index: u64) -> String {
    const MOD: u64 = 100_000_000_000_000;
    let digits =
        ((u128::from(index) * 7_919_000_123_457 + 1_234_567_890_123) % u128::from(MOD)) as u64;
    let prefix = rng.pick(&["111", "112", "113", "114"]);
    format!(
        "{prefix}-{:07}-{:07}",
        digits / 10_000_000,
        digits % 10_000_000
    )
}

const CITIES: &[(&str, &str)] = &[
    ("98101", "Seattle"),
    ("10001", "New York"),
    ("60601", "Chicago"),
    ("73301", "Austin"),
    ("94105", "San Francisco"),
    ("30301", "Atlanta"),
    ("80202", "Denver"),
    ("02108", "Boston"),
];
const CARRIERS: &[&str] = &["UPS", "USPS", "FedEx"];
const FEEDBACK_GOOD: &[&str] = &[
    "Great seller",
    "Arrived quickly, as described",
    "Exactly what I needed",
    "Good packaging",
];
const FEEDBACK_BAD: &[&str] = &[
    "Arrived broken",
    "Never arrived, no answer to my messages",
    "Item not as described",
    "Late and damaged",
];
const CLAIM_STATUSES: &[&str] = &["open", "granted", "refunded", "denied", "withdrawn"];
const CLAIM_REASONS: &[&str] = &["not received", "not as described", "damaged"];
/// Buyer-seller messages as sellers' templates write them: the same few
/// texts, each filled in with the buyer's name, the order and the product,
/// so no two messages are alike. `{name}`, `{order}`, `{product}` and
/// `{days}` are filled in per message.
const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "outbound",
        "Your order has shipped",
        "Hello {name}, your order {order} is on its way. Track it with the link in your order page. Thank you.",
    ),
    (
        "outbound",
        "About your return",
        "Hi {name}, we will review your return request for the {product} and refund you as soon as the item arrives.",
    ),
    (
        "inbound",
        "Where is my order?",
        "Hi, the tracking of order {order} has not moved for {days} days. Can you check with the carrier?",
    ),
    (
        "outbound",
        "A question about your order",
        "Hello {name}, the {product} you ordered is back in stock on Monday; shall we ship then or would you prefer to cancel?",
    ),
    (
        "outbound",
        "Thank you",
        "Thank you for your order, {name}! If you have a moment, please share your honest review of the {product}.",
    ),
];
const FIRST_NAMES: &[&str] = &[
    "Anna", "Ben", "Carla", "David", "Elena", "Frank", "Grace", "Hiro", "Ines", "Jamal", "Kate",
    "Luis", "Maria", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tomás", "Uma", "Victor",
    "Wen", "Yusuf", "Zoe",
];
const PRODUCTS: &[&str] = &[
    "steel water bottle",
    "yoga mat",
    "phone case",
    "desk lamp",
    "kitchen scale",
    "travel pillow",
    "garden hose",
    "baby monitor",
    "LED strip",
    "wool socks",
];
const COMPLAINT_KINDS: &[&str] = &["trademark", "copyright", "condition", "listing", "safety"];
const COMPLAINT_STATUSES: &[&str] = &["open", "appealed", "resolved", "rejected"];

fn generate(options: &Options) -> std::io::Result<Counts> {
    std::fs::create_dir_all(&options.out)?;
    let mut w = Writers::create(&options.out)?;
    let mut rng = Rng(options.seed ^ 0x5EED_0000_A11C_E5E5);
    let mut counts = Counts::default();
    let end = options
        .as_of
        .and_hms_opt(23, 59, 59)
        .expect("a valid time")
        .and_utc();
    let span_seconds = i64::from(options.days) * 86_400;
    let start = end - Duration::seconds(span_seconds);
    let rows = options.rows.max(1);
    let mut written = 0u64;
    while written < options.rows {
        // Purchases advance with the file, as Amazon's exports are sorted.
        let jitter = rng.below(600) as i64;
        let offset = (i128::from(span_seconds) * i128::from(written) / i128::from(rows)) as i64;
        let purchase = (start + Duration::seconds(offset + jitter)).min(end);
        let items = match rng.below(100) {
            0..=76 => 1,
            77..=93 => 2,
            _ => 3,
        }
        .min(options.rows - written);
        let index = counts.orders;
        counts.orders += 1;
        let order = order_fields(&mut rng, index, purchase, end);
        for _ in 0..items {
            let sku = rng.below(400);
            let quantity = if rng.chance(90_000) { 2 } else { 1 };
            let cents = 799 + rng.below(9_200);
            writeln!(
                w.orders,
                "{},US,SKU-{sku:04},B0{:08},{quantity},{}.{:02},USD",
                order.line_prefix,
                sku * 7_919 % 100_000_000,
                cents / 100,
                cents % 100
            )?;
        }
        written += items;
        extras(&mut rng, &mut w, &mut counts, &order, end)?;
    }
    // IP complaints: a handful per account, a few more for big ones.
    let complaints = 3 + options.rows / 250_000;
    for i in 0..complaints {
        let received = end - Duration::seconds(rng.below(span_seconds as u64) as i64);
        writeln!(
            w.complaints,
            "{},{},{},B0{:08},Rights Owner {} LLC,CMP-{:06}",
            instant(&mut rng, received),
            rng.pick(COMPLAINT_KINDS),
            rng.pick(COMPLAINT_STATUSES),
            rng.below(400) * 7_919 % 100_000_000,
            i % 7,
            i
        )?;
        counts.complaints += 1;
    }
    w.finish()?;
    std::fs::write(
        options.out.join("account.toml"),
        format!(
            "id = \"bench-{rows}\"\nname = \"Benchmark Supply ({rows} order rows, seed {seed})\"\n\
             marketplace = \"US\"\nseller_id = \"A2BENCH{seed}\"\nbrands = [\"Benchmark\"]\n",
            rows = options.rows,
            seed = options.seed
        ),
    )?;
    Ok(counts)
}

/// What the side files need to know about an order.
struct OrderFacts {
    id: String,
    /// The order-level cells, shared by all of the order's item rows.
    line_prefix: String,
    purchase: DateTime<Utc>,
    cancelled: bool,
    delivered: Option<DateTime<Utc>>,
}

fn order_fields(
    rng: &mut Rng,
    index: u64,
    purchase: DateTime<Utc>,
    end: DateTime<Utc>,
) -> OrderFacts {
    let id = order_id(rng, index);
    let afn = rng.chance(450_000);
    let buyer = format!("b{:07}", rng.below(3_000_000));
    // Cancellations: MFN orders are cancelled more, and by the seller more.
    let cancelled = rng.chance(if afn { 15_000 } else { 22_000 });
    let cancelled_by = if !cancelled {
        ""
    } else if afn {
        "buyer"
    } else {
        *rng.pick(&["seller", "seller", "buyer", "buyer", "system", ""])
    };
    // MFN: ship by the end of the second day (Pacific), usually shipped the
    // next day, sometimes late. AFN: Amazon ships; no seller ship-by.
    let ship_by = (purchase.date_naive() + Duration::days(2))
        .and_hms_opt(6, 59, 59)
        .expect("a valid time")
        .and_utc();
    let shipped = if cancelled {
        None
    } else if !afn && rng.chance(30_000) {
        Some(ship_by + Duration::minutes(30 + rng.below(72 * 60) as i64))
    } else {
        Some(purchase + Duration::minutes(120 + rng.below(30 * 60) as i64))
    }
    .filter(|s| *s <= end);
    let promised = (ship_by + Duration::days(3 + rng.below(4) as i64)).date_naive();
    let delivered = shipped
        .map(|s| {
            let late = rng.chance(60_000);
            let base = promised
                .and_hms_opt(18, 0, 0)
                .expect("a valid time")
                .and_utc();
            if late {
                base + Duration::days(1 + rng.below(4) as i64)
            } else {
                (s + Duration::hours(20 + rng.below(72) as i64)).min(base)
            }
        })
        .filter(|d| *d <= end);
    let status = if cancelled {
        "Cancelled"
    } else if delivered.is_some() {
        "Delivered"
    } else if shipped.is_some() {
        "Shipped"
    } else if rng.chance(300_000) {
        "Pending"
    } else {
        "Unshipped"
    };
    let mut line = String::with_capacity(200);
    line.push_str(&id);
    line.push(',');
    line.push_str(&instant(rng, purchase));
    line.push(',');
    line.push_str(status);
    line.push_str(if afn { ",AFN," } else { ",MFN," });
    if !afn {
        line.push_str(&instant(rng, ship_by));
    }
    line.push(',');
    if let Some(s) = shipped {
        line.push_str(&instant(rng, s));
    }
    line.push(',');
    if let (Some(_), false) = (shipped, afn) {
        let carrier = rng.pick(CARRIERS);
        let tracking = format!("1Z{:016}", rng.below(10_000_000_000_000_000));
        let valid = match rng.below(1000) {
            0..=19 => "false",
            20..=29 => "",
            _ => "true",
        };
        // One in two hundred tracked parcels has its id missing entirely.
        let tracking = if rng.chance(5_000) { "" } else { &tracking };
        line.push_str(&format!("{carrier},{tracking},{valid}"));
    } else {
        line.push_str(",,");
    }
    line.push(',');
    if !cancelled {
        line.push_str(&promised.format("%Y-%m-%d").to_string());
    }
    line.push(',');
    if let Some(d) = delivered {
        line.push_str(&day(d));
    }
    line.push(',');
    line.push_str(cancelled_by);
    line.push(',');
    line.push_str(&buyer);
    // Buyers live all over the country: a postal code of its own for each
    // order's delivery area (five digits, as in the US), in one of a few
    // cities. A handful of postal codes would make every busy ASIN look
    // like a brushing ring to REV-BRUSHING's address signal.
    let (_, city) = rng.pick(CITIES);
    let postal = 1000 + rng.below(98_000);
    line.push_str(&format!(",{postal:05},{city}"));
    OrderFacts {
        id,
        line_prefix: line,
        purchase,
        cancelled,
        delivered,
    }
}

/// Feedback, claims, chargebacks and messages for one order, at rates close
/// to a middling seller's: ~8% leave feedback, ~0.4% file an A-to-z claim,
/// ~0.1% a chargeback, ~5% exchange a message.
fn extras(
    rng: &mut Rng,
    w: &mut Writers,
    counts: &mut Counts,
    order: &OrderFacts,
    end: DateTime<Utc>,
) -> std::io::Result<()> {
    let after = |rng: &mut Rng, from: DateTime<Utc>, days: u64| {
        let t = from + Duration::minutes(60 + rng.below(days * 1_440) as i64);
        (t <= end).then_some(t)
    };
    if let Some(delivered) = order.delivered
        && rng.chance(80_000)
        && let Some(date) = after(rng, delivered, 20)
    {
        let rating = match rng.below(100) {
            0..=69 => 5,
            70..=84 => 4,
            85..=89 => 3,
            90..=93 => 2,
            _ => 1,
        };
        let comment = if rating <= 2 {
            rng.pick(FEEDBACK_BAD)
        } else {
            rng.pick(FEEDBACK_GOOD)
        };
        let removed = rating <= 2 && rng.chance(100_000);
        writeln!(
            w.feedback,
            "{},{rating},\"{comment}\",{},{removed}",
            day(date),
            order.id
        )?;
        counts.feedback += 1;
    }
    if !order.cancelled
        && rng.chance(4_000)
        && let Some(filed) = after(rng, order.purchase, 45)
    {
        writeln!(
            w.claims,
            "{},{},{},{}",
            order.id,
            instant(rng, filed),
            rng.pick(CLAIM_STATUSES),
            rng.pick(CLAIM_REASONS)
        )?;
        counts.claims += 1;
    }
    if !order.cancelled
        && rng.chance(1_000)
        && let Some(filed) = after(rng, order.purchase, 60)
    {
        let kind = if rng.chance(300_000) {
            "fraud"
        } else {
            "service"
        };
        let status = rng.pick(&["open", "accepted", "won"]);
        writeln!(w.chargebacks, "{},{},{kind},{status}", order.id, day(filed))?;
        counts.chargebacks += 1;
    }
    if rng.chance(50_000)
        && let Some(sent) = after(rng, order.purchase, 10)
    {
        let (direction, subject, template) = rng.pick(MESSAGES);
        let (name, product) = (*rng.pick::<&str>(FIRST_NAMES), *rng.pick::<&str>(PRODUCTS));
        let body = template
            .replace("{name}", name)
            .replace("{order}", &order.id)
            .replace("{product}", product)
            .replace("{days}", &(2 + rng.below(6)).to_string());
        writeln!(
            w.messages,
            "{},{},{direction},{subject},\"{body}\"",
            instant(rng, sent),
            order.id
        )?;
        counts.messages += 1;
    }
    Ok(())
}
